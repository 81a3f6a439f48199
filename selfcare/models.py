"""The care-cost estimator's figures, one row per financial year (docs/care-cost-estimator.md).

Finance or IG staff edit these in the Wagtail admin (Snippets > Care charging years) each April,
from the Department of Health and Social Care's "Social care - charging for care and support:
local authority circular" for the year. The tables are JSON so a new premium or local disregard
does not need a code change; `clean()` checks them before they are saved.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

# Keys of the minimum income guarantee table that the calculation needs.
MIG_KEYS = (
    "single_18_24",
    "single_25_to_pension_age",
    "single_pension_age",
    "disability_premium",
    "enhanced_disability_premium",
    "carer_premium",
)
DISREGARD_APPLIES_TO = ("everyone", "at_home", "care_home", "disability_benefit")


def _money(value: Any) -> Decimal | None:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or amount < 0:
        return None
    return amount


class ChargingYear(models.Model):
    """England's charging figures for one financial year (Care Act 2014 charging regulations)."""

    label = models.CharField(
        max_length=7, unique=True, help_text='The financial year, for example "2026/27".'
    )
    starts_on = models.DateField(
        unique=True, help_text="The date these figures take effect (usually in early April)."
    )
    upper_capital_limit = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        default=Decimal("23250.00"),
        help_text="Above this, the person pays the full cost of their care.",
    )
    lower_capital_limit = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        default=Decimal("14250.00"),
        help_text="Capital at or below this is ignored.",
    )
    tariff_step = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        default=Decimal("250.00"),
        help_text="Tariff income: for every this much (or part of it) between the limits...",
    )
    tariff_per_step = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=Decimal("1.00"),
        help_text="...count this much as weekly income.",
    )
    personal_expenses_allowance = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        help_text="Weekly amount a care home resident keeps (instead of the minimum income "
        "guarantee).",
    )
    minimum_income_guarantee = models.JSONField(
        help_text="Weekly amounts for care at home, as an object with the keys "
        + ", ".join(MIG_KEYS)
        + ' and amounts as strings, for example {"single_18_24": "89.15", ...}.'
    )
    disregards = models.JSONField(
        default=list,
        blank=True,
        help_text='Weekly income disregards, as a list of {"label": ..., "weekly_amount": '
        '"0.00", "applies_to": one of ' + ", ".join(DISREGARD_APPLIES_TO) + "}.",
    )
    source = models.TextField(
        help_text="Where these figures come from, and anything still to be checked.",
    )
    confirmed = models.BooleanField(
        default=False,
        help_text="Tick once every figure has been checked against the published circular. "
        "Until then the estimator tells people the figures are provisional.",
    )

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = "care charging year"

    def __str__(self) -> str:
        return f"Care charging figures {self.label}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if (
            self.lower_capital_limit is not None
            and self.upper_capital_limit is not None
            and self.lower_capital_limit >= self.upper_capital_limit
        ):
            errors["lower_capital_limit"] = "The lower limit must be less than the upper limit."
        if self.tariff_step is not None and self.tariff_step <= 0:
            errors["tariff_step"] = "The tariff step must be more than 0."
        mig = self.minimum_income_guarantee
        if not isinstance(mig, dict):
            errors["minimum_income_guarantee"] = "Enter an object of amounts."
        else:
            missing = [key for key in MIG_KEYS if key not in mig]
            bad = [key for key, value in mig.items() if _money(value) is None]
            if missing:
                errors["minimum_income_guarantee"] = f"Add {', '.join(missing)}."
            elif bad:
                errors["minimum_income_guarantee"] = (
                    f"These are not amounts of 0 or more: {', '.join(bad)}."
                )
        rows = self.disregards
        if not isinstance(rows, list) or any(
            not isinstance(row, dict)
            or not str(row.get("label", "")).strip()
            or _money(row.get("weekly_amount")) is None
            or row.get("applies_to", "everyone") not in DISREGARD_APPLIES_TO
            for row in rows
        ):
            errors["disregards"] = (
                'Each disregard needs a "label", a "weekly_amount" of 0 or more and "applies_to" '
                "as one of " + ", ".join(DISREGARD_APPLIES_TO) + "."
            )
        if errors:
            raise ValidationError(errors)


def charging_year_for(day: dt.date) -> ChargingYear | None:
    """The figures in force on `day`: the latest year that has started."""
    return ChargingYear.objects.filter(starts_on__lte=day).order_by("-starts_on").first()
