"""manage.py backup_database OUT: a consistent copy of the database while the portal runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from portal.backup import BackupError, database_backup
from portal.progress import Progress


class Command(BaseCommand):
    help = (
        "Back up the database to a new file: SQLite's online backup on SQLite, "
        "pg_dump --format=custom on PostgreSQL (docs/backup-and-restore.md). The file holds "
        "personal data and is created readable by its owner only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", help="the backup file to create; it must not exist yet")
        parser.add_argument("--database", default="default", help="the database alias")

    def handle(self, *args: Any, out: str, database: str, **options: Any) -> None:
        progress: Progress | None = None
        counting = "pages" if connections[database].vendor == "sqlite" else "tables"

        def advance(done: int, total: int) -> None:
            nonlocal progress
            if progress is None:
                label = f"Backing up ({counting})"
                progress = Progress(total=total, label=label, stream=self.stderr)
            progress.advance(done - progress.done)

        try:
            result = database_backup(out=Path(out), progress=advance, alias=database)
        except BackupError as error:
            if progress is not None:
                progress.close(failed=True)
            raise CommandError(str(error)) from None
        if progress is not None:
            progress.close()
        self.stdout.write(
            f"Backed up the {result.engine} database to {result.path} ({result.size:,} bytes)."
        )
