"""The IG pipeline's rules (issue 5, "The IG pipeline feed"), shared by the API
(`consent.api_ig`, `consent.api_fhir`) and the commands (`consent_filter`, `ig_pseudonymise`,
`consent_export_pseudonyms`):

- tokens: issue, hash, authenticate, scope to purposes;
- the use policy: may this NHS number be used for this purpose now?
- pseudonyms: HMAC-SHA256 under a per-purpose key from the environment or a secret file;
- reading NHS numbers from text, CSV or JSON input as a stream, with errors by line.

Nothing here logs or raises with an NHS number in the message.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import hmac
import json
import os
import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .models import Purpose
from .nhs_number import NHSNumberError, validate_nhs_number
from .pipeline_models import (
    NationalOptOut,
    NationalOptOutCheck,
    PipelineCall,
    PipelineSystem,
    PipelineToken,
)
from .register_models import ConsentState

TOKEN_PREFIX = "igp_"
_PREFIX_LENGTH = 12


class PipelineError(Exception):
    """Stops an API call or command with a clear message; never holds an NHS number.

    `status` is the HTTP status the API answers with; commands exit non-zero."""

    def __init__(
        self, status: int, error: str, detail: str, *, errors: list[dict] | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.error = error
        self.detail = detail
        self.errors = errors or []

    def as_json(self) -> dict:
        body: dict = {"error": self.error, "detail": self.detail}
        if self.errors:
            body["errors"] = self.errors
        return body


class NationalOptOutStale(PipelineError):
    """The national opt-out cache is too old to rely on: fail closed."""

    def __init__(self, detail: str) -> None:
        super().__init__(503, "national_opt_out_stale", detail)


# ---------------------------------------------------------------------------------------------
# Tokens


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_issue(
    *,
    system: PipelineSystem,
    label: str = "",
    created_by=None,
    expires_at: dt.datetime | None = None,
) -> tuple[PipelineToken, str]:
    """Make a token for `system`. The raw token is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = PipelineToken.objects.create(
        system=system,
        label=label,
        prefix=raw[:_PREFIX_LENGTH],
        token_hash=token_hash(raw),
        created_by=created_by,
        expires_at=expires_at,
    )
    return token, raw


def token_revoke(*, token: PipelineToken, now: dt.datetime | None = None) -> None:
    token.revoked_at = now or timezone.now()
    token.save(update_fields=["revoked_at"])


def system_authenticate(authorization: str | None) -> PipelineSystem:
    """The system behind an `Authorization: Bearer <token>` header, or PipelineError(401)."""
    if not authorization:
        raise PipelineError(
            401, "unauthorised", "Send your system's API token: Authorization: Bearer <token>."
        )
    scheme, _, raw = authorization.partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw:
        raise PipelineError(
            401, "unauthorised", "Use the Bearer scheme: Authorization: Bearer <token>."
        )
    now = timezone.now()
    token = (
        PipelineToken.objects.select_related("system").filter(token_hash=token_hash(raw)).first()
    )
    if (
        token is None
        or token.revoked_at is not None
        or (token.expires_at is not None and token.expires_at <= now)
        or not token.system.is_active
    ):
        raise PipelineError(401, "unauthorised", "This API token is not valid.")
    # At most one write a minute per token: "last used" is for IG officers, not an audit trail
    # (PipelineCall is that).
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        PipelineToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.system


def purpose_authorise(system: PipelineSystem, code: str | None) -> Purpose:
    """The active purpose `code` if `system` may ask about it: 400 when missing, 404 when
    unknown, 403 when not in the system's scope."""
    if not code:
        raise PipelineError(400, "bad_request", "Say which purpose: ?purpose=CODE.")
    purpose = Purpose.objects.filter(code=code, is_active=True).first()
    if purpose is None:
        raise PipelineError(404, "unknown_purpose", f"There is no active purpose {code!r}.")
    if not system.purposes.filter(pk=purpose.pk).exists():
        raise PipelineError(
            403, "forbidden", f"This system may not ask about the purpose {code!r}."
        )
    return purpose


def call_record(
    *,
    system: PipelineSystem | None,
    endpoint: str,
    purpose_code: str = "",
    status: int,
    received: int = 0,
    returned: int = 0,
    invalid: int = 0,
    started: dt.datetime,
) -> PipelineCall:
    now = timezone.now()
    return PipelineCall.objects.create(
        system=system,
        endpoint=endpoint,
        purpose_code=purpose_code,
        status=status,
        numbers_received=received,
        numbers_returned=returned,
        numbers_invalid=invalid,
        at=started,
        duration_ms=max(0, int((now - started).total_seconds() * 1000)),
    )


# ---------------------------------------------------------------------------------------------
# The use policy


def national_opt_out_max_age() -> dt.timedelta:
    return dt.timedelta(hours=settings.CONSENT_NATIONAL_OPT_OUT_MAX_AGE_HOURS)


def national_opt_out_checked_at() -> dt.datetime | None:
    """When the last national opt-out check completed (the cache's age), or None."""
    last = (
        NationalOptOutCheck.objects.filter(completed_at__isnull=False)
        .order_by("-completed_at")
        .first()
    )
    return last.completed_at if last else None


def national_opt_outs_fresh(*, now: dt.datetime | None = None) -> set[str]:
    """The cached national opt-outs, or NationalOptOutStale if the cache is older than
    `CONSENT_NATIONAL_OPT_OUT_MAX_AGE_HOURS` (or was never filled): fail closed."""
    now = now or timezone.now()
    checked_at = national_opt_out_checked_at()
    if checked_at is None:
        raise NationalOptOutStale(
            "The national data opt-out has never been checked, and it applies to this purpose. "
            "Run the national opt-out check, then try again."
        )
    if now - checked_at > national_opt_out_max_age():
        raise NationalOptOutStale(
            f"The national data opt-out was last checked at {checked_at:%Y-%m-%d %H:%M} UTC, "
            f"more than {settings.CONSENT_NATIONAL_OPT_OUT_MAX_AGE_HOURS} hours ago, and it "
            "applies to this purpose. Run the national opt-out check, then try again."
        )
    return set(NationalOptOut.objects.values_list("nhs_number", flat=True).iterator(5000))


@dataclass(frozen=True)
class UsePolicy:
    """Who may be used for one purpose, as the register stands when it was made.

    Where the legal basis is consent, only people who consented (and have no national opt-out
    where that applies); otherwise everyone except those who objected (where objections are
    honoured) or opted out nationally (where that applies)."""

    purpose: Purpose
    consent_required: bool
    included: frozenset[str]
    excluded: frozenset[str]

    def allows(self, nhs_number: str) -> bool:
        if self.consent_required:
            return nhs_number in self.included and nhs_number not in self.excluded
        return nhs_number not in self.excluded


def use_policy(purpose: Purpose, *, now: dt.datetime | None = None) -> UsePolicy:
    """A snapshot of the register for `purpose`. Raises NationalOptOutStale when the national
    opt-out applies and its cache is too old."""
    excluded: set[str] = set()
    if purpose.national_opt_out_applies:
        excluded |= national_opt_outs_fresh(now=now)
    states = ConsentState.objects.filter(purpose=purpose)
    if purpose.objection_honoured:
        excluded.update(
            states.filter(state=ConsentState.OBJECTED)
            .values_list("nhs_number", flat=True)
            .iterator(5000)
        )
    consent_required = purpose.legal_basis == Purpose.CONSENT
    included: set[str] = set()
    if consent_required:
        included.update(
            states.filter(state=ConsentState.CONSENTED)
            .values_list("nhs_number", flat=True)
            .iterator(5000)
        )
    return UsePolicy(purpose, consent_required, frozenset(included), frozenset(excluded))


# ---------------------------------------------------------------------------------------------
# Pseudonyms


class PseudonymKeyMissing(PipelineError):
    def __init__(self, code: str) -> None:
        super().__init__(
            503,
            "pseudonym_key_missing",
            f"No pseudonymisation key is configured for the purpose {code!r}: set "
            f"{pseudonym_key_env_name(code)} or put the key in the file "
            f"{code} in IG_PSEUDONYM_KEYS_DIR (docs/ig-pseudonymisation.md).",
        )


def pseudonym_key_env_name(code: str) -> str:
    return "IG_PSEUDONYM_KEY_" + re.sub(r"[^A-Z0-9]", "_", code.upper())


def pseudonym_key(code: str) -> bytes:
    """The purpose's pseudonymisation key, from the environment variable
    `IG_PSEUDONYM_KEY_<CODE>` or the file `<IG_PSEUDONYM_KEYS_DIR>/<code>` (a mounted secret).
    Never from the database. In development and tests (`IG_PSEUDONYM_DEV_KEYS`), a key derived
    from the purpose code stands in; production refuses that setting."""
    value = os.environ.get(pseudonym_key_env_name(code), "")
    if not value and settings.IG_PSEUDONYM_KEYS_DIR:
        path = Path(settings.IG_PSEUDONYM_KEYS_DIR) / code
        if path.is_file():
            value = path.read_text().strip()
    if value:
        if len(value) < 32:
            raise PipelineError(
                503,
                "pseudonym_key_too_short",
                f"The pseudonymisation key for {code!r} must be at least 32 characters.",
            )
        return value.encode()
    if settings.IG_PSEUDONYM_DEV_KEYS:
        return hashlib.sha256(b"dev-only-pseudonym-key:" + code.encode()).hexdigest().encode()
    raise PseudonymKeyMissing(code)


def pseudonymiser(code: str):
    """A function NHS number -> pseudonym (64 hex characters) under `code`'s key."""
    key = pseudonym_key(code)
    new = hmac.new
    sha256 = hashlib.sha256

    def pseudonym(nhs_number: str) -> str:
        return new(key, nhs_number.encode(), sha256).hexdigest()

    return pseudonym


# ---------------------------------------------------------------------------------------------
# Reading NHS numbers
#
# Two readers over the same rules. `numbers_read` yields one NumberLine per item, in order.
# `numbers_scan` (the bulk check's) yields batches: the valid numbers as ASCII bytes and the
# invalid items, so a million-line file costs a loop of integer arithmetic per line and no
# object per valid number. Lines that are exactly ten ASCII digits take a fast path (the
# Modulus 11 check inlined); anything else goes through `validate_nhs_number`.


@dataclass(frozen=True)
class NumberLine:
    """One item of input: its line (or, for JSON, its 1-based position in the array), the
    normalised NHS number if valid, else the message saying what is wrong."""

    line: int
    nhs_number: str | None
    error: str | None = None


FORMATS = ("text", "csv", "json")
CONTENT_TYPES = {
    "text/plain": "text",
    "text/csv": "csv",
    "application/csv": "csv",
    "application/json": "json",
}
NumberBatch = tuple[list[bytes], list[NumberLine]]

_NOT_UTF8 = "The input is not UTF-8 text."
_BOM = codecs.BOM_UTF8
# All-same digits pass Modulus 11 but are not NHS numbers (nhs_number.validate_nhs_number).
_SAME_DIGITS = frozenset(str(digit).encode() * 10 for digit in range(10))
_JSON_BATCH = 4096


def _checked(line: int, raw: str) -> NumberLine:
    try:
        return NumberLine(line, validate_nhs_number(raw))
    except NHSNumberError as error:
        return NumberLine(line, None, error.message)


def validate_or_none(raw: str) -> str | None:
    try:
        return validate_nhs_number(raw)
    except NHSNumberError:
        return None


def _test_range_allowed() -> bool:
    return bool(getattr(settings, "CONSENT_ALLOW_TEST_NHS_NUMBERS", False))


def _plain_valid(digits: bytes, allow_test: bool) -> bool:
    """Exactly what validate_nhs_number accepts, for 10 ASCII digits: the weighted sum of all
    ten digits (the check digit weighted 1) is a multiple of 11 (the ASCII offset, 48 x 55, is
    one too), not all the same digit, and not the 999 test range unless allowed."""
    return (
        (
            digits[0] * 10
            + digits[1] * 9
            + digits[2] * 8
            + digits[3] * 7
            + digits[4] * 6
            + digits[5] * 5
            + digits[6] * 4
            + digits[7] * 3
            + digits[8] * 2
            + digits[9]
        )
        % 11
        == 0
        and digits not in _SAME_DIGITS
        and (allow_test or not digits.startswith(b"999"))
    )


def _decoded(raw: bytes) -> str:
    try:
        return raw.decode()
    except UnicodeDecodeError as error:
        raise PipelineError(400, "bad_request", _NOT_UTF8) from error


def _byte_lines(chunks: Iterable[bytes]) -> Iterator[list[bytes]]:
    """The input's lines split on "\\n" (their "\\r" kept), a list per chunk, without a UTF-8
    byte order mark. Splitting bytes is safe: "\\n" never occurs inside a UTF-8 sequence."""
    pending = b""
    bom_checked = False
    for chunk in chunks:
        if not chunk:
            continue
        pending += chunk
        if not bom_checked:
            if len(pending) < len(_BOM) and _BOM.startswith(pending):
                continue
            if pending.startswith(_BOM):
                pending = pending[len(_BOM) :]
            bom_checked = True
        lines = pending.split(b"\n")
        pending = lines.pop()
        if lines:
            yield lines
    if pending and not (not bom_checked and _BOM.startswith(pending)):
        yield [pending]


def _text_read(chunks: Iterable[bytes]) -> Iterator[NumberLine]:
    allow_test = _test_range_allowed()
    number = 0
    for lines in _byte_lines(chunks):
        for raw in lines:
            number += 1
            digits = raw if len(raw) == 10 else raw.strip()
            if len(digits) == 10 and digits.isdigit() and _plain_valid(digits, allow_test):
                yield NumberLine(number, digits.decode())
                continue
            text = _decoded(raw).strip()
            if text:
                yield _checked(number, text)


def _text_scan(chunks: Iterable[bytes]) -> Iterator[NumberBatch]:
    allow_test = _test_range_allowed()
    same = _SAME_DIGITS
    number = 0
    for lines in _byte_lines(chunks):
        valid: list[bytes] = []
        invalid: list[NumberLine] = []
        keep = valid.append
        for raw in lines:
            number += 1
            d = raw if len(raw) == 10 else raw.strip()
            if (
                len(d) == 10
                and d.isdigit()
                and (
                    (
                        d[0] * 10
                        + d[1] * 9
                        + d[2] * 8
                        + d[3] * 7
                        + d[4] * 6
                        + d[5] * 5
                        + d[6] * 4
                        + d[7] * 3
                        + d[8] * 2
                        + d[9]
                    )
                    % 11
                    == 0
                    and d not in same
                    and (allow_test or d[:3] != b"999")
                )
            ):
                keep(d)
                continue
            text = _decoded(raw).strip()
            if text:
                item = _checked(number, text)
                if item.nhs_number is None:
                    invalid.append(item)
                else:
                    keep(item.nhs_number.encode())
        yield valid, invalid


def _csv_lines(chunks: Iterable[bytes]) -> Iterator[str]:
    """Decoded lines ending "\\n" (so a quoted field may hold a line break), as csv wants."""
    for lines in _byte_lines(chunks):
        try:
            text = b"\n".join(lines).decode()
        except UnicodeDecodeError as error:
            raise PipelineError(400, "bad_request", _NOT_UTF8) from error
        yield from [line + "\n" for line in text.split("\n")]


def _csv_rows(chunks: Iterable[bytes]) -> Iterator[tuple[int, str | None]]:
    """(the line a row starts on, its NHS number cell or None when it has no such column) for
    each row with something in it. The column headed nhs_number (any case, spaces or
    hyphens), else the first column. A first row that is not a valid number and names no such
    column is taken as a header."""
    reader = csv.reader(_csv_lines(chunks))
    column = 0
    first = True
    end = 0  # a record starts on the line after the previous one ended (blank lines included)
    for row in reader:
        line, end = end + 1, reader.line_num
        cell = row[column] if column < len(row) else None
        if not (cell and not cell.isspace()) and not any(other.strip() for other in row):
            first = False
            continue  # a blank row, like a blank line
        if first:
            first = False
            if line == 1:
                names = [re.sub(r"[\s_-]", "", name).lower() for name in row]
                if "nhsnumber" in names:
                    column = names.index("nhsnumber")
                    continue
                if validate_or_none(row[0]) is None and not row[0].strip()[:1].isdigit():
                    continue  # some other header
        yield line, cell


_NO_COLUMN = "This row has no NHS number column"


def _csv_read(chunks: Iterable[bytes]) -> Iterator[NumberLine]:
    for line, cell in _csv_rows(chunks):
        yield NumberLine(line, None, _NO_COLUMN) if cell is None else _checked(line, cell)


def _csv_scan(chunks: Iterable[bytes]) -> Iterator[NumberBatch]:
    allow_test = _test_range_allowed()
    valid: list[bytes] = []
    invalid: list[NumberLine] = []
    for line, cell in _csv_rows(chunks):
        if cell is not None and len(cell) == 10 and cell.isdigit() and cell.isascii():
            digits = cell.encode()
            if _plain_valid(digits, allow_test):
                valid.append(digits)
                if len(valid) >= _JSON_BATCH:
                    yield valid, invalid
                    valid, invalid = [], []
                continue
        item = NumberLine(line, None, _NO_COLUMN) if cell is None else _checked(line, cell)
        if item.nhs_number is None:
            invalid.append(item)
        else:
            valid.append(item.nhs_number.encode())
    yield valid, invalid


_JSON_TOKEN = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|(-?\d+)|(,)|(\]))', re.DOTALL)


def _json_numbers(chunks: Iterable[str]) -> Iterator[NumberLine]:
    """A JSON array of strings (or whole numbers), read as a stream: bounded memory however
    long the array. `{"nhs_numbers": [...]}` is accepted too. Positions are 1-based."""
    buffer = ""
    chunks = iter(chunks)
    started = ended = False
    position = 0
    expect_item = True

    def more() -> bool:
        nonlocal buffer
        for chunk in chunks:
            if chunk:
                buffer += chunk
                return True
        return False

    while not started:
        match = re.match(r'\s*(\{\s*"nhs_numbers"\s*:\s*)?\[', buffer)
        if match:
            buffer = buffer[match.end() :]
            started = True
        elif len(buffer) > 64 or (buffer.strip() and buffer.strip()[0] not in "{[") or not more():
            raise PipelineError(
                400,
                "bad_request",
                'JSON input must be an array of NHS numbers, or {"nhs_numbers": [...]}.',
            )
    pos = 0  # matching at a position: slicing the buffer per item would copy it each time
    while not ended:
        match = _JSON_TOKEN.match(buffer, pos)
        if match is None or match.end() == len(buffer):
            # Need more text to be sure the token is whole (a number may continue).
            buffer = buffer[pos:]
            pos = 0
            if more():
                continue
            match = _JSON_TOKEN.match(buffer)
            if match is None:
                if buffer.strip():
                    raise PipelineError(
                        400,
                        "bad_request",
                        f"The JSON array is not valid after item {position}.",
                    )
                raise PipelineError(400, "bad_request", "The JSON array is not closed with ].")
        pos = match.end()
        string, number, comma, close = match.groups()
        if close is not None:
            ended = True
        elif comma is not None:
            if expect_item:
                raise PipelineError(
                    400, "bad_request", f"The JSON array has an empty item after item {position}."
                )
            expect_item = True
        else:
            if not expect_item:
                raise PipelineError(
                    400, "bad_request", f"A comma is missing after item {position} of the array."
                )
            expect_item = False
            position += 1
            if number is not None:
                raw = number
            elif "\\" in string:
                raw = json.loads(f'"{string}"')
            else:
                raw = string
            yield _checked(position, raw)
    # Only whitespace (and the closing brace of {"nhs_numbers": [...]}) may follow, read a
    # chunk at a time.
    rest = buffer[pos:].strip()
    for chunk in chunks:
        rest += chunk.strip()
        if rest not in ("", "}"):
            break
    if rest not in ("", "}"):
        raise PipelineError(400, "bad_request", "There is text after the JSON array.")


def _text_chunks(chunks: Iterable[bytes]) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        for chunk in chunks:
            yield decoder.decode(chunk)
        yield decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        raise PipelineError(400, "bad_request", _NOT_UTF8) from error


def _json_scan(chunks: Iterable[bytes]) -> Iterator[NumberBatch]:
    valid: list[bytes] = []
    invalid: list[NumberLine] = []
    for item in _json_numbers(_text_chunks(chunks)):
        if item.nhs_number is None:
            invalid.append(item)
        else:
            valid.append(item.nhs_number.encode())
            if len(valid) >= _JSON_BATCH:
                yield valid, invalid
                valid, invalid = [], []
    yield valid, invalid


def _format_checked(fmt: str) -> None:
    if fmt not in FORMATS:
        raise PipelineError(415, "unsupported_format", f"Send text, CSV or JSON, not {fmt!r}.")


def numbers_read(chunks: Iterable[bytes], fmt: str) -> Iterator[NumberLine]:
    """NHS numbers from a stream of UTF-8 byte chunks in `fmt` (text, csv or json), one
    NumberLine per item, in order. Memory stays bounded: nothing is kept between items."""
    _format_checked(fmt)
    if fmt == "json":
        return _json_numbers(_text_chunks(chunks))
    return _text_read(chunks) if fmt == "text" else _csv_read(chunks)


def numbers_scan(chunks: Iterable[bytes], fmt: str) -> Iterator[NumberBatch]:
    """The same items as `numbers_read`, in batches (about one per input chunk): the valid
    numbers, normalised, as 10-byte ASCII strings in input order, and the invalid items in
    input order. For bulk work, where building an object per valid number would cost more
    than checking it."""
    _format_checked(fmt)
    if fmt == "json":
        return _json_scan(chunks)
    return _text_scan(chunks) if fmt == "text" else _csv_scan(chunks)
