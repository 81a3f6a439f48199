"""The "make your choice" journey in a real browser, with axe on every page (issue 5)."""

from playwright.sync_api import Page, expect

from consent.models import Purpose
from consent.register import state_for
from consent.register_models import ConsentEvent, ConsentState

from ..consent.test_register import nhs_number
from .axe import assert_accessible

PATIENT = nhs_number(401023456)
CHILD = nhs_number(485777300)
RISK = "risk-stratification-commissioning"


def _questions() -> list[Purpose]:
    return [
        p
        for p in Purpose.objects.filter(is_active=True)
        if p.objection_honoured or p.legal_basis == Purpose.CONSENT
    ]


def _start(page: Page, *, who: str) -> None:
    page.goto("/data-sharing/")
    page.get_by_role("button", name="Make your choice").click()
    expect(page.locator("h1")).to_have_text("Who are you making a choice for?")
    page.get_by_role("button", name="Continue").click()  # nothing chosen: an error summary
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select who you are")
    assert_accessible(page)
    page.get_by_label(who, exact=True).check()
    page.get_by_role("button", name="Continue").click()


def _details(page: Page, *, number: str, name: str, day: str, month: str, year: str) -> None:
    assert_accessible(page)
    page.get_by_label("NHS number").fill(number)
    page.get_by_label("full name").fill(name)
    page.get_by_label("Day").fill(day)
    page.get_by_label("Month").fill(month)
    page.get_by_label("Year").fill(year)
    page.get_by_label("postcode").fill("SE1 7PH")
    page.get_by_role("button", name="Continue").click()


def _answer(page: Page, answers: dict[str, str]) -> None:
    """Answer each question: `answers` maps purpose code to an option label ("No, I object")."""
    for purpose in _questions():
        expect(page.locator("h1")).to_have_text(purpose.name)
        assert_accessible(page)
        default = "I do not agree" if purpose.legal_basis == Purpose.CONSENT else "No, I object"
        page.get_by_label(answers.get(purpose.code, default), exact=True).check()
        page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Check your answers before sending your choices")
    assert "nhs" not in page.url.lower()
    assert PATIENT not in page.url
    assert_accessible(page)


def _send(page: Page) -> None:
    page.get_by_role("button", name="Send my choices").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Choices recorded")
    assert_accessible(page)


def test_patient_objects_to_risk_stratification_for_themselves(page: Page):
    _start(page, who="Myself")
    page.get_by_role("button", name="Continue").click()  # empty details: every error listed
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter an NHS number")
    _details(page, number=PATIENT, name="Alex Patient", day="4", month="7", year="1980")
    _answer(page, {RISK: "No, I object"})
    _send(page)
    event = ConsentEvent.objects.get(nhs_number=PATIENT, purpose__code=RISK)
    expect(page.locator(".govuk-panel__body")).to_contain_text(event.reference)
    expect(page.get_by_text("Choices in effect now")).to_be_visible()
    assert state_for(nhs_number=PATIENT)[RISK].state == ConsentState.OBJECTED

    page.get_by_role("link", name="View a printable receipt").click()
    expect(page.get_by_text("*******" + PATIENT[-3:])).to_be_visible()
    assert_accessible(page)


def test_parent_objects_for_a_child(page: Page):
    _start(page, who="Someone else")
    expect(page.locator("h1")).to_have_text("What is your relationship to the person?")
    assert_accessible(page)
    page.get_by_label("I am the parent of a child under 16").check()
    page.get_by_label("Your full name").fill("Pat Parent")
    page.get_by_role("button", name="Continue").click()
    _details(page, number=CHILD, name="Kit Child", day="1", month="3", year="2019")
    _answer(page, {})
    expect(page.get_by_text("Pat Parent")).to_be_visible()
    _send(page)
    event = ConsentEvent.objects.get(nhs_number=CHILD, purpose__code=RISK)
    assert event.actor == ConsentEvent.PROXY
    assert event.proxy_role == ConsentEvent.PARENT
    assert event.decision == ConsentEvent.OBJECT
    assert state_for(nhs_number=CHILD)[RISK].state == ConsentState.OBJECTED


def test_withdrawn_objection_stays_pending(page: Page):
    _start(page, who="Myself")
    _details(page, number=PATIENT, name="Alex Patient", day="4", month="7", year="1980")
    _answer(page, {})
    _send(page)
    page.context.clear_cookies()

    _start(page, who="Myself")
    _details(page, number=PATIENT, name="Alex Patient", day="4", month="7", year="1980")
    _answer(page, {RISK: "Yes, you can use my information for this"})
    _send(page)
    expect(page.get_by_text("Choices waiting for identity checks")).to_be_visible()
    expect(page.locator(".govuk-warning-text")).to_contain_text("not in effect until")
    state = state_for(nhs_number=PATIENT)[RISK]
    assert state.state == ConsentState.OBJECTED
    assert state.pending


def test_journey_works_without_javascript(page_without_js: Page):
    page = page_without_js
    page.goto("/data-sharing/choose/")
    page.get_by_label("Myself", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("NHS number").fill(PATIENT)
    page.get_by_label("full name").fill("Alex Patient")
    page.get_by_label("Day").fill("4")
    page.get_by_label("Month").fill("7")
    page.get_by_label("Year").fill("1980")
    page.get_by_label("postcode").fill("SE1 7PH")
    page.get_by_role("button", name="Continue").click()
    for _purpose in _questions():
        page.locator(".govuk-radios__input").last.check()
        page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Send my choices").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Choices recorded")
    assert state_for(nhs_number=PATIENT)[RISK].state == ConsentState.OBJECTED
