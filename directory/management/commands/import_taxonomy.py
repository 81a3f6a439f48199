from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from directory.taxonomy_import import taxonomy_import


class Command(BaseCommand):
    help = (
        "Import a vocabulary of terms (for example the LGA service or needs list) from CSV "
        "(columns: code, name, and optionally parent_code, description, term_uri) or from an "
        "Open Referral taxonomy JSON file. Running it again updates terms by code."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--name", help="The vocabulary's name (required for CSV).")
        parser.add_argument("--uri", default="", help="Where the vocabulary is published.")
        parser.add_argument("--vocabulary-version", dest="vocabulary_version", default="")
        parser.add_argument("--dry-run", action="store_true", help="Check, but save nothing.")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        try:
            report = taxonomy_import(
                path=path,
                name=options["name"],
                uri=options["uri"],
                version=options["vocabulary_version"],
                dry_run=options["dry_run"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        for error in report.errors:
            self.stderr.write(error)
        prefix = "Dry run, nothing saved: " if options["dry_run"] else ""
        self.stdout.write(
            f"{prefix}{report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {len(report.errors)} rejected."
        )
        if report.errors:
            raise CommandError(f"{len(report.errors)} rows were rejected (listed above).")
