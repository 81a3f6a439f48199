"""Demo content for the portal shell. Every function here can run any number of times."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.models import Site

from . import roles
from .models import ContentPage, HomePage, SiteSettings

DEMO_COUNCIL_NAME = "Seaborough Council"
DEMO_ADMIN_EMAIL = "admin@example.com"
DEMO_ADMIN_PASSWORD = "demo-admin-password"  # dev only: load_demo_data refuses without DEBUG


@dataclass
class DemoReport:
    created: int = 0
    unchanged: int = 0

    def count(self, created: bool) -> None:
        if created:
            self.created += 1
        else:
            self.unchanged += 1


def demo_site_settings(report: DemoReport) -> None:
    site = Site.objects.get(is_default_site=True)
    site_settings, created = SiteSettings.objects.get_or_create(site=site)
    site_settings.council_name = DEMO_COUNCIL_NAME
    site_settings.save()
    report.count(created)


def demo_content_pages(report: DemoReport) -> None:
    home = HomePage.objects.first()
    if home is None:
        raise RuntimeError("There is no home page: run `manage.py migrate` first.")
    pages = [
        (
            "About this service",
            "about",
            "Who runs this website and what you can do here.",
            [
                {
                    "type": "rich_text",
                    "value": "<p>This website brings together local health, care and "
                    "community services, tools to help you look after yourself and the people "
                    "you care for, and your choices about how your health and care information "
                    "is used.</p>",
                },
                {
                    "type": "inset_text",
                    "value": {
                        "text": "<p>This is demonstration content for a fictional council.</p>"
                    },
                },
                {
                    "type": "details",
                    "value": {
                        "summary": "Who can use this website",
                        "text": "<p>Anyone can search for services. You only need an account "
                        "to write a review or to save your progress in a self-assessment.</p>",
                    },
                },
            ],
        ),
    ]
    for title, slug, summary, body in pages:
        if home.get_children().filter(slug=slug).exists():
            report.count(False)
            continue
        page = ContentPage(title=title, slug=slug, summary=summary, body=body, show_in_menus=True)
        home.add_child(instance=page)
        page.save_revision().publish()
        report.count(True)


def demo_superuser(report: DemoReport) -> tuple[str, str]:
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username="demo-admin",
        defaults={"email": DEMO_ADMIN_EMAIL, "is_staff": True, "is_superuser": True},
    )
    if created:
        user.set_password(DEMO_ADMIN_PASSWORD)
        user.save()
    EmailAddress.objects.get_or_create(
        user=user, email=DEMO_ADMIN_EMAIL, defaults={"verified": True, "primary": True}
    )
    user.groups.add(Group.objects.get(name=roles.ADMINISTRATORS))
    report.count(created)
    return DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD
