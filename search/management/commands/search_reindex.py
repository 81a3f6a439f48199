"""Rebuild the search documents (ADR 0006) from the live directory, or check them.

Publishing, withdrawing, moving and restricting pages keep the documents up to date as they
happen; run this after restoring a database, after changing how documents are built, or
when `--check` reports differences.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.progress import Progress
from search import indexing
from search.documents import documents_out_of_step, documents_rebuild

SHOWN = 10


class Command(BaseCommand):
    help = "Rebuild the directory's search documents from the live services (or --check them)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Report services whose documents are missing, stale or extra; change nothing. "
            "Exits with an error when there are any.",
        )

    def handle(self, *args, check: bool = False, **options) -> None:
        if check:
            self._check()
            return
        total = indexing.searchable_services().count()
        with Progress(total=total, label="Indexing services", stream=self.stderr) as progress:
            written = documents_rebuild(progress=progress.advance)
        self.stdout.write(self.style.SUCCESS(f"Indexed {written} findable services."))

    def _check(self) -> None:
        differences = documents_out_of_step()
        problems = {kind: ids for kind, ids in differences.items() if ids}
        if not problems:
            self.stdout.write(self.style.SUCCESS("Search documents match the live directory."))
            return
        for kind, ids in problems.items():
            shown = ", ".join(str(service_id) for service_id in ids[:SHOWN])
            more = f" and {len(ids) - SHOWN} more" if len(ids) > SHOWN else ""
            self.stdout.write(f"{len(ids)} {kind}: service ids {shown}{more}")
        raise CommandError("Search documents are out of step: run `manage.py search_reindex`.")
