"""Every edit under /services/ passes the listing moderation workflow; moderators may moderate
and mark organisations as trusted; providers may add and edit their own locations
(docs/permissions.md, ADR 0008)."""

from django.db import migrations

WORKFLOW_NAME = "Listing moderation"
TASK_NAME = "Moderator approval"


def _permission(apps, model, codename, name):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label="directory", model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": name}
    )
    return permission


def setup(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    moderate = _permission(
        apps,
        "organisationpage",
        "moderate_directory",
        "Can moderate listings, reviews and feedback",
    )
    trust = _permission(
        apps, "organisationpage", "set_organisation_trust", "Can mark organisations as trusted"
    )
    moderators, _ = Group.objects.get_or_create(name="Moderators")
    administrators, _ = Group.objects.get_or_create(name="Administrators")
    for group in (moderators, administrators):
        group.permissions.add(moderate, trust)
    # Providers add and change locations; which ones is limited to their organisations' by
    # the location views' permission policy (directory.providers).
    providers, _ = Group.objects.get_or_create(name="Providers")
    providers.permissions.add(
        _permission(apps, "location", "add_location", "Can add location"),
        _permission(apps, "location", "change_location", "Can change location"),
        _permission(apps, "location", "view_location", "Can view location"),
    )

    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    ListingModerationTask = apps.get_model("directory", "ListingModerationTask")
    DirectoryIndexPage = apps.get_model("directory", "DirectoryIndexPage")
    ContentType = apps.get_model("contenttypes", "ContentType")

    task_type, _ = ContentType.objects.get_or_create(
        app_label="directory", model="listingmoderationtask"
    )
    task = ListingModerationTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = ListingModerationTask.objects.create(
            name=TASK_NAME, active=True, content_type=task_type
        )
    task.groups.add(moderators)
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    for index in DirectoryIndexPage.objects.all():
        WorkflowPage.objects.update_or_create(page_id=index.pk, defaults={"workflow": workflow})


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0004_provider_community"),
        ("portal", "0002_roles"),
        ("wagtailcore", "0001_initial"),
    ]

    operations = [migrations.RunPython(setup, migrations.RunPython.noop)]
