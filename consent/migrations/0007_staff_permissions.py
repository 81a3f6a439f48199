"""Give the staff consent pages' permissions to their roles (docs/permissions.md):
IG officers, Social care practitioners and Administrators find people and record choices;
IG officers and Administrators also see and export the access log."""

from django.db import migrations

GRANTS = {
    "view_register": (
        "Can find people in the consent register and record choices",
        ["IG officers", "Social care practitioners", "Administrators"],
    ),
    "audit_access_log": (
        "Can see who looked at a record and export the access log",
        ["IG officers", "Administrators"],
    ),
}


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="consent", model="accesslogentry")
    for codename, (name, groups) in GRANTS.items():
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        for group_name in groups:
            Group.objects.get_or_create(name=group_name)[0].permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="consent", codename__in=list(GRANTS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0006_access_log"),
        ("portal", "0002_roles"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
