"""IG officers manage the pipeline's systems and tokens in the admin, in a real browser: add a
system, issue a token (shown once, only its hash kept), revoke it. axe checks every page."""

from playwright.sync_api import Page, expect

from consent.models import Purpose
from consent.pipeline import token_hash
from consent.pipeline_models import PipelineSystem, PipelineToken
from portal import roles
from portal.factories import UserFactory

from .axe import assert_accessible
from .signin import give_authenticator, sign_in


def test_ig_officer_adds_a_system_issues_and_revokes_a_token(page: Page):
    officer = UserFactory(email="ig@council.example", roles=[roles.IG_OFFICERS])
    sign_in(page, officer, secret=give_authenticator(officer))

    page.goto("/admin/snippets/consent/pipelinesystem/add/")
    assert_accessible(page)
    page.locator("#id_name").fill("Risk stratification landing area")
    page.get_by_label("Planning services (risk stratification for commissioning)").check()
    page.get_by_role("button", name="Save").first.click()
    expect(page.locator(".messages")).to_contain_text("Risk stratification landing area")
    system = PipelineSystem.objects.get(name="Risk stratification landing area")
    assert list(system.purposes.values_list("code", flat=True)) == [
        Purpose.objects.get(code="risk-stratification-commissioning").code
    ]

    page.goto("/admin/ig-pipeline/tokens/")
    expect(page.get_by_text("No tokens yet.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Issue a token for Risk stratification landing area").click()
    assert_accessible(page)
    page.get_by_label("Label").fill("Nightly landing job")
    page.get_by_role("button", name="Issue token").click()

    raw = page.locator("#raw-token").input_value()
    assert raw.startswith("igp_")
    assert_accessible(page)
    token = PipelineToken.objects.get(system=system)
    assert token.token_hash == token_hash(raw)
    assert raw not in {token.prefix, token.label, token.token_hash}

    page.get_by_role("link", name="I have copied the token").click()
    expect(page.locator("table.listing")).to_contain_text("Active")
    assert raw not in page.content()
    page.get_by_role("link", name="Revoke token").click()
    assert_accessible(page)
    page.get_by_role("button", name="Revoke token").click()
    expect(page.locator("table.listing")).to_contain_text("Revoked")
    token.refresh_from_db()
    assert token.revoked_at is not None
