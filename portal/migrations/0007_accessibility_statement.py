"""The accessibility statement moves to /accessibility/ and follows the Central Digital and
Data Office's model statement for public sector websites, with a block that shows the
council's contact details from Site settings.

Only the statement seeded by 0003_site_pages is changed: once someone has edited the page in
the admin (it has a revision), it is theirs and this migration leaves it alone. The old
address keeps working through a permanent redirect.
"""

import json
import uuid

from django.db import migrations
from django.utils import timezone

import wagtail.fields

OLD_SLUG = "accessibility-statement"
NEW_SLUG = "accessibility"
PREPARED = "23 November 2026"


def rich(html):
    return {"type": "rich_text", "value": html, "id": str(uuid.uuid4())}


def heading(text, level="h2"):
    return {"type": "heading", "value": {"text": text, "level": level}, "id": str(uuid.uuid4())}


def contact_details():
    return {"type": "contact_details", "value": None, "id": str(uuid.uuid4())}


def statement():
    return [
        rich(
            "<p>This accessibility statement applies to this website: the directory of "
            "services, the self-care tools and self-assessments, reviews, the data-sharing "
            "notice and choices, and the pages for service providers. It is run by the "
            "council with its NHS partners. The content management system that staff and "
            "service providers sign in to (the admin area at /admin/) is covered separately "
            "below.</p>"
            "<p>We want as many people as possible to be able to use this website. For "
            "example, that means you should be able to:</p>"
            "<ul><li>change colours, contrast levels and fonts using browser or device "
            "settings</li><li>zoom in up to 400% without the text spilling off the screen"
            "</li><li>use the website on a screen 320 pixels wide without scrolling "
            "sideways</li><li>navigate the website using just a keyboard or speech "
            "recognition software</li><li>listen to the website using a screen reader</li>"
            "<li>use every form and tool with JavaScript switched off</li></ul>"
            "<p>We have also made the text as simple as possible to understand.</p>"
            '<p><a href="https://mcmw.abilitynet.org.uk/">AbilityNet</a> has advice on '
            "making your device easier to use if you have a disability.</p>"
        ),
        heading("How accessible this website is"),
        rich(
            "<p>We know some parts of this website are not fully accessible:</p>"
            "<ul><li>the admin area, where staff and service providers edit pages, is "
            "Wagtail's content management system; we have not tested it to the same "
            "standard as the public pages</li><li>documents that service providers upload "
            "(for example leaflets in PDF) may not be accessible</li><li>descriptions of "
            "services are written by the organisations that run them and may not always be "
            "in plain English</li></ul>"
        ),
        heading("Feedback and contact information"),
        rich(
            "<p>If you need information on this website in a different format like "
            "accessible PDF, large print, easy read, audio recording or braille:</p>"
        ),
        contact_details(),
        rich("<p>We will consider your request and get back to you in 5 working days.</p>"),
        heading("Reporting accessibility problems with this website"),
        rich(
            "<p>We are always looking to improve the accessibility of this website. If you "
            "find any problems not listed on this page or think we are not meeting "
            "accessibility requirements, contact us:</p>"
        ),
        contact_details(),
        heading("Enforcement procedure"),
        rich(
            "<p>The Equality and Human Rights Commission (EHRC) is responsible for enforcing "
            "the Public Sector Bodies (Websites and Mobile Applications) (No. 2) "
            "Accessibility Regulations 2018 (the ‘accessibility regulations’). If you "
            "are not happy with how we respond to your complaint, contact the "
            '<a href="https://www.equalityadvisoryservice.com/">Equality Advisory and '
            "Support Service (EASS)</a>.</p>"
        ),
        heading("Technical information about this website’s accessibility"),
        rich(
            "<p>The council is committed to making its website accessible, in accordance "
            "with the Public Sector Bodies (Websites and Mobile Applications) (No. 2) "
            "Accessibility Regulations 2018.</p>"
        ),
        heading("Compliance status", "h3"),
        rich(
            "<p>This website is partially compliant with the "
            '<a href="https://www.w3.org/TR/WCAG22/">Web Content Accessibility Guidelines '
            "version 2.2</a> AA standard, due to the non-compliances listed below.</p>"
        ),
        heading("Non-accessible content", "h3"),
        rich(
            "<p>The content listed below is non-accessible for the following reasons.</p>"
            "<p><b>Non-compliance with the accessibility regulations</b></p>"
            "<ul><li>The admin area has not been checked against WCAG 2.2 AA. Service "
            "providers who cannot use it can send changes to their listings by email or "
            "phone using the contact details above, and we will make them.</li></ul>"
            "<p><b>Content that’s not within the scope of the accessibility regulations"
            "</b></p><ul><li>Documents published by service providers before 23 September "
            "2018 that are not essential to using a service.</li><li>Websites of other "
            "organisations that we link to.</li></ul>"
        ),
        heading("What we’re doing to improve accessibility"),
        rich(
            "<p>Every change to this website is tested automatically before it is released. "
            "We plan to have the website audited by an accessibility specialist and to test "
            "it with disabled people, and will update this statement when we have.</p>"
        ),
        heading("Preparation of this accessibility statement"),
        rich(
            f"<p>This statement was prepared on {PREPARED}. It was last reviewed on "
            f"{PREPARED}.</p>"
            f"<p>This website was last tested on {PREPARED} against the WCAG 2.2 AA "
            "standard. The test was carried out by the team that builds it, on every change, "
            "with automated tests in a real browser (Chromium):</p>"
            "<ul><li>every public page and every step of every journey is checked with the "
            "axe accessibility testing engine and must show no WCAG 2.2 A or AA failures"
            "</li><li>every public page, and the pages providers and council staff use "
            "outside the content management system, is checked at 320 pixels wide and must "
            "not scroll sideways</li><li>searching for a service, a wellbeing check and the data-sharing "
            "choice are completed with a keyboard alone, checking that the skip link works "
            "and that the element in focus is always visibly highlighted</li><li>the main "
            "journeys are also completed with JavaScript switched off</li></ul>"
            "<p>Automated tests cannot find every problem. The website has not yet been "
            "tested by an independent auditor or by disabled people.</p>"
        ),
    ]


def statement_move_and_rewrite(apps, schema_editor):
    ContentPage = apps.get_model("portal", "ContentPage")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Revision = apps.get_model("wagtailcore", "Revision")
    Redirect = apps.get_model("wagtailredirects", "Redirect")

    page = ContentPage.objects.filter(slug=OLD_SLUG, depth=3).first()
    if page is None:
        return
    content_type = ContentType.objects.get(app_label="portal", model="contentpage")
    if Revision.objects.filter(content_type=content_type, object_id=str(page.pk)).exists():
        return  # edited in the admin since it was seeded: the council's text wins
    if ContentPage.objects.filter(slug=NEW_SLUG, depth=3, path__startswith=page.path[:4]).exists():
        return  # a page already uses /accessibility/

    parent_url = page.url_path[: -len(OLD_SLUG) - 1]
    page.slug = NEW_SLUG
    page.url_path = f"{parent_url}{NEW_SLUG}/"
    page.summary = "How accessible this website is, and how to report a problem."
    page.body = json.dumps(statement())
    page.last_published_at = timezone.now()
    page.save()
    Redirect.objects.get_or_create(
        old_path=f"/{OLD_SLUG}",
        site=None,
        defaults={"redirect_page": page, "is_permanent": True},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0006_selfcare_settings"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailredirects", "0008_add_verbose_name_plural"),
    ]

    operations = [
        migrations.AlterField(
            model_name="contentpage",
            name="body",
            field=wagtail.fields.StreamField(
                [
                    ("heading", 2),
                    ("rich_text", 3),
                    ("inset_text", 5),
                    ("warning_text", 7),
                    ("details", 10),
                    ("button_link", 15),
                    ("contact_details", 16),
                ],
                blank=True,
                block_lookup={
                    0: ("wagtail.blocks.CharBlock", (), {"max_length": 120}),
                    1: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {
                            "choices": [("h2", "Heading 2"), ("h3", "Heading 3")],
                            "help_text": "Use Heading 2 for sections; Heading 3 only inside a section.",
                        },
                    ),
                    2: ("wagtail.blocks.StructBlock", [[("text", 0), ("level", 1)]], {}),
                    3: (
                        "wagtail.blocks.RichTextBlock",
                        (),
                        {
                            "features": [
                                "h2",
                                "h3",
                                "bold",
                                "italic",
                                "ol",
                                "ul",
                                "link",
                                "document-link",
                            ],
                            "template": "components/rich_text.html",
                        },
                    ),
                    4: ("wagtail.blocks.RichTextBlock", (), {"features": ["bold", "link"]}),
                    5: ("wagtail.blocks.StructBlock", [[("text", 4)]], {}),
                    6: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {"help_text": "Shown after a bold warning icon.", "max_length": 300},
                    ),
                    7: ("wagtail.blocks.StructBlock", [[("text", 6)]], {}),
                    8: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {"help_text": "The link text people click to open it.", "max_length": 120},
                    ),
                    9: (
                        "wagtail.blocks.RichTextBlock",
                        (),
                        {
                            "features": [
                                "h2",
                                "h3",
                                "bold",
                                "italic",
                                "ol",
                                "ul",
                                "link",
                                "document-link",
                            ]
                        },
                    ),
                    10: ("wagtail.blocks.StructBlock", [[("summary", 8), ("text", 9)]], {}),
                    11: ("wagtail.blocks.CharBlock", (), {"max_length": 60}),
                    12: ("wagtail.blocks.PageChooserBlock", (), {"required": False}),
                    13: (
                        "wagtail.blocks.URLBlock",
                        (),
                        {"help_text": "Used when no page is chosen.", "required": False},
                    ),
                    14: (
                        "wagtail.blocks.BooleanBlock",
                        (),
                        {"help_text": "Show as a 'Start now' button.", "required": False},
                    ),
                    15: (
                        "wagtail.blocks.StructBlock",
                        [[("text", 11), ("page", 12), ("url", 13), ("start", 14)]],
                        {},
                    ),
                    16: ("portal.blocks.ContactDetailsBlock", (), {}),
                },
            ),
        ),
        migrations.AlterField(
            model_name="homepage",
            name="body",
            field=wagtail.fields.StreamField(
                [
                    ("heading", 2),
                    ("rich_text", 3),
                    ("inset_text", 5),
                    ("warning_text", 7),
                    ("details", 10),
                    ("button_link", 15),
                    ("contact_details", 16),
                ],
                blank=True,
                block_lookup={
                    0: ("wagtail.blocks.CharBlock", (), {"max_length": 120}),
                    1: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {
                            "choices": [("h2", "Heading 2"), ("h3", "Heading 3")],
                            "help_text": "Use Heading 2 for sections; Heading 3 only inside a section.",
                        },
                    ),
                    2: ("wagtail.blocks.StructBlock", [[("text", 0), ("level", 1)]], {}),
                    3: (
                        "wagtail.blocks.RichTextBlock",
                        (),
                        {
                            "features": [
                                "h2",
                                "h3",
                                "bold",
                                "italic",
                                "ol",
                                "ul",
                                "link",
                                "document-link",
                            ],
                            "template": "components/rich_text.html",
                        },
                    ),
                    4: ("wagtail.blocks.RichTextBlock", (), {"features": ["bold", "link"]}),
                    5: ("wagtail.blocks.StructBlock", [[("text", 4)]], {}),
                    6: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {"help_text": "Shown after a bold warning icon.", "max_length": 300},
                    ),
                    7: ("wagtail.blocks.StructBlock", [[("text", 6)]], {}),
                    8: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {"help_text": "The link text people click to open it.", "max_length": 120},
                    ),
                    9: (
                        "wagtail.blocks.RichTextBlock",
                        (),
                        {
                            "features": [
                                "h2",
                                "h3",
                                "bold",
                                "italic",
                                "ol",
                                "ul",
                                "link",
                                "document-link",
                            ]
                        },
                    ),
                    10: ("wagtail.blocks.StructBlock", [[("summary", 8), ("text", 9)]], {}),
                    11: ("wagtail.blocks.CharBlock", (), {"max_length": 60}),
                    12: ("wagtail.blocks.PageChooserBlock", (), {"required": False}),
                    13: (
                        "wagtail.blocks.URLBlock",
                        (),
                        {"help_text": "Used when no page is chosen.", "required": False},
                    ),
                    14: (
                        "wagtail.blocks.BooleanBlock",
                        (),
                        {"help_text": "Show as a 'Start now' button.", "required": False},
                    ),
                    15: (
                        "wagtail.blocks.StructBlock",
                        [[("text", 11), ("page", 12), ("url", 13), ("start", 14)]],
                        {},
                    ),
                    16: ("portal.blocks.ContactDetailsBlock", (), {}),
                },
            ),
        ),
        migrations.RunPython(statement_move_and_rewrite, migrations.RunPython.noop),
    ]
