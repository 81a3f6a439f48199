"""Moderators (and Administrators, who also moderate) see listing feedback status decisions in
Wagtail's site history, which lists only log entries for models a person has some permission
on (docs/permissions.md). No view of listing feedback is registered in the admin, so the
permission grants nothing else: the feedback pages are at /providers/feedback/."""

from django.db import migrations

GROUPS = ["Moderators", "Administrators"]


def _permission(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(
        app_label="directory", model="listingfeedback"
    )
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="view_listingfeedback",
        defaults={"name": "Can view listing feedback"},
    )
    return permission


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    permission = _permission(apps)
    for name in GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    permission = _permission(apps)
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0007_providers_moderator_audit_permissions"),
        ("portal", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
