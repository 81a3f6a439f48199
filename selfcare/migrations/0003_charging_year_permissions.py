"""Editors and Administrators edit the care charging figures (docs/permissions.md)."""

from django.db import migrations

ROLES = ["Editors", "Administrators"]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label="selfcare", model="chargingyear")
    permissions = [
        Permission.objects.get_or_create(
            content_type=content_type,
            codename=f"{action}_chargingyear",
            defaults={"name": f"Can {action} care charging year"},
        )[0]
        for action in ("add", "change", "view")
    ]
    for name in ROLES:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [("selfcare", "0002_seed_charging_years"), ("portal", "0002_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
