"""Open Referral UK 3.0 records to and from the directory's models.

Outbound (`*_dict` functions): published model objects, with their relations prefetched by
`directory.selectors`, to the plain dicts the API returns and `export_oruk` writes. Given
objects loaded that way, nothing here runs a query.
Inbound (`*_from_oruk` functions): ORUK dicts to checked values that `directory.importers`
saves; a record we cannot use raises `OrukRecordError` saying where and why.

Conventions, documented for API users in docs/api.md:

- Ids are our models' `uuid`s. Things with no row of their own (a location's address, a
  service's area, the "free" cost option, the link from a service to a term, organisation
  identifiers) get a uuid5 derived from their owner's uuid, so they are stable.
- A property with no value is left out rather than sent as null or "", except where the
  ORUK schema requires it.
- Properties the UK profile leaves out but HSDS 3.0 defines keep their HSDS names
  (`phones`, `eligibility_description`, `application_process`, language `name`/`code`,
  contact `email`/`phones`, address `address_2`, service_at_location `description` and
  `schedules`, term `taxonomy_detail`, attribute `link_entity`). Our own are prefixed `x_`.
- Times are wall-clock "HH:MM" in Europe/London; datetimes are UTC with milliseconds.
"""

from __future__ import annotations

import datetime
import math
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils.text import slugify

from .models.schedules import ICAL_DAYS, WEEKDAYS

if TYPE_CHECKING:
    from .models import (
        Location,
        OrganisationPage,
        RegularSchedule,
        ScheduleException,
        ServiceAtLocation,
        ServicePage,
        Taxonomy,
        TaxonomyTerm,
    )

ORUK_VERSION = "3.0"
PROFILE_URL = "https://github.com/openreferral/uk-profile"
ORUK_SCHEMA_BASE = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"

CHARITY_SCHEME = "GB-CHC"
COMPANY_SCHEME = "GB-COH"
FREE_OPTION = "Free"
# Sent as `fees` when a service charges but says nothing more; not stored back on import.
CHARGES_APPLY = "Charges apply: contact the service for details"
ATTENDING_CODES = ("in_person", "online", "phone")
ATTENDING_LABELS = {"in_person": "in person", "online": "online", "phone": "by phone"}
COVERAGES = ("local", "county", "national")
SERVICE_STATUSES = ("active", "inactive", "defunct", "temporarily closed")
LOCATION_TYPES = ("physical", "postal", "virtual")
DAY_NAMES = dict(WEEKDAYS)
UK_COUNTRY_NAMES = {
    "uk",
    "united kingdom",
    "great britain",
    "england",
    "scotland",
    "wales",
    "northern ireland",
}


@dataclass(frozen=True)
class MappingContext:
    """What the outbound mapping needs besides the objects themselves."""

    area_names: Mapping[str, str]  # coverage -> the area's name
    organisations: Mapping[int, OrganisationPage]  # service page id -> its organisation
    terms: Mapping[int, TaxonomyTerm] = field(default_factory=dict)  # id -> term, ancestors
    page_urls: Mapping[int, str] = field(default_factory=dict)  # page id -> public URL
    rich_text: Mapping[int, str] = field(default_factory=dict)  # service id -> expanded HTML


def derived_id(owner: uuid.UUID | str, kind: str) -> str:
    """A stable id for something with no row of its own, from its owner's id."""
    return str(uuid.uuid5(uuid.UUID(str(owner)), kind))


def iso_datetime(value: datetime.datetime) -> str:
    """UTC with milliseconds: 2024-05-01T08:30:00.000Z."""
    text = value.astimezone(datetime.UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def hhmm(value: datetime.time) -> str:
    return value.strftime("%H:%M")


def _compact(data: dict[str, Any], *, keep: Sequence[str] = ()) -> dict[str, Any]:
    """Drop properties with no value (None or ""), except those the schema requires."""
    return {
        key: value
        for key, value in data.items()
        if key in keep or (value is not None and value != "")
    }


def _number(value: Decimal | int | None) -> int | float | None:
    if value is None:
        return None
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return float(value)


# --- Outbound --------------------------------------------------------------------------------


def organization_dict(organisation: OrganisationPage, *, full: bool) -> dict[str, Any]:
    data = _compact(
        {
            "id": str(organisation.uuid),
            "name": organisation.title,
            "description": organisation.description,
            "email": organisation.email,
            "website": organisation.website,
        },
        keep=("description",),
    )
    if not full:
        return data
    identifiers = []
    for scheme, kind, value in [
        (CHARITY_SCHEME, "Charity number", organisation.charity_number),
        (COMPANY_SCHEME, "Company number", organisation.company_number),
    ]:
        if value:
            identifiers.append(
                {
                    "id": derived_id(organisation.uuid, f"identifier:{scheme}"),
                    "organization_id": str(organisation.uuid),
                    "identifier_scheme": scheme,
                    "identifier_type": kind,
                    "identifier": value,
                }
            )
    data["organization_identifiers"] = identifiers
    data["phones"] = (
        [{"id": derived_id(organisation.uuid, "phone"), "number": organisation.phone}]
        if organisation.phone
        else []
    )
    data["x_slug"] = organisation.slug
    return data


def taxonomy_dict(taxonomy: Taxonomy, *, terms: Sequence[TaxonomyTerm] | None = None) -> dict:
    data = _compact(
        {
            "id": str(taxonomy.uuid),
            "name": taxonomy.name,
            "description": taxonomy.description,
            "uri": taxonomy.uri,
            "version": taxonomy.version,
            "x_is_browsable": taxonomy.is_browsable,
        },
        keep=("description",),
    )
    if terms is not None:
        data["taxonomy_terms"] = [taxonomy_term_dict(term) for term in terms]
    return data


def taxonomy_term_dict(
    term: TaxonomyTerm, *, ancestors: Mapping[int, TaxonomyTerm] | None = None
) -> dict[str, Any]:
    """A term. With `ancestors` (id -> term), it carries its taxonomy and whole branch too."""
    parent = term.parent if term.parent_id else None
    data = _compact(
        {
            "id": str(term.uuid),
            "name": term.name,
            "description": term.description,
            "parent_id": str(parent.uuid) if parent is not None else None,
            "taxonomy": term.taxonomy.name,
            "taxonomy_id": str(term.taxonomy.uuid),
            "term_uri": term.term_uri,
            "term": term.code,
            "x_slug": term.slug,
        },
        keep=("description",),
    )
    if ancestors is not None:
        data["taxonomy_detail"] = taxonomy_dict(term.taxonomy)
        if term.parent_id and term.parent_id in ancestors:
            data["x_parent"] = taxonomy_term_dict(ancestors[term.parent_id], ancestors=ancestors)
    return data


def _address_dict(location: Location) -> dict[str, Any] | None:
    if location.hide_address or not (location.address_1 or location.city or location.postal_code):
        return None
    return _compact(
        {
            "id": derived_id(location.uuid, "address"),
            "location_id": str(location.uuid),
            "address_1": location.address_1,
            "address_2": location.address_2,
            "city": location.city,
            "state_province": location.state_province,
            "postal_code": location.postal_code,
            "country": location.country,
            "address_type": location.location_type,
        },
        keep=("address_1", "city", "state_province", "postal_code", "country"),
    )


def location_dict(
    location: Location, *, full: bool, organisation_uuid: uuid.UUID | None = None
) -> dict[str, Any]:
    """A location. A hidden address (a refuge, say) shows neither address nor coordinates."""
    data: dict[str, Any] = _compact(
        {
            "id": str(location.uuid),
            "location_type": location.location_type,
            "name": location.name,
            "description": location.description,
        }
    )
    if location.hide_address:
        data["x_hide_address"] = True
        if location.area_description:
            data["x_area_description"] = location.area_description
        data["addresses"] = []
    else:
        if location.latitude is not None and location.longitude is not None:
            data["latitude"] = location.latitude
            data["longitude"] = location.longitude
        address = _address_dict(location)
        data["addresses"] = [address] if address else []
    if full:
        data["accessibility"] = [
            _compact(
                {
                    "id": str(feature.uuid),
                    "location_id": str(location.uuid),
                    "description": feature.description,
                    "details": feature.details,
                }
            )
            for feature in location.accessibility_features.all()
        ]
        if organisation_uuid:
            data["x_organisation_id"] = str(organisation_uuid)
    return data


def attending_type_text(service: ServicePage) -> str:
    """'In person, online or by phone' from the service's attending flags."""
    labels = [ATTENDING_LABELS[code] for code in attending_codes(service)]
    if not labels:
        return ""
    text = labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} or {labels[-1]}"
    return text[0].upper() + text[1:]


def attending_codes(service: ServicePage) -> list[str]:
    flags = [service.attending_in_person, service.attending_online, service.attending_phone]
    return [code for code, flag in zip(ATTENDING_CODES, flags, strict=True) if flag]


def regular_schedule_dict(
    row: RegularSchedule,
    *,
    service: ServicePage,
    service_at_location: ServiceAtLocation | None = None,
) -> dict[str, Any]:
    day = DAY_NAMES[row.weekday]
    data = _compact(
        {
            "id": str(row.uuid),
            "service_id": str(service.uuid),
            "service_at_location_id": (
                str(service_at_location.uuid) if service_at_location else None
            ),
            "freq": "WEEKLY",
            "interval": 1,
            "byday": ICAL_DAYS[row.weekday],
            "opens_at": hhmm(row.opens_at),
            "closes_at": hhmm(row.closes_at),
            "description": f"{day} {hhmm(row.opens_at)} to {hhmm(row.closes_at)}",
            "attending_type": attending_type_text(service),
            "notes": row.notes,
        }
    )
    if service_at_location is None and row.location_id:
        data["x_location_id"] = str(row.location.uuid)
    return data


def schedule_exception_dict(row: ScheduleException, *, service: ServicePage) -> dict[str, Any]:
    """A closure or special opening as a one-day schedule."""
    day = row.date.isoformat()
    when = f"{row.date:%A} {row.date.day} {row.date:%B %Y}"
    if row.closed or not (row.opens_at and row.closes_at):
        description = f"Closed on {when}"
        times: dict[str, Any] = {}
    else:
        description = (
            f"Special opening times on {when}: {hhmm(row.opens_at)} to {hhmm(row.closes_at)}"
        )
        times = {"opens_at": hhmm(row.opens_at), "closes_at": hhmm(row.closes_at)}
    return _compact(
        {
            "id": str(row.uuid),
            "service_id": str(service.uuid),
            "valid_from": day,
            "valid_to": day,
            "dtstart": day,
            "description": description,
            **times,
            "notes": row.note,
            "x_exception": True,
            "x_closed": row.closed,
        }
    )


def service_dict(service: ServicePage, *, context: MappingContext, full: bool) -> dict[str, Any]:
    """A service: one-to-one fields and its organisation, or (full) the whole record."""
    organisation = context.organisations[service.pk]
    cost_options = list(service.cost_options.all()) if full else []
    fees = service.fees
    if full and not fees and not service.is_free and not cost_options:
        fees = CHARGES_APPLY
    data = _compact(
        {
            "id": str(service.uuid),
            "organization_id": str(organisation.uuid),
            "name": service.title,
            "description": service.description,
            "url": service.website,
            "email": service.email,
            "status": service.status,
            "fees": fees if full else service.fees,
            "accreditations": service.accreditations,
            "minimum_age": service.minimum_age,
            "maximum_age": service.maximum_age,
            "assured_date": service.assured_date.isoformat() if service.assured_date else None,
            "assurer_email": service.assurer_email,
            "alert": service.alert,
            "last_modified": (
                iso_datetime(service.last_published_at) if service.last_published_at else None
            ),
        },
        keep=("description",),
    )
    data["organization"] = organization_dict(organisation, full=full)
    data["x_summary"] = service.summary
    if url := context.page_urls.get(service.pk):
        data["x_page_url"] = url
    if not full:
        return data

    data.update(
        _compact(
            {
                "eligibility_description": service.eligibility_description,
                "application_process": service.referral_description,
            }
        )
    )
    sites = list(service.service_at_locations.all())
    site_by_location = {site.location_id: site for site in sites}
    regular = list(service.regular_schedules.all())
    data["schedules"] = [
        regular_schedule_dict(row, service=service)
        for row in regular
        if row.location_id not in site_by_location
    ] + [schedule_exception_dict(row, service=service) for row in service.schedule_exceptions.all()]
    data["service_areas"] = [
        {
            "id": derived_id(service.uuid, "service_area"),
            "service_id": str(service.uuid),
            "name": context.area_names.get(service.coverage, service.coverage),
            "extent": context.area_names.get(service.coverage, service.coverage),
            "extent_type": "text",
            "x_coverage": service.coverage,
        }
    ]
    data["service_at_locations"] = [
        _service_at_location_entry(
            site,
            service=service,
            schedules=[row for row in regular if row.location_id == site.location_id],
        )
        for site in sites
    ]
    data["languages"] = [
        _compact(
            {
                "id": str(language.uuid),
                "service_id": str(service.uuid),
                "name": language.name,
                "code": language.code,
            }
        )
        for language in service.languages.all()
    ]
    data["cost_options"] = [
        _compact(
            {
                "id": str(option.uuid),
                "service_id": str(service.uuid),
                "option": option.option,
                "amount": _number(option.amount),
                "amount_description": option.amount_description,
                "valid_from": option.valid_from.isoformat() if option.valid_from else None,
                "valid_to": option.valid_to.isoformat() if option.valid_to else None,
            }
        )
        for option in cost_options
    ]
    if service.is_free and not cost_options:
        data["cost_options"] = [
            {
                "id": derived_id(service.uuid, "cost_option:free"),
                "service_id": str(service.uuid),
                "option": FREE_OPTION,
                "amount": 0,
            }
        ]
    contacts = getattr(service, "public_contacts", None)
    if contacts is None:
        contacts = [contact for contact in service.contacts.all() if contact.is_public]
    data["contacts"] = [
        _compact(
            {
                "id": str(contact.uuid),
                "service_id": str(service.uuid),
                "name": contact.name,
                "title": contact.title,
                "email": contact.email,
                "phones": (
                    [
                        {
                            "id": derived_id(contact.uuid, "phone"),
                            "contact_id": str(contact.uuid),
                            "number": contact.phone,
                        }
                    ]
                    if contact.phone
                    else None
                ),
            }
        )
        for contact in contacts
        if contact.is_public
    ]
    data["phones"] = [
        _compact(
            {
                "id": str(phone.uuid),
                "service_id": str(service.uuid),
                "number": phone.number,
                "description": phone.description,
            }
        )
        for phone in service.phones.all()
    ]
    data["attributes"] = [
        {
            "id": derived_id(service.uuid, f"attribute:{term.uuid}"),
            "link_id": str(service.uuid),
            "link_entity": "service",
            "taxonomy_term_id": str(term.uuid),
            "taxonomy_term": taxonomy_term_dict(term, ancestors=context.terms),
        }
        for term in service.taxonomy_terms.all()
    ]
    data["x_attending"] = attending_codes(service)
    data["x_is_free"] = service.is_free
    data["x_referral_required"] = service.referral_required
    data["x_closed_on_bank_holidays"] = service.closed_on_bank_holidays
    extra = context.rich_text.get(service.pk, service.extra_information)
    if extra:
        data["x_extra_information"] = extra
    data["x_slug"] = service.slug
    return data


def _service_at_location_entry(
    site: ServiceAtLocation, *, service: ServicePage, schedules: Sequence[RegularSchedule]
) -> dict[str, Any]:
    return _compact(
        {
            "id": str(site.uuid),
            "service_id": str(service.uuid),
            "location_id": str(site.location.uuid),
            "description": site.description,
            "location": location_dict(
                site.location,
                full=True,
                organisation_uuid=getattr(site, "location_organisation_uuid", None),
            ),
            "schedules": [
                regular_schedule_dict(row, service=service, service_at_location=site)
                for row in schedules
            ],
        }
    )


def service_at_location_dict(
    site: ServiceAtLocation,
    *,
    context: MappingContext,
    distance_metres: float | None = None,
) -> dict[str, Any]:
    """A row of the service_at_locations list: the location and the service's summary."""
    data = _compact(
        {
            "id": str(site.uuid),
            "service_id": str(site.service.uuid),
            "location_id": str(site.location.uuid),
            "description": site.description,
            "location": location_dict(site.location, full=False),
            "service": service_dict(site.service, context=context, full=False),
        }
    )
    if distance_metres is not None and not site.location.hide_address:
        data["x_distance_metres"] = round(distance_metres)
    return data


def service_at_location_full_dict(
    site: ServiceAtLocation, *, service: dict[str, Any]
) -> dict[str, Any]:
    """One service_at_location with its location in full and the full service record."""
    entry = next(item for item in service["service_at_locations"] if item["id"] == str(site.uuid))
    return {**entry, "service": service}


# --- Inbound ---------------------------------------------------------------------------------


class OrukRecordError(ValueError):
    """A record we cannot import. `str()` says where in the record and why."""


@dataclass
class ImportedTaxonomy:
    uuid: uuid.UUID | None
    name: str
    fields: dict[str, Any]  # empty when the record only named the taxonomy


@dataclass
class ImportedTerm:
    uuid: uuid.UUID
    fields: dict[str, Any]
    taxonomy: ImportedTaxonomy
    parent_uuid: uuid.UUID | None = None
    parent: ImportedTerm | None = None


@dataclass
class ImportedOrganisation:
    uuid: uuid.UUID
    fields: dict[str, Any]
    slug: str


@dataclass
class ImportedLocation:
    uuid: uuid.UUID
    fields: dict[str, Any]  # address and coordinates left out when the address is hidden
    accessibility: list[dict[str, Any]]
    organisation_uuid: uuid.UUID | None


@dataclass
class ImportedSite:
    uuid: uuid.UUID
    description: str
    location: ImportedLocation


@dataclass
class ImportedService:
    uuid: uuid.UUID
    organisation: ImportedOrganisation | None
    organisation_uuid: uuid.UUID
    fields: dict[str, Any]
    slug: str
    last_modified: datetime.datetime | None
    terms: list[ImportedTerm]
    term_uuids: list[uuid.UUID]  # terms linked by id only: must already exist
    sites: list[ImportedSite]
    regular_schedules: list[dict[str, Any]]  # with "location_uuid" (or None)
    schedule_exceptions: list[dict[str, Any]]
    phones: list[dict[str, Any]]
    languages: list[dict[str, Any]]
    cost_options: list[dict[str, Any]]
    contacts: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)


class _Reader:
    """Typed access to one part of a record, with the path for error messages."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise OrukRecordError(f"{path or 'record'}: expected an object")
        self.data = data
        self.path = path

    def where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def text(self, key: str, *, required: bool = False) -> str:
        value = self.data.get(key)
        if value is None:
            if required:
                raise OrukRecordError(f"{self.where(key)}: missing")
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise OrukRecordError(f"{self.where(key)}: expected text")
        value = str(value).strip()
        if required and not value:
            raise OrukRecordError(f"{self.where(key)}: missing")
        return value

    def uuid(self, key: str, *, required: bool = False) -> uuid.UUID | None:
        value = self.text(key, required=required)
        if not value:
            return None
        try:
            return uuid.UUID(value)
        except ValueError:
            raise OrukRecordError(f"{self.where(key)}: {value!r} is not a UUID") from None

    def flag(self, key: str) -> bool | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, bool):
            raise OrukRecordError(f"{self.where(key)}: expected true or false")
        return value

    def whole_number(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None or value == "":
            return None
        try:
            number = Decimal(str(value)) if not isinstance(value, bool) else None
        except InvalidOperation:
            number = None
        if (
            number is None
            or not number.is_finite()
            or number != number.to_integral_value()
            or number < 0
        ):
            raise OrukRecordError(f"{self.where(key)}: expected a whole number, not {value!r}")
        return int(number)

    def amount(self, key: str) -> Decimal | None:
        value = self.data.get(key)
        if value is None or value == "":
            return None
        try:
            if isinstance(value, bool):
                raise InvalidOperation
            number = Decimal(str(value))
        except InvalidOperation:
            raise OrukRecordError(f"{self.where(key)}: expected a number") from None
        if not number.is_finite():
            raise OrukRecordError(f"{self.where(key)}: expected a number")
        return number

    def date(self, key: str) -> datetime.date | None:
        value = self.text(key)
        if not value:
            return None
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            raise OrukRecordError(f"{self.where(key)}: {value!r} is not a date") from None

    def time(self, key: str) -> datetime.time | None:
        value = self.text(key)
        if not value:
            return None
        parsed = parse_clock_time(value)
        if parsed is None:
            raise OrukRecordError(f"{self.where(key)}: {value!r} is not a time like 09:30")
        return parsed

    def items(self, key: str) -> list[_Reader]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise OrukRecordError(f"{self.where(key)}: expected a list")
        return [_Reader(item, f"{self.where(key)}[{index}]") for index, item in enumerate(value)]

    def child(self, key: str) -> _Reader | None:
        value = self.data.get(key)
        return None if value is None else _Reader(value, self.where(key))


_CLOCK = re.compile(
    r"(?P<h>[01][0-9]|2[0-3]):(?P<m>[0-5][0-9])(?::(?P<s>[0-5][0-9])(?:\.[0-9]+)?)?"
    r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?",
    re.ASCII,
)


def parse_clock_time(value: str) -> datetime.time | None:
    """'09:30', '09:30:00', '09:30Z' or '09:30+01:00' -> 09:30 (the offset is ignored)."""
    match = _CLOCK.fullmatch(value.strip())
    if match is None:
        return None
    return datetime.time(int(match["h"]), int(match["m"]), int(match["s"] or 0))


def _parse_datetime(reader: _Reader, key: str) -> datetime.datetime | None:
    value = reader.text(key)
    if not value:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise OrukRecordError(f"{reader.where(key)}: {value!r} is not a date and time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed


def _child_uuid(reader: _Reader, owner: uuid.UUID, kind: str, index: int) -> uuid.UUID:
    """The row's own id, or (when it has none) one derived from its owner and position."""
    value = reader.uuid("id")
    return value if value is not None else uuid.UUID(derived_id(owner, f"{kind}:{index}"))


def _slug(value: str, fallback: str) -> str:
    slug = slugify(value) if value else ""
    return (slug or slugify(fallback) or "item")[:200]


def organisation_from_oruk(reader: _Reader) -> ImportedOrganisation:
    org_id = reader.uuid("id", required=True)
    assert org_id is not None
    name = reader.text("name", required=True)
    charity = company = ""
    for identifier in reader.items("organization_identifiers"):
        scheme = identifier.text("identifier_scheme").upper()
        kind = identifier.text("identifier_type").lower()
        value = identifier.text("identifier")
        if scheme == CHARITY_SCHEME or (not scheme and "charity" in kind):
            charity = value
        elif scheme == COMPANY_SCHEME or (not scheme and "company" in kind):
            company = value
    phones = reader.items("phones")
    return ImportedOrganisation(
        uuid=org_id,
        fields={
            "title": name,
            "description": reader.text("description") or name,
            "website": reader.text("website"),
            "email": reader.text("email"),
            "phone": phones[0].text("number") if phones else "",
            "charity_number": charity,
            "company_number": company,
        },
        slug=_slug(reader.text("x_slug"), name),
    )


def taxonomy_term_from_oruk(reader: _Reader, *, depth: int = 0) -> ImportedTerm:
    term_id = reader.uuid("id", required=True)
    assert term_id is not None
    name = reader.text("name", required=True)
    detail = reader.child("taxonomy_detail")
    if detail is not None:
        taxonomy = ImportedTaxonomy(
            uuid=detail.uuid("id"),
            name=detail.text("name", required=True),
            fields={
                "name": detail.text("name", required=True),
                "description": detail.text("description"),
                "uri": detail.text("uri"),
                "version": detail.text("version"),
                "is_browsable": bool(detail.flag("x_is_browsable")),
            },
        )
    else:
        taxonomy = ImportedTaxonomy(
            uuid=reader.uuid("taxonomy_id"), name=reader.text("taxonomy"), fields={}
        )
    parent_reader = reader.child("x_parent")
    if depth > 20:
        raise OrukRecordError(f"{reader.path}: the term's ancestry is more than 20 levels deep")
    return ImportedTerm(
        uuid=term_id,
        fields={
            "name": name,
            "description": reader.text("description"),
            "code": reader.text("term") or name,
            "term_uri": reader.text("term_uri"),
            "slug": _slug(reader.text("x_slug"), name)[:120],
        },
        taxonomy=taxonomy,
        parent_uuid=reader.uuid("parent_id"),
        parent=(taxonomy_term_from_oruk(parent_reader, depth=depth + 1) if parent_reader else None),
    )


def location_from_oruk(reader: _Reader) -> ImportedLocation:
    location_id = reader.uuid("id", required=True)
    assert location_id is not None
    location_type = reader.text("location_type") or "physical"
    if location_type not in LOCATION_TYPES:
        raise OrukRecordError(
            f"{reader.where('location_type')}: {location_type!r} is not one of "
            + ", ".join(LOCATION_TYPES)
        )
    hidden = bool(reader.flag("x_hide_address"))
    fields: dict[str, Any] = {
        "location_type": location_type,
        "name": reader.text("name") or "Unnamed location",
        "description": reader.text("description"),
        "hide_address": hidden,
        "area_description": reader.text("x_area_description"),
    }
    addresses = reader.items("addresses")
    if addresses:
        physical = [a for a in addresses if a.text("address_type") in ("", "physical")]
        address = (physical or addresses)[0]
        country = address.text("country") or "GB"
        if country.lower() in UK_COUNTRY_NAMES:
            country = "GB"
        fields.update(
            {
                "address_1": address.text("address_1"),
                "address_2": address.text("address_2"),
                "city": address.text("city"),
                "state_province": address.text("state_province"),
                "postal_code": address.text("postal_code"),
                "country": country.upper() if len(country) == 2 else country,
            }
        )
    elif not hidden:
        fields.update(
            {
                "address_1": "",
                "address_2": "",
                "city": "",
                "state_province": "",
                "postal_code": "",
            }
        )
    for key in ("latitude", "longitude"):
        value = reader.data.get(key)
        if value is None:
            if not hidden:
                fields[key] = None
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise OrukRecordError(f"{reader.where(key)}: expected a number")
        fields[key] = float(value)
    accessibility = []
    for index, feature in enumerate(reader.items("accessibility")):
        description = feature.text("description") or feature.text("accessibility")
        if not description:
            continue
        accessibility.append(
            {
                "uuid": _child_uuid(feature, location_id, "accessibility", index),
                "description": description,
                "details": feature.text("details"),
            }
        )
    return ImportedLocation(
        uuid=location_id,
        fields=fields,
        accessibility=accessibility,
        organisation_uuid=reader.uuid("x_organisation_id"),
    )


def _attending_from_oruk(reader: _Reader, schedules: Sequence[_Reader]) -> dict[str, bool]:
    value = reader.data.get("x_attending")
    if value is not None:
        if not isinstance(value, list) or not all(code in ATTENDING_CODES for code in value):
            raise OrukRecordError("x_attending: expected a list of " + ", ".join(ATTENDING_CODES))
        codes = set(value)
    else:
        text = " ".join(schedule.text("attending_type") for schedule in schedules).lower()
        codes = set()
        if "in person" in text or "in-person" in text:
            codes.add("in_person")
        if "online" in text or "video" in text or "virtual" in text:
            codes.add("online")
        if "phone" in text:
            codes.add("phone")
        if not codes:
            codes = {"in_person"}  # the model's default: nothing said otherwise
    return {
        "attending_in_person": "in_person" in codes,
        "attending_online": "online" in codes,
        "attending_phone": "phone" in codes,
    }


def _coverage_from_oruk(reader: _Reader, area_names: Mapping[str, str]) -> str:
    areas = reader.items("service_areas")
    for area in areas:
        coverage = area.text("x_coverage")
        if coverage:
            if coverage not in COVERAGES:
                raise OrukRecordError(
                    f"{area.where('x_coverage')}: expected one of " + ", ".join(COVERAGES)
                )
            return coverage
    names = {name.lower(): coverage for coverage, name in area_names.items()}
    for area in areas:
        if (coverage := names.get(area.text("name").lower())) is not None:
            return coverage
    return "local"


def _schedules_from_oruk(
    schedules: Sequence[tuple[_Reader, uuid.UUID | None]],
    *,
    service_id: uuid.UUID,
    site_locations: Mapping[uuid.UUID, uuid.UUID],
    warnings: list[str],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Weekly rows and one-day exceptions from ORUK schedules (RRULE-like)."""
    regular: list[dict[str, Any]] = []
    exceptions: list[dict[str, Any]] = []
    for index, (reader, location_uuid) in enumerate(schedules):
        schedule_id = _child_uuid(reader, service_id, "schedule", index)
        opens_at, closes_at = reader.time("opens_at"), reader.time("closes_at")
        freq = reader.text("freq").upper()
        byday = reader.text("byday").upper()
        valid_from = reader.date("valid_from") or reader.date("dtstart")
        if reader.flag("x_exception") or (not freq and not byday and valid_from):
            if valid_from is None:
                warnings.append(f"{reader.path}: a one-day schedule without a date was skipped")
                continue
            closed = reader.flag("x_closed")
            if closed is None:
                closed = not (opens_at and closes_at)
            exceptions.append(
                {
                    "uuid": schedule_id,
                    "date": valid_from,
                    "closed": closed,
                    "opens_at": None if closed else opens_at,
                    "closes_at": None if closed else closes_at,
                    "note": reader.text("notes")[:200],
                }
            )
            continue
        if freq not in ("", "WEEKLY") or not byday:
            warnings.append(
                f"{reader.path}: only weekly schedules with byday can be imported; skipped"
            )
            continue
        interval = reader.whole_number("interval")
        if interval not in (None, 1):
            warnings.append(f"{reader.path}: schedules every {interval} weeks are not supported")
            continue
        if opens_at is None or closes_at is None or closes_at <= opens_at:
            warnings.append(f"{reader.path}: needs opens_at before closes_at; skipped")
            continue
        if location_uuid is None and (site_id := reader.uuid("service_at_location_id")):
            location_uuid = site_locations.get(site_id)
        if location_uuid is None:
            location_uuid = reader.uuid("x_location_id")
        days = [day.strip() for day in byday.split(",") if day.strip()]
        for position, day in enumerate(days):
            if day not in ICAL_DAYS:
                raise OrukRecordError(f"{reader.where('byday')}: {day!r} is not a day like MO")
            regular.append(
                {
                    "uuid": schedule_id
                    if position == 0
                    else uuid.UUID(derived_id(schedule_id, day)),
                    "weekday": ICAL_DAYS.index(day),
                    "opens_at": opens_at,
                    "closes_at": closes_at,
                    "notes": reader.text("notes")[:200],
                    "location_uuid": location_uuid,
                }
            )
    return regular, exceptions


def service_from_oruk(record: Any, *, area_names: Mapping[str, str]) -> ImportedService:
    """Check one ORUK service record and turn it into what the importer saves."""
    reader = _Reader(record, "")
    service_id = reader.uuid("id", required=True)
    assert service_id is not None
    name = reader.text("name", required=True)
    status = reader.text("status") or "active"
    if status not in SERVICE_STATUSES:
        raise OrukRecordError(f"status: {status!r} is not one of " + ", ".join(SERVICE_STATUSES))
    warnings: list[str] = []

    organisation_reader = reader.child("organization")
    organisation = organisation_from_oruk(organisation_reader) if organisation_reader else None
    organisation_uuid = organisation.uuid if organisation else reader.uuid("organization_id")
    if organisation_uuid is None:
        raise OrukRecordError("organization: missing (give organization or organization_id)")

    description = reader.text("description") or name
    summary = reader.text("x_summary") or _summary_from(description)
    minimum_age = reader.whole_number("minimum_age")
    maximum_age = reader.whole_number("maximum_age")

    sites: list[ImportedSite] = []
    schedule_readers: list[tuple[_Reader, uuid.UUID | None]] = [
        (schedule, None) for schedule in reader.items("schedules")
    ]
    for index, site in enumerate(reader.items("service_at_locations")):
        location_reader = site.child("location")
        if location_reader is None:
            raise OrukRecordError(f"{site.path}.location: missing")
        location = location_from_oruk(location_reader)
        sites.append(
            ImportedSite(
                uuid=_child_uuid(site, service_id, "service_at_location", index),
                description=site.text("description"),
                location=location,
            )
        )
        schedule_readers += [(schedule, location.uuid) for schedule in site.items("schedules")]
    site_locations = {site.uuid: site.location.uuid for site in sites}
    regular, exceptions = _schedules_from_oruk(
        schedule_readers,
        service_id=service_id,
        site_locations=site_locations,
        warnings=warnings,
    )

    cost_options = []
    free_id = uuid.UUID(derived_id(service_id, "cost_option:free"))
    for index, option in enumerate(reader.items("cost_options")):
        option_id = _child_uuid(option, service_id, "cost_option", index)
        if option_id == free_id:
            continue
        cost_options.append(
            {
                "uuid": option_id,
                "option": option.text("option") or option.text("amount_description") or "Cost",
                "amount": option.amount("amount"),
                "amount_description": option.text("amount_description"),
                "valid_from": option.date("valid_from"),
                "valid_to": option.date("valid_to"),
            }
        )
    fees = reader.text("fees")
    is_free = reader.flag("x_is_free")
    if is_free is None:
        is_free = not fees and not any(option["amount"] for option in cost_options)
    if fees == CHARGES_APPLY and not is_free:
        fees = ""

    languages = []
    for index, language in enumerate(reader.items("languages")):
        language_name = language.text("name") or language.text("code")
        if not language_name:
            warnings.append(f"{language.path}: a language with no name or code was skipped")
            continue
        languages.append(
            {
                "uuid": _child_uuid(language, service_id, "language", index),
                "name": language_name,
                "code": language.text("code"),
            }
        )
    contacts = []
    for index, contact in enumerate(reader.items("contacts")):
        contact_name = contact.text("name")
        if not contact_name:
            warnings.append(f"{contact.path}: a contact with no name was skipped")
            continue
        contact_phones = contact.items("phones")
        contacts.append(
            {
                "uuid": _child_uuid(contact, service_id, "contact", index),
                "name": contact_name,
                "title": contact.text("title"),
                "email": contact.text("email"),
                "phone": contact_phones[0].text("number") if contact_phones else "",
                "is_public": True,
            }
        )
    phones = [
        {
            "uuid": _child_uuid(phone, service_id, "phone", index),
            "number": phone.text("number", required=True),
            "description": phone.text("description"),
        }
        for index, phone in enumerate(reader.items("phones"))
    ]

    terms: list[ImportedTerm] = []
    term_uuids: list[uuid.UUID] = []
    for attribute in reader.items("attributes"):
        term_reader = attribute.child("taxonomy_term")
        if term_reader is not None:
            terms.append(taxonomy_term_from_oruk(term_reader))
        elif term_id := attribute.uuid("taxonomy_term_id"):
            term_uuids.append(term_id)

    referral_required = reader.flag("x_referral_required")
    closed_on_bank_holidays = reader.flag("x_closed_on_bank_holidays")
    fields: dict[str, Any] = {
        "title": name,
        "summary": summary,
        "description": description,
        "status": status,
        "alert": reader.text("alert"),
        "website": reader.text("url"),
        "email": reader.text("email"),
        "is_free": is_free,
        "fees": fees,
        "minimum_age": minimum_age,
        "maximum_age": maximum_age,
        "eligibility_description": reader.text("eligibility_description"),
        "referral_required": bool(referral_required),
        "referral_description": reader.text("application_process"),
        "coverage": _coverage_from_oruk(reader, area_names),
        "closed_on_bank_holidays": (
            True if closed_on_bank_holidays is None else closed_on_bank_holidays
        ),
        "accreditations": reader.text("accreditations"),
        "assured_date": reader.date("assured_date"),
        "assurer_email": reader.text("assurer_email"),
        "extra_information": reader.text("x_extra_information"),
        **_attending_from_oruk(reader, [schedule for schedule, _ in schedule_readers]),
    }
    return ImportedService(
        uuid=service_id,
        organisation=organisation,
        organisation_uuid=organisation_uuid,
        fields=fields,
        slug=_slug(reader.text("x_slug"), name),
        last_modified=_parse_datetime(reader, "last_modified"),
        terms=terms,
        term_uuids=term_uuids,
        sites=sites,
        regular_schedules=regular,
        schedule_exceptions=exceptions,
        phones=phones,
        languages=languages,
        cost_options=cost_options,
        contacts=contacts,
        warnings=warnings,
    )


def _summary_from(description: str) -> str:
    """The first sentence of the description, cut to the summary's 280 characters."""
    first = re.split(r"(?<=[.!?])\s", description.strip(), maxsplit=1)[0]
    return first if len(first) <= 280 else first[:279].rstrip() + "…"
