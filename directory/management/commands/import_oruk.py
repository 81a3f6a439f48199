"""manage.py import_oruk FILE: create or update services from Open Referral UK 3.0 JSON."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from directory.importers import oruk_import, oruk_records_read

try:
    from portal.progress import Progress
except ImportError:  # pragma: no cover - the progress reporter is optional
    Progress = None


class Command(BaseCommand):
    help = (
        "Import Open Referral UK 3.0 services from FILE: one service object, a list, a "
        "paginated envelope (contents) or ndjson (one service a line; - reads stdin). Records "
        "are matched by id, so running it twice changes nothing. Each record is saved whole "
        "or not at all; bad ones are reported with their line or index and skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .json or .ndjson file, or - for stdin")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        try:
            stream = sys.stdin if file == "-" else open(file, encoding="utf-8")  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        progress = (
            Progress(total=None, label="Importing services", stream=self.stderr)
            if Progress is not None
            else None
        )
        count = 0

        def on_record(where: str, outcome: str, messages: list[str]) -> None:
            nonlocal count
            count += 1
            for message in messages:
                line = f"{where}: {'not imported: ' if outcome == 'failed' else ''}{message}"
                if progress is not None:
                    progress.note(line)
                else:
                    self.stderr.write(line)
            if progress is not None:
                progress.advance(1)
            elif count % 100 == 0:
                self.stderr.write(f"{count} records read")

        try:
            report = oruk_import(records=oruk_records_read(stream, name=file), on_record=on_record)
        except UnicodeDecodeError:
            raise CommandError(f"{file} is not UTF-8 text") from None
        finally:
            if stream is not sys.stdin:
                stream.close()
            if progress is not None:
                progress.close()
        for where, message in report.warnings:
            if where == "file":
                self.stderr.write(f"warning: {message}")
        self.stdout.write(
            f"{report.total} records: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {len(report.failed)} failed"
        )
        if report.failed:
            raise CommandError(f"{len(report.failed)} records could not be imported (see above)")
