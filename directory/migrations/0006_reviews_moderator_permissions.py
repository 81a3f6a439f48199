"""Moderators (and Administrators, who also moderate) edit the review screening words, and see
review decisions in Wagtail's site history, which lists only log entries for models a person
has some permission on (docs/permissions.md, ADR 0009)."""

from django.db import migrations

GROUPS = ["Moderators", "Administrators"]
PERMISSIONS = [
    ("review", "view_review", "Can view review"),
    ("reviewreply", "view_reviewreply", "Can view review reply"),
    ("reviewreport", "view_reviewreport", "Can view review report"),
    ("screeningword", "add_screeningword", "Can add screening word"),
    ("screeningword", "change_screeningword", "Can change screening word"),
    ("screeningword", "delete_screeningword", "Can delete screening word"),
    ("screeningword", "view_screeningword", "Can view screening word"),
]


def _permissions(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for model, codename, name in PERMISSIONS:
        content_type, _ = ContentType.objects.get_or_create(app_label="directory", model=model)
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        yield permission


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    permissions = list(_permissions(apps))
    for name in GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    permissions = list(_permissions(apps))
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0005_listing_moderation_workflow"),
        ("portal", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
