"""Bulk import of choices from a CSV file (issue 5, "Staff"), shared by the staff pages
(/manage/consent/import/) and `manage.py consent_import_choices`. docs/consent-import.md
describes the columns and every message.

1. `import_read(data)` parses and validates every row without writing anything: good rows
   become `ImportRow`s, bad ones a `LineError` (line number and a message that never quotes a
   value from the file, so no NHS number reaches a page or a log). Problems with the whole
   file (not UTF-8, not CSV, missing columns) raise `ImportFileError`.
2. `import_run(check, user=...)` records each good row with `consent.register.choice_record`
   in a savepoint of its own, with an access-log RECORD entry for that person; a row the
   register refuses (for example a capacity default) becomes a `LineError` and the others are
   kept. The whole run, ledger entry included, is one transaction: a crash or an interrupt
   halfway records nothing, so the file can simply be imported again (events are append-only:
   a half import followed by a second one could never be tidied up).

Idempotency: every file imported is remembered by its SHA-256 (`ChoiceImport`: when, by
whom, how many rows; never a number). `import_run` refuses a file already imported unless
`force=True`.

Between the staff "check" page and "Import" the upload is kept in a private temporary
directory (`CONSENT_IMPORT_DIR`, else the system temporary directory), under a random token,
and deleted after the import or after an hour.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import secrets
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .access import access_log_record
from .access_models import AccessLogEntry, ChoiceImport
from .models import Purpose
from .nhs_number import NHSNumberError, validate_nhs_number
from .register import RegisterError, choice_record
from .register_models import ConsentEvent

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
KEEP_UPLOAD_SECONDS = 60 * 60
MAX_FIELD_LENGTH = 200

COLUMNS = [
    "nhs_number",
    "purpose",
    "decision",
    "channel",
    "occurred_at",
    "actor",
    "proxy_role",
    "proxy_name",
    "person_name",
    "date_of_birth",
    "postcode",
    "evidence_reference",
    "identity_method",
    "identity_result",
]
REQUIRED_COLUMNS = ["nhs_number", "purpose", "decision", "occurred_at"]
DECISIONS = [
    ConsentEvent.OBJECT,
    ConsentEvent.WITHDRAW_OBJECTION,
    ConsentEvent.CONSENT,
    ConsentEvent.WITHDRAW_CONSENT,
]
CHANNELS = ["phone", "post", "in-person", "gp-recorded", "social-care-recorded", "imported"]
DEFAULT_CHANNEL = "imported"
ACTORS = [ConsentEvent.SELF, ConsentEvent.PROXY]
PROXY_ROLES = [code for code, _label in ConsentEvent.PROXY_ROLES]
IDENTITY_METHODS = [code for code, _label in ConsentEvent.IDENTITY_METHODS]
IDENTITY_RESULTS = [code for code, _label in ConsentEvent.IDENTITY_RESULTS]
_UNVERIFYING_METHODS = {"none", "self-declared"}
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,40}$")


class ImportFileError(ValueError):
    """The file as a whole cannot be imported; str(error) is the message to show."""


class AlreadyImportedError(ImportFileError):
    """This exact file (same SHA-256) was imported before; import again only when confirmed."""


@dataclass(frozen=True)
class ImportRow:
    """One valid line, normalised, ready for `choice_record`."""

    line: int
    nhs_number: str
    purpose_code: str
    decision: str
    channel: str
    occurred_at: dt.datetime
    actor: str = ConsentEvent.SELF
    proxy_role: str = ""
    proxy_name: str = ""
    person_name: str = ""
    date_of_birth: dt.date | None = None
    postcode: str = ""
    evidence_reference: str = ""
    identity_method: str = "none"
    identity_result: str = ConsentEvent.UNVERIFIED


@dataclass(frozen=True)
class LineError:
    line: int
    message: str


@dataclass(frozen=True)
class PreviousImport:
    """When a file with the same SHA-256 was last imported (from the ledger)."""

    at: dt.datetime
    imported: int
    failed: int
    by: str


@dataclass
class ImportCheck:
    """A validated file: the good rows, the bad lines, and any earlier import of it."""

    sha256: str
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    previous: PreviousImport | None = None

    @property
    def lines(self) -> int:
        return len(self.rows) + len(self.errors)


@dataclass
class ImportResult:
    sha256: str
    imported: list[tuple[int, str]] = field(default_factory=list)  # (line, event reference)
    errors: list[LineError] = field(default_factory=list)  # file checks and register refusals

    def as_json(self) -> str:
        return json.dumps(
            {
                "sha256": self.sha256,
                "imported": self.imported,
                "errors": [asdict(error) for error in self.errors],
            }
        )

    @classmethod
    def from_json(cls, text: str) -> ImportResult:
        data = json.loads(text)
        return cls(
            sha256=data["sha256"],
            imported=[(int(line), str(ref)) for line, ref in data["imported"]],
            errors=[LineError(int(e["line"]), str(e["message"])) for e in data["errors"]],
        )


# --- Reading and checking -----------------------------------------------------------------------


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _decode(data: bytes) -> str:
    if not data.strip():
        raise ImportFileError("The selected file is empty")
    if b"\x00" in data:
        raise ImportFileError(
            "The selected file must be a CSV file, not a spreadsheet or other file"
        )
    try:
        return data.decode("utf-8-sig")  # with or without a byte order mark
    except UnicodeDecodeError as error:
        raise ImportFileError(
            "The selected file must be saved as UTF-8 (in Excel: 'CSV UTF-8')"
        ) from error


def _header(cells: list[str]) -> list[str]:
    names = [cell.strip().lower().replace(" ", "_").replace("-", "_") for cell in cells]
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise ImportFileError(
            "The first line must name the columns; it is missing "
            + ", ".join(missing)
            + " (see the guide to the CSV columns)"
        )
    unknown = [str(i) for i, name in enumerate(names, start=1) if name and name not in COLUMNS]
    if unknown:
        # Positions, not the text: a header row is sometimes a row of data.
        raise ImportFileError(
            f"The first line has columns the import does not know (column {', '.join(unknown)}); "
            "remove them or correct their names"
        )
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    if repeated:
        raise ImportFileError(
            f"The first line names a column more than once: {', '.join(repeated)}"
        )
    return names


def _when(text: str, what: str, *, now: dt.datetime) -> dt.datetime:
    """A date (midnight, local time) or a datetime (naive means local time); not in the future."""
    value = text.strip()
    parsed: dt.datetime | None = None
    for parse in (
        lambda v: dt.datetime.combine(dt.date.fromisoformat(v), dt.time.min),
        dt.datetime.fromisoformat,
        lambda v: dt.datetime.strptime(v, "%d/%m/%Y"),
        lambda v: dt.datetime.strptime(v, "%d/%m/%Y %H:%M"),
    ):
        try:
            parsed = parse(value)
            break
        except ValueError:
            continue
    if parsed is None:
        raise ValueError(
            f"{what} must be a date like 2026-11-01 or a date and time like 2026-11-01T14:30"
        )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_current_timezone())
    if parsed > now:
        raise ValueError(f"{what} must not be in the future")
    return parsed


def _row(
    line: int, cells: dict[str, str], purposes: dict[str, Purpose], now: dt.datetime
) -> ImportRow:
    """Validate one line; raises ValueError (NHSNumberError, RegisterError included) with a
    message that names the column and the rule, never the value."""

    def cell(name: str) -> str:
        return (cells.get(name) or "").strip()

    for name in ("proxy_name", "person_name", "evidence_reference"):
        if len(cell(name)) > MAX_FIELD_LENGTH:
            raise ValueError(f"{name} must be {MAX_FIELD_LENGTH} characters or fewer")
    nhs_number = validate_nhs_number(cell("nhs_number"))
    purpose = purposes.get(cell("purpose").lower())
    if purpose is None:
        raise ValueError("Unknown purpose: use one of " + ", ".join(sorted(purposes)))
    decision = cell("decision").lower()
    if decision not in DECISIONS:
        raise ValueError("Unknown decision: use " + ", ".join(DECISIONS))
    # The register's own rules, with its own messages (consent.register.choice_record).
    if decision == ConsentEvent.CONSENT and purpose.legal_basis != Purpose.CONSENT:
        raise RegisterError(f"{purpose.code} does not rely on consent; consent cannot be given.")
    if decision == ConsentEvent.OBJECT and not purpose.objection_honoured:
        raise RegisterError(f"Objections to {purpose.code} are not honoured.")
    channel = cell("channel").lower() or DEFAULT_CHANNEL
    if channel not in CHANNELS:
        raise ValueError("Unknown channel: use " + ", ".join(CHANNELS))
    if not cell("occurred_at"):
        raise ValueError("Enter occurred_at, the date the choice was made")
    occurred_at = _when(cell("occurred_at"), "occurred_at", now=now)
    actor = cell("actor").lower() or ConsentEvent.SELF
    if actor not in ACTORS:
        raise ValueError("Unknown actor: use self or proxy")
    proxy_role = cell("proxy_role").lower()
    if actor == ConsentEvent.PROXY:
        if proxy_role not in PROXY_ROLES:
            raise ValueError("A proxy needs a proxy_role: use " + ", ".join(PROXY_ROLES))
        if not cell("proxy_name"):
            raise ValueError("A proxy needs a proxy_name, the representative's full name")
    elif proxy_role:
        raise ValueError("Only give a proxy_role when actor is proxy")
    date_of_birth = None
    if cell("date_of_birth"):
        date_of_birth = _when(cell("date_of_birth"), "date_of_birth", now=now).date()
    postcode = " ".join(cell("postcode").upper().split())
    if len(postcode) > 8:
        raise ValueError("postcode must be a UK postcode like SW1A 1AA")
    identity_method = cell("identity_method").lower() or "none"
    if identity_method not in IDENTITY_METHODS:
        raise ValueError("Unknown identity_method: use " + ", ".join(IDENTITY_METHODS))
    identity_result = cell("identity_result").lower() or ConsentEvent.UNVERIFIED
    if identity_result not in IDENTITY_RESULTS:
        raise ValueError("Unknown identity_result: use " + ", ".join(IDENTITY_RESULTS))
    if identity_result == ConsentEvent.VERIFIED and identity_method in _UNVERIFYING_METHODS:
        raise ValueError(
            "identity_result verified needs an identity_method other than none or self-declared"
        )
    return ImportRow(
        line=line,
        nhs_number=nhs_number,
        purpose_code=purpose.code,
        decision=decision,
        channel=channel,
        occurred_at=occurred_at,
        actor=actor,
        proxy_role=proxy_role,
        proxy_name=cell("proxy_name"),
        person_name=cell("person_name"),
        date_of_birth=date_of_birth,
        postcode=postcode,
        evidence_reference=cell("evidence_reference"),
        identity_method=identity_method,
        identity_result=identity_result,
    )


def import_read(data: bytes, *, now: dt.datetime | None = None) -> ImportCheck:
    """Parse and validate a whole file without writing anything. Raises `ImportFileError` for
    problems with the file itself; each bad line becomes a `LineError`."""
    now = now or timezone.now()
    text = _decode(data)
    sha256 = file_sha256(data)
    check = ImportCheck(sha256=sha256, previous=previous_import(sha256))
    purposes = {p.code: p for p in Purpose.objects.filter(is_active=True)}
    reader = csv.reader(io.StringIO(text, newline=""))
    names: list[str] | None = None
    start = 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1  # a quoted value may span lines
            if not any(cell.strip() for cell in cells):
                continue
            if names is None:
                names = _header(cells)
                continue
            if len(cells) > len(names):
                check.errors.append(
                    LineError(
                        line,
                        f"This line has {len(cells)} values but the first line names "
                        f"{len(names)} columns",
                    )
                )
                continue
            try:
                check.rows.append(_row(line, dict(zip(names, cells, strict=False)), purposes, now))
            except (NHSNumberError, ValueError) as error:
                check.errors.append(LineError(line, str(error)))
    except csv.Error as error:
        raise ImportFileError(
            f"The file could not be read as CSV at line {reader.line_num}: check its quotes"
        ) from error
    if names is None:
        raise ImportFileError("The selected file is empty")
    if not check.lines:
        raise ImportFileError("The file has column names but no choices")
    return check


# --- Importing ----------------------------------------------------------------------------------


def import_run(
    check: ImportCheck,
    *,
    user,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Record every good row of `check` (each row on its own: a refused row does not stop the
    others) and remember the file in the ledger. Raises `AlreadyImportedError` when the same
    file was imported before, unless `force`. Any other exception records nothing at all."""
    previous = previous_import(check.sha256)
    if previous is not None and not force:
        raise AlreadyImportedError(
            f"This file was already imported on {timezone.localtime(previous.at):%d %B %Y at %H:%M}"
            f" ({previous.imported} choices). Confirm to import it again."
        )
    purposes = {p.code: p for p in Purpose.objects.filter(is_active=True)}
    result = ImportResult(sha256=check.sha256, errors=list(check.errors))
    with transaction.atomic():
        _rows_record(check, purposes, result, user=user, progress=progress)
        result.errors.sort(key=lambda error: error.line)
        _ledger_add(
            check.sha256, user=user, imported=len(result.imported), failed=len(result.errors)
        )
    return result


def _rows_record(
    check: ImportCheck,
    purposes: dict[str, Purpose],
    result: ImportResult,
    *,
    user,
    progress: Callable[[int], None] | None,
) -> None:
    for row in check.rows:
        try:
            with transaction.atomic():
                event = choice_record(
                    nhs_number=row.nhs_number,
                    purpose=purposes[row.purpose_code],
                    decision=row.decision,
                    channel=row.channel,
                    actor=row.actor,
                    proxy_role=row.proxy_role,
                    proxy_name=row.proxy_name,
                    person_name=row.person_name,
                    date_of_birth=row.date_of_birth,
                    postcode=row.postcode,
                    evidence_reference=row.evidence_reference,
                    identity_method=row.identity_method,
                    identity_result=row.identity_result,
                    occurred_at=row.occurred_at,
                    recorded_by=user,
                )
                access_log_record(
                    user=user,
                    action=AccessLogEntry.RECORD,
                    nhs_number=event.nhs_number,
                    event_reference=event.reference,
                )
        except (RegisterError, NHSNumberError, KeyError) as error:
            message = str(error) if not isinstance(error, KeyError) else "Unknown purpose"
            result.errors.append(LineError(row.line, message))
            # The refusal told the importer something about this person's record.
            access_log_record(
                user=user, action=AccessLogEntry.SEARCH, nhs_number=row.nhs_number, found=True
            )
        else:
            result.imported.append((row.line, event.reference))
        if progress is not None:
            progress(1)


# --- The ledger of imported files ----------------------------------------------------------------


def previous_import(sha256: str) -> PreviousImport | None:
    last = ChoiceImport.objects.filter(sha256=sha256).select_related("imported_by").last()
    if last is None:
        return None
    user = last.imported_by
    return PreviousImport(
        at=last.imported_at,
        imported=last.imported,
        failed=last.failed,
        by=user.email or user.get_username(),
    )


def _ledger_add(sha256: str, *, user, imported: int, failed: int) -> None:
    ChoiceImport.objects.create(
        sha256=sha256,
        imported_at=timezone.now(),
        imported_by=user,
        imported=imported,
        failed=failed,
    )


# --- Uploads kept between the check page and the import ------------------------------------------


def _upload_dir() -> Path:
    configured = settings.CONSENT_IMPORT_DIR
    directory = Path(configured) if configured else Path(tempfile.gettempdir()) / "consent-imports"
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def _path(token: str, suffix: str) -> Path:
    if not _TOKEN.match(token):
        raise FileNotFoundError("No such upload")
    return _upload_dir() / f"{token}{suffix}"


def _write_private(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


def uploads_sweep(*, max_age: int = KEEP_UPLOAD_SECONDS) -> int:
    """Delete kept uploads and results older than `max_age` seconds; returns how many."""
    cutoff = time.time() - max_age
    removed = 0
    for path in _upload_dir().iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


def upload_keep(data: bytes) -> str:
    """Keep an upload for the check page; returns its token."""
    uploads_sweep()
    token = secrets.token_urlsafe(16)
    _write_private(_path(token, ".csv"), data)
    return token


def _fresh(path: Path) -> bool:
    try:
        return time.time() - path.stat().st_mtime < KEEP_UPLOAD_SECONDS
    except FileNotFoundError:
        return False


def upload_read(token: str) -> bytes | None:
    """The kept upload, or None if it was imported, expired or never existed."""
    try:
        path = _path(token, ".csv")
    except FileNotFoundError:
        return None
    return path.read_bytes() if _fresh(path) else None


def upload_discard(token: str) -> None:
    with contextlib.suppress(FileNotFoundError):  # a malformed token names no file
        _path(token, ".csv").unlink(missing_ok=True)


def result_keep(token: str, result: ImportResult) -> None:
    path = _path(token, ".result.json")
    path.unlink(missing_ok=True)
    _write_private(path, result.as_json().encode())


def result_read(token: str) -> ImportResult | None:
    try:
        path = _path(token, ".result.json")
    except FileNotFoundError:
        return None
    return ImportResult.from_json(path.read_text()) if _fresh(path) else None
