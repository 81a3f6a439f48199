"""Create the portal's roles as groups. docs/permissions.md is the matrix behind them.

Wagtail's own initial migration already creates Moderators and Editors (with page permissions
at the root), so every group is fetched or created. Django creates model permissions only after
all migrations run, so those needed here are fetched or created too. This runs after Wagtail's
"add choose permissions" migrations, so image and document choosers are granted here, by role,
and not to every group that happens to exist when those run.
"""

from django.db import migrations

ROLES = [
    "Residents",
    "Providers",
    "Moderators",
    "Social care practitioners",
    "IG officers",
    "Editors",
    "Administrators",
]
ADMIN_ACCESS = [
    "Providers",
    "Moderators",
    "Social care practitioners",
    "IG officers",
    "Editors",
    "Administrators",
]

# (app_label, model, codename, name) granted per role, beyond Wagtail admin access.
MODEL_PERMISSIONS = {
    "Editors": [
        ("wagtailimages", "image", "add_image", "Can add image"),
        ("wagtailimages", "image", "change_image", "Can change image"),
        ("wagtailimages", "image", "choose_image", "Can choose image"),
        ("wagtaildocs", "document", "add_document", "Can add document"),
        ("wagtaildocs", "document", "change_document", "Can change document"),
        ("wagtaildocs", "document", "choose_document", "Can choose document"),
    ],
    "Administrators": [
        ("wagtailimages", "image", "add_image", "Can add image"),
        ("wagtailimages", "image", "change_image", "Can change image"),
        ("wagtailimages", "image", "delete_image", "Can delete image"),
        ("wagtailimages", "image", "choose_image", "Can choose image"),
        ("wagtaildocs", "document", "add_document", "Can add document"),
        ("wagtaildocs", "document", "change_document", "Can change document"),
        ("wagtaildocs", "document", "delete_document", "Can delete document"),
        ("wagtaildocs", "document", "choose_document", "Can choose document"),
        ("auth", "user", "add_user", "Can add user"),
        ("auth", "user", "change_user", "Can change user"),
        ("auth", "user", "delete_user", "Can delete user"),
        ("auth", "user", "view_user", "Can view user"),
        ("auth", "group", "add_group", "Can add group"),
        ("auth", "group", "change_group", "Can change group"),
        ("auth", "group", "view_group", "Can view group"),
        ("portal", "sitesettings", "change_sitesettings", "Can change site settings"),
        ("wagtailcore", "site", "change_site", "Can change site"),
        ("wagtailredirects", "redirect", "add_redirect", "Can add redirect"),
        ("wagtailredirects", "redirect", "change_redirect", "Can change redirect"),
        ("wagtailredirects", "redirect", "delete_redirect", "Can delete redirect"),
    ],
}
ADMINISTRATOR_PAGE_PERMISSIONS = [
    ("add_page", "Can add page"),
    ("change_page", "Can change page"),
    ("publish_page", "Can publish page"),
    ("lock_page", "Can lock page"),
    ("unlock_page", "Can unlock page"),
    ("bulk_delete_page", "Delete pages with children"),
]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")

    def permission(app_label, model, codename, name):
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        perm, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        return perm

    groups = {name: Group.objects.get_or_create(name=name)[0] for name in ROLES}
    access_admin = permission("wagtailadmin", "admin", "access_admin", "Can access Wagtail admin")
    for name in ADMIN_ACCESS:
        groups[name].permissions.add(access_admin)
    for name, perms in MODEL_PERMISSIONS.items():
        groups[name].permissions.add(*(permission(*p) for p in perms))

    root = Page.objects.filter(depth=1).order_by("path").first()
    if root is not None:
        for codename, name in ADMINISTRATOR_PAGE_PERMISSIONS:
            GroupPagePermission.objects.get_or_create(
                group=groups["Administrators"],
                page=root,
                permission=permission("wagtailcore", "page", codename, name),
            )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
