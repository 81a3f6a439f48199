"""manage.py export_oruk OUT: every published service as Open Referral UK 3.0 ndjson."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from directory.importers import oruk_records_export


class Command(BaseCommand):
    help = (
        "Write every published service to OUT as ndjson, one full Open Referral UK 3.0 "
        "record a line: the same record /api/oruk/services/{id} returns. - writes to stdout. "
        "import_oruk reads the file back."
    )

    def add_arguments(self, parser):
        parser.add_argument("out", help="the file to write, or - for stdout")

    def handle(self, *args: Any, out: str, **options: Any) -> None:
        try:
            target = sys.stdout if out == "-" else open(out, "w", encoding="utf-8")  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"Cannot write {out}: {error.strerror}") from None
        count = 0
        try:
            for record in oruk_records_export():
                target.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
        finally:
            if target is not sys.stdout:
                target.close()
        self.stderr.write(f"Exported {count} services to {out}")
