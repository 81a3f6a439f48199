"""The five wellbeing checks in a real browser (issue 6).

- PHQ-9: any answer above "Not at all" to question 9 (thoughts of self-harm) shows the crisis
  page, with the council's crisis contacts, before any result; the result cannot be reached
  round it; an answer of "Not at all" goes straight to the result.
- Every check completed with JavaScript switched off, with the answers that score highest, to
  the exact maximum score, its band and the advice that goes with it (AUDIT-C's warning not
  to stop drinking suddenly). axe runs on each start page, one question, the crisis page and
  each result, in a JavaScript-enabled tab with the same session (axe needs JavaScript; the
  markup is the same).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from selfcare import engine

from .axe import assert_accessible

PHQ9 = "/self-care/phq-9/"
CRISIS = PHQ9 + "important/crisis/"


def _continue(page: Page) -> None:
    page.get_by_role("button", name="Continue").click()


def _axe(js_page: Page, nojs_page: Page) -> None:
    js_page.context.add_cookies(nojs_page.context.cookies())
    js_page.goto(nojs_page.url)
    assert_accessible(js_page)


def _answer_all(page: Page, slug: str, answers: dict[str, str]) -> None:
    """From the start page, each question in order, to check your answers."""
    definition = engine.definition_get(slug)
    page.goto(f"/self-care/{slug}/")
    page.get_by_role("button", name="Start now").click()
    for qpage in engine.pages_visible(definition, answers):
        assert page.url.endswith(f"/q/{qpage.id}/"), (page.url, qpage.id)
        for question in qpage.questions:
            page.locator(f'input[name="{question.id}"][value="{answers[question.id]}"]').check()
        _continue(page)
    expect(page.locator("h1")).to_have_text("Check your answers")


def _phq9(item9: str) -> dict[str, str]:
    return {
        **{f"q{n}": "several-days" for n in range(1, 9)},
        "q9": item9,
        "difficulty": "somewhat-difficult",
    }


@pytest.fixture
def crisis_contacts(site_settings):
    site_settings.crisis_contacts = (
        "<p>Call NHS 111 and choose the mental health option, or Samaritans on 116 123.</p>"
    )
    site_settings.save()
    return site_settings


def test_phq9_thoughts_of_self_harm_show_the_crisis_page_before_any_result(
    page: Page, crisis_contacts
):
    _answer_all(page, "phq-9", _phq9("several-days"))
    # The check page never shows the score.
    expect(page.locator("main")).not_to_contain_text("out of 27")

    # Send the answers without following the redirect, then try for the result directly:
    # it cannot be reached round the crisis page.
    token = page.locator('input[name="csrfmiddlewaretoken"]').input_value()
    sent = page.request.post(PHQ9 + "check/", form={"csrfmiddlewaretoken": token}, max_redirects=0)
    assert sent.status == 302
    assert sent.headers["location"].endswith(CRISIS)
    page.goto(PHQ9 + "result/")

    expect(page).to_have_url(re.compile(re.escape(CRISIS) + "$"))
    expect(page.locator("h1")).to_have_text("If you need help now")
    expect(page.locator(".portal-selfcare-contacts")).to_contain_text("116 123")
    expect(page.locator("main")).not_to_contain_text("out of 27")
    assert_accessible(page)

    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Your results")
    main = page.locator("main")
    expect(main).to_contain_text("9 out of 27")
    expect(main).to_contain_text("If you have thoughts of harming yourself")
    assert_accessible(page)


def test_phq9_without_thoughts_of_self_harm_goes_straight_to_the_result(page: Page):
    _answer_all(page, "phq-9", _phq9("not-at-all"))
    _continue(page)

    expect(page.locator("h1")).to_have_text("Your results")
    expect(page).to_have_url(re.compile(re.escape(PHQ9 + "result/") + "$"))
    main = page.locator("main")
    expect(main).to_contain_text("8 out of 27")
    expect(main).not_to_contain_text("If you have thoughts of harming yourself")
    page.goto(CRISIS)
    expect(page.locator("h1")).to_have_text("Your results")


# Each check with the answers that score highest, the score text and the band label shown.
HIGHEST = {
    "phq-9": (
        {
            **{f"q{n}": "nearly-every-day" for n in range(1, 10)},
            "difficulty": "extremely-difficult",
        },
        "27 out of 27",
        "Severe",
    ),
    "gad-7": (
        {**{f"q{n}": "nearly-every-day" for n in range(1, 8)}, "difficulty": "extremely-difficult"},
        "21 out of 21",
        "Severe",
    ),
    "audit-c": (
        {"frequency": "4-plus-a-week", "units": "10-plus", "heavy": "daily"},
        "12 out of 12",
        "Possible dependence",
    ),
    "falls-risk": (
        dict.fromkeys(
            [
                "fallen",
                "cane_walker",
                "unsteady",
                "furniture",
                "worried",
                "push_up",
                "kerb",
                "toilet",
                "feet",
                "medicine_light_headed",
                "medicine_sleep_mood",
                "sad",
            ],
            "yes",
        ),
        "14 out of 14",
        "You may be at risk of falling",
    ),
    "loneliness": (
        {
            "companionship": "often",
            "left_out": "often",
            "isolated": "often",
            "lonely": "often-always",
        },
        "9 out of 9",
        "Lonely",
    ),
}


@pytest.mark.parametrize("slug", list(HIGHEST))
def test_each_wellbeing_check_without_javascript_to_its_highest_score(
    page_without_js: Page, page: Page, crisis_contacts, slug: str
):
    nojs = page_without_js
    answers, score_text, band = HIGHEST[slug]
    definition = engine.definition_get(slug)

    nojs.goto(f"/self-care/{slug}/")
    expect(nojs.locator("h1")).to_have_text(definition.title)
    _axe(page, nojs)
    nojs.get_by_role("button", name="Start now").click()
    _axe(page, nojs)  # the first question

    # An error state without JavaScript: the first question sent empty.
    _continue(nojs)
    expect(nojs.locator(".govuk-error-summary")).to_contain_text("There is a problem")
    assert nojs.title().startswith("Error: ")

    _answer_all(nojs, slug, answers)
    _continue(nojs)
    if slug == "phq-9":
        expect(nojs.locator("h1")).to_have_text("If you need help now")
        _axe(page, nojs)
        _continue(nojs)

    expect(nojs.locator("h1")).to_have_text("Your results")
    main = nojs.locator("main")
    expect(main).to_contain_text(score_text)
    expect(nojs.locator(".portal-selfcare-score").first).to_contain_text(band)
    if slug == "audit-c":
        expect(main).to_contain_text("Do not stop drinking suddenly")
        expect(main).to_contain_text("alcohol withdrawal")
    _axe(page, nojs)
