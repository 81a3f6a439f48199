"""Indicative eligibility under the Care and Support (Eligibility Criteria) Regulations 2015
(SI 2015/313), for the adults' needs and carers' self-assessments (issue 6).

Indicative only: a practitioner decides eligibility after an assessment. These functions state
the regulations' tests exactly so the result pages can say which parts were met, and so the
truth tables in tests/selfcare/test_eligibility.py pin them down.

- Regulation 2 (adults): needs arise from or relate to a physical or mental impairment or
  illness; as a result the adult is unable to achieve two or more of the ten outcomes in 2(2);
  and as a consequence there is, or is likely to be, a significant impact on their wellbeing.
  "Unable to achieve" (2(3)): unable without assistance; or able without assistance but doing
  so causes significant pain, distress or anxiety, endangers or is likely to endanger the
  health or safety of the adult or others, or takes significantly longer than would normally
  be expected.
- Regulation 3 (carers): needs arise as a consequence of providing necessary care for an
  adult; as a result the carer's physical or mental health is, or is at risk of, deteriorating,
  or the carer is unable to achieve any of the eight outcomes in 3(3); and as a consequence
  there is, or is likely to be, a significant impact on their wellbeing. "Unable to achieve"
  (3(4)) has the first three limbs of 2(3), not "takes significantly longer".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# Regulation 2(2)(a) to (j).
ADULT_OUTCOMES: dict[str, str] = {
    "nutrition": "Managing and maintaining nutrition",
    "hygiene": "Maintaining personal hygiene",
    "toilet": "Managing toilet needs",
    "clothing": "Being appropriately clothed",
    "home-safety": "Being able to make use of the home safely",
    "habitable-home": "Maintaining a habitable home environment",
    "relationships": "Developing and maintaining family or other personal relationships",
    "work-education": "Accessing and engaging in work, training, education or volunteering",
    "community": (
        "Making use of necessary facilities or services in the local community, including "
        "public transport and recreational facilities or services"
    ),
    "child-caring": "Carrying out any caring responsibilities the adult has for a child",
}

# Regulation 3(3)(a) to (h).
CARER_OUTCOMES: dict[str, str] = {
    "child-caring": "Carrying out any caring responsibilities the carer has for a child",
    "other-caring": "Providing care to other persons for whom the carer provides care",
    "habitable-home": "Maintaining a habitable home environment in the carer's home",
    "nutrition": "Managing and maintaining nutrition",
    "relationships": "Developing and maintaining family or other personal relationships",
    "work-education": "Engaging in work, training, education or volunteering",
    "community": (
        "Making use of necessary facilities or services in the local community, including "
        "recreational facilities or services"
    ),
    "recreation": "Engaging in recreational activities",
}

ADULT_OUTCOMES_NEEDED = 2  # regulation 2(1)(b): "two or more"
CARER_OUTCOMES_NEEDED = 1  # regulation 3(1)(b)(ii): "any"


@dataclass(frozen=True)
class OutcomeAnswer:
    """One outcome, asked as the regulations ask it."""

    without_help: bool
    significant_pain_distress_or_anxiety: bool = False
    endangers_health_or_safety: bool = False
    takes_significantly_longer: bool = False


def adult_outcome_unachievable(answer: OutcomeAnswer) -> bool:
    """Regulation 2(3): any one of the four limbs."""
    return (
        not answer.without_help
        or answer.significant_pain_distress_or_anxiety
        or answer.endangers_health_or_safety
        or answer.takes_significantly_longer
    )


def carer_outcome_unachievable(answer: OutcomeAnswer) -> bool:
    """Regulation 3(4): the first three limbs; taking longer is not one for carers."""
    return (
        not answer.without_help
        or answer.significant_pain_distress_or_anxiety
        or answer.endangers_health_or_safety
    )


@dataclass(frozen=True)
class IndicativeEligibility:
    """Whether the answers meet the regulation's test, and which parts were met, in the
    regulation's order, for the result page to explain."""

    eligible: bool
    regulation: str
    conditions: tuple[tuple[str, bool], ...]
    outcomes_unachievable: tuple[str, ...]


def _outcomes_unachievable(
    outcomes: Mapping[str, OutcomeAnswer], known: Mapping[str, str], test
) -> tuple[str, ...]:
    unknown = set(outcomes) - set(known)
    if unknown:
        raise ValueError(f"Unknown outcomes: {', '.join(sorted(unknown))}")
    return tuple(code for code in known if code in outcomes and test(outcomes[code]))


def adult_eligibility(
    *,
    impairment_or_illness: bool,
    outcomes: Mapping[str, OutcomeAnswer],
    significant_wellbeing_impact: bool,
) -> IndicativeEligibility:
    """Regulation 2(1): all three conditions, with two or more outcomes unachievable."""
    unachievable = _outcomes_unachievable(outcomes, ADULT_OUTCOMES, adult_outcome_unachievable)
    enough = len(unachievable) >= ADULT_OUTCOMES_NEEDED
    conditions = (
        (
            "Needs arise from or are related to a physical or mental impairment or illness",
            impairment_or_illness,
        ),
        ("Unable to achieve two or more of the outcomes", enough),
        ("A significant impact, or likely impact, on wellbeing", significant_wellbeing_impact),
    )
    return IndicativeEligibility(
        eligible=all(met for _label, met in conditions),
        regulation="The Care and Support (Eligibility Criteria) Regulations 2015, regulation 2",
        conditions=conditions,
        outcomes_unachievable=unachievable,
    )


def carer_eligibility(
    *,
    providing_necessary_care: bool,
    health_at_risk: bool,
    outcomes: Mapping[str, OutcomeAnswer],
    significant_wellbeing_impact: bool,
) -> IndicativeEligibility:
    """Regulation 3(1): necessary care; health deteriorating or at risk, or any one outcome
    unachievable; and a significant impact on wellbeing."""
    unachievable = _outcomes_unachievable(outcomes, CARER_OUTCOMES, carer_outcome_unachievable)
    effect = health_at_risk or len(unachievable) >= CARER_OUTCOMES_NEEDED
    conditions = (
        ("Needs arise from providing necessary care for an adult", providing_necessary_care),
        (
            "Physical or mental health is, or is at risk of, deteriorating; or unable to achieve "
            "any of the outcomes",
            effect,
        ),
        ("A significant impact, or likely impact, on wellbeing", significant_wellbeing_impact),
    )
    return IndicativeEligibility(
        eligible=all(met for _label, met in conditions),
        regulation="The Care and Support (Eligibility Criteria) Regulations 2015, regulation 3",
        conditions=conditions,
        outcomes_unachievable=unachievable,
    )
