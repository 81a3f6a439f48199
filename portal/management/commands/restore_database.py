"""manage.py restore_database IN [--force]: put back a backup made by backup_database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.backup import BackupError, database_restore
from portal.progress import Progress


class Command(BaseCommand):
    help = (
        "Replace the database's contents with a backup made by backup_database "
        "(docs/backup-and-restore.md). Refuses a database that holds data unless --force. "
        "Run `manage.py migrate` afterwards if the code is newer than the backup."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", metavar="IN", help="a file made by backup_database")
        parser.add_argument(
            "--force",
            action="store_true",
            help="restore even though the database holds data (it is all replaced)",
        )
        parser.add_argument("--database", default="default", help="the database alias")

    def handle(self, *args: Any, source: str, force: bool, database: str, **options: Any) -> None:
        progress: Progress | None = None

        def advance(done: int, total: int) -> None:
            nonlocal progress
            if progress is None:
                progress = Progress(total=total, label="Restoring", stream=self.stderr)
            progress.advance(done - progress.done)

        try:
            engine = database_restore(
                source=Path(source), force=force, progress=advance, alias=database
            )
        except BackupError as error:
            if progress is not None:
                progress.close(failed=True)
            raise CommandError(str(error)) from None
        if progress is not None:
            progress.close()
        self.stdout.write(
            f"Restored the {engine} database from {source}. Next: `manage.py migrate`, then "
            "`manage.py consent_verify_chain` to check the consent register."
        )
