"""Save and return across devices (issue 6): a carer signed in to their account starts the
carer's self-assessment, signs out part of the way through, signs in again in a second browser
(a new context: no cookies, no session), carries on from where they stopped, sends it, gets a
reference and a confirmation email, and a social care practitioner finds the case in the queue.
axe runs on every kind of page along the way."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from portal import roles
from portal.factories import UserFactory
from selfcare import engine
from selfcare.models import SavedDraft, Submission

from .axe import assert_accessible
from .conftest import _new_page
from .signin import give_authenticator, sign_in
from .test_selfcare_assessments_nojs import CARER_ANSWERS, _fill

START = "/self-care/carers-assessment/"
SAVED_NOTE = "Your answers are saved to your account until"


def _continue(page: Page) -> None:
    page.get_by_role("button", name="Continue").click()


def _complete_section(page: Page, definition: engine.Definition, section_id: str) -> None:
    """From the task list, answer every page of one section as CARER_ANSWERS says."""
    section = next(s for s in definition.sections if s.id == section_id)
    page.get_by_role("link", name=section.title, exact=True).click()
    for qpage in engine.pages_visible(definition, CARER_ANSWERS):
        if qpage.section_id != section_id:
            continue
        assert page.url.endswith(f"/q/{qpage.id}/"), (page.url, qpage.id)
        for question in qpage.questions:
            _fill(page, question, CARER_ANSWERS[question.id])
        _continue(page)
    expect(page.locator("h1")).to_have_text(definition.title)  # back on the task list


def _status(page: Page, section: engine.Section):
    item = page.locator(".govuk-task-list__item", has_text=section.title)
    return item.locator(".govuk-task-list__status")


def _sign_out(page: Page) -> None:
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def test_carer_saves_signs_out_and_finishes_on_another_device(
    page: Page, browser: Browser, live_server, mailoutbox
):
    carer = UserFactory(email="sam.carer@example.com")
    definition = engine.definition_get("carers-assessment")
    first, second, *rest = definition.sections

    # First device: sign in, start, finish two sections.
    sign_in(page, carer)
    page.goto(START)
    page.get_by_role("button", name="Start now").click()
    expect(page.locator(".portal-selfcare-saving")).to_contain_text(
        "saved to your account as you go"
    )
    _complete_section(page, definition, first.id)
    _complete_section(page, definition, second.id)
    expect(page.locator(".portal-selfcare-saving")).to_contain_text(SAVED_NOTE)
    expect(_status(page, first)).to_have_text("Completed")
    assert_accessible(page)
    _sign_out(page)
    assert SavedDraft.objects.filter(user=carer, definition_slug=definition.slug).exists()

    # Signed out, the same browser shows nothing of the carer's answers.
    page.goto(START)
    expect(page.locator("main")).not_to_contain_text("You have already started")

    # Second device: a new browser context, signed in afresh.
    context, other, errors = _new_page(browser, live_server, java_script_enabled=True)
    try:
        sign_in(other, carer)
        other.goto(START)
        expect(other.locator("main")).to_contain_text("You have already started")
        assert_accessible(other)
        other.get_by_role("link", name="Continue where you left off").click()
        expect(other.locator("h1")).to_have_text(definition.title)
        expect(_status(other, first)).to_have_text("Completed")
        expect(_status(other, second)).to_have_text("Completed")
        expect(_status(other, rest[0])).not_to_have_text("Completed")

        # The answers given on the first device are there to change.
        other.get_by_role("link", name=first.title, exact=True).click()
        first_page = next(p for p in definition.pages if p.section_id == first.id)
        first_question = first_page.questions[0]
        expect(
            other.locator(
                f'input[name="{first_question.id}"][value="{CARER_ANSWERS[first_question.id]}"]'
            )
        ).to_be_checked()
        other.get_by_role("link", name="Back").click()

        for section in rest:
            _complete_section(other, definition, section.id)
        other.get_by_role("link", name="Check your answers").click()
        expect(other.locator("h1")).to_have_text("Check your answers")
        expect(other.locator("main")).to_contain_text("Sam Carer")
        assert_accessible(other)

        other.get_by_role("button", name="Accept and send").click()
        expect(other.locator(".govuk-panel__title")).to_have_text("Self-assessment sent")
        reference = other.locator("#selfcare-reference").inner_text()
        assert re.fullmatch(r"CSA-[0-9A-Z]{4}-[0-9A-Z]{4}", reference)
        assert_accessible(other)
    finally:
        context.close()
    assert not errors.messages, errors.messages

    # Sent: the saved draft is gone and the confirmation email has the reference.
    assert not SavedDraft.objects.filter(user=carer).exists()
    submission = Submission.objects.get(reference=reference)
    assert submission.contact_email == "sam@example.com"
    sent = [m for m in mailoutbox if reference in m.subject]
    assert [m.to for m in sent] == [["sam@example.com"]]
    assert "A night off each week" not in sent[0].body  # no answers in email

    # A social care practitioner finds the case in the queue.
    practitioner = UserFactory(email="pat@council.example", roles=[roles.PRACTITIONERS])
    context, staff, errors = _new_page(browser, live_server, java_script_enabled=True)
    try:
        sign_in(staff, practitioner, secret=give_authenticator(practitioner))
        staff.goto("/manage/self-care/")
        expect(staff.locator("tbody")).to_contain_text(reference)
        assert_accessible(staff)
        staff.get_by_role("link", name=reference).click()
        expect(staff.locator("h1")).to_have_text(f"Self-assessment {reference}")
        expect(staff.locator("main")).to_contain_text("A night off each week")
        assert_accessible(staff)
    finally:
        context.close()
    assert not errors.messages, errors.messages
