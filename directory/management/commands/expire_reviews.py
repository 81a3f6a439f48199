"""Take down reviews whose experience is 2 years old (a daily scheduled job)."""

from django.core.management.base import BaseCommand

from directory.reviews import reviews_expire


class Command(BaseCommand):
    help = "Mark reviews expired 2 years after the experience they describe. Safe to run again."

    def handle(self, *args, **options):
        count = reviews_expire()
        self.stdout.write(f"{count} review{'s' if count != 1 else ''} expired")
