"""Seed the care charging figures (docs/care-cost-estimator.md).

2025/26: "Social care - charging for care and support: local authority circular"
LAC(DHSC)(2025)1 (published 3 February 2025) and the Care and Support (Charging and Assessment
of Resources) (Amendment) Regulations 2025. The capital limits "remain at their current level
(lower capital limit £14,250 and upper capital limit £23,250)".

2026/27: the 2026 circular's figures were not available when this was written, so the year is
seeded with the 2025/26 amounts and `confirmed=False`; finance staff replace them in the admin.
"""

from datetime import date

from django.db import migrations

MIG_2025 = {
    "single_18_24": "89.15",
    "single_25_to_pension_age": "112.50",
    "single_pension_age": "232.60",
    "disability_premium": "49.65",
    "enhanced_disability_premium": "24.25",
    "carer_premium": "53.25",
}

SOURCE_2025 = (
    "DHSC, Social care - charging for care and support: local authority circular "
    "LAC(DHSC)(2025)1, annex (minimum income guarantee, personal expenses allowance, capital "
    "limits). To check against the annex: the Pension Credit age and carer premium amounts "
    "(232.60 and 53.25) were uprated by 1.7% from 2024/25 rather than copied from the circular."
)
SOURCE_2026 = (
    "PROVISIONAL: carried over from 2025/26 (LAC(DHSC)(2025)1). Replace with the amounts in "
    "the 2026 to 2027 local authority circular, then tick 'confirmed'."
)


def seed(apps, schema_editor):
    ChargingYear = apps.get_model("selfcare", "ChargingYear")
    for label, starts_on, source in (
        ("2025/26", date(2025, 4, 6), SOURCE_2025),
        ("2026/27", date(2026, 4, 6), SOURCE_2026),
    ):
        ChargingYear.objects.update_or_create(
            label=label,
            defaults={
                "starts_on": starts_on,
                "upper_capital_limit": "23250.00",
                "lower_capital_limit": "14250.00",
                "tariff_step": "250.00",
                "tariff_per_step": "1.00",
                "personal_expenses_allowance": "30.65",
                "minimum_income_guarantee": dict(MIG_2025),
                "disregards": [],
                "source": source,
                "confirmed": False,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("selfcare", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
