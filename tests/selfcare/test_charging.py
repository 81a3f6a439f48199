"""The charging rules behind the care-cost estimator (selfcare.charging), England 2025/26."""

from decimal import Decimal

import pytest

from selfcare import charging
from selfcare.charging import Inputs, contribution_estimate, tariff_income_weekly
from selfcare.models import ChargingYear

D = Decimal


def year(**overrides) -> ChargingYear:
    values = {
        "label": "2025/26",
        "upper_capital_limit": D("23250.00"),
        "lower_capital_limit": D("14250.00"),
        "tariff_step": D("250.00"),
        "tariff_per_step": D("1.00"),
        "personal_expenses_allowance": D("30.65"),
        "minimum_income_guarantee": {
            "single_18_24": "89.15",
            "single_25_to_pension_age": "112.50",
            "single_pension_age": "232.60",
            "disability_premium": "49.65",
            "enhanced_disability_premium": "24.25",
            "carer_premium": "53.25",
        },
        "disregards": [],
    }
    values.update(overrides)
    return ChargingYear(**values)


def inputs(**overrides) -> Inputs:
    values = {
        "setting": charging.AT_HOME,
        "age_band": charging.AGE_PENSION,
        "owns_home": False,
        "capital": D("0"),
        "weekly_income": D("300.00"),
    }
    values.update(overrides)
    return Inputs(**values)


def line(estimate, label):
    return next(entry for entry in estimate.working if entry.label == label)


@pytest.mark.parametrize(
    ("capital", "tariff"),
    [
        ("0", "0.00"),
        ("14250", "0.00"),
        ("14251", "1.00"),
        ("14500", "1.00"),
        ("14501", "2.00"),
        ("23250", "36.00"),
    ],
)
def test_tariff_income_is_a_pound_for_every_250_or_part_over_the_lower_limit(capital, tariff):
    assert tariff_income_weekly(D(capital), year()) == D(tariff)


def test_no_tariff_above_the_upper_limit_because_the_person_pays_the_full_cost():
    assert tariff_income_weekly(D("23251"), year()) is None
    estimate = contribution_estimate(inputs=inputs(capital=D("23250.01")), year=year())
    assert estimate.full_cost
    assert estimate.weekly_contribution is None
    assert estimate.triage == "likely to pay the full cost"


def test_tariff_uses_the_years_own_figures():
    assert tariff_income_weekly(D("20001"), year(lower_capital_limit=D("20000"))) == D("1.00")


@pytest.mark.parametrize(
    ("age_band", "benefit", "carer", "expected"),
    [
        (charging.AGE_18_24, charging.BENEFIT_NONE, False, "89.15"),
        (charging.AGE_25_TO_PENSION, charging.BENEFIT_NONE, False, "112.50"),
        (charging.AGE_PENSION, charging.BENEFIT_NONE, False, "232.60"),
        # disability premium with any rate of disability benefit, under Pension Credit age
        (charging.AGE_25_TO_PENSION, charging.BENEFIT_LOWER, False, "162.15"),
        # plus the enhanced disability premium at the higher rate
        (charging.AGE_25_TO_PENSION, charging.BENEFIT_HIGHER, False, "186.40"),
        (charging.AGE_18_24, charging.BENEFIT_HIGHER, False, "163.05"),
        # no disability premiums at Pension Credit age
        (charging.AGE_PENSION, charging.BENEFIT_HIGHER, False, "232.60"),
        (charging.AGE_PENSION, charging.BENEFIT_NONE, True, "285.85"),
        (charging.AGE_25_TO_PENSION, charging.BENEFIT_HIGHER, True, "239.65"),
    ],
)
def test_minimum_income_guarantee_by_age_and_premiums(age_band, benefit, carer, expected):
    lines = charging.minimum_income_guarantee(
        inputs(age_band=age_band, disability_benefit=benefit, carer_premium=carer), year()
    )
    assert sum(entry.amount for entry in lines) == D(expected)


def test_contribution_at_home_is_income_plus_tariff_less_mig_and_dre():
    estimate = contribution_estimate(
        inputs=inputs(
            capital=D("15000"),  # tariff £3
            weekly_income=D("300.00"),
            disability_related_expenditure=D("20.00"),
        ),
        year=year(),
    )
    # 300 + 3 - 232.60 - 20 = 50.40
    assert estimate.weekly_contribution == D("50.40")
    assert line(estimate, "Tariff income from capital").amount == D("3.00")
    assert line(estimate, "Income counted").amount == D("303.00")
    assert line(estimate, "Assessable income").amount == D("50.40")
    assert estimate.triage == "may get help"


def test_the_working_shows_each_step_in_order():
    estimate = contribution_estimate(
        inputs=inputs(disability_related_expenditure=D("5")), year=year()
    )
    labels = [entry.label for entry in estimate.working]
    assert labels == [
        "Savings and other capital",
        "Tariff income from capital",
        "Weekly income from pensions and benefits",
        "Income counted",
        "Less: Minimum income guarantee (single, Pension Credit age or over)",
        "Less: Disability-related expenditure",
        "Assessable income",
        "Your estimated weekly contribution",
    ]


def test_income_below_the_guarantee_means_nothing_to_pay_and_likely_help():
    estimate = contribution_estimate(inputs=inputs(weekly_income=D("200.00")), year=year())
    assert estimate.weekly_contribution == D("0.00")
    assert estimate.triage == "likely to get help"


def test_contribution_is_capped_at_the_cost_of_care_and_then_full_cost():
    estimate = contribution_estimate(
        inputs=inputs(weekly_income=D("400.00"), weekly_care_cost=D("100.00")), year=year()
    )
    assert estimate.weekly_contribution == D("100.00")
    assert estimate.triage == "likely to pay the full cost"
    assert estimate.council_pays == D("0.00")


def test_when_care_costs_more_than_the_contribution_the_council_pays_the_rest():
    estimate = contribution_estimate(
        inputs=inputs(weekly_income=D("282.60"), weekly_care_cost=D("200.00")), year=year()
    )
    assert estimate.weekly_contribution == D("50.00")
    assert estimate.council_pays == D("150.00")
    assert estimate.triage == "may get help"


def test_disregards_table_applies_by_setting_and_benefit():
    disregards = [
        {"label": "Local disregard", "weekly_amount": "10.00", "applies_to": "everyone"},
        {"label": "Care home only", "weekly_amount": "99.00", "applies_to": "care_home"},
        {"label": "Disability", "weekly_amount": "5.00", "applies_to": "disability_benefit"},
    ]
    at_home = contribution_estimate(inputs=inputs(), year=year(disregards=disregards))
    assert at_home.weekly_contribution == D("57.40")  # 300 - 232.60 - 10
    assert "Less: Care home only" not in [entry.label for entry in at_home.working]
    with_benefit = contribution_estimate(
        inputs=inputs(disability_benefit=charging.BENEFIT_LOWER),
        year=year(disregards=disregards),
    )
    assert with_benefit.weekly_contribution == D("52.40")


def test_care_home_keeps_the_personal_expenses_allowance_not_the_guarantee():
    estimate = contribution_estimate(
        inputs=inputs(setting=charging.CARE_HOME, weekly_income=D("300.00")), year=year()
    )
    assert estimate.weekly_contribution == D("269.35")  # 300 - 30.65
    labels = [entry.label for entry in estimate.working]
    assert "Less: Personal expenses allowance" in labels
    assert not any("Minimum income guarantee" in label for label in labels)


def test_disability_related_expenditure_is_not_deducted_in_a_care_home():
    estimate = contribution_estimate(
        inputs=inputs(setting=charging.CARE_HOME, disability_related_expenditure=D("20")),
        year=year(),
    )
    assert estimate.weekly_contribution == D("269.35")


def test_the_home_is_disregarded_for_care_at_home():
    estimate = contribution_estimate(inputs=inputs(owns_home=True, capital=D("1000")), year=year())
    assert not estimate.full_cost
    assert line(estimate, "Savings and other capital").note == "Not counting the home you live in."
    assert any("not counted, because you get care at home" in note for note in estimate.notes)


def test_a_care_home_resident_is_told_the_home_may_count_after_12_weeks():
    estimate = contribution_estimate(
        inputs=inputs(setting=charging.CARE_HOME, owns_home=True), year=year()
    )
    assert any("first 12 weeks" in note for note in estimate.notes)


def test_every_result_says_couples_are_out_of_scope():
    estimate = contribution_estimate(inputs=inputs(), year=year())
    assert any("single person" in note for note in estimate.notes)
