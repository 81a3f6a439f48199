"""Email the 7-day reminder for saved self-assessments and delete expired ones (daily)."""

from django.core.management.base import BaseCommand

from selfcare.drafts import drafts_expire


class Command(BaseCommand):
    help = "Remind people 7 days before their saved self-assessment expires; delete expired ones."

    def handle(self, *args, **options) -> None:
        reminded, deleted = drafts_expire()
        self.stdout.write(f"{reminded} reminders sent, {deleted} expired drafts deleted")
