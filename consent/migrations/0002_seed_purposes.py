"""The partnership's purposes (issue 5). IG officers edit them afterwards; this only creates
missing ones."""

from django.db import migrations

PURPOSES = [
    {
        "code": "direct-care-sharing",
        "name": "Sharing records for your direct care",
        "description": (
            "Health and care staff who look after you see the parts of your GP, hospital, "
            "community, mental health and social care records they need to care for you."
        ),
        "legal_basis": "direct-care",
        "objection_honoured": True,
        "national_opt_out_applies": False,
        "data_categories": "Health records\nSocial care records",
        "recipients": "Your GP practice\nSeaborough Hospital\nSeaborough Council adult social care",
    },
    {
        "code": "risk-stratification-commissioning",
        "name": "Planning services (risk stratification for commissioning)",
        "description": (
            "Linked records, with names removed, are used to work out which groups of people "
            "are most likely to need care, so services can be planned for them."
        ),
        "legal_basis": "s251",
        "objection_honoured": True,
        "national_opt_out_applies": True,
        "data_categories": "NHS number (pseudonymised)\nPostcode sector\nAge band\nGender\n"
        "Diagnoses and contacts with services",
        "recipients": "Seaborough Integrated Care Board\nSeaborough Council public health team",
    },
    {
        "code": "risk-stratification-case-finding",
        "name": "Finding people who may need support (risk stratification for case finding)",
        "description": (
            "Linked records are used to find people who may benefit from extra support, so "
            "their GP or care team can offer it."
        ),
        "legal_basis": "s251",
        "objection_honoured": True,
        "national_opt_out_applies": False,
        "data_categories": "NHS number\nPostcode\nAge\nGender\nDiagnoses and contacts with services",
        "recipients": "Your GP practice\nSeaborough Council adult social care",
    },
    {
        "code": "pathway-analysis",
        "name": "Improving care pathways",
        "description": (
            "Linked records, with names removed, show how people move between services so "
            "that care can be joined up better."
        ),
        "legal_basis": "s251",
        "objection_honoured": True,
        "national_opt_out_applies": True,
        "data_categories": "NHS number (pseudonymised)\nPostcode sector\nAge band\nGender",
        "recipients": "Seaborough Integrated Care Board",
    },
    {
        "code": "research",
        "name": "Research",
        "description": ("Records are used for approved research only when you have agreed to it."),
        "legal_basis": "consent",
        "objection_honoured": True,
        "national_opt_out_applies": True,
        "data_categories": "As described in each study's information sheet",
        "recipients": "Approved research teams",
    },
]


def seed(apps, schema_editor):
    Purpose = apps.get_model("consent", "Purpose")
    for order, purpose in enumerate(PURPOSES):
        Purpose.objects.get_or_create(
            code=purpose["code"], defaults={**purpose, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_purposes")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
