"""The built-in wellbeing checks score exactly as their publishers say (issue 6).

Sources, quoted where a figure comes from (details in docs/wellbeing-checks.md):

- PHQ-9: Kroenke, Spitzer & Williams, J Gen Intern Med 2001;16:606-613: "PHQ-9 scores of 5,
  10, 15, and 20 represented mild, moderate, moderately severe, and severe depression".
- GAD-7: Spitzer, Kroenke, Williams & Löwe, Arch Intern Med 2006;166:1092-1097: "Scores of 5,
  10, and 15 represent cut points for mild, moderate, and severe anxiety".
- AUDIT-C (UK, OHID): "A total of 5+ indicates increasing or higher risk drinking"; bands 0-4
  lower risk, 5-7 increasing risk, 8-10 higher risk, 11-12 possible dependence.
- CDC STEADI "Stay Independent": "Add up the number of points for each 'yes' answer. If you
  scored 4 points or more, you may be at risk for falling."
- ONS (2018) loneliness indicators: the UCLA 3-item scale (Hughes et al. 2004) scored 1-3 per
  item, 3-9 in all, and the direct question "How often do you feel lonely?".
"""

from __future__ import annotations

import importlib
import json

import pytest
from django.utils.text import slugify

from directory.demo import CHILD_CATEGORIES
from selfcare.engine import (
    BUILTIN_DIR,
    Definition,
    builtin_definitions,
    definition_get,
    outcome_for,
    pages_visible,
)

INSTRUMENTS = ("phq-9", "gad-7", "audit-c", "falls-risk", "loneliness")
PHQ_ATTRIBUTION = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
    "with an educational grant from Pfizer Inc. No permission required to reproduce, "
    "translate, display or distribute."
)
FREQUENCY = [
    ("Not at all", 0),
    ("Several days", 1),
    ("More than half the days", 2),
    ("Nearly every day", 3),
]


def _get(slug: str) -> Definition:
    definition = definition_get(slug)
    assert definition is not None, f"{slug} is not a built-in definition"
    return definition


def _value(definition: Definition, qid: str, score: int) -> str:
    question = definition.questions[qid]
    return next(o.value for o in question.options if o.score == score)


def _answers_totalling(
    definition: Definition, qids: list[str], total: int, *, top: int
) -> dict[str, str]:
    """Answer `qids` in order with the highest scores first until they add up to `total`."""
    answers, left = {}, total
    for qid in qids:
        score = min(top, left)
        answers[qid] = _value(definition, qid, score)
        left -= score
    assert left == 0, f"{total} cannot be reached with {len(qids)} questions"
    return answers


def _result_titles(definition: Definition, answers: dict) -> list[str]:
    return [block.title for block in outcome_for(definition, answers).results]


# ---------------------------------------------------------------------------------------------
# Every built-in definition


def test_builtin_definitions_all_load_including_the_wellbeing_checks():
    definitions = builtin_definitions()
    for slug in INSTRUMENTS:
        assert slug in definitions
        assert definitions[slug].kind == "wellbeing-check"


def test_no_shipped_definition_is_a_licensed_instrument():
    """WEMWBS/SWEMWBS, ASCOT-Carer and the Carer Experience Scale are loaded by a council
    that holds a licence; the repository ships none of their wording."""
    licensed = ("wemwbs", "warwick-edinburgh", "ascot", "carer experience scale", "ces-")
    for path in sorted(BUILTIN_DIR.glob("*.json")):
        data = json.loads(path.read_text())
        assert not data.get("licence_required", False), f"{path.name} needs a licence"
        identity = f"{data['slug']} {data['title']} {data.get('attribution', '')}".lower()
        assert not any(name in identity for name in licensed), path.name


@pytest.mark.parametrize("slug", INSTRUMENTS)
def test_each_page_asks_one_thing(slug):
    for page in _get(slug).pages:
        assert len(page.questions) == 1, page.id


@pytest.mark.parametrize("slug", INSTRUMENTS)
def test_signposts_point_at_categories_the_directory_has(slug):
    migration = importlib.import_module("directory.migrations.0002_directory_index_and_categories")
    known = {slugify(name) for name, _ in migration.CATEGORIES}
    known |= {slugify(name) for children in CHILD_CATEGORIES.values() for name, _ in children}
    for block in _get(slug).results:
        for category in block.signpost_categories:
            assert category in known, f"{slug}: no directory category {category}"


@pytest.mark.parametrize(
    ("slug", "maximum"),
    [("phq-9", 27), ("gad-7", 21), ("audit-c", 12), ("falls-risk", 14), ("loneliness", 9)],
)
def test_the_highest_possible_total_is_as_published(slug, maximum):
    definition = _get(slug)
    (rule,) = definition.scores
    highest = sum(max(o.score for o in definition.questions[q].options) for q in rule.questions)
    assert highest == maximum
    top_band = definition.bands[0].bands[-1]
    assert top_band.maximum == maximum


# ---------------------------------------------------------------------------------------------
# PHQ-9


def test_phq9_items_are_scored_0_to_3_as_published():
    definition = _get("phq-9")
    (rule,) = definition.scores
    assert len(rule.questions) == 9
    for qid in rule.questions:
        question = definition.questions[qid]
        assert [(o.label, o.score) for o in question.options] == FREQUENCY
        assert "Over the last 2 weeks" in question.hint
    assert definition.questions["q9"].label == (
        "Thoughts that you would be better off dead or of hurting yourself in some way"
    )
    assert definition.attribution == PHQ_ATTRIBUTION


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately-severe"),
        (19, "moderately-severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_band_edges(total, band):
    definition = _get("phq-9")
    qids = [f"q{i}" for i in range(1, 10)]
    answers = _answers_totalling(definition, qids, total, top=3)
    answers["difficulty"] = "somewhat-difficult"
    outcome = outcome_for(definition, answers)
    assert outcome.scores["total"] == total
    assert outcome.bands["severity"].id == band


@pytest.mark.parametrize("q9", ["several-days", "more-than-half-the-days", "nearly-every-day"])
def test_phq9_any_thoughts_of_self_harm_show_the_crisis_page_even_with_a_low_total(q9):
    definition = _get("phq-9")
    answers = {f"q{i}": "not-at-all" for i in range(1, 9)} | {"q9": q9}
    outcome = outcome_for(definition, answers)
    assert outcome.bands["severity"].id == "minimal"
    assert "self_harm_thoughts" in outcome.flags
    (interrupt,) = outcome.interrupts
    assert interrupt.id == "crisis"
    assert interrupt.site_setting == "crisis_contacts"
    assert interrupt.title == "If you need help now"
    assert "harming yourself" in interrupt.body
    assert "If you have thoughts of harming yourself" in _result_titles(definition, answers)


def test_phq9_no_crisis_page_when_item_9_is_not_at_all_however_high_the_total():
    definition = _get("phq-9")
    answers = {f"q{i}": "nearly-every-day" for i in range(1, 9)} | {"q9": "not-at-all"}
    outcome = outcome_for(definition, answers)
    assert outcome.scores["total"] == 24
    assert outcome.bands["severity"].id == "severe"
    assert outcome.interrupts == ()
    assert "self_harm_thoughts" not in outcome.flags


def test_phq9_difficulty_question_is_asked_only_when_a_problem_was_reported_and_not_scored():
    definition = _get("phq-9")
    none = {f"q{i}": "not-at-all" for i in range(1, 10)}
    assert "difficulty" not in [p.id for p in pages_visible(definition, none)]
    some = none | {"q3": "several-days"}
    assert "difficulty" in [p.id for p in pages_visible(definition, some)]
    extreme = outcome_for(definition, some | {"difficulty": "extremely-difficult"})
    assert extreme.scores["total"] == 1


def test_phq9_moderate_or_above_advises_the_gp_and_signposts_talking_therapies():
    definition = _get("phq-9")
    qids = [f"q{i}" for i in range(1, 10)]
    nine = outcome_for(definition, _answers_totalling(definition, qids[:8], 9, top=3))
    ten = outcome_for(definition, _answers_totalling(definition, qids[:8], 10, top=3))
    assert "talking-therapies" not in nine.signpost_categories
    assert "talking-therapies" in ten.signpost_categories
    assert any("Talk to your GP" in block.body for block in ten.results)


# ---------------------------------------------------------------------------------------------
# GAD-7


def test_gad7_items_are_scored_0_to_3_as_published():
    definition = _get("gad-7")
    (rule,) = definition.scores
    assert len(rule.questions) == 7
    for qid in rule.questions:
        assert [(o.label, o.score) for o in definition.questions[qid].options] == FREQUENCY
    assert definition.attribution == PHQ_ATTRIBUTION
    assert definition.interrupts == ()


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_band_edges(total, band):
    definition = _get("gad-7")
    answers = _answers_totalling(definition, [f"q{i}" for i in range(1, 8)], total, top=3)
    outcome = outcome_for(definition, answers)
    assert outcome.scores["total"] == total
    assert outcome.bands["severity"].id == band


# ---------------------------------------------------------------------------------------------
# AUDIT-C

AUDIT_QIDS = ["frequency", "units", "heavy"]


def test_auditc_uses_the_uk_wording_and_scores_each_question_0_to_4():
    definition = _get("audit-c")
    assert definition.questions["heavy"].label == (
        "How often have you had 6 or more units if female, or 8 or more if male, on a single "
        "occasion in the last year?"
    )
    for qid in AUDIT_QIDS:
        assert [o.score for o in definition.questions[qid].options] == [0, 1, 2, 3, 4]
    assert [o.label for o in definition.questions["units"].options] == [
        "0 to 2",
        "3 to 4",
        "5 to 6",
        "7 to 9",
        "10 or more",
    ]


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (1, "lower-risk"),
        (4, "lower-risk"),
        (5, "increasing-risk"),
        (7, "increasing-risk"),
        (8, "higher-risk"),
        (10, "higher-risk"),
        (11, "possible-dependence"),
        (12, "possible-dependence"),
    ],
)
def test_auditc_band_edges(total, band):
    definition = _get("audit-c")
    outcome = outcome_for(definition, _answers_totalling(definition, AUDIT_QIDS, total, top=4))
    assert outcome.scores["total"] == total
    assert outcome.bands["risk"].id == band


def test_auditc_full_audit_is_suggested_from_5_not_at_4():
    definition = _get("audit-c")
    four = _result_titles(definition, _answers_totalling(definition, AUDIT_QIDS, 4, top=4))
    five = _result_titles(definition, _answers_totalling(definition, AUDIT_QIDS, 5, top=4))
    assert "The full AUDIT is suggested" not in four
    assert "The full AUDIT is suggested" in five


def test_auditc_top_band_warns_not_to_stop_drinking_suddenly():
    definition = _get("audit-c")
    ten = _result_titles(definition, _answers_totalling(definition, AUDIT_QIDS, 10, top=4))
    eleven = outcome_for(definition, _answers_totalling(definition, AUDIT_QIDS, 11, top=4))
    assert "Do not stop drinking suddenly" not in ten
    warning = next(b for b in eleven.results if b.title == "Do not stop drinking suddenly")
    assert "without medical advice" in warning.body
    assert "The full AUDIT is suggested" in [b.title for b in eleven.results]


def test_auditc_someone_who_never_drinks_is_not_asked_about_amounts_and_scores_0():
    definition = _get("audit-c")
    answers = {"frequency": "never", "units": "10-plus", "heavy": "daily"}  # stale answers
    assert [p.id for p in pages_visible(definition, answers)] == ["frequency"]
    outcome = outcome_for(definition, answers)
    assert outcome.scores["total"] == 0
    assert outcome.bands["risk"].id == "lower-risk"


# ---------------------------------------------------------------------------------------------
# Falls: STEADI "Stay Independent"

TWO_POINT = ("fallen", "cane_walker")


def _falls_yes(*qids: str) -> dict[str, str]:
    definition = _get("falls-risk")
    return {qid: ("yes" if qid in qids else "no") for qid in definition.scores[0].questions}


def test_falls_scores_2_for_a_fall_or_a_walking_aid_and_1_for_the_other_ten():
    definition = _get("falls-risk")
    (rule,) = definition.scores
    assert len(rule.questions) == 12
    for qid in rule.questions:
        question = definition.questions[qid]
        yes, no = question.option("yes"), question.option("no")
        assert no.score == 0
        assert yes.score == (2 if qid in TWO_POINT else 1), qid
    assert definition.questions["fallen"].label == "I have fallen in the past year."
    assert definition.questions["cane_walker"].label == (
        "I use or have been advised to use a cane or walker to get around safely."
    )


@pytest.mark.parametrize(
    ("yes", "total", "at_risk"),
    [
        ((), 0, False),
        (("unsteady", "furniture", "worried"), 3, False),
        (("unsteady", "furniture", "worried", "sad"), 4, True),
        (("fallen", "unsteady"), 3, False),
        (("fallen", "cane_walker"), 4, True),
        (("fallen", "unsteady", "feet"), 4, True),
        (("cane_walker", "toilet", "kerb"), 4, True),
    ],
)
def test_falls_4_points_or_more_may_be_at_risk(yes, total, at_risk):
    definition = _get("falls-risk")
    outcome = outcome_for(definition, _falls_yes(*yes))
    assert outcome.scores["total"] == total
    assert outcome.bands["risk"].id == ("may-be-at-risk" if at_risk else "lower-risk")
    titles = [b.title for b in outcome.results]
    assert ("Talk to your GP" in titles) is at_risk
    assert "falls-prevention" in outcome.signpost_categories


def test_falls_all_yes_is_14():
    definition = _get("falls-risk")
    outcome = outcome_for(definition, _falls_yes(*definition.scores[0].questions))
    assert outcome.scores["total"] == 14
    assert outcome.bands["risk"].id == "may-be-at-risk"


# ---------------------------------------------------------------------------------------------
# Loneliness: UCLA 3-item and the ONS direct question

UCLA_QIDS = ["companionship", "left_out", "isolated"]


def test_loneliness_uses_the_ons_questions_and_scores():
    definition = _get("loneliness")
    assert [definition.questions[q].label for q in UCLA_QIDS] == [
        "How often do you feel that you lack companionship?",
        "How often do you feel left out?",
        "How often do you feel isolated from others?",
    ]
    for qid in UCLA_QIDS:
        assert [(o.label, o.score) for o in definition.questions[qid].options] == [
            ("Hardly ever or never", 1),
            ("Some of the time", 2),
            ("Often", 3),
        ]
    direct = definition.questions["lonely"]
    assert direct.label == "How often do you feel lonely?"
    assert [o.label for o in direct.options] == [
        "Often/always",
        "Some of the time",
        "Occasionally",
        "Hardly ever",
        "Never",
    ]
    assert all(o.score is None for o in direct.options)
    assert "lonely" not in definition.scores[0].questions


@pytest.mark.parametrize(
    ("scores", "band"),
    [
        ((1, 1, 1), "not-lonely"),
        ((2, 2, 1), "not-lonely"),
        ((2, 2, 2), "lonely"),
        ((3, 3, 3), "lonely"),
    ],
)
def test_loneliness_band_edges(scores, band):
    definition = _get("loneliness")
    answers = {q: _value(definition, q, s) for q, s in zip(UCLA_QIDS, scores, strict=True)}
    answers["lonely"] = "occasionally"
    outcome = outcome_for(definition, answers)
    assert outcome.scores["total"] == sum(scores)
    assert outcome.bands["loneliness"].id == band


@pytest.mark.parametrize(
    ("direct", "flagged"),
    [
        ("often-always", True),
        ("some-of-the-time", False),
        ("occasionally", False),
        ("hardly-ever", False),
        ("never", False),
    ],
)
def test_loneliness_often_or_always_adds_its_own_result_whatever_the_score(direct, flagged):
    definition = _get("loneliness")
    answers = dict.fromkeys(UCLA_QIDS, "hardly-ever") | {"lonely": direct}
    outcome = outcome_for(definition, answers)
    assert outcome.bands["loneliness"].id == "not-lonely"
    assert ("often_lonely" in outcome.flags) is flagged
    titles = [b.title for b in outcome.results]
    assert ("You said you feel lonely often or always" in titles) is flagged
    assert "befriending-and-loneliness" in outcome.signpost_categories
