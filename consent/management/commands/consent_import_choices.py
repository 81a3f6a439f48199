"""Import choices from a CSV file: the same service as /manage/consent/import/
(consent.bulk_import, docs/consent-import.md), for files too big to upload."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from consent import access
from consent.bulk_import import AlreadyImportedError, ImportFileError, import_read, import_run
from portal.progress import Progress


class Command(BaseCommand):
    help = (
        "Check a CSV file of choices and record every good line in the register, as the staff "
        "member given by --user. Bad lines are reported by line number and skipped. A file "
        "already imported (same SHA-256) is refused unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The CSV file (UTF-8, the first line names the columns).")
        parser.add_argument(
            "--user",
            required=True,
            help="Email address of the IG officer or administrator recording the choices.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; record nothing."
        )
        parser.add_argument(
            "--force", action="store_true", help="Import even if this file was imported before."
        )

    def handle(self, *args, path, user, dry_run=False, force=False, **options):
        staff = get_user_model().objects.filter(email__iexact=user.strip(), is_active=True).first()
        if staff is None:
            raise CommandError("There is no active account with that --user email address.")
        if not access.user_can_manage_register(user=staff):
            raise CommandError("--user must be an IG officer or an administrator.")
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from error
        try:
            check = import_read(data)
        except ImportFileError as error:
            raise CommandError(str(error)) from error

        for error in check.errors:
            self.stderr.write(f"line {error.line}: {error.message}")
        self.stderr.write(
            f"{check.lines} lines read: {len(check.rows)} ready to import, "
            f"{len(check.errors)} with problems."
        )
        if check.previous is not None:
            self.stderr.write(
                f"This file was already imported on {check.previous.at:%Y-%m-%d %H:%M} "
                f"by {check.previous.by} ({check.previous.imported} choices)."
            )
        if dry_run:
            self.stdout.write("Dry run: nothing recorded.")
            return
        if not check.rows:
            raise CommandError("No line can be imported.")

        try:
            with Progress(total=len(check.rows), label="Importing", stream=self.stderr) as bar:
                result = import_run(check, user=staff, force=force, progress=bar.advance)
        except AlreadyImportedError as error:
            raise CommandError(f"{error} Use --force to import it again.") from error
        refused = [e for e in result.errors if e not in check.errors]
        for error in refused:
            self.stderr.write(f"line {error.line}: {error.message}")
        for line, reference in result.imported:
            self.stdout.write(f"{line}\t{reference}")
        self.stderr.write(
            f"{len(result.imported)} choices recorded; {len(result.errors)} lines not imported."
        )
