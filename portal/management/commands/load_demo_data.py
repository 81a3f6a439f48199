from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from directory.demo import load_demo_directory
from directory.demo_community import load_demo_accounts, load_demo_reviews
from portal import demo
from search.demo import load_demo_postcodes


class Command(BaseCommand):
    help = (
        "Load the fictional demo council's content. Safe to run again: nothing is duplicated. "
        "The demo superuser is created only when DEBUG is on."
    )

    def handle(self, *args, **options):
        report = demo.DemoReport()
        with transaction.atomic():
            demo.demo_site_settings(report)
            demo.demo_content_pages(report)
            postcodes_created, postcodes_unchanged = load_demo_postcodes()
            report.created += postcodes_created
            report.unchanged += postcodes_unchanged
            directory_created, directory_unchanged = load_demo_directory()
            reviews_created, reviews_unchanged = load_demo_reviews()
            credentials = demo.demo_superuser(report) if settings.DEBUG else None
            accounts = load_demo_accounts() if settings.DEBUG else []
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content: {report.created} created, {report.unchanged} already there."
            )
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo directory: {directory_created} created, {directory_unchanged} already "
                "there (organisations, locations, services and child categories)."
            )
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo reviews: {reviews_created} created, {reviews_unchanged} already there."
            )
        )
        for role, email, password in accounts:
            self.stdout.write(f"Demo {role} (development only): email {email}, password {password}")
        if credentials:
            email, password = credentials
            self.stdout.write(
                "Demo administrator (development only): "
                f"email {email}, password {password}\n"
                "  Sign in at /accounts/login/; you will be asked to set up an authenticator "
                "app (MFA) before reaching /admin/."
            )
