"""Pseudonymise on landing (issue 5, "Pseudonymise on landing"), for `manage.py ig_pseudonymise`.

An extract arrives as CSV with a header. Each row whose person may be used for the purpose
leaves with only:

- `pseudonym`: HMAC-SHA256 of the NHS number under the purpose's key (`pipeline.pseudonymiser`);
- `postcode_sector`: the postcode cut to its sector ("SS1 2AB" -> "SS1 2");
- `age_band`: the date of birth as a 5-year band on a reference date ("40-44"; "90+" at the top);
- `gender`: one of the NHS Data Dictionary's person stated gender codes (1, 2, 9, X);
- any columns named with `keep`, as they are.

Every input column must be accounted for: the NHS number column, a column that is (or is
mapped to) postcode, date_of_birth or gender, or a kept column. Anything else is refused, so an
unexpected identifier (a name, an address) never passes through by accident. Kept columns whose
names look like identifiers are refused too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings

from .nhs_number import NHSNumberError, validate_nhs_number
from .pipeline import PipelineError, UsePolicy, pseudonym_key, pseudonym_key_env_name

IDENTIFIERS = ("postcode", "date_of_birth", "gender")
OUTPUT_COLUMNS = ["pseudonym", "postcode_sector", "age_band", "gender"]
DEFAULT_NHS_NUMBER_COLUMN = "nhs_number"
MAX_REPORTED_INVALID = 20
PROGRESS_EVERY = 10_000
TOP_BAND_FROM = 90  # ages of 90 and over share one band: few people, easily singled out

# NHS Data Dictionary "person stated gender code": 1 male, 2 female, 9 indeterminate, X not known.
GENDER_CODES = {
    "1": "1",
    "m": "1",
    "male": "1",
    "man": "1",
    "2": "2",
    "f": "2",
    "female": "2",
    "woman": "2",
    "9": "9",
    "i": "9",
    "indeterminate": "9",
    "other": "9",
    "non-binary": "9",
    "nonbinary": "9",
    "x": "X",
    "0": "X",
    "u": "X",
    "unknown": "X",
    "not known": "X",
    "not stated": "X",
    "": "X",
}
# Words in a column name that say it holds an identifier, so it may not be kept as data.
_IDENTIFYING_WORDS = (
    "name",
    "address",
    "street",
    "postcode",
    "zip",
    "phone",
    "mobile",
    "email",
    "birth",
    "dob",
    "nhs",
    "passport",
    "ni_number",
    "national_insurance",
)
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9])(?:[A-Z]{2})?$")
_SAME_DIGITS = frozenset(str(digit).encode() * 10 for digit in range(10))
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y%m%d")


class ColumnsRefused(PipelineError):
    """The header has columns the pseudonymiser may not pass or cannot place."""

    def __init__(self, detail: str) -> None:
        super().__init__(400, "columns_refused", detail)


def column_key(name: str) -> str:
    """Column names compare by this: case, spaces and hyphens do not matter."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower()).strip("_")


@lru_cache(maxsize=65536)
def postcode_sector(value: str) -> str:
    """The postcode sector ("SS1 2AB" or "ss12ab" -> "SS1 2"), or "" if it is not a postcode.
    A sector on its own ("SS1 2") is kept as it is."""
    match = _POSTCODE.match(value.replace(" ", "").upper())
    if match is None:
        return ""
    return f"{match.group(1)} {match.group(2)}"


@lru_cache(maxsize=65536)
def _birth_date(value: str) -> dt.date | None:
    value = value.strip()
    if len(value) == 10 and value[4] == "-":
        try:
            return dt.date.fromisoformat(value)  # the usual case, much faster than strptime
        except ValueError:
            return None
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def age_band(value: str, on: dt.date) -> str:
    """The 5-year age band ("40-44") on the date `on` for a date of birth as YYYY-MM-DD,
    DD/MM/YYYY, DD-MM-YYYY or YYYYMMDD; "90+" for 90 and over; "" when the date is missing,
    not a date, or after `on`."""
    born = _birth_date(value)
    if born is None or born > on:
        return ""
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if age >= TOP_BAND_FROM:
        return f"{TOP_BAND_FROM}+"
    low = age - age % 5
    return f"{low}-{low + 4}"


def gender_code(value: str) -> str:
    """1 (male), 2 (female), 9 (indeterminate) or X (not known, and anything unrecognised)."""
    return GENDER_CODES.get(value.strip().lower(), "X")


def pseudonymiser_fast(code: str, *, key_env: str | None = None) -> HmacPseudonymiser:
    """The same function as `pipeline.pseudonymiser(code)`, NHS number -> HMAC-SHA256 under the
    purpose's key as 64 hex characters (RFC 2104), about three times faster for bulk work: the
    key's inner and outer blocks are hashed once and the hash state copied for each number,
    where `hmac.new` rebuilds them every time.

    `key_env` names another environment variable to take the key from, for running an old and
    a new key side by side while rotating (docs/ig-pseudonymisation.md). It must be a versioned
    name of the purpose's own variable: `IG_PSEUDONYM_KEY_<CODE>_V<n>`."""
    key = pseudonym_key(code) if key_env is None else rotation_key(code, key_env)
    return HmacPseudonymiser(key)


class HmacPseudonymiser:
    """HMAC-SHA256 under `key` as 64 hex characters, with the key's inner and outer blocks
    hashed once. `inner()` and `outer()` give fresh copies, for loops that inline it."""

    def __init__(self, key: bytes) -> None:
        block = hashlib.sha256().block_size
        if len(key) > block:
            key = hashlib.sha256(key).digest()
        key = key.ljust(block, b"\0")
        self.inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in key)).copy
        self.outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in key)).copy

    def __call__(self, nhs_number: str) -> str:
        first = self.inner()
        first.update(nhs_number.encode())
        second = self.outer()
        second.update(first.digest())
        return second.hexdigest()


def rotation_key(code: str, name: str) -> bytes:
    """The key in the environment variable `name`, a versioned name of the purpose's own."""
    own = pseudonym_key_env_name(code)
    if not re.fullmatch(re.escape(own) + r"_V[0-9]+", name):
        raise PipelineError(
            400,
            "bad_key_name",
            f"--key-env must name a versioned key for this purpose, like {own}_V2.",
        )
    value = os.environ.get(name, "")
    if not value:
        raise PipelineError(503, "pseudonym_key_missing", f"{name} is not set.")
    if len(value) < 32:
        raise PipelineError(
            503, "pseudonym_key_too_short", f"The key in {name} must be at least 32 characters."
        )
    return value.encode()


def mapping_parse(items: Iterable[str]) -> dict[str, str]:
    """`--map "Post Code=postcode"` options as {source column key: target}."""
    mapping: dict[str, str] = {}
    for item in items:
        source, equals, target = item.rpartition("=")
        target = column_key(target)
        if not equals or not source.strip():
            raise ColumnsRefused(f"Give each mapping as SOURCE=TARGET, not {item!r}.")
        if target not in IDENTIFIERS:
            raise ColumnsRefused(
                f"A column can be mapped only to {', '.join(IDENTIFIERS)}, not {target!r}."
            )
        mapping[column_key(source)] = target
    return mapping


@dataclass(frozen=True)
class Layout:
    """Where each needed value is in an input row, and which columns are kept."""

    nhs_number: int
    identifiers: dict[str, int]
    kept: list[tuple[int, str]]

    @property
    def output_header(self) -> list[str]:
        return OUTPUT_COLUMNS + [name for _, name in self.kept]


def layout_plan(
    header: list[str],
    *,
    nhs_number_column: str = DEFAULT_NHS_NUMBER_COLUMN,
    mapping: dict[str, str] | None = None,
    keep: Iterable[str] = (),
) -> Layout:
    """Check the header against the rule (module docstring) and say where everything is.
    Raises ColumnsRefused naming the first column that breaks it."""
    mapping = mapping or {}
    keep_keys = {column_key(name) for name in keep}
    for name in keep_keys:
        if any(word in name for word in _IDENTIFYING_WORDS) or name in OUTPUT_COLUMNS:
            raise ColumnsRefused(
                f"Column {name!r} looks like an identifier (or clashes with an output column), "
                "so it cannot be kept. Map it to postcode, date_of_birth or gender, or remove "
                "it from the extract."
            )
    nhs_key = column_key(nhs_number_column)
    nhs_index: int | None = None
    identifiers: dict[str, int] = {}
    kept: list[tuple[int, str]] = []
    seen: set[str] = set()
    for index, name in enumerate(header):
        key = column_key(name)
        if key in seen:
            raise ColumnsRefused(f"Column {name!r} appears twice in the header.")
        seen.add(key)
        target = mapping.get(key, key if key in IDENTIFIERS else None)
        if key == nhs_key:
            nhs_index = index
        elif target is not None:
            if target in identifiers:
                raise ColumnsRefused(f"Two columns give {target}; map only one of them.")
            identifiers[target] = index
        elif key in keep_keys:
            kept.append((index, name.strip()))
        else:
            raise ColumnsRefused(
                f"Column {name.strip()!r} is not an allowed identifier. Map it to postcode, "
                "date_of_birth or gender with --map, keep it with --keep if it holds no "
                "identifying data, or remove it from the extract."
            )
    if nhs_index is None:
        raise ColumnsRefused(
            f"There is no {nhs_number_column!r} column. Name the NHS number column with "
            "--nhs-number-column."
        )
    missing_keep = keep_keys - seen
    if missing_keep:
        raise ColumnsRefused(f"There is no column {sorted(missing_keep)[0]!r} to keep.")
    return Layout(nhs_index, identifiers, kept)


@dataclass
class PseudonymiseReport:
    rows: int = 0
    written: int = 0
    not_allowed: int = 0
    invalid: int = 0
    invalid_lines: list[tuple[int, str]] = field(default_factory=list)


def _csv_field(value: str) -> str:
    if "," in value or '"' in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def csv_lines(rows: Iterable[list[str]], *, plain_columns: int = 0) -> Iterator[str]:
    """CSV lines ("\n" endings, quoting as the csv module's minimal quoting) for `rows`, whose
    first `plain_columns` values are known to need no quoting (the pseudonym, sector, band and
    gender are all produced here). Several times faster than csv.writer for these rows."""
    for row in rows:
        if len(row) == plain_columns:
            yield ",".join(row) + "\n"
        else:
            quoted = [_csv_field(value) for value in row[plain_columns:]]
            yield ",".join(row[:plain_columns] + quoted) + "\n"


def rows_pseudonymise(
    rows: Iterable[list[str]],
    *,
    layout: Layout,
    policy: UsePolicy,
    pseudonym: HmacPseudonymiser,
    age_on: dt.date,
    report: PseudonymiseReport,
    line_of: Callable[[], int],
    progress: Callable[[int], object] | None = None,
) -> Iterator[str]:
    """The output, as CSV lines ending "\\n" (see `csv_lines`), for the input rows after the
    header, counting into `report`. Rows with an invalid NHS number, or one the policy does not
    allow, are dropped; `line_of()` gives the current row's line for the report; `progress(n)`
    is told of every PROGRESS_EVERY rows read. Blank rows are skipped.

    This loop runs a million times for a big extract, so it is written for speed: ten plain
    digits are checked inline (the same rule as nhs_number.validate_nhs_number), the HMAC is
    inlined, and bands, sectors and genders are looked up once per distinct value."""
    nhs_index = layout.nhs_number
    postcode_index = layout.identifiers.get("postcode")
    birth_index = layout.identifiers.get("date_of_birth")
    gender_index = layout.identifiers.get("gender")
    kept = [index for index, _ in layout.kept]
    width = 1 + max([nhs_index, *layout.identifiers.values(), *kept])
    allows = policy.allows
    excluded = policy.excluded
    fast_exclusion = not policy.consent_required
    allow_test = bool(settings.CONSENT_ALLOW_TEST_NHS_NUMBERS)
    same_digits = _SAME_DIGITS
    inner, outer = pseudonym.inner, pseudonym.outer
    sector = postcode_sector
    bands: dict[str, str] = {}
    genders = dict(GENDER_CODES)
    rows_seen = written = not_allowed = 0
    countdown = PROGRESS_EVERY
    try:
        for row in rows:
            countdown -= 1
            if not countdown:
                countdown = PROGRESS_EVERY
                if progress is not None:
                    progress(PROGRESS_EVERY)
            if len(row) < width:
                if not any(row):
                    continue  # a blank line
                row = row + [""] * (width - len(row))
            number = row[nhs_index]
            if len(number) == 10 and number.isdigit() and number.isascii():
                d = number.encode()
                plain = (
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
                    and d not in same_digits
                    and (allow_test or not number.startswith("999"))
                )
            else:
                if not number and not any(row):
                    continue  # a row of empty cells
                plain = False
            rows_seen += 1
            if not plain:
                try:
                    number = validate_nhs_number(number, allow_test_range=allow_test)
                except NHSNumberError as error:
                    report.invalid += 1
                    if len(report.invalid_lines) < MAX_REPORTED_INVALID:
                        report.invalid_lines.append((line_of(), error.message))
                    continue
                d = number.encode()
            if (number in excluded) if fast_exclusion else not allows(number):
                not_allowed += 1
                continue
            band = ""
            if birth_index is not None:
                born = row[birth_index]
                band = bands.get(born)
                if band is None:
                    if len(bands) > 100_000:  # bounded memory on a strange file
                        bands.clear()
                    band = bands[born] = age_band(born, age_on)
            gender = "X"
            if gender_index is not None:
                stated = row[gender_index]
                gender = genders.get(stated)
                if gender is None:
                    gender = gender_code(stated)
                    if len(genders) < 1000:
                        genders[stated] = gender
            first = inner()
            first.update(d)
            second = outer()
            second.update(first.digest())
            line = (
                f"{second.hexdigest()},"
                f"{'' if postcode_index is None else sector(row[postcode_index])},"
                f"{band},{gender}"
            )
            if kept:
                line += "," + ",".join([_csv_field(row[index]) for index in kept])
            written += 1
            yield line + "\n"
    finally:
        report.rows += rows_seen
        report.written += written
        report.not_allowed += not_allowed
