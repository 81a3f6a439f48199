"""Regulations 2 and 3 of the Care and Support (Eligibility Criteria) Regulations 2015 as truth
tables: every combination of the limbs of "unable to achieve", and of the three conditions."""

from itertools import product

import pytest

from selfcare.eligibility import (
    ADULT_OUTCOMES,
    CARER_OUTCOMES,
    OutcomeAnswer,
    adult_eligibility,
    adult_outcome_unachievable,
    carer_eligibility,
    carer_outcome_unachievable,
)

ACHIEVABLE = OutcomeAnswer(without_help=True)
NEEDS_HELP = OutcomeAnswer(without_help=False)
LIMBS = list(product([True, False], repeat=4))


def test_the_regulations_list_ten_adult_and_eight_carer_outcomes():
    assert len(ADULT_OUTCOMES) == 10
    assert len(CARER_OUTCOMES) == 8


@pytest.mark.parametrize(("without_help", "pain", "danger", "longer"), LIMBS)
def test_adult_outcome_is_unachievable_on_any_of_the_four_limbs(without_help, pain, danger, longer):
    answer = OutcomeAnswer(without_help, pain, danger, longer)
    expected = (not without_help) or pain or danger or longer
    assert adult_outcome_unachievable(answer) is expected


@pytest.mark.parametrize(("without_help", "pain", "danger", "longer"), LIMBS)
def test_carer_outcome_ignores_taking_longer(without_help, pain, danger, longer):
    answer = OutcomeAnswer(without_help, pain, danger, longer)
    assert carer_outcome_unachievable(answer) is ((not without_help) or pain or danger)


def test_taking_significantly_longer_counts_for_adults_but_not_carers():
    slow = OutcomeAnswer(without_help=True, takes_significantly_longer=True)
    assert adult_outcome_unachievable(slow)
    assert not carer_outcome_unachievable(slow)


def _adult_outcomes(unachievable: int) -> dict[str, OutcomeAnswer]:
    codes = list(ADULT_OUTCOMES)
    return {code: NEEDS_HELP if n < unachievable else ACHIEVABLE for n, code in enumerate(codes)}


@pytest.mark.parametrize(
    ("impairment", "unachievable", "impact"),
    list(product([True, False], [0, 1, 2, 3, 10], [True, False])),
)
def test_adult_eligibility_needs_all_three_conditions_and_two_outcomes(
    impairment, unachievable, impact
):
    result = adult_eligibility(
        impairment_or_illness=impairment,
        outcomes=_adult_outcomes(unachievable),
        significant_wellbeing_impact=impact,
    )
    assert result.eligible is (impairment and unachievable >= 2 and impact)
    assert len(result.outcomes_unachievable) == unachievable
    assert [met for _label, met in result.conditions] == [impairment, unachievable >= 2, impact]


def _carer_outcomes(unachievable: int) -> dict[str, OutcomeAnswer]:
    codes = list(CARER_OUTCOMES)
    return {code: NEEDS_HELP if n < unachievable else ACHIEVABLE for n, code in enumerate(codes)}


@pytest.mark.parametrize(
    ("necessary_care", "health_at_risk", "unachievable", "impact"),
    list(product([True, False], [True, False], [0, 1, 8], [True, False])),
)
def test_carer_eligibility_follows_regulation_3(
    necessary_care, health_at_risk, unachievable, impact
):
    result = carer_eligibility(
        providing_necessary_care=necessary_care,
        health_at_risk=health_at_risk,
        outcomes=_carer_outcomes(unachievable),
        significant_wellbeing_impact=impact,
    )
    expected = necessary_care and (health_at_risk or unachievable >= 1) and impact
    assert result.eligible is expected


def test_a_carer_whose_health_is_at_risk_is_eligible_with_every_outcome_achievable():
    result = carer_eligibility(
        providing_necessary_care=True,
        health_at_risk=True,
        outcomes=_carer_outcomes(0),
        significant_wellbeing_impact=True,
    )
    assert result.eligible
    assert result.outcomes_unachievable == ()


def test_outcomes_are_reported_in_the_regulations_order():
    outcomes = {
        "community": NEEDS_HELP,
        "nutrition": OutcomeAnswer(without_help=True, endangers_health_or_safety=True),
    }
    result = adult_eligibility(
        impairment_or_illness=True, outcomes=outcomes, significant_wellbeing_impact=True
    )
    assert result.outcomes_unachievable == ("nutrition", "community")
    assert result.eligible


def test_an_unknown_outcome_is_refused_rather_than_ignored():
    with pytest.raises(ValueError, match="Unknown outcomes: recreation"):
        adult_eligibility(
            impairment_or_illness=True,
            outcomes={"recreation": NEEDS_HELP},
            significant_wellbeing_impact=True,
        )
