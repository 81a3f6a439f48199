"""Named calculators that work out a self-care tool's result from its answers.

A definition with "calculator": "<name>" ends in `calculate(name, answers)`, whose dict is the
context of templates/selfcare/calculators/<name>.html (selfcare.views.result).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from . import charging, eligibility
from .eligibility import ADULT_OUTCOMES, CARER_OUTCOMES, IndicativeEligibility
from .models import charging_year_for

Calculator = Callable[[dict[str, Any]], dict[str, Any]]
CALCULATORS: dict[str, Calculator] = {}


def register(name: str) -> Callable[[Calculator], Calculator]:
    def wrap(function: Calculator) -> Calculator:
        CALCULATORS[name] = function
        return function

    return wrap


def calculate(name: str, answers: dict[str, Any]) -> dict[str, Any]:
    """The template context for calculator `name`; KeyError for an unknown name."""
    return CALCULATORS[name](answers)


def _decimal(value: Any, default: Decimal | None = Decimal("0")) -> Decimal | None:
    if value in (None, ""):
        return default
    try:
        return Decimal(str(value).replace(",", "").removeprefix("£"))
    except InvalidOperation:
        return default


def care_cost_inputs(answers: dict[str, Any]) -> charging.Inputs:
    """Map the care-cost definition's answers (strings) to the charging inputs."""
    return charging.Inputs(
        setting=charging.CARE_HOME if answers.get("setting") == "care-home" else charging.AT_HOME,
        age_band=answers.get("age_band")
        if answers.get("age_band") in charging.AGE_BANDS
        else charging.AGE_25_TO_PENSION,
        owns_home=answers.get("owns_home") == "yes",
        capital=_decimal(answers.get("capital")),
        weekly_income=_decimal(answers.get("weekly_income")),
        disability_benefit=answers.get("disability_benefit")
        if answers.get("disability_benefit") in charging.BENEFIT_RATES
        else charging.BENEFIT_NONE,
        carer_premium=answers.get("carers_allowance") == "yes",
        disability_related_expenditure=_decimal(answers.get("disability_costs"), None),
        weekly_care_cost=_decimal(answers.get("care_cost"), None),
    )


@register("care-cost")
def care_cost(answers: dict[str, Any], *, today: dt.date | None = None) -> dict[str, Any]:
    year = charging_year_for(today or timezone.localdate())
    if year is None:
        return {"estimate": None, "charging_year": None}
    estimate = charging.contribution_estimate(inputs=care_cost_inputs(answers), year=year)
    return {
        "estimate": estimate,
        "charging_year": year,
        "figures_provisional": not year.confirmed,
        "care_home": answers.get("setting") == "care-home",
    }


# ---------------------------------------------------------------------------------------------
# Indicative eligibility for the carer's and the adult's needs self-assessments

# The effects a person can tick for an outcome they can achieve without help, as the limbs of
# regulation 2(3) / 3(4). "longer" is only offered to adults; for carers it never counts.
EFFECT_LIMBS = {
    "pain-distress": "significant_pain_distress_or_anxiety",
    "endangers": "endangers_health_or_safety",
    "longer": "takes_significantly_longer",
}
HEALTH_AT_RISK_ANSWERS = frozenset({"getting-worse", "at-risk"})
HEALTH_QUESTIONS = ("physical-health", "mental-health", "sleep")


def outcome_answer_from(answers: dict[str, Any], code: str) -> eligibility.OutcomeAnswer:
    """One outcome's two questions as the regulations ask them. "Not applicable" or no answer
    counts as achievable: nothing in the answers says otherwise, and a practitioner asks."""
    without_help = answers.get(f"{code}-without-help")
    if without_help == "no":
        return eligibility.OutcomeAnswer(without_help=False)
    if without_help != "yes":
        return eligibility.OutcomeAnswer(without_help=True)
    effects = answers.get(f"{code}-effects") or []
    if not isinstance(effects, list):
        effects = [effects]
    limbs = {limb: True for value, limb in EFFECT_LIMBS.items() if value in effects}
    return eligibility.OutcomeAnswer(without_help=True, **limbs)


def eligibility_from_answers(kind: str, answers: dict[str, Any]) -> IndicativeEligibility:
    """The indicative eligibility for the carers-assessment ("carer", regulation 3) or
    needs-assessment ("adult", regulation 2) answers."""
    if kind == "carer":
        return eligibility.carer_eligibility(
            providing_necessary_care=answers.get("necessary-care") == "yes",
            health_at_risk=any(
                answers.get(question) in HEALTH_AT_RISK_ANSWERS for question in HEALTH_QUESTIONS
            ),
            outcomes={code: outcome_answer_from(answers, code) for code in CARER_OUTCOMES},
            significant_wellbeing_impact=answers.get("wellbeing-impact") == "significant",
        )
    if kind == "adult":
        return eligibility.adult_eligibility(
            impairment_or_illness=answers.get("impairment") == "yes",
            outcomes={code: outcome_answer_from(answers, code) for code in ADULT_OUTCOMES},
            significant_wellbeing_impact=answers.get("wellbeing-impact") == "significant",
        )
    raise ValueError(f"Unknown kind of eligibility: {kind!r}")


def _eligibility_context(kind: str, answers: dict[str, Any]) -> dict[str, Any]:
    result = eligibility_from_answers(kind, answers)
    names = CARER_OUTCOMES if kind == "carer" else ADULT_OUTCOMES
    return {
        "eligibility": result,
        "unachievable": [(code, names[code]) for code in result.outcomes_unachievable],
    }


@register("carer-eligibility")
def carer_eligibility(answers: dict[str, Any]) -> dict[str, Any]:
    return _eligibility_context("carer", answers)


@register("adult-eligibility")
def adult_eligibility(answers: dict[str, Any]) -> dict[str, Any]:
    return _eligibility_context("adult", answers)
