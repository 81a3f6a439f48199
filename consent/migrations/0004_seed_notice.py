"""Publish the data-sharing notice at /data-sharing/ as version 1, and let IG officers manage
purposes and the notice (docs/permissions.md). The text is demo content for the fictional
Seaborough partnership; IG officers edit it in the admin and each publish is a new version.
"""

from django.db import migrations
from django.utils import timezone

TITLE = "How we use your health and care information"
NOTICE = {
    "summary": (
        "Seaborough Council and NHS Seaborough Integrated Care Board link some of your GP, "
        "hospital, community, mental health and social care records. This page explains why, "
        "who is responsible, and how you can say no."
    ),
    "easy_read": (
        "<ul><li>Your doctor, hospital and the council keep records about your care.</li>"
        "<li>We join some of these records together.</li>"
        "<li>This helps us give you joined-up care and plan services for everyone.</li>"
        "<li>We only use your NHS number, postcode, age and gender to join the records.</li>"
        "<li>For planning, we remove your name and change your NHS number into a code.</li>"
        "<li>You can say no. Saying no will not change the care you get.</li></ul>"
    ),
    "controllers": (
        "<p><b>Seaborough Council</b> and <b>NHS Seaborough Integrated Care Board (ICB)</b> "
        "decide together how your linked records are used. They are joint data controllers "
        "(“controllers in common”) for this work.</p>"
        "<p>You can contact either data protection officer: "
        "dpo@seaborough.gov.uk.invalid or dpo@seaboroughicb.nhs.uk.invalid, or by post to "
        "Data Protection Officer, Seaborough Council, Town Hall, Seaborough.</p>"
    ),
    "processors": (
        "<p><b>Seaborough Data Services Ltd</b> runs the secure system that links the records "
        "for us. It may only do what we tell it to, it cannot use your information for "
        "anything else, and it keeps the information in the UK.</p>"
    ),
    "identifiers": (
        "<p>To link your records we use only:</p><ul><li>your NHS number</li>"
        "<li>your postcode</li><li>your age</li><li>your gender</li></ul>"
        "<p>For planning and improving services, your NHS number is replaced with a code as "
        "soon as the data arrives, your postcode is cut to its first part and your age is "
        "put into a 5-year band, so you cannot be identified.</p>"
    ),
    "retention": (
        "<p>Linked records used for planning are kept for 3 years and then securely "
        "destroyed. A record of the choices you make about your data is kept for 8 years "
        "after your last choice, so that we can show we respected it.</p>"
    ),
    "rights": (
        "<p>You have the right to:</p><ul><li>be told how your information is used (this "
        "page)</li><li>see the information we hold about you</li><li>ask us to correct it</li>"
        "<li>object to it being used for some purposes</li><li>complain to the Information "
        "Commissioner's Office (ICO) if you are unhappy with how we have used it</li></ul>"
    ),
    "how_to_object": (
        "<p>You can object, or change your mind, at any time. You can:</p>"
        "<ul><li>tell your GP practice</li><li>tell your social worker or Seaborough "
        "Council adult social care</li><li>phone 01632 960 000 (Monday to Friday, 9am to "
        "5pm)</li><li>write to Data Sharing, Seaborough Council, Town Hall, Seaborough</li></ul>"
        "<p>An objection you give to your GP also applies to your social care records. You can "
        "object for someone else if you are their parent, hold a lasting power of attorney for "
        "their health and welfare, or are their court-appointed deputy.</p>"
        "<p>Objecting will not change the care you get.</p>"
    ),
}

PURPOSE_PERMISSIONS = [
    ("add_purpose", "Can add purpose"),
    ("change_purpose", "Can change purpose"),
    ("view_purpose", "Can view purpose"),
]
NOTICE_PAGE_PERMISSIONS = [("change_page", "Can change page"), ("publish_page", "Can publish page")]
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # treebeard's path alphabet


def _next_child_path(Page, parent) -> str:
    last = (
        Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    number = 0
    for char in last[-4:] if last else "0000":
        number = number * 36 + _ALPHABET.index(char)
    number += 1
    step = ""
    for _ in range(4):
        number, digit = divmod(number, 36)
        step = _ALPHABET[digit] + step
    return parent.path + step


def seed(apps, schema_editor):
    from consent.notices import html_to_lines, purposes_snapshot, render_notice_body

    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    HomePage = apps.get_model("portal", "HomePage")
    Notice = apps.get_model("consent", "DataSharingNoticePage")
    NoticeVersion = apps.get_model("consent", "NoticeVersion")
    Purpose = apps.get_model("consent", "Purpose")

    def permission(model, codename, name):
        content_type, _ = ContentType.objects.get_or_create(app_label="consent", model=model)
        return Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )[0]

    groups = [Group.objects.get_or_create(name=n)[0] for n in ("IG officers", "Administrators")]
    for group in groups:
        group.permissions.add(*(permission("purpose", *p) for p in PURPOSE_PERMISSIONS))

    home = HomePage.objects.order_by("path").first()
    if home is None or Notice.objects.exists():
        return
    if Page.objects.filter(
        path__startswith=home.path, depth=home.depth + 1, slug="data-sharing"
    ).exists():
        return  # someone already made a page there: leave it alone

    now = timezone.now()
    content_type, _ = ContentType.objects.get_or_create(
        app_label="consent", model="datasharingnoticepage"
    )
    notice = Notice.objects.create(
        title=TITLE,
        draft_title=TITLE,
        slug="data-sharing",
        content_type=content_type,
        path=_next_child_path(Page, home),
        depth=home.depth + 1,
        numchild=0,
        url_path=f"{home.url_path}data-sharing/",
        live=True,
        first_published_at=now,
        last_published_at=now,
        locale_id=home.locale_id,
        show_in_menus=False,
        change_summary="",
        **NOTICE,
    )
    Page.objects.filter(pk=home.pk).update(numchild=home.numchild + 1)

    purposes = purposes_snapshot(Purpose.objects.order_by("sort_order", "name"))
    body_html = render_notice_body(notice=notice, purposes=purposes)
    NoticeVersion.objects.create(
        page=notice,
        number=1,
        title=TITLE,
        body_html=body_html,
        body_text="\n".join(html_to_lines(body_html)),
        purposes=purposes,
        change_summary="First published.",
        published_at=now,
    )

    ig_officers = groups[0]
    page_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="page")
    for codename, name in NOTICE_PAGE_PERMISSIONS:
        perm = Permission.objects.get_or_create(
            content_type=page_type, codename=codename, defaults={"name": name}
        )[0]
        GroupPagePermission.objects.get_or_create(
            group=ig_officers, page_id=notice.pk, permission=perm
        )


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0003_notices"),
        ("portal", "0003_site_pages"),
        ("portal", "0002_roles"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
