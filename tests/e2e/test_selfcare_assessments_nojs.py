"""The carer's and the adult's needs self-assessments completed in a browser with JavaScript
switched off (issue 6): start page, task list, every section, an error state, check answers,
"Accept and send" and the result with its indicative eligibility.

axe needs JavaScript, so each page checked is opened again, with the same session, in a
JavaScript-enabled tab (the `page` fixture, which also fails on script errors) and axe runs
there: the markup is the same, GOV.UK Frontend's scripts only enhance it."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from selfcare import engine
from selfcare.eligibility import ADULT_OUTCOMES, CARER_OUTCOMES
from selfcare.models import Submission

from .axe import assert_accessible

CARER_ANSWERS = {
    "carer-age": "18-to-64",
    "lives-with": "yes",
    "cared-for-relationship": "partner",
    "cared-for-needs": ["dementia", "frailty"],
    "necessary-care": "yes",
    "caring-tasks": ["personal-care", "supervision"],
    "caring-hours": "60",
    "caring-when": "day-and-night",
    "other-help": ["none"],
    "physical-health": "affected-but-coping",
    "mental-health": "getting-worse",
    "sleep": "at-risk",
    **{f"{code}-without-help": "yes" for code in CARER_OUTCOMES},
    **{f"{code}-effects": ["none"] for code in CARER_OUTCOMES},
    "child-caring-without-help": "not-applicable",
    "recreation-without-help": "no",
    "carry-on": "yes-with-help",
    "harm": "no",
    "wellbeing-impact": "significant",
    "what-would-help": "A night off each week",
    "contact-name": "Sam Carer",
    "contact-email": "sam@example.com",
    "contact-phone": "",
    "consent-share": ["gp", "social-care"],
}

NEEDS_ANSWERS = {
    "for-whom": "someone-else",
    "person-name": "Alex Person",
    "proxy-relationship": "Daughter",
    "proxy-basis": "lacks-capacity",
    "capacity-statement": "Advanced dementia. I hold lasting power of attorney for health.",
    "impairment": "yes",
    "impairment-details": "Dementia",
    **{f"{code}-without-help": "yes" for code in ADULT_OUTCOMES},
    **{f"{code}-effects": ["none"] for code in ADULT_OUTCOMES},
    "work-education-without-help": "not-applicable",
    "child-caring-without-help": "not-applicable",
    "hygiene-without-help": "no",
    "nutrition-effects": ["longer"],
    "wellbeing-impact": "some",
    "harm": "no",
    "what-would-help": "",
    "contact-name": "Jo Person",
    "contact-email": "",
    "contact-phone": "07700 900456",
    "consent-share": ["none"],
}


def _continue(page: Page) -> None:
    page.get_by_role("button", name="Continue").click()


def _axe(js_page: Page, nojs_page: Page, *, submit_empty: bool = False) -> None:
    """Open what the no-JavaScript tab shows in the JavaScript tab (same session) and run axe;
    `submit_empty` shows the page's error state there first."""
    js_page.context.add_cookies(nojs_page.context.cookies())
    js_page.goto(nojs_page.url)
    if submit_empty:
        _continue(js_page)
        expect(js_page.locator(".govuk-error-summary")).to_contain_text("There is a problem")
    assert_accessible(js_page)


def _fill(page: Page, question: engine.Question, value) -> None:
    if question.type in ("radios", "checkboxes"):
        for chosen in value if isinstance(value, list) else [value]:
            page.locator(f'input[name="{question.id}"][value="{chosen}"]').check()
    else:
        page.locator(f"#{question.id}").fill(value)


def _complete(
    page: Page, js_page: Page, definition: engine.Definition, answers: dict, *, axe_pages: set
) -> None:
    """From the task list, each section in turn, every page it asks, as the answers say."""
    for section in definition.sections:
        expect(page.locator("h1")).to_have_text(definition.title)
        page.get_by_role("link", name=section.title, exact=True).click()
        visible = [
            p for p in engine.pages_visible(definition, answers) if p.section_id == section.id
        ]
        for qpage in visible:
            assert page.url.endswith(f"/q/{qpage.id}/"), (page.url, qpage.id)
            if qpage.id in axe_pages:
                _axe(js_page, page)
            for question in qpage.questions:
                _fill(page, question, answers[question.id])
            _continue(page)
    expect(page.locator(".govuk-task-list__status", has_text="Completed")).to_have_count(
        len(definition.sections)
    )


def _check_answers(page: Page, js_page: Page, answers: dict, definition) -> None:
    page.get_by_role("link", name="Check your answers").click()
    expect(page.locator("h1")).to_have_text("Check your answers")
    main = page.locator("main")
    for qid, value in answers.items():
        if value in ("", []):
            continue
        display = engine.answer_display(definition.questions[qid], value).splitlines()[0]
        expect(main).to_contain_text(display)
    _axe(js_page, page)


def _result(page: Page, js_page: Page, prefix: str) -> Submission:
    page.get_by_role("button", name="Accept and send").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Self-assessment sent")
    reference = page.locator("#selfcare-reference").inner_text()
    assert re.fullmatch(rf"{prefix}-[0-9A-Z]{{4}}-[0-9A-Z]{{4}}", reference)
    expect(page.locator("#eligibility-heading")).to_have_text("What your answers suggest")
    expect(page.locator("main")).to_contain_text("A social care practitioner decides")
    _axe(js_page, page)
    return Submission.objects.get(reference=reference)


def test_carers_self_assessment_without_javascript(page_without_js: Page, page: Page):
    nojs = page_without_js
    definition = engine.definition_get("carers-assessment")
    nojs.goto("/self-care/carers-assessment/")
    expect(nojs.locator("h1")).to_have_text(definition.title)
    _axe(page, nojs)
    nojs.get_by_role("button", name="Start now").click()
    expect(nojs.locator(".govuk-task-list")).to_contain_text("Not started")
    _axe(page, nojs)

    # An error state: the first question sent empty.
    nojs.get_by_role("link", name="About you", exact=True).click()
    _continue(nojs)
    expect(nojs.locator(".govuk-error-summary")).to_contain_text("Select how old you are")
    assert nojs.title().startswith("Error: ")
    _axe(page, nojs, submit_empty=True)
    nojs.get_by_role("link", name="Back").click()

    _complete(
        nojs,
        page,
        definition,
        CARER_ANSWERS,
        # radios, checkboxes, number, the effects checkboxes, textarea, several text inputs
        axe_pages={"lives-with", "cared-for-needs", "caring-hours", "nutrition-effects",
                   "what-would-help", "contact"},
    )  # fmt: skip
    _check_answers(nojs, page, CARER_ANSWERS, definition)
    submission = _result(nojs, page, "CSA")

    main = nojs.locator("main")
    expect(main).to_contain_text("may be eligible for support as a carer")
    expect(main).to_contain_text("regulation 3")
    expect(nojs.locator(".portal-selfcare-unachievable")).to_contain_text(
        CARER_OUTCOMES["recreation"]
    )
    assert submission.outcome["eligibility"]["eligible"] is True
    assert not submission.urgent


def test_needs_self_assessment_for_someone_else_without_javascript(
    page_without_js: Page, page: Page
):
    nojs = page_without_js
    definition = engine.definition_get("needs-assessment")
    nojs.goto("/self-care/needs-assessment/")
    _axe(page, nojs)
    nojs.get_by_role("button", name="Start now").click()
    _axe(page, nojs)

    nojs.get_by_role("link", name="Who this is for", exact=True).click()
    _continue(nojs)
    expect(nojs.locator(".govuk-error-summary")).to_contain_text(
        "Select who you are filling this in for"
    )
    assert nojs.title().startswith("Error: ")
    _axe(page, nojs, submit_empty=True)
    nojs.get_by_role("link", name="Back").click()

    _complete(
        nojs,
        page,
        definition,
        NEEDS_ANSWERS,
        # radios, text, radios with hints, a textarea with a character count, checkboxes
        axe_pages={"for-whom", "person-name", "proxy-basis", "capacity-statement",
                   "hygiene-effects", "consent-share"},
    )  # fmt: skip
    _check_answers(nojs, page, NEEDS_ANSWERS, definition)
    submission = _result(nojs, page, "NSA")

    main = nojs.locator("main")
    # Two outcomes (one needing help, one taking much longer), but no significant impact.
    expect(main).to_contain_text("do not suggest you are eligible for care and support")
    expect(nojs.locator(".portal-selfcare-eligibility-conditions")).to_contain_text("Not met")
    expect(nojs.locator(".portal-selfcare-unachievable")).to_contain_text(ADULT_OUTCOMES["hygiene"])
    assert submission.completed_by_proxy
    assert submission.consent_to_share == []
