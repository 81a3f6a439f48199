"""A verified resident sees and changes their own data-sharing choices in a real browser, with
axe on every page, and again with JavaScript switched off (issue 5)."""

import re

from playwright.sync_api import Page, expect

from consent.identity import identity_link_account
from consent.models import Purpose
from consent.register import choice_record, state_for
from consent.register_models import ConsentEvent, ConsentState
from portal import roles
from portal.factories import UserFactory

from ..consent.test_register import nhs_number
from .axe import assert_accessible
from .signin import sign_in

PATIENT = nhs_number(401023456)
OTHER = nhs_number(485777300)
RISK = "risk-stratification-commissioning"
URL = "/data-sharing/your-choices/"


def _verified_resident(email: str):
    resident = UserFactory(email=email)
    officer = UserFactory(email=f"ig-{email}", roles=[roles.IG_OFFICERS])
    identity_link_account(
        user=resident, nhs_number=PATIENT, method="known-to-staff", verified_by=officer
    )
    return resident


def _signed_in(page: Page, user) -> None:
    sign_in(page, user)
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()


def test_resident_objects_online_and_sees_it_in_their_history(page: Page):
    resident = _verified_resident("resident@example.com")
    other = choice_record(
        nhs_number=OTHER, purpose=Purpose.objects.get(code=RISK), decision="object", channel="post"
    )
    risk = Purpose.objects.get(code=RISK)
    _signed_in(page, resident)

    page.goto(URL)
    expect(page.locator("h1")).to_have_text("Your data-sharing choices")
    expect(page.get_by_text("NHS number *******" + PATIENT[-3:])).to_be_visible()
    expect(page.get_by_text("Staff checked your identity")).to_be_visible()
    assert other.reference not in page.content()
    assert PATIENT not in page.content()
    assert_accessible(page)

    page.get_by_role("link", name=f"Change {risk.name}").click()
    expect(page.locator("h1")).to_have_text(risk.name)
    assert PATIENT not in page.url
    assert_accessible(page)

    page.get_by_role("button", name="Save my choice").click()  # nothing chosen
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select yes if we can use your information for this")
    assert page.title().startswith("Error: ")
    assert_accessible(page)

    page.get_by_label("No, I object").check()
    page.get_by_role("button", name="Save my choice").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Choice saved")
    event = ConsentEvent.objects.get(nhs_number=PATIENT, purpose=risk)
    expect(page.locator(".govuk-panel__body")).to_contain_text(event.reference)
    assert (event.channel, event.identity_result) == ("online", ConsentEvent.VERIFIED)
    assert state_for(nhs_number=PATIENT)[RISK].state == ConsentState.OBJECTED
    assert_accessible(page)

    page.get_by_role("link", name="Back to your choices").click()
    row = page.get_by_role("row", name=re.compile(event.reference))
    expect(row).to_contain_text("In effect")
    expect(row).to_contain_text("Online")
    assert_accessible(page)


def test_unverified_resident_is_told_how_to_get_checked(page: Page):
    _signed_in(page, UserFactory(email="new@example.com"))
    page.goto(URL)
    expect(page.locator("h1")).to_have_text("We need to check your identity")
    assert_accessible(page)
    page.get_by_role("button", name="Make your choice").click()
    expect(page.locator("h1")).to_have_text("Who are you making a choice for?")


def test_without_javascript_a_resident_withdraws_an_objection(page_without_js: Page):
    page = page_without_js
    resident = _verified_resident("nojs@example.com")
    risk = Purpose.objects.get(code=RISK)
    choice_record(nhs_number=PATIENT, purpose=risk, decision="object", channel="phone")
    _signed_in(page, resident)

    page.goto(URL)
    expect(page.get_by_text("You objected: we will not use your information")).to_be_visible()
    page.get_by_role("link", name=f"Change {risk.name}").click()
    page.get_by_role("button", name="Save my choice").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("There is a problem")
    page.get_by_label("Yes, you can use my information for this").check()
    page.get_by_role("button", name="Save my choice").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Choice saved")
    view = state_for(nhs_number=PATIENT)[RISK]
    assert view.state == ConsentState.NO_CHOICE
    assert not view.pending

    page.get_by_role("link", name="Back to your choices").click()
    page.get_by_role("link", name=f"Change {risk.name}").click()
    page.get_by_label("Yes, you can use my information for this").check()
    page.get_by_role("button", name="Save my choice").click()
    expect(page.locator("h1")).to_have_text("Your choice has not changed")
