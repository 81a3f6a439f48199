"""The adult's needs self-assessment (Care Act 2014 s.9; eligibility under regulation 2 of the
Care and Support (Eligibility Criteria) Regulations 2015): the definition, its indicative
eligibility calculator, someone filling it in for another person, and a walk through the
journey with the Django test client."""

from __future__ import annotations

import pytest
from django.utils.html import escape

from selfcare import calculators, engine, journey
from selfcare.eligibility import ADULT_OUTCOMES
from selfcare.models import Submission

SLUG = "needs-assessment"
BASE = f"/self-care/{SLUG}"
DIRECTORY_CATEGORIES = {
    "adult-social-care", "carers-support", "carers-breaks", "dementia", "dementia-carers",
    "mental-health-and-wellbeing", "money-and-benefits", "benefits-advice",
    "befriending-and-loneliness", "physical-activity", "housing", "day-opportunities",
    "transport", "telecare-and-equipment", "children-and-families", "young-carers",
}  # fmt: skip
NOT_APPLICABLE_ALLOWED = {"child-caring", "work-education"}
PROXY_PAGES = {"person-name", "proxy-relationship", "proxy-basis", "capacity-statement"}

# Someone who manages everything without help and with no ill effects.
MANAGING = {
    "for-whom": "myself",
    "impairment": "yes",
    "impairment-details": "Arthritis in both knees",
    **{f"{code}-without-help": "yes" for code in ADULT_OUTCOMES},
    **{f"{code}-effects": ["none"] for code in ADULT_OUTCOMES},
    "wellbeing-impact": "significant",
    "harm": "no",
    "what-would-help": "A grab rail",
    "contact-name": "Pat Person",
    "contact-email": "pat@example.com",
    "contact-phone": "01632 960001",
    "consent-share": ["social-care"],
}
FOR_SOMEONE_WHO_LACKS_CAPACITY = {
    **MANAGING,
    "for-whom": "someone-else",
    "person-name": "Alex Person",
    "proxy-relationship": "Son",
    "proxy-basis": "lacks-capacity",
    "capacity-statement": "Advanced dementia; I hold lasting power of attorney for health",
}


@pytest.fixture
def definition() -> engine.Definition:
    found = engine.definition_get(SLUG)
    assert found is not None
    return found


def _eligibility(**changes):
    return calculators.eligibility_from_answers("adult", {**MANAGING, **changes})


# ---------------------------------------------------------------------------------------------
# The definition


def test_the_definition_is_a_task_list_self_assessment_sent_with_an_nsa_reference(definition):
    assert definition.kind == "self-assessment"
    assert definition.task_list
    assert definition.calculator == "adult-eligibility"
    config = definition.submission
    assert config.reference_prefix == "NSA"
    assert config.consent_question == "consent-share"
    assert config.proxy_condition == {"question": "for-whom", "op": "eq", "value": "someone-else"}
    assert set(config.urgent_flags) == {"urgent_harm"}
    first = definition.pages[0].questions[0]
    assert first.id == "for-whom"
    assert "answer the rest of the questions as them" in first.hint


def test_each_of_the_ten_outcomes_is_asked_in_the_regulations_words(definition):
    questions = definition.questions
    for code, wording in ADULT_OUTCOMES.items():
        without = questions[f"{code}-without-help"]
        effects = questions[f"{code}-effects"]
        assert wording in without.summary_label
        expected = ["yes", "no"] + (["not-applicable"] if code in NOT_APPLICABLE_ALLOWED else [])
        assert [o.value for o in without.options] == expected, code
        assert [o.value for o in effects.options] == [
            "pain-distress",
            "endangers",
            "longer",
            "none",
        ]
        assert effects.option("none").exclusive


def test_every_page_can_be_reached(definition):
    reached = {p.id for p in engine.pages_visible(definition, FOR_SOMEONE_WHO_LACKS_CAPACITY)}
    assert reached == {p.id for p in definition.pages}


@pytest.mark.parametrize(
    ("changes", "proxy_pages"),
    [
        ({"for-whom": "myself"}, set()),
        ({"proxy-basis": "agrees"}, {"person-name", "proxy-relationship", "proxy-basis"}),
        ({}, PROXY_PAGES),
    ],
)
def test_proxy_questions_are_asked_only_of_someone_filling_it_in_for_another(
    definition, changes, proxy_pages
):
    answers = {**FOR_SOMEONE_WHO_LACKS_CAPACITY, **changes}
    visible = {p.id for p in engine.pages_visible(definition, answers)}
    assert visible & PROXY_PAGES == proxy_pages


def test_impairment_details_are_asked_unless_there_is_none(definition):
    asked = {p.id for p in engine.pages_visible(definition, {**MANAGING, "impairment": "no"})}
    assert "impairment-details" not in asked
    asked = {p.id for p in engine.pages_visible(definition, {**MANAGING, "impairment": "not-sure"})}
    assert "impairment-details" in asked


def test_signposts_only_use_the_directorys_categories(definition):
    used = {c for block in definition.results for c in block.signpost_categories}
    assert used
    assert used <= DIRECTORY_CATEGORIES


def test_harm_raises_the_get_help_now_interrupt_at_once(definition):
    assert not engine.outcome_for(definition, MANAGING).interrupts
    outcome = engine.outcome_for(definition, {**MANAGING, "harm": "yes"})
    assert outcome.flags == {"urgent_harm"}
    (interrupt,) = outcome.interrupts
    assert interrupt.id == "urgent-help"
    assert interrupt.immediate
    assert interrupt.site_setting == "social_care_contacts"


# ---------------------------------------------------------------------------------------------
# Indicative eligibility (regulation 2)


def test_managing_everything_is_not_eligible():
    result = _eligibility()
    assert not result.eligible
    assert result.outcomes_unachievable == ()
    assert result.regulation.endswith("regulation 2")


def test_only_one_unachievable_outcome_is_not_eligible():
    result = _eligibility(**{"toilet-without-help": "no"})
    assert result.outcomes_unachievable == ("toilet",)
    assert not result.eligible
    assert [met for _label, met in result.conditions] == [True, False, True]


def test_two_unachievable_outcomes_with_impairment_and_impact_are_eligible():
    result = _eligibility(**{"toilet-without-help": "no", "hygiene-effects": ["endangers"]})
    assert result.outcomes_unachievable == ("hygiene", "toilet")
    assert result.eligible


@pytest.mark.parametrize(
    ("changes", "condition"),
    [
        ({"impairment": "no"}, 0),
        ({"impairment": "not-sure"}, 0),
        ({"wellbeing-impact": "some"}, 2),
        ({"wellbeing-impact": "none"}, 2),
    ],
)
def test_each_other_condition_must_be_met_too(changes, condition):
    outcomes = {"toilet-without-help": "no", "nutrition-without-help": "no"}
    result = _eligibility(**outcomes, **changes)
    assert not result.eligible
    assert [index for index, (_l, met) in enumerate(result.conditions) if not met] == [condition]


@pytest.mark.parametrize("effect", ["pain-distress", "endangers", "longer"])
def test_any_limb_makes_an_outcome_done_without_help_unachievable(effect):
    result = _eligibility(**{"clothing-effects": [effect]})
    assert result.outcomes_unachievable == ("clothing",)


def test_taking_significantly_longer_counts_for_adults_but_not_for_carers():
    answers = {**MANAGING, "community-effects": ["longer"]}
    assert calculators.eligibility_from_answers("adult", answers).outcomes_unachievable == (
        "community",
    )
    assert calculators.eligibility_from_answers("carer", answers).outcomes_unachievable == ()


@pytest.mark.parametrize("code", sorted(NOT_APPLICABLE_ALLOWED))
def test_not_applicable_or_unanswered_never_counts(code):
    result = _eligibility(**{f"{code}-without-help": "not-applicable", "toilet-without-help": "no"})
    assert result.outcomes_unachievable == ("toilet",)
    unanswered = {k: v for k, v in MANAGING.items() if not k.startswith(code)}
    assert calculators.eligibility_from_answers("adult", unanswered).outcomes_unachievable == ()


def test_the_calculator_names_the_outcomes():
    context = calculators.calculate(
        "adult-eligibility", {**MANAGING, "home-safety-without-help": "no"}
    )
    assert context["unachievable"] == [("home-safety", ADULT_OUTCOMES["home-safety"])]
    assert not context["eligibility"].eligible


# ---------------------------------------------------------------------------------------------
# The journey through the views


def _answer_all(client, definition, answers: dict) -> None:
    """Answer each page the answers make visible, in order, as a person would."""
    done: set[str] = set()
    while True:
        page = next(
            (p for p in engine.pages_visible(definition, answers) if p.id not in done), None
        )
        if page is None:
            return
        data = {q.id: answers[q.id] for q in page.questions if q.id in answers}
        response = client.post(f"{BASE}/q/{page.id}/", data)
        assert response.status_code == 302, (page.id, response.content[:800])
        done.add(page.id)


def _session_answers(client, definition) -> dict:
    return journey.journey_answers(session=client.session, definition=definition)


@pytest.mark.django_db
def test_filling_it_in_for_someone_else_asks_who_and_on_what_basis(client):
    response = client.post(f"{BASE}/q/for-whom/", {"for-whom": "someone-else"})
    assert response["Location"] == f"{BASE}/q/person-name/"
    client.post(f"{BASE}/q/person-name/", {"person-name": "Alex Person"})
    client.post(f"{BASE}/q/proxy-relationship/", {"proxy-relationship": "Son"})
    response = client.post(f"{BASE}/q/proxy-basis/", {"proxy-basis": "lacks-capacity"})
    assert response["Location"] == f"{BASE}/q/capacity-statement/"
    page = client.get(response["Location"]).content.decode()
    assert "lasting power of attorney for health and welfare" in page
    empty = client.post(response["Location"], {"capacity-statement": ""})
    assert empty.status_code == 400


@pytest.mark.django_db
def test_yes_without_help_asks_about_the_effects_and_no_skips_them(client):
    yes = client.post(f"{BASE}/q/hygiene-without-help/", {"hygiene-without-help": "yes"})
    assert yes["Location"] == f"{BASE}/q/hygiene-effects/"
    assert "It takes me significantly longer" in client.get(yes["Location"]).content.decode()
    no = client.post(f"{BASE}/q/toilet-without-help/", {"toilet-without-help": "no"})
    assert no["Location"] == f"{BASE}/q/clothing-without-help/"


@pytest.mark.django_db
def test_changing_yes_to_no_removes_the_effects_answer(client, definition):
    _answer_all(client, definition, MANAGING)
    response = client.post(f"{BASE}/q/toilet-without-help/?change=1", {"toilet-without-help": "no"})
    assert response["Location"] == f"{BASE}/check/"
    answers = _session_answers(client, definition)
    assert "toilet-effects" not in answers
    assert answers["hygiene-effects"] == ["none"]


@pytest.mark.django_db
def test_changing_to_myself_removes_the_proxy_answers(client, definition):
    _answer_all(client, definition, FOR_SOMEONE_WHO_LACKS_CAPACITY)
    client.post(f"{BASE}/q/for-whom/?change=1", {"for-whom": "myself"})
    answers = _session_answers(client, definition)
    assert not {"person-name", "proxy-relationship", "proxy-basis", "capacity-statement"} & set(
        answers
    )


@pytest.mark.django_db
def test_check_answers_lists_every_answer(client, definition):
    _answer_all(client, definition, FOR_SOMEONE_WHO_LACKS_CAPACITY)
    html = client.get(f"{BASE}/check/").content.decode()
    questions = definition.questions
    for qid, value in FOR_SOMEONE_WHO_LACKS_CAPACITY.items():
        question = questions[qid]
        assert escape(question.summary_label or question.label) in html, qid
        for line in engine.answer_display(question, value).splitlines():
            assert escape(line) in html, qid
    assert "Accept and send" in html


@pytest.mark.django_db
def test_harm_shows_the_numbers_to_call_at_once(client):
    response = client.post(f"{BASE}/q/harm/", {"harm": "yes"})
    assert response["Location"].startswith(f"{BASE}/important/urgent-help/?next=")
    page = client.get(response["Location"]).content.decode()
    assert "Get help now" in page
    assert "portal-selfcare-contacts" in page


@pytest.mark.django_db
def test_sending_for_someone_else_records_a_proxy_case_and_shows_eligibility(client, definition):
    answers = {
        **FOR_SOMEONE_WHO_LACKS_CAPACITY,
        "toilet-without-help": "no",
        "nutrition-effects": ["longer"],
    }
    _answer_all(client, definition, answers)
    html = client.post(f"{BASE}/check/", follow=True).content.decode()
    submission = Submission.objects.get()
    assert submission.reference.startswith("NSA-")
    assert submission.completed_by_proxy
    assert submission.answers["capacity-statement"].startswith("Advanced dementia")
    assert submission.outcome["eligibility"]["eligible"] is True
    assert "Self-assessment sent" in html
    assert "What your answers suggest" in html
    assert "may be eligible for care and support" in html
    assert "regulation 2" in html
    assert html.count(">Met<") == 3
    assert escape(ADULT_OUTCOMES["toilet"]) in html
    assert escape(ADULT_OUTCOMES["nutrition"]) in html


@pytest.mark.django_db
def test_not_meeting_the_criteria_says_so_in_words(client, definition):
    _answer_all(client, definition, {**MANAGING, "toilet-without-help": "no"})
    html = client.post(f"{BASE}/check/", follow=True).content.decode()
    assert "do not suggest you are eligible" in html
    assert ">Not met<" in html
    assert "A social care practitioner decides" in html
