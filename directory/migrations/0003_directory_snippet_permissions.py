"""Editors and Administrators manage locations and vocabularies (docs/permissions.md)."""

from django.db import migrations

MODELS = [("location", "location"), ("taxonomy", "taxonomy"), ("taxonomyterm", "taxonomy term")]
ROLES = ["Editors", "Administrators"]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    permissions = []
    for model, label in MODELS:
        content_type, _ = ContentType.objects.get_or_create(app_label="directory", model=model)
        for action in ("add", "change", "delete", "view"):
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {label}"},
            )
            permissions.append(permission)
    for name in ROLES:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_directory_index_and_categories"), ("portal", "0002_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
