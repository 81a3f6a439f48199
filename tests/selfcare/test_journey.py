"""The self-care journey at /self-care/ through the Django test client, on the example
definition (tests/selfcare/definitions/example.json): question pages, errors, back links,
branching, check answers, interrupts, results and signposting."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import sys
import types
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore

import selfcare
from directory.factories import (
    LocationFactory,
    ServiceAtLocationFactory,
    ServicePageFactory,
    TaxonomyTermFactory,
)
from directory.models import TaxonomyTerm
from search.models import Postcode
from selfcare import engine, journey
from selfcare.models import SignpostRule
from selfcare.signposting import signposts_for

from .conftest import EXAMPLE_DIR

pytestmark = pytest.mark.django_db

SLUG = "example-assessment"
BASE = f"/self-care/{SLUG}"
ANSWERS = {
    "feeling": {"feeling": "low"},
    "worries": {"worries": ["money", "loneliness"]},
    "money": {"money_detail": "Paying the gas bill"},
    "sleep": {"sleep_hours": "7"},
    "since": {"since-day": "3", "since-month": "2", "since-year": "2024"},
    "more": {"notes": "Someone to talk to", "nickname": ""},
}


def _post(client, page_id: str, data: dict, *, change: bool = False):
    return client.post(f"{BASE}/q/{page_id}/" + ("?change=1" if change else ""), data)


def _answer_all(client, **overrides) -> None:
    for page_id, data in {**ANSWERS, **overrides}.items():
        if data is None:
            continue
        response = _post(client, page_id, data)
        assert response.status_code == 302, (page_id, response.content.decode()[:2000])


def _session_answers(client) -> dict:
    return client.session[journey.SESSION_KEY][SLUG]["answers"]


def _error_summary_links(html: str) -> list[tuple[str, str]]:
    summary = html.split('govuk-error-summary__list"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', summary)


def _definitions_dir(tmp_path: Path, *definitions: dict) -> Path:
    for definition in definitions:
        (tmp_path / f"{definition['slug']}.json").write_text(json.dumps(definition))
    return tmp_path


def _tiny(slug: str, **extra) -> dict:
    return {
        "slug": slug,
        "version": 1,
        "title": f"Tool {slug}",
        "description": f"About {slug}.",
        "sections": [
            {
                "id": "s",
                "title": "Questions",
                "pages": [
                    {
                        "id": "mood",
                        "questions": [
                            {
                                "id": "mood",
                                "type": "radios",
                                "label": "How is your mood?",
                                "options": [
                                    {"value": "good", "label": "Good", "score": 0},
                                    {"value": "bad", "label": "Bad", "score": 1},
                                ],
                            }
                        ],
                    }
                ],
            }
        ],
        **extra,
    }


# --- index, start, 404 ------------------------------------------------------------------------


def test_index_lists_tools_by_kind_without_licence_restricted_ones(client, settings, tmp_path):
    folder = _definitions_dir(
        tmp_path,
        _tiny("mood-check", kind="wellbeing-check"),
        _tiny("restricted", licence_required=True),
    )
    settings.SELFCARE_EXTRA_DEFINITION_DIRS = [str(EXAMPLE_DIR), str(folder)]

    html = client.get("/self-care/").text

    wellbeing = html.index("Check your wellbeing")
    assessments = html.index("Self-assessments")
    assert wellbeing < html.index('href="/self-care/mood-check/"') < assessments
    assert html.index(f'href="{BASE}/"') > assessments
    assert "A made-up assessment that exercises every part of the engine" in html
    assert "/self-care/restricted/" not in html
    # Nor can it be reached by its address: no licence can be recorded yet.
    assert client.get("/self-care/restricted/").status_code == 404


def test_unknown_tool_and_unknown_page_are_not_found(client):
    assert client.get("/self-care/no-such-tool/").status_code == 404
    assert client.get("/self-care/no-such-tool/result/").status_code == 404
    assert client.get(f"{BASE}/q/no-such-page/").status_code == 404


def test_start_page_describes_the_tool_and_starts_at_the_task_list(client):
    html = client.get(f"{BASE}/").text

    assert '<h1 class="govuk-heading-xl">Example self-assessment</h1>' in html
    assert '<p class="govuk-body">It takes about 5 minutes.</p>' in html  # trusted HTML
    assert "Written for the portal" in html
    assert "govuk-button--start" in html
    assert f'href="{BASE}/tasks/"' in html
    assert "We do not store your answers" not in html  # not a wellbeing check


def test_wellbeing_check_says_nothing_is_stored(client, settings, tmp_path):
    folder = _definitions_dir(tmp_path, _tiny("mood-check", kind="wellbeing-check"))
    settings.SELFCARE_EXTRA_DEFINITION_DIRS = [str(folder)]

    start = client.get("/self-care/mood-check/").text
    assert "We do not store your answers" in start
    assert 'href="/self-care/mood-check/q/mood/"' in start  # no task list: the first page

    client.post("/self-care/mood-check/q/mood/", {"mood": "good"})
    client.post("/self-care/mood-check/check/")
    result = client.get("/self-care/mood-check/result/").text
    assert "Nothing has been stored" in result


# --- question pages ---------------------------------------------------------------------------


def test_single_question_page_uses_the_question_as_its_heading(client):
    html = client.get(f"{BASE}/q/feeling/").text

    assert (
        '<h1 class="govuk-fieldset__heading">How have you been feeling over the last 2 weeks?</h1>'
        in html
    )
    assert html.count("<h1") == 1
    assert 'id="feeling" name="feeling" type="radio" value="well"' in html
    assert 'id="feeling-4" name="feeling" type="radio" value="very-low"' in html


def test_multi_question_page_has_a_title_and_a_label_per_question(client):
    _answer_all(client, more=None)

    html = client.get(f"{BASE}/q/more/").text

    assert '<h1 class="govuk-heading-l">Anything else</h1>' in html
    assert 'for="notes">What would help you most?' in html
    assert 'for="nickname">What should we call you? (optional)' in html
    assert 'data-maxlength="200"' in html  # character count


def test_number_question_shows_its_suffix(client):
    html = client.get(f"{BASE}/q/sleep/").text

    assert '<div class="govuk-input__suffix" aria-hidden="true">hours</div>' in html
    assert 'inputmode="numeric"' in html


def test_exclusive_checkbox_is_set_apart(client):
    html = client.get(f"{BASE}/q/worries/").text

    assert '<div class="govuk-checkboxes__divider">or</div>' in html
    assert 'value="none" data-behaviour="exclusive"' in html


@pytest.mark.parametrize(
    ("page_id", "data", "href", "message"),
    [
        ("feeling", {}, "#feeling", "Select how you have been feeling"),
        ("worries", {}, "#worries", "Select what is worrying you, or the option that says none"),
        (
            "worries",
            {"worries": ["money", "none"]},
            "#worries",
            "Select &#x27;None of these&#x27; on its own, or the options that apply",
        ),
        ("sleep", {"sleep_hours": ""}, "#sleep_hours", "Enter hours of sleep"),
        ("sleep", {"sleep_hours": "lots"}, "#sleep_hours", "Hours of sleep must be a number"),
        ("sleep", {"sleep_hours": "7.5"}, "#sleep_hours", "Hours of sleep must be a whole number"),
        ("sleep", {"sleep_hours": "25"}, "#sleep_hours", "Hours of sleep must be 24 or less"),
        ("since", {}, "#since-day", "Enter when it started"),
        (
            "since",
            {"since-day": "3", "since-month": "", "since-year": "2024"},
            "#since-month",
            "When it started must include a month",
        ),
        (
            "since",
            {"since-day": "31", "since-month": "2", "since-year": "2024"},
            "#since-day",
            "When it started must be a real date",
        ),
        (
            "since",
            {"since-day": "1", "since-month": "1", "since-year": str(dt.date.today().year + 1)},
            "#since-day",
            "When it started must be today or in the past",
        ),
    ],
)
def test_each_question_type_explains_what_is_wrong(client, page_id, data, href, message):
    response = _post(client, page_id, data)

    html = response.text
    assert response.status_code == 400
    assert "<title>Error: " in html
    assert "There is a problem" in html
    links = _error_summary_links(html)
    assert len(links) == 1
    assert links[0][0] == href
    assert links[0][1].startswith(message)
    assert f'id="{href[1:]}"' in html  # the link lands on a field
    assert 'class="govuk-error-message"' in html


def test_text_and_textarea_errors_link_to_their_fields(client):
    _answer_all(client, money=None, sleep=None, since=None, more=None)
    html = _post(client, "money", {"money_detail": ""}).text
    assert _error_summary_links(html) == [("#money_detail", "Enter your money worry")]

    _answer_all(client, more=None)
    html = _post(client, "more", {"notes": "x" * 201, "nickname": "Sam"}).text
    assert _error_summary_links(html) == [
        ("#notes", "What would help must be 200 characters or fewer")
    ]
    assert 'value="Sam"' in html  # what was typed is kept, valid or not
    assert "x" * 201 + "</textarea>" in html


def test_errors_keep_the_values_entered(client):
    html = _post(client, "since", {"since-day": "3", "since-month": "", "since-year": "2024"}).text

    assert 'id="since-day" name="since-day" type="text" inputmode="numeric" value="3"' in html
    assert 'id="since-year" name="since-year" type="text" inputmode="numeric" value="2024"' in html
    assert re.search(r'govuk-input--error" id="since-month"', html)
    assert not re.search(r'govuk-input--error" id="since-day"', html)

    html = _post(client, "worries", {"worries": ["money", "none"]}).text
    assert 'value="money" checked' in html
    assert 'value="none" checked' in html


def test_going_back_shows_saved_answers(client):
    _answer_all(client)

    assert 'value="low" checked' in client.get(f"{BASE}/q/feeling/").text
    worries = client.get(f"{BASE}/q/worries/").text
    assert 'value="money" checked' in worries
    assert 'value="loneliness" checked' in worries
    assert 'value="housing" checked' not in worries
    since = client.get(f"{BASE}/q/since/").text
    assert 'name="since-month" type="text" inputmode="numeric" value="2"' in since
    assert 'value="7"' in client.get(f"{BASE}/q/sleep/").text


def test_back_links_go_to_the_previous_page_or_the_task_list(client):
    _answer_all(client)

    def back(url: str) -> str:
        return re.search(r'<a href="([^"]+)" class="govuk-back-link">', client.get(url).text)[1]

    assert back(f"{BASE}/q/feeling/") == f"{BASE}/tasks/"
    assert back(f"{BASE}/q/worries/") == f"{BASE}/q/feeling/"
    assert back(f"{BASE}/q/money/") == f"{BASE}/q/worries/"
    assert back(f"{BASE}/q/sleep/") == f"{BASE}/tasks/"  # first page of the second section
    assert back(f"{BASE}/q/more/") == f"{BASE}/q/since/"
    assert back(f"{BASE}/q/worries/?change=1") == f"{BASE}/check/"
    assert back(f"{BASE}/tasks/") == f"{BASE}/"


def test_pages_lead_through_a_section_then_back_to_the_task_list(client):
    assert _post(client, "feeling", ANSWERS["feeling"])["Location"] == f"{BASE}/q/worries/"
    assert _post(client, "worries", {"worries": ["none"]})["Location"] == f"{BASE}/tasks/"
    assert _post(client, "sleep", ANSWERS["sleep"])["Location"] == f"{BASE}/q/since/"


def test_skipped_page_cannot_be_reached(client):
    _answer_all(client, worries={"worries": ["housing"]}, money=None)

    response = client.get(f"{BASE}/q/money/")

    assert response.status_code == 302
    assert response["Location"] == f"{BASE}/check/"  # everything asked is answered
    assert _post(client, "money", {"money_detail": "x"})["Location"] == f"{BASE}/check/"
    assert "money_detail" not in _session_answers(client)


def test_a_hidden_page_sends_an_unfinished_journey_to_the_first_unanswered_page(client):
    _post(client, "feeling", ANSWERS["feeling"])

    response = client.get(f"{BASE}/q/money/")

    assert response["Location"] == f"{BASE}/q/worries/"


# --- task list --------------------------------------------------------------------------------


def test_task_list_shows_each_sections_status(client):
    html = client.get(f"{BASE}/tasks/").text
    assert html.count("Not started") == 2
    assert "Cannot start yet" in html
    assert f'href="{BASE}/q/feeling/"' in html

    _post(client, "feeling", ANSWERS["feeling"])
    html = client.get(f"{BASE}/tasks/").text
    assert "In progress" in html
    assert f'href="{BASE}/q/worries/"' in html  # the first unanswered page of the section

    _answer_all(client)
    html = client.get(f"{BASE}/tasks/").text
    assert html.count(">Completed<") == 2
    assert f'href="{BASE}/check/"' in html
    assert "Cannot start yet" not in html


def test_task_list_leaves_out_sections_with_nothing_to_ask(client, settings, tmp_path):
    definition = _tiny("two-parts", task_list=True)
    definition["sections"].append(
        {
            "id": "extra",
            "title": "Only when the mood is bad",
            "pages": [
                {
                    "id": "why",
                    "show_if": {"question": "mood", "op": "eq", "value": "bad"},
                    "questions": [{"id": "why", "type": "text", "label": "Why?"}],
                }
            ],
        }
    )
    settings.SELFCARE_EXTRA_DEFINITION_DIRS = [str(_definitions_dir(tmp_path, definition))]

    client.post("/self-care/two-parts/q/mood/", {"mood": "good"})
    assert "Only when the mood is bad" not in client.get("/self-care/two-parts/tasks/").text

    client.post("/self-care/two-parts/q/mood/", {"mood": "bad"})
    assert "Only when the mood is bad" in client.get("/self-care/two-parts/tasks/").text


# --- check answers, changes and pruning -------------------------------------------------------


def test_check_answers_lists_every_answer_with_a_change_link(client):
    _answer_all(client)

    html = client.get(f"{BASE}/check/").text

    for key, answer in [
        ("How you have been feeling", "Low"),
        ("What is worrying you", "Money<br>Feeling lonely"),
        ("Your money worry", "Paying the gas bill"),
        ("Hours of sleep", "7 hours"),
        ("When it started", "3 February 2024"),
        ("What would help", "Someone to talk to"),
        ("Name to call you", "Not answered"),
    ]:
        assert re.search(
            rf'<dt class="govuk-summary-list__key">{key}</dt>\s*'
            rf'<dd class="govuk-summary-list__value">{answer}</dd>',
            html,
        ), key
    change_link = f'href="{BASE}/q/money/?change=1">Change<span class="govuk-visually-hidden">'
    assert f"{change_link} your money worry</span>" in html
    assert html.count(">Change<") == 7
    assert '<h2 class="govuk-heading-m">How you feel</h2>' in html


def test_check_answers_sends_an_unfinished_journey_back(client):
    _post(client, "feeling", ANSWERS["feeling"])

    assert client.get(f"{BASE}/check/")["Location"] == f"{BASE}/q/worries/"
    assert client.post(f"{BASE}/check/")["Location"] == f"{BASE}/q/worries/"


def test_changing_an_answer_removes_answers_it_made_irrelevant(client):
    _answer_all(client)
    assert _session_answers(client)["money_detail"] == "Paying the gas bill"

    response = _post(client, "worries", {"worries": ["housing"]}, change=True)

    assert response["Location"] == f"{BASE}/check/"
    assert "money_detail" not in _session_answers(client)
    html = client.get(f"{BASE}/check/").text
    assert "Your money worry" not in html
    assert "Paying the gas bill" not in html
    assert re.search(r'summary-list__value">Housing</dd>', html)


def test_a_change_that_reveals_a_new_question_asks_it_then_returns(client):
    _answer_all(client, worries={"worries": ["none"]}, money=None)

    response = _post(client, "worries", {"worries": ["money"]}, change=True)
    assert response["Location"] == f"{BASE}/q/money/?change=1"

    response = _post(client, "money", {"money_detail": "Rent"}, change=True)
    assert response["Location"] == f"{BASE}/check/"
    assert "Rent" in client.get(f"{BASE}/check/").text


def test_change_without_effect_on_others_returns_to_check_answers(client):
    _answer_all(client)

    response = _post(client, "feeling", {"feeling": "okay"}, change=True)

    assert response["Location"] == f"{BASE}/check/"
    assert "Save and return to check answers" in client.get(f"{BASE}/q/sleep/?change=1").text


# --- interrupts and results -------------------------------------------------------------------


def test_result_needs_check_answers_first(client):
    assert client.get(f"{BASE}/result/")["Location"] == f"{BASE}/q/feeling/"
    _answer_all(client)
    assert client.get(f"{BASE}/result/")["Location"] == f"{BASE}/check/"


def test_result_shows_score_band_and_result_content(client):
    _answer_all(client)  # low (2) + money (1) + loneliness (1) = 4

    response = client.post(f"{BASE}/check/")
    assert response["Location"] == f"{BASE}/result/"
    html = client.get(f"{BASE}/result/").text

    assert "4 out of 6" in html
    assert "Some difficulties" in html
    assert "Some things are hard at the moment." in html
    assert "Looking after yourself" in html
    assert "Help with money" in html
    assert "Written for the portal" in html
    assert "Nothing has been stored" not in html


def test_interrupt_is_shown_before_any_result(client, site_settings):
    site_settings.crisis_contacts = "<p>Call the Seaborough crisis line on 0800 000 0000.</p>"
    site_settings.save()
    _answer_all(client, feeling={"feeling": "very-low"})

    response = client.post(f"{BASE}/check/")
    assert response["Location"] == f"{BASE}/important/support-now/"
    assert client.get(f"{BASE}/result/")["Location"] == f"{BASE}/important/support-now/"

    html = client.get(f"{BASE}/important/support-now/").text
    assert "You can get help now" in html
    assert '<p class="govuk-body">Call the Seaborough crisis line on 0800 000 0000.</p>' in html
    assert f'href="{BASE}/result/"' in html

    html = client.get(f"{BASE}/result/").text
    assert "Finding things hard" in html


def test_changing_an_answer_shows_the_interrupt_again(client):
    _answer_all(client, feeling={"feeling": "very-low"})
    client.post(f"{BASE}/check/")
    client.get(f"{BASE}/important/support-now/")
    assert client.get(f"{BASE}/result/").status_code == 200

    _post(client, "sleep", {"sleep_hours": "6"}, change=True)
    client.post(f"{BASE}/check/")

    assert client.get(f"{BASE}/result/")["Location"] == f"{BASE}/important/support-now/"


def test_interrupt_that_does_not_apply_goes_to_the_result(client):
    _answer_all(client)
    client.post(f"{BASE}/check/")

    response = client.get(f"{BASE}/important/support-now/")

    assert response["Location"] == f"{BASE}/result/"


def test_start_again_clears_the_answers(client):
    _answer_all(client)

    response = client.post(f"{BASE}/start-again/")

    assert response["Location"] == f"{BASE}/"
    assert SLUG not in client.session[journey.SESSION_KEY]
    assert "checked" not in client.get(f"{BASE}/q/feeling/").text
    assert client.get(f"{BASE}/start-again/").status_code == 405


# --- signposting ------------------------------------------------------------------------------


@pytest.fixture
def wellbeing_services():
    term = TaxonomyTerm.objects.get(slug="mental-health-and-wellbeing")
    far = ServicePageFactory(title="Far talking group", summary="Far away.", terms=[term])
    near = ServicePageFactory(title="Near talking group", summary="Close by.", terms=[term])
    ServiceAtLocationFactory(service=far, location=LocationFactory(latitude=51.60, longitude=0.70))
    ServiceAtLocationFactory(
        service=near, location=LocationFactory(latitude=51.539, longitude=0.727)
    )
    ServicePageFactory(title="Unrelated lunch club", summary="Lunch.")
    Postcode.objects.create(postcode="SS1 1AA", outward="SS1", latitude=51.538, longitude=0.726)
    return far, near


def _result(client, **params):
    _answer_all(client)
    client.post(f"{BASE}/check/")
    return client.get(f"{BASE}/result/", params)


def test_result_lists_matching_services(client, wellbeing_services):
    html = _result(client).text

    assert "Services that can help" in html
    assert "Far talking group" in html
    assert "Near talking group" in html
    assert "Unrelated lunch club" not in html
    assert "category=mental-health-and-wellbeing" in html
    assert "not-a-real-category" not in html


def test_postcode_lists_the_nearest_service_first(client, wellbeing_services):
    html = _result(client, postcode="ss11aa").text

    assert html.index("Near talking group") < html.index("Far talking group")
    assert "miles away" in html
    assert 'value="ss11aa"' in html


def test_bad_postcode_gets_an_error_and_the_list_stays(client, wellbeing_services):
    html = _result(client, postcode="nonsense").text

    assert "<title>Error: " in html
    assert _error_summary_links(html) == [("#postcode", "Enter a full UK postcode, like SS2 6ER")]
    assert "Near talking group" in html


def test_a_staff_signposting_rule_adds_services_to_the_result(client, wellbeing_services):
    """Snippets > Signposting rules: an editor adds a category to this tool's results without
    touching its definition; only results the rule's key matches get it."""
    lunch = TaxonomyTermFactory(name="Lunch clubs", slug="lunch-clubs")
    ServicePageFactory(title="Tuesday lunch club", summary="Soup.", terms=[lunch])
    rule = SignpostRule.objects.create(definition_slug=SLUG, key="flag:no-such-flag")
    rule.categories.set([lunch])
    assert "Tuesday lunch club" not in _result(client).text

    rule.key = "always"
    rule.save()
    html = client.get(f"{BASE}/result/").text
    assert "Tuesday lunch club" in html
    assert html.index("Near talking group") < html.index("Tuesday lunch club")


def test_unknown_categories_give_no_list():
    assert signposts_for(categories=["not-a-real-category"]) is None
    assert signposts_for(categories=[]) is None


# --- session storage --------------------------------------------------------------------------


def test_answers_survive_a_new_version_when_their_questions_still_exist():
    definition = engine.definition_get(SLUG)
    session = SessionStore()
    session[journey.SESSION_KEY] = {
        SLUG: {
            "version": definition.version - 1,
            "answers": {
                "feeling": "okay",
                "worries": ["housing", "gone-option"],
                "retired_question": "yes",
                "sleep_hours": "8",
            },
            "checked": True,
        }
    }

    answers = journey.journey_answers(session=session, definition=definition)

    assert answers == {"feeling": "okay", "sleep_hours": "8"}
    assert session[journey.SESSION_KEY][SLUG]["version"] == definition.version
    assert not journey.journey_is_checked(session=session, definition=definition)


def test_saving_a_page_clears_the_checked_and_interrupt_flags():
    definition = engine.definition_get(SLUG)
    session = SessionStore()
    journey.journey_mark_checked(session=session, definition=definition)
    journey.journey_mark_interrupt_seen(
        session=session, definition=definition, interrupt_id="support-now"
    )

    journey.journey_save_page(
        session=session,
        definition=definition,
        page=definition.page("feeling"),
        cleaned={"feeling": "well"},
    )

    assert not journey.journey_is_checked(session=session, definition=definition)
    assert journey.journey_interrupts_seen(session=session, definition=definition) == set()
    assert journey.journey_answers(session=session, definition=definition) == {"feeling": "well"}


def test_answers_are_kept_per_tool(client, settings, tmp_path):
    folder = _definitions_dir(tmp_path, _tiny("mood-check"))
    settings.SELFCARE_EXTRA_DEFINITION_DIRS = [str(EXAMPLE_DIR), str(folder)]
    _post(client, "feeling", ANSWERS["feeling"])
    client.post("/self-care/mood-check/q/mood/", {"mood": "bad"})

    client.post("/self-care/mood-check/start-again/")

    assert _session_answers(client) == {"feeling": "low"}


# --- every tool runs ----------------------------------------------------------------------------


def test_whole_journey_following_the_links(client):
    """From the index to the result, always going where the service sends the person."""
    html = client.get("/self-care/").text
    assert f'href="{BASE}/"' in html
    url = re.search(
        r'href="([^"]+)" role="button"[^>]*govuk-button--start', client.get(f"{BASE}/").text
    )[1]
    assert url == f"{BASE}/tasks/"
    for section_link, pages in [
        (f"{BASE}/q/feeling/", ["feeling", "worries", "money"]),
        (f"{BASE}/q/sleep/", ["sleep", "since", "more"]),
    ]:
        assert f'href="{section_link}"' in client.get(url).text
        url = section_link
        for page_id in pages:
            assert url == f"{BASE}/q/{page_id}/"
            assert client.get(url).status_code == 200
            url = client.post(url, ANSWERS[page_id])["Location"]
        assert url == f"{BASE}/tasks/"
    assert f'href="{BASE}/check/"' in client.get(url).text
    url = client.post(f"{BASE}/check/")["Location"]
    response = client.get(url)
    assert response.status_code == 200
    assert "Your results" in response.text


def _builtin_slugs() -> list[str]:
    return sorted(
        json.loads(path.read_text())["slug"] for path in engine.BUILTIN_DIR.glob("*.json")
    )


def _valid_post(question: engine.Question) -> dict:
    if question.type == "radios":
        return {question.id: question.options[0].value}
    if question.type == "checkboxes":
        return {question.id: [next(o.value for o in question.options if not o.exclusive)]}
    if question.type == "date":
        return {
            f"{question.id}-day": "1",
            f"{question.id}-month": "1",
            f"{question.id}-year": "2000",
        }
    if question.type == "number":
        return {question.id: str(question.minimum if question.minimum is not None else 1)}
    return {question.id: "Something"}


@pytest.mark.parametrize("slug", _builtin_slugs())
def test_every_built_in_tool_runs_to_a_result(client, slug):
    definition = engine.definition_get(slug)
    if definition.calculator:
        pytest.importorskip("selfcare.calculators")
    assert client.get(f"/self-care/{slug}/").status_code == 200
    for _ in range(len(definition.pages) + 1):
        answers = journey.journey_answers(session=client.session, definition=definition)
        page = engine.page_first_unanswered(definition, answers)
        if page is None:
            break
        assert client.get(f"/self-care/{slug}/q/{page.id}/").status_code == 200
        data: dict = {}
        for question in engine.questions_visible(page, answers):
            data.update(_valid_post(question))
        response = client.post(f"/self-care/{slug}/q/{page.id}/", data)
        assert response.status_code == 302, response.text[:3000]
    assert client.get(f"/self-care/{slug}/check/").status_code == 200
    url = client.post(f"/self-care/{slug}/check/")["Location"]
    for _ in range(len(definition.interrupts) + 1):
        response = client.get(url)
        if response.status_code == 302:
            url = response["Location"]
            continue
        assert response.status_code == 200
        if "/important/" not in url:
            break
        url = re.search(r'<a href="([^"]+)" role="button"', response.text)[1]
    assert url == f"/self-care/{slug}/result/"
    assert "Your results" in response.text


def test_calculator_tools_show_the_calculators_result(client, settings, tmp_path, monkeypatch):
    fake = types.ModuleType("selfcare.calculators")
    fake.calculate = lambda name, answers: {"weekly_cost": f"{name}: {answers['mood']} £120"}
    monkeypatch.setitem(sys.modules, "selfcare.calculators", fake)
    monkeypatch.setattr(selfcare, "calculators", fake, raising=False)
    templates = tmp_path / "templates"
    (templates / "selfcare" / "calculators").mkdir(parents=True)
    (templates / "selfcare" / "calculators" / "sums.html").write_text(
        '<p class="govuk-body">Estimate: {{ weekly_cost }} ({{ calculation.weekly_cost }})</p>'
    )
    engines = copy.deepcopy(settings.TEMPLATES)
    engines[0]["DIRS"] = [str(templates), *engines[0]["DIRS"]]
    settings.TEMPLATES = engines
    folder = _definitions_dir(tmp_path, _tiny("costs", calculator="sums"))
    settings.SELFCARE_EXTRA_DEFINITION_DIRS = [str(folder)]

    client.post("/self-care/costs/q/mood/", {"mood": "bad"})
    client.post("/self-care/costs/check/")
    html = client.get("/self-care/costs/result/").text

    assert "Estimate: sums: bad £120 (sums: bad £120)" in html


def test_looking_at_a_tool_stores_nothing(client):
    client.get(f"{BASE}/")
    client.get(f"{BASE}/tasks/")
    client.get(f"{BASE}/q/feeling/")

    assert journey.SESSION_KEY not in client.session
