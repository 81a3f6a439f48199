"""The assessment engine (selfcare.engine) on its own: loading and checking definitions,
conditions, navigation, validation, pruning of stale answers, and scoring."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from django.http import QueryDict

from selfcare import engine
from selfcare.engine import DefinitionError

from .conftest import EXAMPLE_DIR

EXAMPLE = json.loads((EXAMPLE_DIR / "example.json").read_text())
ALL_ANSWERS = {
    "feeling": "low",
    "worries": ["money", "loneliness"],
    "money_detail": "Bills",
    "sleep_hours": "7",
    "since": "2024-02-03",
    "notes": "Someone to talk to",
}


@pytest.fixture
def data() -> dict:
    return copy.deepcopy(EXAMPLE)


@pytest.fixture
def definition():
    return engine.definition_load(EXAMPLE)


def _question(definition, question_id):
    return definition.questions[question_id]


def _post(**values) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in values.items():
        if isinstance(value, list):
            query.setlist(key, value)
        else:
            query[key] = value
    return query


# --- loading ----------------------------------------------------------------------------------


def test_example_definition_loads_with_every_part(definition):
    assert definition.slug == "example-assessment"
    assert definition.version == 2
    assert definition.task_list
    assert [s.id for s in definition.sections] == ["about", "day"]
    assert {q.type for q in definition.questions.values()} == set(engine.QUESTION_TYPES)
    assert definition.page("feeling").title == "How have you been feeling over the last 2 weeks?"
    assert definition.page("more").title == "Anything else"
    assert _question(definition, "worries").option("none").exclusive
    assert _question(definition, "sleep_hours").suffix == "hours"
    assert definition.interrupts[0].site_setting == "crisis_contacts"
    assert definition.results[1].signpost_categories == (
        "money-and-benefits",
        "not-a-real-category",
    )


def test_builtin_definitions_include_the_examples_folder(settings):
    settings.SELFCARE_EXTRA_DEFINITION_DIRS = [str(EXAMPLE_DIR)]

    assert engine.definition_get("example-assessment") is not None
    assert engine.definition_get("no-such-thing") is None


def _break(data: dict, path: list, value) -> dict:
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


FEELING = ["sections", 0, "pages", 0, "questions", 0]


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (["slug"], KeyError, "definition: 'slug' is required"),
        (["version"], KeyError, "'version' is required"),
        (["kind"], "quiz", "kind must be one of"),
        ([*FEELING, "type"], "slider", "type must be one of radios"),
        ([*FEELING, "options"], [], "radios need options"),
        ([*FEELING, "options", 1, "value"], "well", "option values must be unique"),
        ([*FEELING, "label"], "", "'label' is required"),
        (["sections", 1, "pages", 2, "title"], KeyError, "needs a title"),
        (
            ["sections", 1, "pages", 0, "questions", 0, "id"],
            "feeling",
            "question ids repeat: feeling",
        ),
        (["sections", 1, "pages", 0, "id"], "feeling", "page ids repeat"),
        (["scoring", "scores", "total", "sum"], ["nope"], "sums unknown question nope"),
        (["scoring", "scores", "total", "sum"], ["sleep_hours"], "needs scores"),
        (["scoring", "bands", "overall", "score"], "nope", "uses unknown score nope"),
        (
            ["scoring", "bands", "overall", "bands", 1, "min"],
            4,
            "some must start at ok's maximum",
        ),
        (
            ["sections", 0, "pages", 2, "show_if"],
            {"question": "sleep_hours", "op": "gt", "value": 1},
            "condition on sleep_hours, which is not asked before it",
        ),
        (
            ["sections", 0, "pages", 2, "show_if"],
            {"question": "worries", "op": "like", "value": 1},
            "op must be one of",
        ),
        (["sections", 0, "pages", 2, "show_if"], {"flag": "nope"}, "unknown flag nope"),
        (["sections", 0, "pages", 2, "show_if"], {"size": 3}, "a condition needs question"),
        (["interrupts", 0, "show_if"], {"score": "nope", "op": "gt"}, "unknown score nope"),
    ],
)
def test_bad_definitions_are_refused_with_a_reason(data, path, value, message):
    with pytest.raises(DefinitionError, match=message):
        engine.definition_load(_break(data, path, value))


def test_a_slug_defined_twice_is_refused(settings, tmp_path):
    (tmp_path / "copy.json").write_text(json.dumps(EXAMPLE))
    settings.SELFCARE_EXTRA_DEFINITION_DIRS = [str(EXAMPLE_DIR), str(tmp_path)]

    with pytest.raises(DefinitionError, match="already defined"):
        engine.builtin_definitions()


# --- conditions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "holds"),
    [
        ({"question": "feeling", "op": "eq", "value": "low"}, True),
        ({"question": "feeling", "op": "ne", "value": "low"}, False),
        ({"question": "feeling", "op": "in", "value": ["okay", "low"]}, True),
        ({"question": "worries", "op": "contains", "value": "money"}, True),
        ({"question": "worries", "op": "contains", "value": "housing"}, False),
        ({"question": "worries", "op": "eq", "value": "loneliness"}, True),
        ({"question": "sleep_hours", "op": "gt", "value": 6}, True),
        ({"question": "sleep_hours", "op": "gte", "value": 7}, True),
        ({"question": "sleep_hours", "op": "lt", "value": 7}, False),
        ({"question": "sleep_hours", "op": "lte", "value": "7"}, True),
        ({"question": "nickname", "op": "answered"}, False),
        ({"question": "nickname", "op": "answered", "value": False}, True),
        ({"question": "nickname", "op": "ne", "value": "x"}, True),
        ({"question": "nickname", "op": "gt", "value": 0}, False),
        ({"score": "total", "op": "gte", "value": 4}, True),
        ({"flag": "struggling"}, False),
        ({"flag": "tired"}, True),
        (
            {
                "all": [
                    {"question": "feeling", "op": "eq", "value": "low"},
                    {"not": {"flag": "struggling"}},
                ]
            },
            True,
        ),
        (
            {"any": [{"flag": "struggling"}, {"question": "feeling", "op": "eq", "value": "x"}]},
            False,
        ),
        (None, True),
    ],
)
def test_conditions(condition, holds):
    answers = {**ALL_ANSWERS}
    assert engine.condition_holds(condition, answers, scores={"total": 4}, flags={"tired"}) is holds


# --- navigation -------------------------------------------------------------------------------


def _ids(pages) -> list[str]:
    return [p.id for p in pages]


def test_pages_skipped_by_a_condition_are_not_visible(definition):
    assert _ids(engine.pages_visible(definition, {})) == [
        "feeling",
        "worries",
        "sleep",
        "since",
        "more",
    ]
    assert "money" in _ids(engine.pages_visible(definition, {"worries": ["money"]}))


def test_next_previous_and_first_unanswered(definition):
    answers = {"feeling": "low", "worries": ["housing"]}

    assert engine.page_next(definition, answers, None).id == "feeling"
    assert engine.page_next(definition, answers, "worries").id == "sleep"  # money skipped
    assert engine.page_next(definition, {"worries": ["money"]}, "worries").id == "money"
    assert engine.page_next(definition, answers, "more") is None
    assert engine.page_previous(definition, answers, "sleep").id == "worries"
    assert engine.page_previous(definition, answers, "feeling") is None
    assert engine.page_first_unanswered(definition, answers).id == "sleep"
    assert not engine.is_complete(definition, answers)
    assert engine.is_complete(definition, ALL_ANSWERS)


def test_a_page_of_optional_questions_counts_as_answered(definition):
    # "nickname" is optional: the page is answered once "notes" is.
    assert engine.page_answered(definition.page("more"), {"notes": "x"})
    assert not engine.page_answered(definition.page("more"), {"nickname": "x"})


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question_id", "post", "message"),
    [
        ("feeling", {}, "Select how you have been feeling"),
        ("feeling", {"feeling": "brilliant"}, "Select how you have been feeling"),
        ("worries", {}, "Select what is worrying you, or the option that says none apply"),
        (
            "worries",
            {"worries": ["money", "none"]},
            "Select 'None of these' on its own, or the options that apply",
        ),
        ("money_detail", {}, "Enter your money worry"),
        ("money_detail", {"money_detail": "x" * 101}, "Your money worry must be 100 characters"),
        ("notes", {"notes": "  "}, "Enter what would help"),
        ("sleep_hours", {"sleep_hours": "lots"}, "Hours of sleep must be a number"),
        ("sleep_hours", {"sleep_hours": "7.5"}, "Hours of sleep must be a whole number"),
        ("sleep_hours", {"sleep_hours": "-1"}, "Hours of sleep must be 0 or more"),
        ("sleep_hours", {"sleep_hours": "25"}, "Hours of sleep must be 24 or less"),
        ("since", {}, "Enter when it started"),
        ("since", {"since-day": "1", "since-year": "2024"}, "When it started must include a month"),
        ("since", {"since-year": "2024"}, "When it started must include a day and month"),
        (
            "since",
            {"since-day": "30", "since-month": "2", "since-year": "2024"},
            "When it started must be a real date",
        ),
        (
            "since",
            {"since-day": "1", "since-month": "2", "since-year": "24"},
            "Year must include 4",
        ),
        (
            "since",
            {"since-day": "1", "since-month": "1", "since-year": str(dt.date.today().year + 1)},
            "When it started must be today or in the past",
        ),
    ],
)
def test_validation_messages(definition, question_id, post, message):
    _, error = engine.question_clean(_question(definition, question_id), _post(**post))

    assert error is not None
    assert error.startswith(message)


@pytest.mark.parametrize(
    ("question_id", "post", "value"),
    [
        ("feeling", {"feeling": "okay"}, "okay"),
        ("worries", {"worries": ["money", "made-up", "housing"]}, ["money", "housing"]),
        ("worries", {"worries": ["none"]}, ["none"]),
        ("money_detail", {"money_detail": "  Rent  "}, "Rent"),
        ("sleep_hours", {"sleep_hours": " 8 "}, "8"),
        ("since", {"since-day": "03", "since-month": "2", "since-year": "2024"}, "2024-02-03"),
        ("nickname", {}, None),
    ],
)
def test_valid_answers_are_cleaned(definition, question_id, post, value):
    assert engine.question_clean(_question(definition, question_id), _post(**post)) == (value, None)


def test_page_clean_returns_errors_and_what_was_typed(definition):
    cleaned, errors, raw = engine.page_clean(
        definition.page("more"), _post(notes="", nickname="Sam"), {}
    )

    assert cleaned == {"nickname": "Sam"}
    assert errors == {"notes": "Enter what would help"}
    assert raw == {"notes": ""}


def test_a_definition_can_word_its_own_error_messages(data):
    data["sections"][0]["pages"][0]["questions"][0]["error_messages"] = {
        "required": "Select how you have been"
    }
    definition = engine.definition_load(data)

    assert engine.question_clean(_question(definition, "feeling"), _post())[1] == (
        "Select how you have been"
    )


# --- branching removes stale answers ----------------------------------------------------------


def test_branching_removes_stale_answers(definition):
    answers = engine.answers_apply(
        definition, dict(ALL_ANSWERS), definition.page("worries"), {"worries": ["housing"]}
    )

    assert "money_detail" not in answers
    assert answers["worries"] == ["housing"]
    assert answers["sleep_hours"] == "7"


def test_pruning_repeats_until_nothing_else_is_hidden(data):
    # c depends on b, which depends on a: answering a differently removes both.
    data["sections"][1]["pages"].extend(
        [
            {
                "id": "b",
                "show_if": {"question": "sleep_hours", "op": "lt", "value": 5},
                "questions": [{"id": "b", "type": "text", "label": "B"}],
            },
            {
                "id": "c",
                "show_if": {"question": "b", "op": "answered"},
                "questions": [{"id": "c", "type": "text", "label": "C"}],
            },
        ]
    )
    definition = engine.definition_load(data)
    answers = {**ALL_ANSWERS, "sleep_hours": "4", "b": "yes", "c": "yes"}

    pruned = engine.answers_apply(
        definition, answers, definition.page("sleep"), {"sleep_hours": "8"}
    )

    assert "b" not in pruned
    assert "c" not in pruned


def test_leaving_an_optional_question_blank_removes_its_old_answer(definition):
    answers = {**ALL_ANSWERS, "nickname": "Sam"}

    updated = engine.answers_apply(definition, answers, definition.page("more"), {"notes": "x"})

    assert "nickname" not in updated


# --- scoring ----------------------------------------------------------------------------------


def test_scores_bands_results_and_signposting(definition):
    outcome = engine.outcome_for(definition, ALL_ANSWERS)

    assert outcome.scores == {"total": 4}
    assert outcome.bands["overall"].id == "some"
    assert outcome.flags == frozenset()
    assert outcome.interrupts == ()
    assert [r.title for r in outcome.results] == ["Looking after yourself", "Help with money"]
    assert outcome.signpost_categories == [
        "mental-health-and-wellbeing",
        "money-and-benefits",
        "not-a-real-category",
    ]
    assert (outcome.definition_version, outcome.scoring_version) == (2, 1)


@pytest.mark.parametrize(
    ("feeling", "worries", "band"),
    [
        ("well", ["none"], "ok"),
        ("okay", ["money"], "ok"),  # 2: the top of the first band
        ("low", ["money"], "some"),  # 3: the bottom of the next
        ("very-low", ["money", "housing"], "hard"),  # 5: open-ended band
        ("very-low", ["money", "housing", "loneliness"], "hard"),
    ],
)
def test_band_boundaries(definition, feeling, worries, band):
    outcome = engine.outcome_for(definition, {"feeling": feeling, "worries": worries})

    assert outcome.bands["overall"].id == band


def test_flag_raises_the_interrupt(definition):
    outcome = engine.outcome_for(definition, {**ALL_ANSWERS, "feeling": "very-low"})

    assert outcome.flags == frozenset({"struggling"})
    assert [i.id for i in outcome.interrupts] == ["support-now"]


def test_scoring_ignores_stale_and_missing_answers(definition):
    # money_detail is stale without "money"; unanswered scored questions count 0.
    outcome = engine.outcome_for(definition, {"worries": ["housing"], "money_detail": "x"})

    assert outcome.scores == {"total": 1}
    assert [r.title for r in outcome.results] == ["Looking after yourself"]


# --- check your answers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question_id", "value", "shown"),
    [
        ("feeling", "very-low", "Very low"),
        ("worries", ["money", "housing"], "Money\nHousing"),
        ("sleep_hours", "7", "7 hours"),
        ("since", "2024-02-03", "3 February 2024"),
        ("nickname", None, "Not answered"),
    ],
)
def test_answer_display(definition, question_id, value, shown):
    assert engine.answer_display(_question(definition, question_id), value) == shown
