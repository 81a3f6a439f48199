"""The care-cost estimator wired up: the calculator registry, the yearly figures and the admin."""

import datetime as dt
from decimal import Decimal

import pytest
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError

from portal import roles
from portal.factories import UserFactory
from selfcare import calculators, engine
from selfcare.models import ChargingYear, charging_year_for

pytestmark = pytest.mark.django_db

SNIPPETS = "/admin/snippets/selfcare/chargingyear/"

ANSWERS = {
    "setting": "at-home",
    "age_band": "25-to-pension-age",
    "carers_allowance": "no",
    "owns_home": "yes",
    "capital": "15000",
    "weekly_income": "250.00",
    "disability_benefit": "higher",
    "disability_costs": "10",
    "care_cost": "120",
}


def test_the_care_cost_calculator_gives_an_estimate_with_the_working():
    context = calculators.calculate("care-cost", dict(ANSWERS))

    estimate = context["estimate"]
    assert context["charging_year"].label == "2026/27"  # today is in 2026/27
    # 250 + tariff 3 - (112.50 + 49.65 + 24.25) - DRE 10 = 56.60, under the £120 care cost
    assert estimate.weekly_contribution == Decimal("56.60")
    assert estimate.triage == "may get help"
    assert estimate.council_pays == Decimal("63.40")
    assert [line.label for line in estimate.working][:2] == [
        "Savings and other capital",
        "Tariff income from capital",
    ]


def test_optional_answers_can_be_left_out():
    answers = {k: v for k, v in ANSWERS.items() if k not in ("disability_costs", "care_cost")}
    estimate = calculators.calculate("care-cost", answers)["estimate"]
    assert estimate.weekly_contribution == Decimal("66.60")
    assert estimate.council_pays is None


def test_savings_over_the_upper_limit_means_the_full_cost():
    estimate = calculators.calculate("care-cost", {**ANSWERS, "capital": "23251"})["estimate"]
    assert estimate.full_cost
    assert estimate.triage == "likely to pay the full cost"


def test_unknown_calculator_is_an_error():
    with pytest.raises(KeyError):
        calculators.calculate("no-such-calculator", {})


def test_the_definition_uses_the_care_cost_calculator():
    definition = engine.definition_get("care-cost")
    assert definition.calculator == "care-cost"
    assert definition.kind == "self-assessment"
    assert "Nothing you enter is stored" in definition.start_content
    # Disability-related costs are only asked about for care at home.
    assert [p.id for p in engine.pages_visible(definition, {"setting": "care-home"})] == [
        "setting",
        "age_band",
        "carers_allowance",
        "owns_home",
        "capital",
        "weekly_income",
        "disability_benefit",
        "care_cost",
    ]


def test_the_years_figures_are_seeded_with_the_national_limits():
    current = ChargingYear.objects.get(label="2026/27")
    assert current.upper_capital_limit == Decimal("23250.00")
    assert current.lower_capital_limit == Decimal("14250.00")
    assert not current.confirmed  # provisional until checked against the 2026 circular
    current.full_clean()


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (dt.date(2026, 4, 5), "2025/26"),
        (dt.date(2026, 4, 6), "2026/27"),
        (dt.date(2026, 11, 22), "2026/27"),
        (dt.date(2025, 1, 1), None),
    ],
)
def test_the_figures_in_force_on_a_day_are_used(day, label):
    year = charging_year_for(day)
    assert (year.label if year else None) == label


def test_the_calculator_uses_the_figures_for_today(monkeypatch):
    later = ChargingYear.objects.get(label="2026/27")
    later.pk = None
    later.label, later.starts_on = "2027/28", dt.date(2027, 4, 6)
    later.minimum_income_guarantee = {
        **later.minimum_income_guarantee,
        "single_25_to_pension_age": "200.00",
    }
    later.save()

    now = calculators.care_cost(dict(ANSWERS), today=dt.date(2026, 11, 22))
    then = calculators.care_cost(dict(ANSWERS), today=dt.date(2027, 5, 1))

    assert now["charging_year"].label == "2026/27"
    assert then["charging_year"].label == "2027/28"
    assert then["estimate"].weekly_contribution < now["estimate"].weekly_contribution


def test_no_figures_gives_no_estimate_rather_than_a_wrong_one():
    ChargingYear.objects.all().delete()
    assert calculators.calculate("care-cost", dict(ANSWERS))["estimate"] is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("minimum_income_guarantee", {"single_18_24": "89.15"}),
        (
            "minimum_income_guarantee",
            {
                **dict.fromkeys(
                    (
                        "single_18_24",
                        "single_25_to_pension_age",
                        "single_pension_age",
                        "disability_premium",
                        "enhanced_disability_premium",
                        "carer_premium",
                    ),
                    "1.00",
                ),
                "carer_premium": "lots",
            },
        ),
        ("disregards", [{"label": "x", "weekly_amount": "-1"}]),
        ("disregards", [{"label": "x", "weekly_amount": "1", "applies_to": "someone"}]),
        ("lower_capital_limit", Decimal("30000")),
    ],
)
def test_staff_cannot_save_figures_the_calculation_cannot_use(field, value):
    year = ChargingYear.objects.get(label="2026/27")
    setattr(year, field, value)
    with pytest.raises(ValidationError) as error:
        year.full_clean()
    assert field in error.value.message_dict


@pytest.mark.parametrize("role", [roles.EDITORS, roles.ADMINISTRATORS])
def test_editors_and_administrators_can_edit_the_figures_in_the_admin(client, role):
    staff = UserFactory(roles=[role])
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "X"})
    client.force_login(staff)
    year = ChargingYear.objects.get(label="2026/27")

    assert client.get(SNIPPETS).status_code == 200
    assert client.get(f"{SNIPPETS}edit/{year.pk}/").status_code == 200


@pytest.mark.parametrize("role", [roles.RESIDENTS, roles.MODERATORS, roles.PROVIDERS])
def test_other_roles_cannot_edit_the_figures(client, role):
    person = UserFactory(roles=[role])
    Authenticator.objects.create(user=person, type=Authenticator.Type.TOTP, data={"secret": "X"})
    client.force_login(person)
    year = ChargingYear.objects.get(label="2026/27")

    response = client.get(f"{SNIPPETS}edit/{year.pk}/")
    assert response.status_code in (302, 403)
    assert not person.has_perm("selfcare.change_chargingyear")
