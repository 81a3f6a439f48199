"""Who may do what with self-assessments (docs/permissions.md).

- Social care practitioners and Administrators work on submitted self-assessments.
- Editors and Administrators edit the signposting rules and council-authored definitions.
"""

from django.db import migrations

GRANTS = {
    ("submission", "work_on_submission", "Can work on self-assessment submissions"): [
        "Social care practitioners",
        "Administrators",
    ],
}
for _model, _label in (
    ("signpostrule", "signpost rule"),
    ("councildefinition", "council self-care definition"),
):
    for _action in ("add", "change", "delete", "view"):
        GRANTS[(_model, f"{_action}_{_model}", f"Can {_action} {_label}")] = [
            "Editors",
            "Administrators",
        ]
GRANTS[
    ("councildefinition", "publish_councildefinition", "Can publish council self-care definition")
] = [
    "Editors",
    "Administrators",
]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for (model, codename, name), roles in GRANTS.items():
        content_type, _ = ContentType.objects.get_or_create(app_label="selfcare", model=model)
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        for role in roles:
            group, _ = Group.objects.get_or_create(name=role)
            group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("selfcare", "0004_submissions_drafts_webhooks_signposting"),
        ("portal", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
