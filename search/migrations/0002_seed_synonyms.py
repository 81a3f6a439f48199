"""Starting synonyms for query expansion; staff edit the list as snippets."""

from django.db import migrations

SYNONYMS = [
    "GP, doctor, general practitioner, surgery",
    "carer, caregiver, carers, caring",
    "dementia, memory, Alzheimer's, alzheimers",
    "mental health, wellbeing, emotional wellbeing",
    "falls, balance, falling",
    "loneliness, lonely, isolation, befriending",
    "money, benefits, debt, finance",
    "wheelchair, mobility, disability",
]


def seed(apps, schema_editor):
    Synonym = apps.get_model("search", "Synonym")
    for terms in SYNONYMS:
        Synonym.objects.get_or_create(terms=terms)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
