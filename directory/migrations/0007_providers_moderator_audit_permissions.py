"""Moderators (and Administrators, who also moderate) see decisions on requests to join or
register organisations, invitations and membership changes in Wagtail's site history, which
lists only log entries for models a person has some permission on (docs/permissions.md,
ADR 0008). No view of these models is registered in the admin, so the permissions grant
nothing else."""

from django.db import migrations

GROUPS = ["Moderators", "Administrators"]
PERMISSIONS = [
    ("organisationrequest", "view_organisationrequest", "Can view organisation request"),
    ("organisationinvitation", "view_organisationinvitation", "Can view organisation invitation"),
    ("organisationmembership", "view_organisationmembership", "Can view organisation membership"),
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
        ("directory", "0006_reviews_moderator_permissions"),
        ("portal", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
