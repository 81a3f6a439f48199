"""The carer's self-assessment (Care Act 2014 s.10; eligibility under regulation 3 of the Care
and Support (Eligibility Criteria) Regulations 2015): the definition, its indicative
eligibility calculator, and a walk through the journey with the Django test client."""

from __future__ import annotations

import pytest
from django.utils.html import escape

from selfcare import calculators, engine, journey
from selfcare.eligibility import CARER_OUTCOMES
from selfcare.models import Submission

SLUG = "carers-assessment"
BASE = f"/self-care/{SLUG}"
DIRECTORY_CATEGORIES = {
    "adult-social-care", "carers-support", "carers-breaks", "dementia", "dementia-carers",
    "mental-health-and-wellbeing", "money-and-benefits", "benefits-advice",
    "befriending-and-loneliness", "physical-activity", "housing", "day-opportunities",
    "transport", "telecare-and-equipment", "children-and-families", "young-carers",
}  # fmt: skip
NOT_APPLICABLE_ALLOWED = {"child-caring", "other-caring", "work-education"}

# A carer who copes with everything: every outcome achievable without help, no effects.
COPING = {
    "carer-age": "18-to-64",
    "lives-with": "yes",
    "cared-for-relationship": "parent",
    "cared-for-needs": ["dementia"],
    "necessary-care": "yes",
    "caring-tasks": ["meals", "medication"],
    "caring-hours": "35",
    "caring-when": "day",
    "other-help": ["family"],
    "physical-health": "not-affected",
    "mental-health": "affected-but-coping",
    "sleep": "not-affected",
    **{f"{code}-without-help": "yes" for code in CARER_OUTCOMES},
    **{f"{code}-effects": ["none"] for code in CARER_OUTCOMES},
    "carry-on": "yes",
    "harm": "no",
    "wellbeing-impact": "some",
    "what-would-help": "A regular break",
    "contact-name": "Sam Carer",
    "contact-email": "sam@example.com",
    "contact-phone": "07700 900123",
    "consent-share": ["gp"],
}


@pytest.fixture
def definition() -> engine.Definition:
    found = engine.definition_get(SLUG)
    assert found is not None
    return found


def _eligibility(**changes):
    return calculators.eligibility_from_answers("carer", {**COPING, **changes})


# ---------------------------------------------------------------------------------------------
# The definition


def test_the_definition_is_a_task_list_self_assessment_sent_with_a_csa_reference(definition):
    assert definition.kind == "self-assessment"
    assert definition.task_list
    assert definition.calculator == "carer-eligibility"
    config = definition.submission
    assert config.reference_prefix == "CSA"
    assert (config.name_question, config.email_question, config.phone_question) == (
        "contact-name",
        "contact-email",
        "contact-phone",
    )
    assert config.consent_question == "consent-share"
    assert set(config.urgent_flags) == {"urgent_cannot_continue", "urgent_harm"}
    assert [s.title for s in definition.sections][:5] == [
        "About you",
        "The person you care for",
        "What you do",
        "Who else helps",
        "Your health",
    ]


def test_each_of_the_eight_outcomes_is_asked_in_the_regulations_words(definition):
    questions = definition.questions
    for code, wording in CARER_OUTCOMES.items():
        without = questions[f"{code}-without-help"]
        effects = questions[f"{code}-effects"]
        assert wording in without.summary_label
        values = [o.value for o in without.options]
        expected = ["yes", "no"] + (["not-applicable"] if code in NOT_APPLICABLE_ALLOWED else [])
        assert values == expected, code
        assert [o.value for o in effects.options] == ["pain-distress", "endangers", "none"]
        assert effects.option("none").exclusive
        assert definition.page(f"{code}-effects").show_if == {
            "question": f"{code}-without-help",
            "op": "eq",
            "value": "yes",
        }


def test_every_page_can_be_reached(definition):
    reached = {p.id for p in engine.pages_visible(definition, COPING)}
    assert reached == {p.id for p in definition.pages}


def test_signposts_only_use_the_directorys_categories(definition):
    used = {c for block in definition.results for c in block.signpost_categories}
    assert used
    assert used <= DIRECTORY_CATEGORIES


@pytest.mark.parametrize(
    ("changes", "flags"),
    [
        ({}, set()),
        ({"carry-on": "no"}, {"urgent_cannot_continue"}),
        ({"carry-on": "yes-with-help"}, set()),
        ({"harm": "yes"}, {"urgent_harm"}),
        ({"carry-on": "no", "harm": "yes"}, {"urgent_cannot_continue", "urgent_harm"}),
    ],
)
def test_urgent_flags_raise_the_get_help_now_interrupt_at_once(definition, changes, flags):
    outcome = engine.outcome_for(definition, {**COPING, **changes})
    assert set(outcome.flags) == flags
    interrupts = [i for i in outcome.interrupts if i.id == "urgent-help"]
    assert bool(interrupts) == bool(flags)
    if interrupts:
        assert interrupts[0].immediate
        assert interrupts[0].site_setting == "social_care_contacts"
        assert "urgent" in interrupts[0].body


# ---------------------------------------------------------------------------------------------
# Indicative eligibility (regulation 3)


def test_one_unachievable_outcome_with_necessary_care_and_significant_impact_is_eligible():
    result = _eligibility(**{"nutrition-without-help": "no", "wellbeing-impact": "significant"})
    assert result.eligible
    assert result.outcomes_unachievable == ("nutrition",)
    assert result.regulation.endswith("regulation 3")


def test_no_significant_impact_on_wellbeing_is_not_eligible():
    result = _eligibility(**{"nutrition-without-help": "no", "wellbeing-impact": "some"})
    assert not result.eligible
    assert [met for _label, met in result.conditions] == [True, True, False]


def test_care_that_is_not_necessary_is_not_eligible():
    result = _eligibility(
        **{
            "necessary-care": "no",
            "nutrition-without-help": "no",
            "wellbeing-impact": "significant",
        }
    )
    assert not result.eligible
    assert [met for _label, met in result.conditions] == [False, True, True]


@pytest.mark.parametrize("question", ["physical-health", "mental-health", "sleep"])
@pytest.mark.parametrize(("answer", "at_risk"), [
    ("getting-worse", True), ("at-risk", True),
    ("affected-but-coping", False), ("not-affected", False),
])  # fmt: skip
def test_health_getting_worse_or_at_risk_meets_the_second_condition_alone(
    question, answer, at_risk
):
    result = _eligibility(**{question: answer, "wellbeing-impact": "significant"})
    assert result.outcomes_unachievable == ()
    assert result.conditions[1][1] is at_risk
    assert result.eligible is at_risk


@pytest.mark.parametrize(
    ("effects", "counts"),
    [
        (["pain-distress"], True),
        (["endangers"], True),
        (["pain-distress", "endangers"], True),
        (["longer"], False),  # taking longer is an adult limb only (regulation 3(4))
        (["none"], False),
    ],
)
def test_an_outcome_done_without_help_counts_only_on_a_carers_limb(effects, counts):
    result = _eligibility(**{"recreation-effects": effects})
    assert ("recreation" in result.outcomes_unachievable) is counts


@pytest.mark.parametrize("code", sorted(NOT_APPLICABLE_ALLOWED))
def test_not_applicable_or_unanswered_never_counts(code):
    assert _eligibility(**{f"{code}-without-help": "not-applicable"}).outcomes_unachievable == ()
    unanswered = {k: v for k, v in COPING.items() if not k.startswith(code)}
    assert calculators.eligibility_from_answers("carer", unanswered).outcomes_unachievable == ()


def test_stale_effects_of_an_outcome_now_needing_help_do_not_double_count():
    result = _eligibility(**{"nutrition-without-help": "no", "nutrition-effects": ["endangers"]})
    assert result.outcomes_unachievable == ("nutrition",)


def test_the_calculator_gives_the_eligibility_and_the_outcomes_by_name():
    context = calculators.calculate(
        "carer-eligibility",
        {**COPING, "nutrition-without-help": "no", "community-effects": ["pain-distress"]},
    )
    assert context["unachievable"] == [
        ("nutrition", "Managing and maintaining nutrition"),
        ("community", CARER_OUTCOMES["community"]),
    ]
    assert context["eligibility"].outcomes_unachievable == ("nutrition", "community")


def test_the_care_cost_calculator_is_still_registered():
    assert {"care-cost", "carer-eligibility", "adult-eligibility"} <= set(calculators.CALCULATORS)


def test_an_unknown_kind_is_an_error():
    with pytest.raises(ValueError, match="Unknown kind"):
        calculators.eligibility_from_answers("child", {})


# ---------------------------------------------------------------------------------------------
# The journey through the views


def _page_data(page: engine.Page, answers: dict) -> dict:
    return {q.id: answers[q.id] for q in page.questions if q.id in answers}


def _answer_all(client, definition, answers: dict) -> None:
    """Answer each page the answers make visible, in order, as a person would."""
    done: set[str] = set()
    while True:
        page = next(
            (p for p in engine.pages_visible(definition, answers) if p.id not in done), None
        )
        if page is None:
            return
        response = client.post(f"{BASE}/q/{page.id}/", _page_data(page, answers))
        assert response.status_code == 302, (page.id, response.content[:800])
        done.add(page.id)


def _session_answers(client, definition) -> dict:
    return journey.journey_answers(session=client.session, definition=definition)


@pytest.mark.django_db
def test_start_page_and_task_list_show_the_sections(client, definition):
    start = client.get(f"{BASE}/").content.decode()
    assert escape("Carer's self-assessment") in start
    tasks = client.get(f"{BASE}/tasks/").content.decode()
    for section in definition.sections:
        assert escape(section.title) in tasks


@pytest.mark.django_db
def test_yes_without_help_asks_about_the_effects_and_no_skips_them(client):
    yes = client.post(f"{BASE}/q/nutrition-without-help/", {"nutrition-without-help": "yes"})
    assert yes["Location"] == f"{BASE}/q/nutrition-effects/"
    effects = client.get(yes["Location"]).content.decode()
    assert "It causes me significant pain, distress or anxiety" in effects

    no = client.post(f"{BASE}/q/child-caring-without-help/", {"child-caring-without-help": "no"})
    assert no["Location"] == f"{BASE}/q/other-caring-without-help/"
    # The effects page of an outcome needing help is not asked at all.
    skipped = client.get(f"{BASE}/q/child-caring-effects/")
    assert skipped.status_code == 302


@pytest.mark.django_db
def test_effects_must_be_chosen_and_none_of_these_is_on_its_own(client):
    client.post(f"{BASE}/q/nutrition-without-help/", {"nutrition-without-help": "yes"})
    empty = client.post(f"{BASE}/q/nutrition-effects/", {})
    assert empty.status_code == 400
    assert "There is a problem" in empty.content.decode()
    both = client.post(f"{BASE}/q/nutrition-effects/", {"nutrition-effects": ["none", "endangers"]})
    assert both.status_code == 400


@pytest.mark.django_db
def test_changing_yes_to_no_removes_the_effects_answer(client, definition):
    _answer_all(client, definition, COPING)
    assert _session_answers(client, definition)["nutrition-effects"] == ["none"]

    response = client.post(
        f"{BASE}/q/nutrition-without-help/?change=1", {"nutrition-without-help": "no"}
    )
    assert response["Location"] == f"{BASE}/check/"
    answers = _session_answers(client, definition)
    assert answers["nutrition-without-help"] == "no"
    assert "nutrition-effects" not in answers
    check = client.get(f"{BASE}/check/").content.decode()
    assert "Managing and maintaining nutrition: what happens without help" not in check


@pytest.mark.django_db
def test_check_answers_lists_every_answer(client, definition):
    _answer_all(client, definition, COPING)
    response = client.get(f"{BASE}/check/")
    assert response.status_code == 200
    html = response.content.decode()
    questions = definition.questions
    for qid, value in COPING.items():
        question = questions[qid]
        assert escape(question.summary_label or question.label) in html, qid
        for line in engine.answer_display(question, value).splitlines():
            assert escape(line) in html, qid
    assert "Accept and send" in html


@pytest.mark.django_db
def test_cannot_carry_on_shows_the_numbers_to_call_at_once(client):
    response = client.post(f"{BASE}/q/carry-on/", {"carry-on": "no"})
    assert response["Location"].startswith(f"{BASE}/important/urgent-help/?next=")
    page = client.get(response["Location"]).content.decode()
    assert "Get help now" in page
    assert "treat it as urgent" in page
    assert "portal-selfcare-contacts" in page


@pytest.mark.django_db
def test_sending_shows_the_reference_and_the_indicative_eligibility(client, definition):
    answers = {**COPING, "nutrition-without-help": "no", "wellbeing-impact": "significant"}
    _answer_all(client, definition, answers)
    response = client.post(f"{BASE}/check/", follow=True)
    html = response.content.decode()
    submission = Submission.objects.get()
    assert submission.reference.startswith("CSA-")
    assert not submission.urgent
    assert submission.outcome["eligibility"]["eligible"] is True
    assert "Self-assessment sent" in html
    assert submission.reference in html
    assert "What your answers suggest" in html
    assert "A social care practitioner decides" in html
    assert "may be eligible for support as a carer" in html
    assert "regulation 3" in html
    assert "Managing and maintaining nutrition" in html
    # The eligibility block carries no reference of its own.
    block = html[html.index("What your answers suggest") :]
    assert submission.reference not in block


@pytest.mark.django_db
def test_urgent_answers_make_an_urgent_case_with_reasons(client, definition):
    _answer_all(client, definition, {**COPING, "carry-on": "no", "harm": "yes"})
    client.post(f"{BASE}/check/")
    submission = Submission.objects.get()
    assert submission.urgent
    assert len(submission.urgent_reasons) == 2
    assert submission.consent_to_share == ["gp"]
    assert submission.contact_name == "Sam Carer"
