"""Listing feedback and freshness in a real browser: a visitor reports a problem (with and
without JavaScript), then the organisation's provider signs in with their authenticator app and
marks the report actioned; a provider confirms a listing with the emailed "still correct" link.
axe checks every page visited (with JavaScript on: axe runs in the page)."""

import re

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone
from playwright.sync_api import Page, expect

from directory.factories import OrganisationPageFactory, ServicePageFactory
from directory.freshness import months_before, stale_listings_remind
from directory.models import ListingFeedback, ServicePage
from directory.providers import membership_add
from portal.factories import TEST_PASSWORD, UserFactory

from ..portal.totp import current_code
from .axe import assert_accessible


def make_listing():
    organisation = OrganisationPageFactory(title="Seaborough Carers Trust")
    cafe = ServicePageFactory(parent=organisation, title="Carers’ café")
    provider = UserFactory(email="alex@carers.example")
    membership_add(organisation=organisation, user=provider)
    secret = generate_totp_secret()
    TOTP.activate(provider, secret)
    return cafe, provider, secret


def report_a_problem(page: Page, cafe, *, details: str, email: str, axe: bool = True) -> None:
    """Report a problem, making one mistake first. axe needs JavaScript, so without it the
    same pages (already checked with it) are not checked again."""

    def check(page: Page) -> None:
        if axe:
            assert_accessible(page)

    page.goto(cafe.url)
    check(page)
    page.get_by_role("link", name="Report a problem with this page").click()
    expect(page.locator("h1")).to_have_text("Report a problem with this page")
    check(page)

    # Nothing chosen: the error summary links to the radios, and nothing typed is lost.
    page.get_by_label("Tell us more").fill(details)
    page.get_by_label("Email address (optional)").fill("not an email")
    page.get_by_role("button", name="Send report").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select what is wrong with this page")
    expect(summary).to_contain_text("Enter an email address in the correct format")
    expect(page.get_by_label("Tell us more")).to_have_value(details)
    assert page.title().startswith("Error: ")
    check(page)

    page.get_by_label("The contact details are wrong").check()
    page.get_by_label("Email address (optional)").fill(email)
    page.get_by_role("button", name="Send report").click()
    expect(page.locator("h1")).to_have_text("Thank you for reporting a problem")
    check(page)


def sign_in_with_authenticator(page: Page, email: str, secret: str) -> None:
    page.goto("/accounts/login/?next=/providers/feedback/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Enter your security code")
    assert_accessible(page)
    page.locator("input[name=code]").fill(current_code(secret))
    page.get_by_role("button", name="Continue").click()


def test_a_visitor_reports_a_problem_and_the_provider_marks_it_actioned(
    page: Page, page_without_js: Page, mailoutbox
):
    cafe, provider, secret = make_listing()

    report_a_problem(
        page, cafe, details="The phone number is out of use.", email="resident@example.com"
    )
    report_a_problem(page_without_js, cafe, details="No answer on Mondays.", email="", axe=False)

    assert ListingFeedback.objects.count() == 2
    assert {message.to[0] for message in mailoutbox} == {"alex@carers.example"}

    sign_in_with_authenticator(page, "alex@carers.example", secret)
    expect(page).to_have_url(re.compile(r"/providers/feedback/$"))
    expect(page.locator("h1")).to_have_text("Problems reported with listings")
    assert_accessible(page)

    first = ListingFeedback.objects.get(details="The phone number is out of use.")
    page.locator(f"a[href='/providers/feedback/{first.pk}/']").click()
    expect(page.locator("h1")).to_have_text("Report about Carers’ café")
    expect(page.locator(".govuk-summary-list")).to_contain_text("resident@example.com")
    assert_accessible(page)

    page.get_by_label("Actioned").check()
    page.get_by_role("button", name="Save status").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("now marked actioned")
    assert_accessible(page)

    first.refresh_from_db()
    assert first.status == "actioned"
    assert first.status_changed_by == provider

    page.get_by_role("link", name="Back to all reports").click()
    filters = page.get_by_role("navigation", name="Reports by status")
    expect(filters).to_contain_text("New (1)")
    expect(filters).to_contain_text("Actioned (1)")
    expect(page.locator("tbody tr")).to_have_count(1)
    assert_accessible(page)


def test_a_provider_confirms_a_listing_with_the_emailed_link(page: Page, mailoutbox):
    cafe, _provider, _secret = make_listing()
    checked = months_before(timezone.localdate(), 7)
    ServicePage.objects.filter(pk=cafe.pk).update(assured_date=checked)
    stale_listings_remind()
    link = re.search(r"http://\S+(/providers/still-correct/\S+/)", mailoutbox[-1].body).group(1)

    page.goto(link)
    expect(page).to_have_url(re.compile(r"/providers/still-correct/$"))
    expect(page.locator("h1")).to_have_text("Is this listing still correct?")
    assert_accessible(page)
    page.get_by_role("button", name="Yes, it is still correct").click()
    expect(page.locator("h1")).to_have_text("Thank you for confirming your listing")
    assert_accessible(page)
    cafe.refresh_from_db()
    assert cafe.assured_date == timezone.localdate()

    page.goto(link)  # a second time
    expect(page.locator("h1")).to_have_text("This link has already been used")
    assert_accessible(page)
