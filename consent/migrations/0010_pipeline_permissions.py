"""IG officers and Administrators manage the IG pipeline's systems and tokens, and read its
call log and the national opt-out checks (docs/permissions.md)."""

from django.db import migrations

MODELS = {
    "pipelinesystem": ["add", "change", "delete", "view"],
    "pipelinetoken": ["add", "change", "view"],
    "pipelinecall": ["view"],
    "nationaloptoutcheck": ["view"],
}
GROUPS = ["IG officers", "Administrators"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations (post_migrate); make them now.
    app_config = apps.get_app_config("consent")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    wanted = [f"{action}_{model}" for model, actions in MODELS.items() for action in actions]
    permissions = list(
        Permission.objects.filter(content_type__app_label="consent", codename__in=wanted)
    )
    assert len(permissions) == len(wanted), "missing consent pipeline permissions"
    for name in GROUPS:
        Group.objects.get_or_create(name=name)[0].permissions.add(*permissions)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    wanted = [f"{action}_{model}" for model, actions in MODELS.items() for action in actions]
    permissions = Permission.objects.filter(content_type__app_label="consent", codename__in=wanted)
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0009_verified_identity"),
        ("consent", "0007_staff_permissions"),
        ("portal", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
