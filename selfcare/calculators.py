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

from . import charging
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
