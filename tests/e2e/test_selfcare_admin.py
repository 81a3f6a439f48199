"""Administrators keep the self-care signposting rules and watch the case system's delivery log
in the Wagtail admin, in a real browser; axe checks every page."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from directory.factories import TaxonomyTermFactory
from portal import roles
from portal.factories import UserFactory
from selfcare.models import SignpostRule, Submission, WebhookAttempt, WebhookDelivery

from .axe import assert_accessible
from .signin import give_authenticator, sign_in


def wait_for_admin_message(page: Page) -> None:
    """Wagtail fades its messages in: check their colours once they are fully shown (as
    test_providers.py does)."""
    page.locator(".messages [data-w-messages-target='container'] li").first.wait_for()
    page.wait_for_timeout(200)  # the fade starts after a short delay
    for _ in range(50):  # wait_for_function would need eval, which the admin's CSP forbids
        running = page.evaluate(
            "() => document.getAnimations().filter((a) => a.playState === 'running').length"
        )
        if not running:
            return
        page.wait_for_timeout(100)


def _delivery() -> WebhookDelivery:
    submission = Submission.objects.create(
        reference="CSA-7K3M-9QXP",
        definition_slug="phq-9",
        definition_title="Carer's self-assessment",
        definition_version=1,
        scoring_version=1,
        contact_name="Sam Carer",
        submitted_at=timezone.now(),
    )
    delivery = WebhookDelivery.objects.create(
        submission=submission,
        url="https://cases.council.example/hooks/selfcare",
        body='{"contact":{"name":"Sam Carer"}}',
        attempts=2,
        next_attempt_at=timezone.now() + timedelta(minutes=4),
    )
    WebhookAttempt.objects.create(delivery=delivery, status_code=503, duration_ms=120)
    WebhookAttempt.objects.create(
        delivery=delivery, error="ConnectionRefusedError: Connection refused", duration_ms=3
    )
    return delivery


def test_administrator_adds_a_signposting_rule_and_reads_the_delivery_log(page: Page):
    admin = UserFactory(email="admin@council.example", roles=[roles.ADMINISTRATORS])
    TaxonomyTermFactory(name="Peer support", slug="peer-support")
    delivery = _delivery()
    sign_in(page, admin, secret=give_authenticator(admin))

    page.goto("/admin/snippets/selfcare/signpostrule/")
    expect(page.get_by_role("heading", name="Signpost rules")).to_be_visible()
    assert_accessible(page)

    page.goto("/admin/snippets/selfcare/signpostrule/add/")
    assert_accessible(page)
    page.locator("#id_definition_slug").select_option("phq-9")
    page.locator("#id_key").fill("band-severity")  # not a key any result could match
    page.get_by_label("Peer support").check()
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_text("Enter a key like")).to_be_visible()
    wait_for_admin_message(page)
    assert_accessible(page)
    page.locator("#id_key").fill("band:severity:moderate")
    page.get_by_role("button", name="Save").first.click()
    expect(page.locator("table.listing")).to_contain_text("band:severity:moderate")
    expect(page.locator("table.listing")).to_contain_text("Peer support")
    rule = SignpostRule.objects.get()
    assert (rule.definition_slug, rule.key) == ("phq-9", "band:severity:moderate")

    page.goto("/admin/case-system-deliveries/")
    listing = page.locator("table.listing")
    expect(listing).to_contain_text("CSA-7K3M-9QXP")
    expect(listing).to_contain_text("Waiting to be sent")
    assert_accessible(page)

    page.get_by_role("link", name="CSA-7K3M-9QXP").click()
    expect(page).to_have_url(f"/admin/case-system-deliveries/inspect/{delivery.pk}/")
    expect(page.get_by_text("Attempt log")).to_be_visible()
    expect(page.get_by_role("cell", name="503")).to_be_visible()
    expect(page.get_by_text("ConnectionRefusedError: Connection refused")).to_be_visible()
    expect(page.get_by_role("button", name="Retry now")).to_be_visible()
    assert "Sam Carer" not in page.content()  # the body is never shown
    assert_accessible(page)
