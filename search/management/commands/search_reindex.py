"""Rebuild the directory's search indexes from the live services, or check them.

Two engines can be kept: the database engine's search documents (ADR 0006), always; and,
when ELASTICSEARCH_URL is set, the Elasticsearch index (ADR 0018), rebuilt as a new versioned
index and swapped in behind the read alias, so searches carry on throughout.

Publishing, withdrawing, moving and restricting pages keep both up to date as they happen;
run this after restoring a database, after changing how documents are built, when
Elasticsearch was down while editors worked, or when `--check` reports differences.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.progress import Progress
from search import indexing
from search.documents import documents_out_of_step, documents_rebuild
from search.es_client import es_configured

SHOWN = 10
ENGINES = ("database", "elasticsearch", "all")


class Command(BaseCommand):
    help = (
        "Rebuild the directory's search indexes from the live services (or --check them): the "
        "database engine's documents, and the Elasticsearch index when ELASTICSEARCH_URL is set."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--engine",
            choices=ENGINES,
            help="Which index to rebuild or check (default: all configured; the database only "
            "when ELASTICSEARCH_URL is not set).",
        )
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="Build the Elasticsearch index only if there is none yet (for start-up "
            "scripts); with it, the database documents are left alone.",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Report differences from the live directory; change nothing. Exits with an "
            "error when there are any.",
        )

    def handle(
        self,
        *args,
        engine: str | None = None,
        check: bool = False,
        if_missing: bool = False,
        **options,
    ) -> None:
        engine = engine or ("all" if es_configured() else "database")
        if if_missing:
            self._build_if_missing()
            return
        if engine in ("elasticsearch", "all") and not es_configured():
            raise CommandError(
                "ELASTICSEARCH_URL is not set, so there is no Elasticsearch index to "
                f"{'check' if check else 'rebuild'}. Set it (README: Search engines) or use "
                "--engine database."
            )
        problems = False
        if engine in ("database", "all"):
            problems |= self._check_database() if check else self._rebuild_database()
        if engine in ("elasticsearch", "all"):
            problems |= self._check_elasticsearch() if check else self._rebuild_elasticsearch()
        if problems:
            command = "manage.py search_reindex" + (
                f" --engine {engine}" if engine != "all" else ""
            )
            raise CommandError(f"Search indexes are out of step: run `{command}`.")

    def _build_if_missing(self) -> None:
        if not es_configured():
            self.stdout.write("ELASTICSEARCH_URL is not set: nothing to build.")
            return
        from search.es_index import current_indices

        try:
            existing = current_indices()
        except _unavailable() as error:
            raise CommandError(_unreachable_message(error)) from error
        if existing:
            self.stdout.write(f"The Elasticsearch index exists ({', '.join(existing)}).")
            return
        self._rebuild_elasticsearch()

    # --- database -------------------------------------------------------------------------------
    def _rebuild_database(self) -> bool:
        total = indexing.searchable_services().count()
        with Progress(total=total, label="Indexing services", stream=self.stderr) as progress:
            written = documents_rebuild(progress=progress.advance)
        self.stdout.write(self.style.SUCCESS(f"Indexed {written} findable services."))
        return False

    def _check_database(self) -> bool:
        differences = documents_out_of_step()
        problems = {kind: ids for kind, ids in differences.items() if ids}
        if not problems:
            self.stdout.write(self.style.SUCCESS("Search documents match the live directory."))
            return False
        for kind, ids in problems.items():
            shown = ", ".join(str(service_id) for service_id in ids[:SHOWN])
            more = f" and {len(ids) - SHOWN} more" if len(ids) > SHOWN else ""
            self.stdout.write(f"{len(ids)} {kind}: service ids {shown}{more}")
        return True

    # --- Elasticsearch --------------------------------------------------------------------------
    def _rebuild_elasticsearch(self) -> bool:
        from search.es_index import index_rebuild

        total = indexing.searchable_services().count()
        try:
            with Progress(
                total=total, label="Indexing services in Elasticsearch", stream=self.stderr
            ) as progress:
                written = index_rebuild(progress=progress.advance)
        except _unavailable() as error:
            raise CommandError(_unreachable_message(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {written} findable services in Elasticsearch and switched searches "
                "to the new index."
            )
        )
        return False

    def _check_elasticsearch(self) -> bool:
        from elasticsearch import NotFoundError

        from search.es_index import index_count

        expected = indexing.searchable_services().count()
        try:
            indexed = index_count()
        except NotFoundError:
            self.stdout.write("The Elasticsearch index does not exist yet.")
            return True
        except _unavailable() as error:
            raise CommandError(_unreachable_message(error)) from error
        if indexed == expected:
            self.stdout.write(
                self.style.SUCCESS(f"Elasticsearch holds all {expected} findable services.")
            )
            return False
        self.stdout.write(
            f"Elasticsearch holds {indexed} services; the directory has {expected} findable."
        )
        return True


def _unavailable() -> tuple[type[BaseException], ...]:
    from elastic_transport import TransportError
    from elasticsearch import ApiError

    return (ApiError, TransportError)


def _unreachable_message(error: BaseException) -> str:
    return (
        f"Elasticsearch did not answer ({type(error).__name__}). Check ELASTICSEARCH_URL and "
        "its credentials, and that the cluster is running; searches are served by the "
        "database engine meanwhile."
    )
