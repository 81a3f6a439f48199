"""England's charging rules for care and support, as an indicative estimate.

Pure calculation: no database, no request. The figures come from a `ChargingYear`
(selfcare.models), edited each April. The rules follow the Care and Support (Charging and
Assessment of Resources) Regulations 2014 and the Care and Support Statutory Guidance, annex
B (capital) and annex C (income), in simplified form (docs/care-cost-estimator.md):

- Capital above the upper capital limit (£23,250): the person "is responsible for the full
  cost of their care" (DHSC local authority circular, "Capital limits").
- Capital between the limits: "a means-tested contribution from their assets (calculated as
  £1 per week for every £250 of capital between the upper and lower capital limits)" - the
  regulations' tariff income counts £1 for every £250 "or part of £250" (reg. 25).
- Income: after charging, a person cared for at home must be left with the minimum income
  guarantee (reg. 7); a care home resident keeps the personal expenses allowance (reg. 6).
- The value of the person's main home is disregarded when they receive care other than in a
  care home (Schedule 2, para. 2); in a care home it is disregarded for the first 12 weeks.

Single people only: a couple's assessment is out of scope and the result says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from typing import Protocol

ZERO = Decimal("0.00")
PENNY = Decimal("0.01")

AT_HOME = "at_home"
CARE_HOME = "care_home"
SETTINGS = (AT_HOME, CARE_HOME)

AGE_18_24 = "18-24"
AGE_25_TO_PENSION = "25-to-pension-age"
AGE_PENSION = "pension-age"
AGE_BANDS = (AGE_18_24, AGE_25_TO_PENSION, AGE_PENSION)

# Disability benefits, at the rate the person gets (Attendance Allowance, the daily living
# part of Personal Independence Payment, the care part of Disability Living Allowance).
BENEFIT_NONE = "none"
BENEFIT_LOWER = "lower"  # AA lower, PIP daily living standard, DLA care lowest or middle
BENEFIT_HIGHER = "higher"  # AA higher, PIP daily living enhanced, DLA care highest
BENEFIT_RATES = (BENEFIT_NONE, BENEFIT_LOWER, BENEFIT_HIGHER)

TRIAGE_FULL_COST = "likely to pay the full cost"
TRIAGE_MAY_GET_HELP = "may get help"
TRIAGE_LIKELY_HELP = "likely to get help"


class Figures(Protocol):
    """What the calculation reads from a ChargingYear."""

    label: str
    upper_capital_limit: Decimal
    lower_capital_limit: Decimal
    tariff_step: Decimal
    tariff_per_step: Decimal
    personal_expenses_allowance: Decimal
    minimum_income_guarantee: dict
    disregards: list


@dataclass(frozen=True)
class Inputs:
    setting: str  # AT_HOME or CARE_HOME
    age_band: str  # one of AGE_BANDS
    owns_home: bool
    capital: Decimal  # savings and other capital, not counting the home
    weekly_income: Decimal  # pensions and benefits, before any disregards
    disability_benefit: str = BENEFIT_NONE
    carer_premium: bool = False
    disability_related_expenditure: Decimal | None = None
    weekly_care_cost: Decimal | None = None


@dataclass(frozen=True)
class Line:
    label: str
    amount: Decimal | None  # None: a line of text with no amount
    note: str = ""


@dataclass(frozen=True)
class Estimate:
    year_label: str
    full_cost: bool  # capital above the upper limit: no calculation
    weekly_contribution: Decimal | None  # None when the person pays the full cost
    triage: str  # one of TRIAGE_*
    working: list[Line] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    weekly_care_cost: Decimal | None = None

    @property
    def council_pays(self) -> Decimal | None:
        """What the council might pay a week, if the care cost is known."""
        if self.weekly_care_cost is None or self.weekly_contribution is None:
            return None
        return max(self.weekly_care_cost - self.weekly_contribution, ZERO)


def _money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(PENNY)


def _amount(raw: object) -> Decimal:
    return _money(Decimal(str(raw)))


def tariff_income_weekly(capital: Decimal, year: Figures) -> Decimal | None:
    """Weekly tariff income from capital; None above the upper limit (full cost, no tariff).

    £1 (tariff_per_step) for every £250 (tariff_step), or part of £250, above the lower limit.
    """
    capital = Decimal(capital)
    if capital > year.upper_capital_limit:
        return None
    above = capital - year.lower_capital_limit
    if above <= 0:
        return ZERO
    steps = (above / year.tariff_step).to_integral_value(rounding=ROUND_CEILING)
    return _money(steps * year.tariff_per_step)


def minimum_income_guarantee(inputs: Inputs, year: Figures) -> list[Line]:
    """The minimum income guarantee for a single person cared for at home, as lines."""
    table = year.minimum_income_guarantee
    base_key = {
        AGE_18_24: "single_18_24",
        AGE_25_TO_PENSION: "single_25_to_pension_age",
        AGE_PENSION: "single_pension_age",
    }[inputs.age_band]
    base_label = {
        AGE_18_24: "Minimum income guarantee (single, aged 18 to 24)",
        AGE_25_TO_PENSION: "Minimum income guarantee (single, aged 25 to Pension Credit age)",
        AGE_PENSION: "Minimum income guarantee (single, Pension Credit age or over)",
    }[inputs.age_band]
    lines = [Line(base_label, _amount(table[base_key]))]
    under_pension_age = inputs.age_band != AGE_PENSION
    if under_pension_age and inputs.disability_benefit in (BENEFIT_LOWER, BENEFIT_HIGHER):
        lines.append(Line("Disability premium", _amount(table["disability_premium"])))
    if under_pension_age and inputs.disability_benefit == BENEFIT_HIGHER:
        lines.append(
            Line("Enhanced disability premium", _amount(table["enhanced_disability_premium"]))
        )
    if inputs.carer_premium:
        lines.append(Line("Carer premium", _amount(table["carer_premium"])))
    return lines


def _disregards(inputs: Inputs, year: Figures) -> list[Line]:
    applies = {"everyone", inputs.setting}
    if inputs.disability_benefit != BENEFIT_NONE:
        applies.add("disability_benefit")
    return [
        Line(str(row["label"]), _amount(row["weekly_amount"]))
        for row in (year.disregards or [])
        if row.get("applies_to", "everyone") in applies and _amount(row["weekly_amount"]) > 0
    ]


def _triage(contribution: Decimal, care_cost: Decimal | None) -> str:
    if care_cost is not None and contribution >= care_cost:
        return TRIAGE_FULL_COST
    if contribution <= 0:
        return TRIAGE_LIKELY_HELP
    return TRIAGE_MAY_GET_HELP


def contribution_estimate(*, inputs: Inputs, year: Figures) -> Estimate:
    """An indicative weekly contribution towards care, with the working shown line by line."""
    if inputs.setting not in SETTINGS:
        raise ValueError(f"setting must be one of {SETTINGS}")
    if inputs.age_band not in AGE_BANDS:
        raise ValueError(f"age_band must be one of {AGE_BANDS}")
    care_cost = None if inputs.weekly_care_cost is None else _money(inputs.weekly_care_cost)
    capital = _money(inputs.capital)
    notes = [
        "This estimate is for a single person. If you have a partner, the council "
        "assesses your share of joint money and the result may be different."
    ]
    if inputs.owns_home and inputs.setting == AT_HOME:
        notes.append(
            "The value of the home you live in is not counted, because you get care at home."
        )
    if inputs.owns_home and inputs.setting == CARE_HOME:
        notes.append(
            "The value of your home is not counted for the first 12 weeks in a care home. "
            "After that it may count as capital, unless, for example, a partner or a close "
            "relative who is aged 60 or over or disabled still lives there. If it counts, "
            "you are likely to pay the full cost, but you may be able to defer payment "
            "(a deferred payment agreement) so you do not have to sell your home in your "
            "lifetime."
        )
    working = [
        Line(
            "Savings and other capital",
            capital,
            "Not counting the home you live in." if inputs.owns_home else "",
        )
    ]
    tariff = tariff_income_weekly(capital, year)
    if tariff is None:
        working.append(
            Line(
                "Upper capital limit",
                _money(year.upper_capital_limit),
                "Your capital is over this limit, so you are likely to pay the full cost of "
                "your care.",
            )
        )
        return Estimate(
            year_label=year.label,
            full_cost=True,
            weekly_contribution=None,
            triage=TRIAGE_FULL_COST,
            working=working,
            notes=notes,
            weekly_care_cost=care_cost,
        )
    working.append(
        Line(
            "Tariff income from capital",
            tariff,
            f"£{year.tariff_per_step:,.2f} a week for every £{year.tariff_step:,.2f}, or part of "
            f"it, over £{year.lower_capital_limit:,.2f}.",
        )
    )
    income = _money(inputs.weekly_income)
    working.append(Line("Weekly income from pensions and benefits", income))
    counted = income + tariff
    working.append(Line("Income counted", _money(counted)))
    if inputs.setting == AT_HOME:
        allowances = minimum_income_guarantee(inputs, year)
    else:
        allowances = [
            Line("Personal expenses allowance", _amount(year.personal_expenses_allowance))
        ]
    working.extend(Line(f"Less: {line.label}", line.amount) for line in allowances)
    disregards = _disregards(inputs, year)
    working.extend(Line(f"Less: {line.label}", line.amount) for line in disregards)
    dre = ZERO
    if inputs.setting == AT_HOME and inputs.disability_related_expenditure:
        dre = _money(inputs.disability_related_expenditure)
        working.append(Line("Less: Disability-related expenditure", dre))
    deductions = sum((line.amount for line in allowances + disregards), ZERO) + dre
    assessable = max(counted - deductions, ZERO)
    working.append(Line("Assessable income", _money(assessable)))
    contribution = assessable if care_cost is None else min(assessable, care_cost)
    contribution = _money(contribution)
    if care_cost is not None:
        working.append(
            Line(
                "Weekly cost of care",
                care_cost,
                "You pay no more than the cost of your care.",
            )
        )
    working.append(Line("Your estimated weekly contribution", contribution))
    return Estimate(
        year_label=year.label,
        full_cost=False,
        weekly_contribution=contribution,
        triage=_triage(contribution, care_cost),
        working=working,
        notes=notes,
        weekly_care_cost=care_cost,
    )
