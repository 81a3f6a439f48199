"""Import Open Referral UK 3.0 service records, and export them.

`oruk_records_read` turns a file (JSON object, list or paginated envelope, or ndjson) into
(where, record) pairs; `service_import` saves one record atomically; `oruk_import` runs a
batch and reports. Records are matched by id: the ORUK id is our uuid, so importing the same
file twice changes nothing the second time (unchanged records are rolled back, leaving no
new revision). Imported services and organisations are published through a revision, like an
editor's publish, so moderation and history work afterwards.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Literal

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from wagtail.models import Page

from . import oruk, selectors
from .models import (
    AccessibilityFeature,
    DirectoryIndexPage,
    Location,
    OrganisationPage,
    RegularSchedule,
    ScheduleException,
    ServiceAtLocation,
    ServiceContact,
    ServiceCostOption,
    ServiceLanguage,
    ServicePage,
    ServicePhone,
    Taxonomy,
    TaxonomyTerm,
)
from .oruk import ImportedOrganisation, ImportedService, ImportedTerm, OrukRecordError

logger = logging.getLogger(__name__)

Outcome = Literal["created", "updated", "unchanged"]
EXPORT_CHUNK = 100


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (where, why)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.failed)


_MISSING = object()


class _Unchanged(Exception):
    """Raised inside a record's transaction to roll back an import that changed nothing."""


# --- Reading ---------------------------------------------------------------------------------


def oruk_records_read(stream: IO[str], *, name: str = "") -> Iterator[tuple[str, Any]]:
    """(where, record) for each record in a JSON or ndjson stream.

    JSON may be one service object, a list of them, or a paginated envelope (`contents`).
    Files named *.ndjson or *.jsonl, and JSON that turns out to be several documents, are
    read as ndjson: one record a line. A line that is not JSON yields an OrukRecordError as
    its record, so the caller reports it and carries on.
    """
    if name.endswith((".ndjson", ".jsonl")):
        yield from _ndjson_lines(stream)
        return
    text = stream.read()
    if not text.strip():
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        if error.msg == "Extra data":
            yield from _ndjson_lines(text.splitlines())
        else:
            yield "file", OrukRecordError(f"not valid JSON: {error}")
        return
    if isinstance(data, list):
        for index, record in enumerate(data):
            yield f"record [{index}]", record
    elif isinstance(data, dict) and isinstance(data.get("contents"), list):
        for index, record in enumerate(data["contents"]):
            yield f"contents [{index}]", record
    else:
        yield "record", data


def _ndjson_lines(lines: Iterable[str]) -> Iterator[tuple[str, Any]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield f"line {number}", json.loads(line)
        except json.JSONDecodeError as error:
            yield f"line {number}", OrukRecordError(f"not valid JSON: {error.msg}")


# --- Saving ----------------------------------------------------------------------------------


# Model fields whose ORUK property has another name, for error messages.
_ORUK_NAMES = {
    "title": "name",
    "website": "url",
    "summary": "x_summary",
    "referral_description": "application_process",
    "extra_information": "x_extra_information",
}


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{_ORUK_NAMES.get(name, name)}: {' '.join(str(m) for m in messages)}"
            for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def _available_slug(parent: Page, wanted: str, *, page: Page | None = None) -> str:
    taken = set(
        Page.objects.child_of(parent)
        .exclude(pk=page.pk if page is not None and page.pk else None)
        .values_list("slug", flat=True)
    )
    slug, number = wanted, 2
    while slug in taken:
        slug = f"{wanted[:190]}-{number}"
        number += 1
    return slug


def _publish(page: Page) -> None:
    page.save_revision().publish()


def _set_fields(instance: Any, fields: dict[str, Any]) -> bool:
    """Assign fields; True when any value changed."""
    changed = False
    for name, value in fields.items():
        # A related object not set yet reads as missing rather than raising.
        if getattr(instance, name, _MISSING) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def _organisation_upsert(
    imported: ImportedOrganisation, *, index_page: DirectoryIndexPage
) -> OrganisationPage:
    organisation = OrganisationPage.objects.filter(uuid=imported.uuid).first()
    if organisation is None:
        organisation = OrganisationPage(uuid=imported.uuid, **imported.fields)
        organisation.slug = _available_slug(index_page, imported.slug)
        index_page.add_child(instance=organisation)
        _publish(organisation)
        return organisation
    changed = _set_fields(organisation, imported.fields)
    if imported.slug != organisation.slug:
        slug = _available_slug(organisation.get_parent(), imported.slug, page=organisation)
        changed = _set_fields(organisation, {"slug": slug}) or changed
    if changed or not organisation.live:
        _publish(organisation)
    return organisation


def _taxonomy_resolve(imported: oruk.ImportedTaxonomy) -> Taxonomy:
    """By id (updating it from the record's details), else by name, else a new one."""
    if imported.uuid is not None:
        taxonomy = Taxonomy.objects.filter(uuid=imported.uuid).first()
        if taxonomy is not None:
            if imported.fields and _set_fields(taxonomy, imported.fields):
                taxonomy.full_clean(validate_unique=False)
                taxonomy.save()
            return taxonomy
    name = imported.name or "Imported terms"
    taxonomy = Taxonomy.objects.filter(name=name).order_by("pk").first()
    if taxonomy is not None:
        return taxonomy  # the same vocabulary under another id elsewhere: use ours
    taxonomy = Taxonomy(uuid=imported.uuid or uuid.uuid4(), **{**imported.fields, "name": name})
    taxonomy.full_clean(validate_unique=False)
    taxonomy.save()
    return taxonomy


def _term_upsert(imported: ImportedTerm, *, pending_parents: dict[int, uuid.UUID]) -> TaxonomyTerm:
    taxonomy = _taxonomy_resolve(imported.taxonomy)
    term = TaxonomyTerm.objects.filter(uuid=imported.uuid).first()
    if term is None:
        # A term another directory gave a different id: the same code in the same vocabulary.
        existing = TaxonomyTerm.objects.filter(
            taxonomy=taxonomy, code=imported.fields["code"]
        ).first()
        if existing is not None:
            return existing
        term = TaxonomyTerm(uuid=imported.uuid, taxonomy=taxonomy)
    fields = dict(imported.fields, taxonomy=taxonomy)
    slug_taken = (
        TaxonomyTerm.objects.filter(taxonomy=taxonomy, slug=fields["slug"])
        .exclude(pk=term.pk)
        .exists()
    )
    if slug_taken:
        fields["slug"] = f"{fields['slug'][:100]}-{str(imported.uuid)[:8]}"
    parent = None
    if imported.parent is not None:
        parent = _term_upsert(imported.parent, pending_parents=pending_parents)
    elif imported.parent_uuid is not None:
        parent = TaxonomyTerm.objects.filter(uuid=imported.parent_uuid).first()
    fields["parent"] = parent
    changed = _set_fields(term, fields)
    if changed or term.pk is None:
        term.full_clean(validate_unique=False, validate_constraints=False)
        term.save()
    if parent is None and imported.parent_uuid is not None:
        pending_parents[term.pk] = imported.parent_uuid
    return term


def _location_upsert(
    imported: oruk.ImportedLocation, *, organisation: OrganisationPage
) -> Location:
    location = Location.objects.filter(uuid=imported.uuid).first()
    if location is None:
        location = Location(uuid=imported.uuid, organisation=organisation)
    if imported.organisation_uuid and (
        location.organisation is None or location.organisation.uuid != imported.organisation_uuid
    ):
        owner = OrganisationPage.objects.filter(uuid=imported.organisation_uuid).first()
        location.organisation = owner or location.organisation or organisation
    _set_fields(location, imported.fields)
    existing = {feature.uuid: feature for feature in location.accessibility_features.all()}
    features = []
    for order, row in enumerate(imported.accessibility):
        feature = existing.get(row["uuid"]) or AccessibilityFeature(uuid=row["uuid"])
        _set_fields(feature, {k: v for k, v in row.items() if k != "uuid"})
        feature.sort_order = order
        feature.full_clean(exclude=["location"], validate_unique=False)
        features.append(feature)
    location.accessibility_features = features
    location.full_clean(validate_unique=False)
    location.save()
    return location


def _children(
    model: type, existing: Iterable[Any], rows: list[dict[str, Any]], **extra: Any
) -> list[Any]:
    """Child rows for the page: existing ones (matched by uuid) updated, new ones built."""
    by_uuid = {child.uuid: child for child in existing}
    children = []
    for order, row in enumerate(rows):
        child = by_uuid.get(row["uuid"]) or model(uuid=row["uuid"])
        _set_fields(child, {k: v for k, v in row.items() if k != "uuid"} | extra)
        child.sort_order = order
        child.full_clean(exclude=["service"], validate_unique=False)
        children.append(child)
    return children


def _service_save(
    imported: ImportedService,
    *,
    index_page: DirectoryIndexPage,
    pending_parents: dict[int, uuid.UUID],
) -> ServicePage:
    if imported.organisation is not None:
        organisation = _organisation_upsert(imported.organisation, index_page=index_page)
    else:
        organisation = OrganisationPage.objects.filter(uuid=imported.organisation_uuid).first()
        if organisation is None:
            raise OrukRecordError(
                f"organization_id: no organisation {imported.organisation_uuid} here, and the "
                "record has no organization object to create it from"
            )
    terms = [_term_upsert(term, pending_parents=pending_parents) for term in imported.terms]
    for term_uuid in imported.term_uuids:
        term = TaxonomyTerm.objects.filter(uuid=term_uuid).first()
        if term is None:
            raise OrukRecordError(f"attributes: no taxonomy term {term_uuid} here")
        terms.append(term)
    locations = {
        site.location.uuid: _location_upsert(site.location, organisation=organisation)
        for site in imported.sites
    }

    service = ServicePage.objects.filter(uuid=imported.uuid).first()
    if service is not None and service.get_parent().pk != organisation.pk:
        service.move(organisation, pos="last-child")
        service = ServicePage.objects.get(pk=service.pk)
    new = service is None
    if service is None:
        service = ServicePage(uuid=imported.uuid)
    _set_fields(service, imported.fields)
    if service.slug != imported.slug:
        service.slug = _available_slug(organisation, imported.slug, page=service)

    existing = (lambda name: getattr(service, name).all()) if not new else (lambda name: [])
    service.service_at_locations = _children(
        ServiceAtLocation,
        existing("service_at_locations"),
        [
            {"uuid": site.uuid, "description": site.description[:200]}
            | {"location": locations[site.location.uuid]}
            for site in imported.sites
        ],
    )
    schedule_rows = []
    for row in imported.regular_schedules:
        location_uuid = row["location_uuid"]
        location = locations.get(location_uuid) if location_uuid else None
        if location_uuid and location is None:
            location = Location.objects.filter(uuid=location_uuid).first()
        schedule_rows.append(
            {k: v for k, v in row.items() if k != "location_uuid"} | {"location": location}
        )
    service.regular_schedules = _children(
        RegularSchedule, existing("regular_schedules"), schedule_rows
    )
    service.schedule_exceptions = _children(
        ScheduleException, existing("schedule_exceptions"), imported.schedule_exceptions
    )
    service.phones = _children(ServicePhone, existing("phones"), imported.phones)
    service.languages = _children(ServiceLanguage, existing("languages"), imported.languages)
    service.cost_options = _children(
        ServiceCostOption, existing("cost_options"), imported.cost_options
    )
    # Private contacts never leave the portal, so a record can't mention them: keep them.
    private = [contact for contact in existing("contacts") if not contact.is_public]
    service.contacts = private + _children(
        ServiceContact,
        [contact for contact in existing("contacts") if contact.is_public],
        imported.contacts,
    )
    service.taxonomy_terms = terms

    if new:
        organisation.add_child(instance=service)
    _publish(service)
    if imported.last_modified is not None:
        # The record says when the service last changed; an import is not a change to it.
        ServicePage.objects.filter(pk=service.pk).update(last_published_at=imported.last_modified)
    return service


def _record_of(
    service_uuid: uuid.UUID, *, area_names: dict[str, str], with_modified: bool
) -> dict[str, Any] | None:
    """The service's record as the API shows it now (None when it is not published)."""
    service = selectors.service_get(uuid=service_uuid)
    if service is None:
        return None
    context = selectors.mapping_context([service], full=True, area_names=area_names)
    record = oruk.service_dict(service, context=context, full=True)
    if not with_modified:
        # A record without last_modified gets "now": that alone is not a change.
        record.pop("last_modified", None)
    return record


def service_import(
    *,
    record: Any,
    index_page: DirectoryIndexPage,
    area_names: dict[str, str],
    pending_parents: dict[int, uuid.UUID] | None = None,
) -> tuple[Outcome, list[str]]:
    """Create or update one service (and its organisation, locations and terms) atomically.

    Returns what happened and any warnings (parts of the record that were skipped). Raises
    OrukRecordError or ValidationError for a record that can't be imported; nothing of it
    is saved then.
    """
    imported = oruk.service_from_oruk(record, area_names=area_names)
    pending = pending_parents if pending_parents is not None else {}
    existed = ServicePage.objects.filter(uuid=imported.uuid).exists()
    compare = {"area_names": area_names, "with_modified": imported.last_modified is not None}
    before = _record_of(imported.uuid, **compare)
    try:
        with transaction.atomic():
            _service_save(imported, index_page=index_page, pending_parents=pending)
            if before is not None and _record_of(imported.uuid, **compare) == before:
                raise _Unchanged  # roll back: no new revision for the same content
    except _Unchanged:
        return "unchanged", imported.warnings
    return ("updated" if existed else "created"), imported.warnings


def parents_link(pending_parents: dict[int, uuid.UUID]) -> list[str]:
    """Link terms to parents that arrived later in the file; say which never arrived."""
    missing = []
    for term_pk, parent_uuid in pending_parents.items():
        parent = TaxonomyTerm.objects.filter(uuid=parent_uuid).first()
        if parent is None:
            missing.append(f"taxonomy term {parent_uuid} (a parent) was not in the file")
            continue
        TaxonomyTerm.objects.filter(pk=term_pk).update(parent=parent)
    return missing


def oruk_import(
    *,
    records: Iterable[tuple[str, Any]],
    on_record: Callable[[str, str, list[str]], None] | None = None,
) -> ImportReport:
    """Import every record; a bad one is reported and skipped, never half-saved. An exception
    that is not about one record (an interrupt, a lost database) saves nothing of the batch."""
    report = ImportReport()
    index_page = DirectoryIndexPage.objects.first()
    if index_page is None:
        raise OrukRecordError("there is no directory page (/services/) to import under")
    area_names = selectors.service_area_names()
    pending_parents: dict[int, uuid.UUID] = {}
    # One transaction for the batch, a savepoint per record (service_import): a bad record is
    # undone alone and reported; an interrupt or a lost database undoes the whole batch.
    with transaction.atomic():
        _records_import(records, report, index_page, area_names, pending_parents, on_record)
        report.warnings += [("file", message) for message in parents_link(pending_parents)]
    return report


def _records_import(
    records: Iterable[tuple[str, Any]],
    report: ImportReport,
    index_page: DirectoryIndexPage,
    area_names: dict[str, str],
    pending_parents: dict[int, uuid.UUID],
    on_record: Callable[[str, str, list[str]], None] | None,
) -> None:
    for where, record in records:
        warnings: list[str] = []
        try:
            if isinstance(record, Exception):
                raise record
            # A savepoint around the whole record, reads included: on PostgreSQL a failed
            # query outside one would abort the batch's transaction for every later record.
            with transaction.atomic():
                outcome, warnings = service_import(
                    record=record,
                    index_page=index_page,
                    area_names=area_names,
                    pending_parents=pending_parents,
                )
        except OrukRecordError as error:
            report.failed.append((where, str(error)))
            outcome = "failed"
        except ValidationError as error:
            report.failed.append((where, _messages(error)))
            outcome = "failed"
        except DatabaseError as error:
            report.failed.append((where, f"conflicts with data already here: {error}"))
            outcome = "failed"
        except Exception as error:  # one odd record must not stop the rest of the batch
            logger.exception("Unexpected error importing %s", where)
            report.failed.append((where, f"unexpected error: {type(error).__name__}: {error}"))
            outcome = "failed"
        else:
            setattr(report, outcome, getattr(report, outcome) + 1)
        report.warnings += [(where, warning) for warning in warnings]
        if on_record is not None:
            reason = report.failed[-1][1] if outcome == "failed" else ""
            on_record(where, outcome, [reason] if reason else warnings)


# --- Export ----------------------------------------------------------------------------------


def oruk_records_export() -> Iterator[dict[str, Any]]:
    """Every published service's full record, as the detail endpoint returns it."""
    area_names = selectors.service_area_names()
    pks = list(selectors.services_published().values_list("pk", flat=True))
    for start in range(0, len(pks), EXPORT_CHUNK):
        chunk = list(
            selectors.services_with_details(
                selectors.services_published().filter(pk__in=pks[start : start + EXPORT_CHUNK])
            )
        )
        context = selectors.mapping_context(chunk, full=True, area_names=area_names)
        for service in chunk:
            yield oruk.service_dict(service, context=context, full=True)
