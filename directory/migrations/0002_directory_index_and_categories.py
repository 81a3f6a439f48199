"""Give a fresh install its directory: the /services/ page and the local browse categories.

The categories are the council's own vocabulary for browsing; other vocabularies (the LGA
service and needs lists) are imported by command. Staff edit both as snippets.
"""

import uuid

from django.db import migrations
from django.utils import timezone
from django.utils.text import slugify

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

CATEGORIES = [
    ("Adult social care", "Help at home, care assessments and support to live independently."),
    ("Carers' support", "Advice, breaks and groups for people who look after someone."),
    ("Dementia", "Memory services, dementia cafés and support for families."),
    ("Mental health and wellbeing", "Talking therapies, crisis help and peer support."),
    ("Falls prevention", "Strength and balance classes and home safety checks."),
    ("Physical activity", "Walking groups, exercise classes and sport for all abilities."),
    ("Befriending and loneliness", "Befriending, social groups and ways to meet people."),
    ("Housing", "Housing advice, adaptations and help if you are homeless."),
    ("Money and benefits", "Benefits advice, debt help and grants."),
    (
        "Learning disability",
        "Support, activities and advocacy for people with a learning disability.",
    ),
    ("Sensory impairment", "Support for people who are deaf, blind or have sight or hearing loss."),
    ("Telecare and equipment", "Alarms, sensors and equipment to stay safe at home."),
    ("Transport", "Community transport, dial-a-ride and help getting to appointments."),
    ("Day opportunities", "Day centres, clubs and activities in the daytime."),
    ("Personal assistants", "Finding and employing a personal assistant."),
    ("Children and families", "Family support, parenting help and services for young people."),
]


def next_child_path(Page, parent):
    last = (
        Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    if last is None:
        return parent.path + "0001"
    segment = last[-4:]
    value = 0
    for char in segment:
        value = value * 36 + ALPHABET.index(char)
    value += 1
    encoded = ""
    for _ in range(4):
        value, remainder = divmod(value, 36)
        encoded = ALPHABET[remainder] + encoded
    return parent.path + encoded


def create_directory(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    HomePage = apps.get_model("portal", "HomePage")
    DirectoryIndexPage = apps.get_model("directory", "DirectoryIndexPage")
    Taxonomy = apps.get_model("directory", "Taxonomy")
    TaxonomyTerm = apps.get_model("directory", "TaxonomyTerm")

    taxonomy, _ = Taxonomy.objects.get_or_create(
        name="Local categories",
        defaults={
            "uuid": uuid.uuid4(),
            "description": "The council's categories for browsing the directory.",
            "is_browsable": True,
            "version": "1",
        },
    )
    for name, description in CATEGORIES:
        slug = slugify(name)
        TaxonomyTerm.objects.get_or_create(
            taxonomy=taxonomy,
            code=slug,
            defaults={"uuid": uuid.uuid4(), "name": name, "slug": slug, "description": description},
        )

    home = HomePage.objects.first()
    if home is None or DirectoryIndexPage.objects.exists():
        return
    if Page.objects.filter(
        path__startswith=home.path, depth=home.depth + 1, slug="services"
    ).exists():
        return  # a page already uses /services/: leave it to the site's editors
    now = timezone.now()
    content_type, _ = ContentType.objects.get_or_create(
        app_label="directory", model="directoryindexpage"
    )
    DirectoryIndexPage.objects.create(
        title="Find local services",
        draft_title="Find local services",
        slug="services",
        content_type=content_type,
        path=next_child_path(Page, home),
        depth=home.depth + 1,
        numchild=0,
        url_path=f"{home.url_path}services/",
        live=True,
        first_published_at=now,
        last_published_at=now,
        locale_id=home.locale_id,
        show_in_menus=True,
        introduction="Search for health, care and community services, groups and activities near you.",
    )
    Page.objects.filter(pk=home.pk).update(
        numchild=Page.objects.filter(path__startswith=home.path, depth=home.depth + 1).count()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0001_initial"),
        ("portal", "0003_site_pages"),
    ]

    operations = [migrations.RunPython(create_directory, migrations.RunPython.noop)]
