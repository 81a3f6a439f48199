"""Send the case system every self-assessment delivery that is due a retry (every 5 minutes)."""

from django.core.management.base import BaseCommand

from selfcare.webhooks import DELIVERED, GAVE_UP, NOT_DUE, RETRY_SCHEDULED, webhook_retry_due


class Command(BaseCommand):
    help = (
        "Attempt every pending case-system delivery whose next attempt is due, oldest first. "
        "Safe to run while another copy or the task worker is sending."
    )

    def handle(self, *args, **options) -> None:
        counts = webhook_retry_due()
        attempted = counts[DELIVERED] + counts[RETRY_SCHEDULED] + counts[GAVE_UP]
        self.stdout.write(
            f"{attempted} due deliveries attempted: {counts[DELIVERED]} delivered, "
            f"{counts[RETRY_SCHEDULED]} to retry later, {counts[GAVE_UP]} given up"
            + (f" ({counts[NOT_DUE]} taken by another process)" if counts[NOT_DUE] else "")
        )
