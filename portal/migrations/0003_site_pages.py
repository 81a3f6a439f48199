"""Replace Wagtail's welcome page with the portal's home page and the pages every public site
needs from day one: the accessibility statement, the privacy notice and the cookies page.

The text is a starting point written for this portal; each council edits it in the admin.
"""

import json
import uuid

from django.db import migrations
from django.utils import timezone


def rich(html):
    return {"type": "rich_text", "value": html, "id": str(uuid.uuid4())}


def heading(text):
    return {"type": "heading", "value": {"text": text, "level": "h2"}, "id": str(uuid.uuid4())}


def inset(html):
    return {"type": "inset_text", "value": {"text": html}, "id": str(uuid.uuid4())}


ACCESSIBILITY = [
    rich(
        "<p>This statement applies to this website. It is run by the council with its NHS "
        "partners. We want as many people as possible to be able to use it. For example, you "
        "should be able to:</p><ul><li>change colours, contrast levels and fonts using browser "
        "or device settings</li><li>zoom in up to 400% without the text spilling off the "
        "screen</li><li>navigate most of the website using just a keyboard or speech "
        "recognition software</li><li>use every form and tool with JavaScript switched off</li>"
        "<li>listen to most of the website using a screen reader</li></ul>"
    ),
    heading("How accessible this website is"),
    rich(
        "<p>We build and test every page against the Web Content Accessibility Guidelines "
        "(WCAG) version 2.2 AA standard, with automated checks in a real browser on every "
        "change and manual checks with assistive technology.</p>"
    ),
    heading("Feedback and contact information"),
    rich(
        "<p>If you find a problem, or need information on this website in a different format "
        "like accessible PDF, large print, easy read, audio recording or braille, contact us "
        "using the details at the bottom of every page. We will reply within 5 working "
        "days.</p>"
    ),
    heading("Enforcement procedure"),
    rich(
        "<p>The Equality and Human Rights Commission (EHRC) is responsible for enforcing the "
        "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility "
        "Regulations 2018. If you are not happy with how we respond to your complaint, "
        "contact the Equality Advisory and Support Service (EASS).</p>"
    ),
    heading("Compliance status"),
    rich(
        "<p>This website is fully compliant with the Web Content Accessibility Guidelines "
        "version 2.2 AA standard, as far as we know. If you find something that is not, "
        "please tell us.</p>"
    ),
]

PRIVACY = [
    rich(
        "<p>This notice explains what the council does with your personal information when "
        "you use this website. How health and care records are shared and linked, and how to "
        "object, is explained in the separate data-sharing notice.</p>"
    ),
    heading("Who we are"),
    rich(
        "<p>The council is the data controller for this website. You can contact our data "
        "protection officer using the contact details at the bottom of every page.</p>"
    ),
    heading("What we collect and why"),
    rich(
        "<ul><li><b>Your account</b>: your email address and a scrambled (hashed) copy of your "
        "password, so that you can sign in. If you turn on two-step verification we keep the "
        "secret your authenticator app uses.</li><li><b>What you send us</b>: reviews, "
        "feedback and forms you complete, so that we can act on them.</li><li><b>Security "
        "logs</b>: the time of sign-in attempts, so that we can stop people guessing "
        "passwords.</li></ul><p>We use this information to provide a public service (UK GDPR "
        "Article 6(1)(e)). We do not sell it, and we do not use it for advertising.</p>"
    ),
    heading("How long we keep it"),
    rich(
        "<p>We keep your account until you ask us to close it, or for 2 years after you last "
        "signed in. Security logs are kept for 90 days.</p>"
    ),
    heading("Your rights"),
    rich(
        "<p>You can ask to see, correct or delete the information we hold about you, or to "
        "restrict how we use it. If you are unhappy with how we have used your information, "
        "you can complain to the Information Commissioner's Office (ICO).</p>"
    ),
]

COOKIES = [
    rich(
        "<p>Cookies are small files saved on your phone, tablet or computer when you visit a "
        "website.</p><p>This website only uses cookies that are essential to make it work. "
        "We do not use analytics or advertising cookies, so we do not ask you to accept "
        "cookies.</p>"
    ),
    heading("Essential cookies"),
    rich(
        "<ul><li><b>sessionid</b>: keeps you signed in and remembers your progress through a "
        "form or tool. It expires when you close your browser or after 2 weeks.</li>"
        "<li><b>csrftoken</b>: stops other websites sending forms to this one pretending to be "
        "you. It expires after 1 year.</li></ul>"
    ),
    inset(
        "<p>Essential cookies cannot be switched off, because the website would not work without them.</p>"
    ),
]

PAGES = [
    (
        "Accessibility statement",
        "accessibility-statement",
        "How accessible this website is, and how to report a problem.",
        ACCESSIBILITY,
    ),
    (
        "Privacy notice",
        "privacy",
        "How we use your personal information when you use this website.",
        PRIVACY,
    ),
    ("Cookies", "cookies", "The cookies this website uses.", COOKIES),
]


def create_site_pages(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    Locale = apps.get_model("wagtailcore", "Locale")
    HomePage = apps.get_model("portal", "HomePage")
    ContentPage = apps.get_model("portal", "ContentPage")

    if HomePage.objects.exists():
        return
    # Wagtail's welcome page (and the default site that points at it) make way for ours.
    Page.objects.filter(
        depth=2, content_type__app_label="wagtailcore", content_type__model="page"
    ).delete()
    if Page.objects.filter(depth=2).exists():
        return  # someone already built a tree here: leave it alone

    locale = Locale.objects.order_by("id").first()
    now = timezone.now()
    home_type, _ = ContentType.objects.get_or_create(app_label="portal", model="homepage")
    content_type, _ = ContentType.objects.get_or_create(app_label="portal", model="contentpage")
    root = Page.objects.get(depth=1)
    common = {"live": True, "first_published_at": now, "last_published_at": now, "locale": locale}

    home = HomePage.objects.create(
        title="Find help and support near you",
        draft_title="Find help and support near you",
        slug="home",
        content_type=home_type,
        path=root.path + "0001",
        depth=2,
        numchild=len(PAGES),
        url_path="/home/",
        introduction="local services, self-care tools and your choices about how your health and care data is used.",
        body="[]",
        **common,
    )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    for position, (title, slug, summary, body) in enumerate(PAGES, start=1):
        ContentPage.objects.create(
            title=title,
            draft_title=title,
            slug=slug,
            content_type=content_type,
            path=home.path + f"{position:04d}",
            depth=3,
            numchild=0,
            url_path=f"/home/{slug}/",
            summary=summary,
            body=json.dumps(body),
            show_in_menus=False,
            **common,
        )
    Site.objects.get_or_create(
        is_default_site=True,
        defaults={
            "hostname": "localhost",
            "port": 80,
            "root_page": home,
            "site_name": "Health and wellbeing information point",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_roles")]

    operations = [migrations.RunPython(create_site_pages, migrations.RunPython.noop)]
