"""manage.py import_directory_csv FILE [--dry-run]: services from an old directory's export."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from directory.csv_import import CsvImportError, csv_import
from portal.progress import Progress

PROGRESS_FROM_ROWS = 200  # below this a progress bar is only noise


class Command(BaseCommand):
    help = (
        "Import services from a CSV export of an old directory (columns: "
        "docs/directory-csv-import.md). Every row is checked first; bad rows are reported "
        "with their line number and skipped, good rows are imported whole. A service is "
        "matched by its organisation's name and its own name, so importing the same file "
        "again updates it rather than adding a copy."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a CSV file, UTF-8, with a header row")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the file and say what would change, without writing anything",
        )

    def handle(self, *args: Any, file: str, dry_run: bool, **options: Any) -> None:
        try:
            with open(file, encoding="utf-8-sig", newline="") as stream:
                total = sum(1 for _ in stream)
                stream.seek(0)
                progress = (
                    Progress(total=total - 1, label="Importing rows", stream=self.stderr)
                    if total > PROGRESS_FROM_ROWS
                    else None
                )
                try:
                    report = csv_import(
                        stream=stream,
                        dry_run=dry_run,
                        on_row=progress.advance if progress else None,
                    )
                finally:
                    if progress:
                        progress.close()
        except FileNotFoundError:
            raise CommandError(f"There is no file {file}") from None
        except IsADirectoryError:
            raise CommandError(f"{file} is a folder, not a CSV file") from None
        except UnicodeDecodeError:
            raise CommandError(
                f"{file} is not UTF-8 text. Save it from your spreadsheet as "
                "'CSV UTF-8 (comma delimited)'"
            ) from None
        except CsvImportError as error:
            raise CommandError(f"{file}: {error}") from None

        messages = [(line, f"warning: {message}") for line, message in report.warnings]
        messages += report.problems
        for line, message in sorted(messages, key=lambda item: item[0]):
            self.stderr.write(f"line {line}: {message}")
        summary = f"{file}: {report.summary}."
        if dry_run:
            summary += " Dry run: nothing was written."
        self.stdout.write(summary)
        if report.rejected:
            raise CommandError(
                f"{report.rejected} row{'s' if report.rejected != 1 else ''} rejected: fix "
                "the lines listed above and import the file again."
            )
