"""The national data opt-out round trip (issue 5) with NHS England's "Check for National Data
Opt-outs" service, which works by file over MESH:

1. `request_write` writes the request: a `.dat` file with one NHS number and a comma a line
   (LF line endings by default, as the service asks; CRLF if configured), under a unique name
   `<MAILBOX>-<DDMMYY>-<NNNN>.dat` (the naming NHS England recommends: mailbox ID, date, and a
   sequence number within the month). A NationalOptOutCheck records it. The file stays on
   disk: it is the record of which numbers were sent.
2. Someone sends it through MESH; the service returns a cleaned file: the same numbers without
   those who opted out.
3. `response_read` reads the cleaned file against its request and replaces the cache for the
   numbers sent: opted out nationally = sent minus returned. The check is then complete and
   its time is the cache's age (`pipeline.national_opt_out_checked_at`).

Nothing here logs or raises with an NHS number in the message.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone

from .nhs_number import NHSNumberError, validate_nhs_number
from .pipeline import PipelineError
from .pipeline_models import NationalOptOut, NationalOptOutCheck

LINE_ENDINGS = {"lf": "\n", "crlf": "\r\n"}
DEFAULT_MAILBOX = "NDOP"
REQUEST_SUFFIX = ".dat"
MAX_REPORTED = 20
_BATCH = 500  # under SQLite's oldest limit of 999 query parameters


class NationalOptOutFileError(PipelineError):
    def __init__(self, detail: str) -> None:
        super().__init__(400, "national_opt_out_file", detail)


@dataclass
class RequestResult:
    check: NationalOptOutCheck
    path: Path
    sent: int
    duplicates: int = 0


@dataclass
class ResponseResult:
    check: NationalOptOutCheck
    sent: int
    returned: int
    opted_out: int
    problems: list[str] = field(default_factory=list)


def request_file_name(*, mailbox: str, now: dt.datetime) -> str:
    """`<MAILBOX>-<DDMMYY>-<NNNN>.dat`, NNNN the next sequence number this month."""
    local = timezone.localtime(now)
    prefix = f"{mailbox}-{local:%d%m%y}-"
    month = NationalOptOutCheck.objects.filter(
        requested_at__year=local.year, requested_at__month=local.month
    ).count()
    return f"{prefix}{month + 1:04d}{REQUEST_SUFFIX}"


def request_write(
    numbers: Iterable[str],
    *,
    out_dir: Path,
    mailbox: str = DEFAULT_MAILBOX,
    line_ending: str = "lf",
    now: dt.datetime | None = None,
) -> RequestResult:
    """Write the request file for `numbers` (already valid and normalised; duplicates are sent
    once) into `out_dir` and record the check."""
    if line_ending not in LINE_ENDINGS:
        raise NationalOptOutFileError(f"Line endings are lf or crlf, not {line_ending!r}.")
    if not out_dir.is_dir():
        raise NationalOptOutFileError(f"There is no directory {out_dir}.")
    ending = LINE_ENDINGS[line_ending]
    now = now or timezone.now()
    name = request_file_name(mailbox=mailbox, now=now)
    if (out_dir / name).exists() or NationalOptOutCheck.objects.filter(file_name=name).exists():
        # Another request this month took the number: keep the pattern, add a random tail.
        name = name.removesuffix(REQUEST_SUFFIX) + f"-{secrets.token_hex(3)}{REQUEST_SUFFIX}"
    path = out_dir / name
    seen: set[str] = set()
    duplicates = 0
    partial = path.with_name(path.name + ".partial")
    with open(partial, "w", encoding="ascii", newline="") as out:
        for number in numbers:
            if number in seen:
                duplicates += 1
                continue
            seen.add(number)
            out.write(f"{number},{ending}")
    if not seen:
        partial.unlink()
        raise NationalOptOutFileError("There are no NHS numbers to send.")
    os.replace(partial, path)
    try:
        check = NationalOptOutCheck.objects.create(
            file_name=name, requested_at=now, numbers_sent=len(seen)
        )
    except IntegrityError:
        path.unlink()
        raise
    return RequestResult(check, path, len(seen), duplicates)


def numbers_in_file(path: Path) -> Iterator[tuple[int, str | None, str | None]]:
    """(line, number or None, problem or None) for each non-blank line of a request or
    cleaned file: `9434765919,` with LF or CRLF endings (a missing comma is accepted)."""
    try:
        stream = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115
    except OSError as error:
        raise NationalOptOutFileError(f"Cannot read {path}: {error.strerror}.") from error
    with stream:
        try:
            for line_number, line in enumerate(stream, start=1):
                text = line.strip()
                if not text:
                    continue
                value = text[:-1] if text.endswith(",") else text
                try:
                    yield line_number, validate_nhs_number(value), None
                except NHSNumberError as error:
                    yield line_number, None, error.message
        except UnicodeDecodeError as error:
            raise NationalOptOutFileError(f"{path.name} is not UTF-8 text.") from error


def request_for_response(response: Path, *, request_name: str | None = None) -> NationalOptOutCheck:
    """The check a cleaned file answers: named by `request_name`, else the outstanding request
    whose name (without .dat) starts the response file's name, else the only outstanding one."""
    outstanding = NationalOptOutCheck.objects.filter(completed_at__isnull=True)
    if request_name:
        check = NationalOptOutCheck.objects.filter(file_name=Path(request_name).name).first()
        if check is None:
            raise NationalOptOutFileError(f"No request file called {request_name!r} was written.")
        return check
    for check in outstanding.order_by("-requested_at"):
        if response.name.startswith(check.file_name.removesuffix(REQUEST_SUFFIX)):
            return check
    candidates = list(outstanding[:2])
    if len(candidates) == 1:
        return candidates[0]
    raise NationalOptOutFileError(
        "Cannot tell which request this file answers: "
        + ("there is no outstanding request." if not candidates else "name it with --request.")
    )


def response_read(
    response: Path,
    *,
    request_path: Path,
    check: NationalOptOutCheck,
    now: dt.datetime | None = None,
) -> ResponseResult:
    """Read the cleaned file `response` for `check` (whose request file is `request_path`) and
    replace the cache for the numbers sent: opted out = sent minus returned. Refuses a file with
    numbers that were not sent, or invalid lines, and changes nothing then."""
    now = now or timezone.now()
    sent: set[str] = set()
    problems: list[str] = []
    for line, number, problem in numbers_in_file(request_path):
        if number is None:
            if len(problems) < MAX_REPORTED:
                problems.append(f"request line {line}: {problem}")
        else:
            sent.add(number)
    if len(sent) != check.numbers_sent:
        raise NationalOptOutFileError(
            f"The request file {request_path.name} holds {len(sent):,} numbers but "
            f"{check.numbers_sent:,} were recorded as sent: it is not the file that was sent."
        )
    returned: set[str] = set()
    not_sent = 0
    for line, number, problem in numbers_in_file(response):
        if number is None:
            if len(problems) < MAX_REPORTED:
                problems.append(f"line {line}: {problem}")
        elif number not in sent:
            not_sent += 1
            if len(problems) < MAX_REPORTED:
                problems.append(f"line {line}: this NHS number was not in the request")
        else:
            returned.add(number)
    if problems:
        shown = "; ".join(problems[:MAX_REPORTED])
        raise NationalOptOutFileError(
            f"{response.name} does not answer {check.file_name}"
            + (f" ({not_sent:,} numbers were not sent)" if not_sent else "")
            + f": {shown}. Nothing was changed."
        )
    opted_out = sent - returned
    with transaction.atomic():
        sent_list = sorted(sent)
        for start in range(0, len(sent_list), _BATCH):
            NationalOptOut.objects.filter(nhs_number__in=sent_list[start : start + _BATCH]).delete()
        NationalOptOut.objects.bulk_create(
            (NationalOptOut(nhs_number=n, from_check=check) for n in sorted(opted_out)),
            batch_size=_BATCH,
        )
        check.completed_at = now
        check.numbers_returned = len(returned)
        check.numbers_opted_out = len(opted_out)
        check.save(update_fields=["completed_at", "numbers_returned", "numbers_opted_out"])
    return ResponseResult(check, len(sent), len(returned), len(opted_out))
