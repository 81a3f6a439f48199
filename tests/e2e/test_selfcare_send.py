"""Sending a self-assessment in a real browser (issue 6), on the example definition
tests/selfcare/definitions/example-send.json: the phone numbers shown at once, "Accept and
send", the confirmation with its reference, the printable summary; and a wellbeing check
result saved to an account. Axe on every page; the sending pass also runs with JavaScript off."""

import re

import pytest
from playwright.sync_api import Page, expect

from portal.factories import UserFactory
from selfcare.models import SavedResult, Submission

from ..selfcare.conftest import EXAMPLE_DIR
from .axe import assert_accessible
from .signin import sign_in

START = "/self-care/example-send/"


@pytest.fixture(autouse=True)
def _example_definitions(settings):
    settings.SELFCARE_EXTRA_DEFINITION_DIRS = [str(EXAMPLE_DIR)]


def _continue(page: Page) -> None:
    page.get_by_role("button", name="Continue").click()


def _send_with_urgent_answer(page: Page, *, axe: bool) -> str:
    page.goto(START)
    page.get_by_role("button", name="Start now").click()
    page.get_by_label("Someone else").check()
    _continue(page)
    page.get_by_label("No, I cannot carry on").check()
    _continue(page)
    # The phone numbers come at once, before the next question.
    expect(page.locator("h1")).to_have_text("Get help now")
    expect(page.locator(".portal-selfcare-contacts")).to_contain_text("01234 567891")
    if axe:
        assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("What would help?").fill("A night's sleep")
    _continue(page)
    page.get_by_label("Full name").fill("Sam Carer")
    page.get_by_label("Email address").fill("sam@example.com")
    _continue(page)
    page.get_by_label("My GP").check()
    _continue(page)
    expect(page.locator("h1")).to_have_text("Check your answers")
    if axe:
        assert_accessible(page)
    page.get_by_role("button", name="Accept and send").click()
    expect(page.locator("h1")).to_have_text("Get help now")  # again, before the result
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Self-assessment sent")
    reference = page.locator("#selfcare-reference").inner_text()
    assert re.fullmatch(r"EXS-[0-9A-Z]{4}-[0-9A-Z]{4}", reference)
    expect(page.locator("main")).to_contain_text("we will treat this as urgent")
    if axe:
        assert_accessible(page)
    page.get_by_role("link", name="Print or save a copy of your answers").click()
    expect(page.locator("main")).to_contain_text(reference)
    expect(page.locator("main")).to_contain_text("A night's sleep")
    if axe:
        assert_accessible(page)
    return reference


def test_urgent_self_assessment_is_sent_with_a_reference(page: Page, mailoutbox):
    reference = _send_with_urgent_answer(page, axe=True)
    submission = Submission.objects.get(reference=reference)
    assert submission.urgent
    assert submission.consent_to_share == ["gp"]
    assert reference in mailoutbox[-1].subject


def test_sending_works_without_javascript(page_without_js: Page):
    reference = _send_with_urgent_answer(page_without_js, axe=False)
    assert Submission.objects.filter(reference=reference).exists()


def test_a_wellbeing_result_saved_to_an_account(page: Page):
    person = UserFactory(email="saver@example.com")
    sign_in(page, person)
    page.goto("/self-care/gad-7/")
    page.get_by_role("button", name="Start now").click()
    for _question in range(7):
        page.get_by_label("Not at all").check()
        _continue(page)
    page.get_by_role("button", name="Continue").click()  # check answers
    page.get_by_role("button", name="Save my result").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your result has been saved"
    )
    assert_accessible(page)
    page.get_by_role("link", name="See your saved results").click()
    expect(page.locator("h1")).to_have_text("Your saved results")
    expect(page.locator("table")).to_contain_text("0 out of 21")
    assert_accessible(page)
    page.get_by_role("button", name="Delete all saved results").click()
    expect(page.locator("main")).to_contain_text("You have not saved any results")
    assert not SavedResult.objects.exists()
