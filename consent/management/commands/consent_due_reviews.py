"""List proxy choices made by a parent for a child who has reached 13 (ADR 0013)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from consent.register import due_reviews


class Command(BaseCommand):
    help = (
        "List the references of current choices a parent made for a child who is now 13 or "
        "older, for review with the child. NHS numbers only with --show-nhs-numbers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--on", help="The date to check, YYYY-MM-DD (default: today).")
        parser.add_argument(
            "--show-nhs-numbers",
            action="store_true",
            help="Add each person's NHS number (the output is then personal data).",
        )

    def handle(self, *args, on=None, show_nhs_numbers=False, **options):
        try:
            when = dt.date.fromisoformat(on) if on else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--on must be a date as YYYY-MM-DD, not {on!r}.") from error
        due = due_reviews(on=when)
        for review in due:
            columns = [review.reference, review.purpose_code, review.due_on.isoformat()]
            if show_nhs_numbers:
                columns.append(review.nhs_number)
            self.stdout.write("\t".join(columns))
        self.stderr.write(f"{len(due)} choices due for review on {when.isoformat()}.")
