"""Email moderators who chose the daily digest the listing changes submitted in the past day (a
daily scheduled job, ADR 0010)."""

from django.core.management.base import BaseCommand

from directory.moderation import moderation_digest_send


class Command(BaseCommand):
    help = (
        "Email moderators who chose the daily digest one list of the listing changes submitted "
        "in the day up to 07:00 that are still waiting. Sends nothing when there are none."
    )

    def handle(self, *args, **options):
        count = moderation_digest_send()
        self.stdout.write(f"{count} listing change{'s' if count != 1 else ''} in the digest")
