"""Walk the register's hash chain and report the first break (ADR 0013)."""

from django.core.management.base import BaseCommand, CommandError

from consent.register import chain_verify
from consent.register_models import ConsentEvent
from portal.progress import Progress


class Command(BaseCommand):
    help = "Check every register event's hash and link; exit non-zero at the first break."

    def handle(self, *args, **options):
        total = ConsentEvent.objects.count()
        with Progress(total=total, label="Verifying the register chain", stream=self.stderr) as p:
            broken = chain_verify(events=_counted(p))
        if broken:
            raise CommandError(
                f"Chain broken at event {broken.reference} (sequence {broken.sequence}): "
                f"{broken.problem}. Expected {broken.expected}, found {broken.found}."
            )
        self.stdout.write(f"Chain intact: {total} events.")


def _counted(progress: Progress):
    for event in ConsentEvent.objects.order_by("sequence").iterator(chunk_size=2000):
        yield event
        progress.advance()
