"""Delete closed self-assessment cases past their retention period (daily)."""

from django.core.management.base import BaseCommand

from selfcare.retention import cases_apply_retention, closed_case_retention


class Command(BaseCommand):
    help = "Delete closed self-assessment cases untouched for SELFCARE_CLOSED_CASE_RETENTION_DAYS."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count only; delete nothing.")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        count = cases_apply_retention(dry_run=dry_run)
        days = closed_case_retention().days
        verb = "would be deleted" if dry_run else "deleted"
        self.stdout.write(f"{count} closed cases older than {days} days {verb}")
