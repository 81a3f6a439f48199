"""Email organisations' editors about listings not checked for 6 months, with one-click "still
correct" links, and escalate listings not checked for 12 months to moderators (a daily job,
registered in directory.apps). Safe to run again: nothing is sent twice (directory.freshness).
"""

from django.core.management.base import BaseCommand

from directory.freshness import stale_listings_remind
from portal.progress import Progress


class Command(BaseCommand):
    help = (
        "Send freshness reminders for listings not checked for 6 months and escalate those not "
        "checked for 12 months to moderators. Running it again sends nothing new."
    )

    def handle(self, *args, **options):
        progress: Progress | None = None

        def on_start(total: int) -> None:
            nonlocal progress
            progress = Progress(total=total, label="Checking listings", stream=self.stderr)

        def on_service() -> None:
            if progress is not None:
                progress.advance()

        try:
            report = stale_listings_remind(on_start=on_start, on_service=on_service)
        except BaseException:
            if progress is not None:
                progress.close(failed=True)
            raise
        if progress is not None:
            progress.close()
        for name in report.without_editors:
            self.stdout.write(f"No editors to remind at {name}")
        self.stdout.write(self.style.SUCCESS(f"Freshness: {report.summary()}."))
