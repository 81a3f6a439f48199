"""Import services from a flat spreadsheet export of an old directory (CSV).

The columns are documented in docs/directory-csv-import.md. Every row is checked before
anything is written; rows with problems are reported with their line number and skipped.
The whole import is one transaction and each good row a savepoint inside it: a row that
cannot be saved is undone alone and reported, while anything unexpected (a crash, an
interrupt, a lost database) undoes the whole import, so a file is never half imported. The
key is the organisation's name and the service's name: importing the same file again
updates those services instead of adding copies.
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import TextIO

from django.contrib.auth.models import AbstractBaseUser as User
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Location, OrganisationPage, ServicePage, TaxonomyTerm
from .services import (
    PhoneData,
    ScheduleData,
    ServiceData,
    directory_index_get,
    local_categories_get,
    location_get_or_create,
    organisation_get_or_create,
    organisation_update,
    service_create,
    service_data_from_page,
    service_update,
)

# Column name -> what it holds. The first four must be in the header.
COLUMNS = {
    "organisation_name": "the organisation that runs the service",
    "service_name": "the service's name",
    "summary": "one or two sentences, at most 280 characters",
    "categories": "local categories, by name or code, separated by ';'",
    "organisation_description": "what the organisation does",
    "organisation_website": "the organisation's web address",
    "organisation_email": "the organisation's email address",
    "organisation_phone": "the organisation's phone number",
    "description": "what the service does (the summary if empty)",
    "website": "the service's web address",
    "email": "the service's email address",
    "phone": "the service's phone number",
    "location_name": "the name of the place (the first address line if empty)",
    "address_1": "address line 1",
    "address_2": "address line 2",
    "town": "town or city",
    "postcode": "a full UK postcode",
    "min_age": "minimum age in years",
    "max_age": "maximum age in years",
    "eligibility": "who the service is for",
    "free": "yes or no",
    "fees": "what it costs",
    "referral_required": "yes or no",
    "times": "weekly times: 'Mon 09:00-17:00; Tue 09:00-12:30'",
    "attending": "in person, online, phone; separated by ';'",
    "coverage": "local, county or national",
    "status": "active, temporarily closed, inactive or defunct",
    "last_checked": "when the listing was last confirmed: dd/mm/yyyy",
}
REQUIRED_COLUMNS = ("organisation_name", "service_name", "summary", "categories")
ALIASES = {
    "organisation": "organisation_name",
    "organization_name": "organisation_name",
    "provider": "organisation_name",
    "service": "service_name",
    "name": "service_name",
    "category": "categories",
    "url": "website",
    "address_line_1": "address_1",
    "address_line_2": "address_2",
    "address1": "address_1",
    "address2": "address_2",
    "city": "town",
    "town_or_city": "town",
    "post_code": "postcode",
    "minimum_age": "min_age",
    "maximum_age": "max_age",
    "days_and_times": "times",
    "opening_times": "times",
    "how_to_attend": "attending",
    "last_checked_date": "last_checked",
    "assured_date": "last_checked",
}

DAYS = {
    "mon": 0,
    "monday": 0,
    "tue": 1,
    "tues": 1,
    "tuesday": 1,
    "wed": 2,
    "weds": 2,
    "wednesday": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "thursday": 3,
    "fri": 4,
    "friday": 4,
    "sat": 5,
    "saturday": 5,
    "sun": 6,
    "sunday": 6,
}
_TIME_ENTRY = re.compile(
    r"(?P<first>[a-z]+)(?:\s*-\s*(?P<last>[a-z]+))?\s+"
    r"(?P<opens>\d{2}:\d{2})\s*-\s*(?P<closes>\d{2}:\d{2})"
)
_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}")
_PHONE = re.compile(r"[0-9 +()\-]+")
_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}
ATTENDING = {
    "in person": "in_person",
    "in-person": "in_person",
    "face to face": "in_person",
    "online": "online",
    "video": "online",
    "phone": "phone",
    "by phone": "phone",
    "telephone": "phone",
}
COVERAGES = {"local": "local", "county": "county", "county-wide": "county", "national": "national"}
STATUSES = {value for value, _label in ServicePage.STATUSES}


class CsvImportError(Exception):
    """The file as a whole cannot be imported (empty, not CSV, required columns missing)."""


@dataclass
class Row:
    """One row, checked and converted. `present` names the optional columns in the file."""

    line: int
    organisation: str
    service: str
    present: frozenset[str]
    values: dict[str, object] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return (self.organisation.casefold(), self.service.casefold())


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    dry_run: bool = False

    @property
    def rejected(self) -> int:
        """How many rows were not imported (a row can have several problems)."""
        return len({line for line, _reason in self.problems})

    @property
    def summary(self) -> str:
        verb = "would be " if self.dry_run else ""
        return (
            f"{self.created} {verb}created, {self.updated} {verb}updated, "
            f"{self.unchanged} unchanged, {self.rejected} rejected"
        )


# --- Reading -----------------------------------------------------------------------------


def _column(name: str) -> str:
    key = re.sub(r"[\s\-]+", "_", name.strip().lower())
    return ALIASES.get(key, key)


class CsvRows:
    """The rows of a CSV file as (line number, {column: value}); the header is line 1.

    Open the file with encoding="utf-8-sig" and newline="" so that a byte order mark and
    Windows line endings are handled (a BOM left in the text is dropped here too). Blank
    rows are skipped. Raises CsvImportError when the header is missing or unusable.
    """

    def __init__(self, stream: TextIO) -> None:
        self._reader = csv.reader(stream)
        try:
            header = next(self._reader)
        except StopIteration:
            raise CsvImportError(
                "The file is empty: it needs a header row, then one row for each service"
            ) from None
        except csv.Error as error:
            raise CsvImportError(f"The file is not a CSV file: {error}") from None
        if header and header[0].startswith("\ufeff"):
            header[0] = header[0][1:]
        self.columns = [_column(name) for name in header]
        if not any(self.columns):
            raise CsvImportError("The first line is empty: it must name the columns")
        missing = [name for name in REQUIRED_COLUMNS if name not in self.columns]
        if missing:
            raise CsvImportError(
                "The header (line 1) has no "
                + ", ".join(f"'{name}'" for name in missing)
                + f" column{'s' if len(missing) > 1 else ''}. The required columns are "
                + ", ".join(REQUIRED_COLUMNS)
                + "."
            )
        repeated = sorted({name for name in self.columns if name and self.columns.count(name) > 1})
        if repeated:
            raise CsvImportError(f"The header (line 1) has more than one '{repeated[0]}' column")
        self.unknown_columns = [
            name
            for name, column in zip(header, self.columns, strict=True)
            if column and column not in COLUMNS
        ]

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        reader, columns = self._reader, self.columns
        last_line = reader.line_num
        try:
            for cells in reader:
                # line_num is where a row ends; a quoted cell can span lines.
                line, last_line = last_line + 1, reader.line_num
                if not any(cell.strip() for cell in cells):
                    continue
                values = {
                    column: (
                        cells[index].replace("\r\n", "\n").strip() if index < len(cells) else ""
                    )
                    for index, column in enumerate(columns)
                    if column in COLUMNS
                }
                if any(cell.strip() for cell in cells[len(columns) :]):
                    values["__extra__"] = "yes"
                yield line, values
        except csv.Error as error:
            raise CsvImportError(
                f"line {reader.line_num}: the file is not valid CSV: {error}"
            ) from None


# --- Checking ----------------------------------------------------------------------------


def _postcode(raw: str) -> str | None:
    compact = "".join(raw.split()).upper()
    if not compact.isascii() or len(compact) < 5:
        return None
    candidate = f"{compact[:-3]} {compact[-3:]}"
    return candidate if _POSTCODE.fullmatch(candidate) else None


def _time(text: str) -> datetime.time | None:
    hours, minutes = (int(part) for part in text.split(":"))
    if hours == 24 and minutes == 0:
        return datetime.time(23, 59)
    if hours > 23 or minutes > 59:
        return None
    return datetime.time(hours, minutes)


def _times(raw: str) -> tuple[list[tuple[int, datetime.time, datetime.time]], list[str]]:
    sessions, errors = [], []
    example = "should look like 'Mon 09:00-17:00'"
    for entry in (part.strip() for part in raw.split(";")):
        if not entry:
            continue
        text = entry.lower().replace("\u2013", "-").replace("\u2014", "-")
        match = _TIME_ENTRY.fullmatch(text)
        if not match or match["first"] not in DAYS or (match["last"] and match["last"] not in DAYS):
            errors.append(f"times '{entry}' {example}")
            continue
        opens, closes = _time(match["opens"]), _time(match["closes"])
        if opens is None or closes is None:
            errors.append(f"times '{entry}' {example}")
            continue
        if closes <= opens:
            errors.append(f"times '{entry}': the closing time must be after the opening time")
            continue
        first = DAYS[match["first"]]
        last = DAYS[match["last"]] if match["last"] else first
        if last < first:
            errors.append(f"times '{entry}': the days must run forwards, like 'Mon-Fri'")
            continue
        sessions.extend((day, opens, closes) for day in range(first, last + 1))
    return sorted(set(sessions)), errors


def _yes_no(raw: str, label: str, errors: list[str], default: bool) -> bool:
    value = raw.strip().lower()
    if not value:
        return default
    if value in YES:
        return True
    if value in NO:
        return False
    errors.append(f"{label} '{raw}' should be yes or no")
    return default


def _age(raw: str, label: str, errors: list[str]) -> int | None:
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > 120:
        errors.append(f"{label} '{raw}' should be a whole number of years, from 0 to 120")
        return None
    return int(raw)


def _website(raw: str, label: str, errors: list[str]) -> str:
    if not raw:
        return ""
    value = raw if re.match(r"[a-z][a-z0-9+.-]*://", raw, re.IGNORECASE) else f"https://{raw}"
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        errors.append(f"{label} '{raw}' is not a web address")
        return ""
    if len(value) > 200:
        errors.append(f"{label} is longer than 200 characters")
    return value


def _email(raw: str, label: str, errors: list[str]) -> str:
    if not raw:
        return ""
    try:
        validate_email(raw)
    except ValidationError:
        errors.append(f"{label} '{raw}' is not an email address")
        return ""
    return raw


def _phone(raw: str, label: str, errors: list[str]) -> str:
    if not raw:
        return ""
    digits = sum(char.isdigit() for char in raw)
    if not _PHONE.fullmatch(raw) or not 3 <= digits <= 15 or len(raw) > 40:
        errors.append(f"{label} '{raw}' is not a phone number")
        return ""
    return raw


def _length(values: dict[str, str], name: str, label: str, limit: int, errors: list[str]) -> str:
    value = values.get(name, "")
    if len(value) > limit:
        errors.append(f"{label} is {len(value)} characters long: it must be {limit} or fewer")
    return value


class _Checker:
    """Checks rows against the file's rules and the directory's categories and postcodes."""

    def __init__(self, *, today: datetime.date) -> None:
        from search.models import Postcode, PostcodeDistrict

        self.today = today
        self.postcodes = Postcode.objects
        self.districts = PostcodeDistrict.objects
        self.terms: dict[str, TaxonomyTerm] = {}
        for term in TaxonomyTerm.objects.filter(taxonomy=local_categories_get()):
            for key in (term.name, term.code, term.slug):
                if key:
                    self.terms.setdefault(key.casefold(), term)

    def check(self, line: int, values: dict[str, str]) -> tuple[Row | None, list[str]]:
        errors: list[str] = []
        if values.get("__extra__"):
            errors.append("the row has more cells than the header has columns")
        organisation = _length(values, "organisation_name", "the organisation name", 255, errors)
        service = _length(values, "service_name", "the service name", 255, errors)
        if not organisation:
            errors.append("the organisation name is empty")
        if not service:
            errors.append("the service name is empty")
        present = frozenset(name for name in values if name in COLUMNS)
        row = Row(line=line, organisation=organisation, service=service, present=present)
        out = row.values

        out["summary"] = _length(values, "summary", "the summary", 280, errors)
        if not out["summary"]:
            errors.append("the summary is empty")
        out["description"] = values.get("description", "") or out["summary"]
        out["organisation_description"] = values.get("organisation_description", "")
        out["eligibility"] = values.get("eligibility", "")
        out["fees"] = values.get("fees", "")

        terms = []
        for name in (part.strip() for part in values.get("categories", "").split(";")):
            if not name:
                continue
            term = self.terms.get(name.casefold())
            if term is None:
                errors.append(f"unknown category '{name}'")
            elif term not in terms:
                terms.append(term)
        if not terms and not any("unknown category" in error for error in errors):
            errors.append("there are no categories: give at least one, separated by ';'")
        out["terms"] = terms

        out["website"] = _website(values.get("website", ""), "website", errors)
        out["organisation_website"] = _website(
            values.get("organisation_website", ""), "organisation website", errors
        )
        out["email"] = _email(values.get("email", ""), "email", errors)
        out["organisation_email"] = _email(
            values.get("organisation_email", ""), "organisation email", errors
        )
        out["phone"] = _phone(values.get("phone", ""), "phone", errors)
        out["organisation_phone"] = _phone(
            values.get("organisation_phone", ""), "organisation phone", errors
        )

        self._location(row, values, errors)

        low = _age(values.get("min_age", ""), "minimum age", errors)
        high = _age(values.get("max_age", ""), "maximum age", errors)
        if low is not None and high is not None and high < low:
            errors.append(f"maximum age {high} is less than minimum age {low}")
        out["minimum_age"], out["maximum_age"] = low, high

        out["is_free"] = _yes_no(values.get("free", ""), "free", errors, default=True)
        out["referral_required"] = _yes_no(
            values.get("referral_required", ""), "referral required", errors, default=False
        )
        sessions, time_errors = _times(values.get("times", ""))
        errors += time_errors
        out["sessions"] = sessions

        attending = set()
        for part in re.split(r"[;,/]|\band\b", values.get("attending", "").lower()):
            part = " ".join(part.split())
            if not part:
                continue
            if part not in ATTENDING:
                errors.append(f"attending '{part}' should be in person, online or phone")
            else:
                attending.add(ATTENDING[part])
        out["attending"] = attending or {"in_person"}

        coverage = values.get("coverage", "").strip().lower() or "local"
        if coverage not in COVERAGES:
            errors.append(f"coverage '{values['coverage']}' should be local, county or national")
        out["coverage"] = COVERAGES.get(coverage, "local")

        status = values.get("status", "").strip().lower() or ServicePage.STATUS_ACTIVE
        if status not in STATUSES:
            errors.append(
                f"status '{values['status']}' should be active, temporarily closed, inactive "
                "or defunct"
            )
        out["status"] = status

        out["assured_date"] = None
        if raw := values.get("last_checked", ""):
            match = _DATE.fullmatch(raw)
            try:
                if not match:
                    raise ValueError
                day, month, year = (int(part) for part in match.groups())
                checked = datetime.date(year, month, day)
            except ValueError:
                errors.append(f"last checked '{raw}' should be a date like 31/01/2025")
            else:
                if checked > self.today:
                    errors.append(f"last checked {checked:%d/%m/%Y} is in the future")
                out["assured_date"] = checked
        return (None if errors else row), errors

    def _location(self, row: Row, values: dict[str, str], errors: list[str]) -> None:
        out = row.values
        address_1 = _length(values, "address_1", "address line 1", 200, errors)
        address_2 = _length(values, "address_2", "address line 2", 200, errors)
        town = _length(values, "town", "the town", 100, errors)
        name = _length(values, "location_name", "the location name", 200, errors)
        raw_postcode = values.get("postcode", "")
        postcode = _postcode(raw_postcode) if raw_postcode else ""
        if postcode is None:
            errors.append(f"postcode '{raw_postcode}' is not a full UK postcode")
            postcode = ""
        out["location"] = None
        if not (address_1 or address_2 or town or postcode or name):
            return
        latitude = longitude = None
        if postcode:
            outward = postcode.split()[0]
            if point := (
                self.postcodes.filter(postcode=postcode)
                .values_list("latitude", "longitude")
                .first()
            ):
                latitude, longitude = point
            elif point := (
                self.districts.filter(outward=outward).values_list("latitude", "longitude").first()
            ):
                latitude, longitude = point
                row.warnings.append(
                    f"postcode '{postcode}' is not in the postcode table: the location is "
                    f"placed at the centre of {outward}"
                )
            else:
                row.warnings.append(
                    f"postcode '{postcode}' is not in the postcode table: the location is "
                    "imported without a map position"
                )
        else:
            row.warnings.append("there is no postcode: the location has no map position")
        out["location"] = {
            "name": name or address_1 or postcode or town,
            "address_1": address_1,
            "address_2": address_2,
            "city": town,
            "postal_code": postcode,
            "latitude": latitude,
            "longitude": longitude,
        }


def csv_rows_check(
    rows: Iterable[tuple[int, dict[str, str]]], *, today: datetime.date | None = None
) -> tuple[list[Row], list[tuple[int, str]]]:
    """Good rows, and (line, reason) for every problem in the bad ones."""
    checker = _Checker(today=today or timezone.localdate())
    good: list[Row] = []
    problems: list[tuple[int, str]] = []
    seen: dict[tuple[str, str], int] = {}
    for line, values in rows:
        row, errors = checker.check(line, values)
        if row is not None and row.key in seen:
            errors = [
                f"'{row.service}' of '{row.organisation}' is already on line {seen[row.key]}: "
                "each service can be in the file once"
            ]
            row = None
        if row is None:
            problems.extend((line, error) for error in errors)
            continue
        seen[row.key] = line
        good.append(row)
    return good, problems


# --- Writing -----------------------------------------------------------------------------


def _organisation_details(
    rows: list[Row],
) -> tuple[dict[str, dict[str, str]], list[tuple[int, str]]]:
    """Each organisation's contact details: the first row that gives each one wins."""
    details: dict[str, dict[str, str]] = {}
    first_line: dict[tuple[str, str], int] = {}
    warnings = []
    for row in rows:
        found = details.setdefault(row.organisation.casefold(), {})
        for column, attribute in (
            ("organisation_website", "website"),
            ("organisation_email", "email"),
            ("organisation_phone", "phone"),
            ("organisation_description", "description"),
        ):
            value = row.values.get(column)
            if not value:
                continue
            if attribute not in found:
                found[attribute] = value
                first_line[(row.organisation.casefold(), attribute)] = row.line
            elif found[attribute] != value:
                other = first_line[(row.organisation.casefold(), attribute)]
                warnings.append(
                    (
                        row.line,
                        f"{column.replace('_', ' ')} differs from line {other}: using line "
                        f"{other}'s",
                    )
                )
    return details, warnings


def _find_organisation(name: str) -> OrganisationPage | None:
    return (
        OrganisationPage.objects.child_of(directory_index_get())
        .filter(title__iexact=name)
        .order_by("pk")
        .first()
    )


def _find_location(organisation: OrganisationPage | None, wanted: dict) -> Location | None:
    if organisation is None:
        return None
    found = Location.objects.filter(
        organisation=organisation,
        postal_code__iexact=wanted["postal_code"],
        address_1__iexact=wanted["address_1"],
    )
    if not (wanted["postal_code"] or wanted["address_1"]):
        found = found.filter(name__iexact=wanted["name"])
    return found.order_by("pk").first()


def _service_data(row: Row, before: ServiceData | None, location: Location | None) -> ServiceData:
    """The listing after this row: the row's columns over what the directory holds."""
    values, present = row.values, row.present
    data = before or ServiceData(name=row.service, summary="", description="")
    data = replace(data, name=row.service)
    changes: dict[str, object] = {
        "summary": values["summary"],
        "terms": sorted(values["terms"], key=lambda term: term.pk),
    }
    if before is None or "description" in present:
        changes["description"] = values["description"]
    if before is None or "website" in present:
        changes["website"] = values["website"]
    if before is None or "email" in present:
        changes["email"] = values["email"]
    if before is None or "phone" in present:
        phone = values["phone"]
        if not phone:
            changes["phones"] = []
        elif not any(existing.number == phone for existing in data.phones):
            changes["phones"] = [PhoneData(phone)]
    if before is None or present & {"address_1", "address_2", "town", "postcode", "location_name"}:
        changes["locations"] = [location] if location is not None else []
    if before is None or "min_age" in present:
        changes["minimum_age"] = values["minimum_age"]
    if before is None or "max_age" in present:
        changes["maximum_age"] = values["maximum_age"]
    if before is None or "eligibility" in present:
        changes["eligibility_description"] = values["eligibility"]
    if before is None or "free" in present:
        changes["is_free"] = values["is_free"]
    if before is None or "fees" in present:
        changes["fees"] = values["fees"]
    if before is None or "referral_required" in present:
        changes["referral_required"] = values["referral_required"]
    if before is None or "times" in present:
        changes["schedules"] = [
            ScheduleData(weekday=day, opens_at=opens, closes_at=closes)
            for day, opens, closes in values["sessions"]
        ]
    if before is None or "attending" in present:
        attending = values["attending"]
        changes["attending_in_person"] = "in_person" in attending
        changes["attending_online"] = "online" in attending
        changes["attending_phone"] = "phone" in attending
    if before is None or "coverage" in present:
        changes["coverage"] = values["coverage"]
    if before is None or "status" in present:
        changes["status"] = values["status"]
    if before is None or "last_checked" in present:
        changes["assured_date"] = values["assured_date"]
    return replace(data, **changes)


def _apply(
    row: Row, org_details: dict[str, str], *, dry_run: bool, user: User | None = None
) -> str:
    """Write one row (or, in a dry run, only work out what would happen): the outcome."""
    organisation = _find_organisation(row.organisation)
    org_changed = False
    if organisation is not None and org_details:
        org_changed = any(
            getattr(organisation, name) != value for name, value in org_details.items()
        )
    service = (
        ServicePage.objects.child_of(organisation)
        .filter(title__iexact=row.service)
        .order_by("pk")
        .first()
        if organisation is not None
        else None
    )
    wanted_location = row.values["location"]
    location = _find_location(organisation, wanted_location) if wanted_location else None
    before = service_data_from_page(service=service) if service is not None else None
    if before is not None and wanted_location and location is None:
        # A new place: it differs from whatever the service had.
        location = Location(**wanted_location)
    after = _service_data(row, before, location)
    if before is not None and after == before and not org_changed:
        return "unchanged"
    outcome = "created" if service is None else "updated"
    if dry_run:
        return outcome

    if organisation is None:
        organisation, _ = organisation_get_or_create(
            name=row.organisation, user=user, **org_details
        )
    elif org_changed:
        organisation_update(organisation=organisation, user=user, **org_details)
    if wanted_location:
        location, _ = location_get_or_create(organisation=organisation, **wanted_location)
        after = _service_data(row, before, location)
    if service is None:
        service_create(organisation=organisation, data=after, user=user)
    elif after != before:  # not when only the organisation's details changed
        service_update(service=service, data=after, user=user)
    return outcome


def _import_row(
    row: Row,
    details: dict[str, dict[str, str]],
    report: ImportReport,
    *,
    dry_run: bool,
    user: User | None,
) -> None:
    report.warnings.extend((row.line, warning) for warning in row.warnings)
    try:
        with transaction.atomic():  # a savepoint: a row that cannot be saved goes alone
            outcome = _apply(row, details[row.organisation.casefold()], dry_run=dry_run, user=user)
    except ValidationError as error:
        report.problems.append((row.line, f"could not be saved: {'; '.join(error.messages)}"))
    except IntegrityError as error:
        report.problems.append((row.line, f"could not be saved: {error}"))
    else:
        setattr(report, outcome, getattr(report, outcome) + 1)


def csv_import(
    *,
    stream: TextIO,
    dry_run: bool = False,
    user: User | None = None,
    today: datetime.date | None = None,
    on_row: Callable[[], None] | None = None,
) -> ImportReport:
    """Check every row, then import the good ones in one transaction, each row in a savepoint.

    Raises CsvImportError when the file as a whole cannot be read. In a dry run nothing is
    written: the report says what would have happened. `on_row` is called after each good
    row is handled. Any exception other than a row's own ValidationError or IntegrityError
    propagates and rolls back every row.
    """
    report = ImportReport(dry_run=dry_run)
    rows = CsvRows(stream)
    report.warnings.extend(
        (1, f"column '{name}' is not one this import knows, so it is ignored")
        for name in rows.unknown_columns
    )
    good, problems = csv_rows_check(rows, today=today)
    report.problems.extend(problems)
    details, warnings = _organisation_details(good)
    report.warnings.extend(warnings)
    with transaction.atomic():
        for row in good:
            _import_row(row, details, report, dry_run=dry_run, user=user)
            if on_row:
                on_row()
    report.problems.sort(key=lambda problem: problem[0])
    report.warnings.sort(key=lambda warning: warning[0])
    return report
