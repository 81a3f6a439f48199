"""Writes to the directory: organisations, locations, services and taxonomy terms.

One-at-a-time writes go through Wagtail's page API (add the page, save a revision, publish
it), so the audit log, moderation, search and reference indexes behave exactly as if an
editor had made them. `pages_bulk_publish` is for generated data in bulk (the demo and the
benchmark directories): it writes the same rows Wagtail would, in a few queries per batch,
and indexes them for search at the end.
"""

from __future__ import annotations

import datetime
import uuid as uuid_module
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser as User
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import CharField, F, OuterRef, Subquery
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.text import slugify
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import get_all_child_relations
from wagtail.models import Page, PageLogEntry, ReferenceIndex, Revision
from wagtail.search.backends import get_search_backends
from wagtail.signal_handlers import disable_reference_index_auto_update

from .models import (
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
from .signals import services_bulk_published

LOCAL_CATEGORIES = "Local categories"


# --- What a service is made of, independent of how it is stored --------------------------


@dataclass
class ScheduleData:
    weekday: int  # 0 = Monday
    opens_at: datetime.time
    closes_at: datetime.time
    location: Location | None = None
    notes: str = ""


@dataclass
class ScheduleExceptionData:
    date: datetime.date
    closed: bool = True
    opens_at: datetime.time | None = None
    closes_at: datetime.time | None = None
    note: str = ""


@dataclass
class PhoneData:
    number: str
    description: str = ""


@dataclass
class CostOptionData:
    option: str
    amount: Decimal | None = None
    amount_description: str = ""


@dataclass
class LanguageData:
    name: str
    code: str = ""


@dataclass
class ContactData:
    name: str
    title: str = ""
    email: str = ""
    phone: str = ""
    is_public: bool = False


@dataclass
class ServiceData:
    """Everything a service listing holds, as plain values. Two equal datas are one listing."""

    name: str
    summary: str
    description: str
    uuid: uuid_module.UUID | None = None
    slug: str = ""
    status: str = ServicePage.STATUS_ACTIVE
    alert: str = ""
    website: str = ""
    email: str = ""
    attending_in_person: bool = True
    attending_online: bool = False
    attending_phone: bool = False
    is_free: bool = True
    fees: str = ""
    minimum_age: int | None = None
    maximum_age: int | None = None
    eligibility_description: str = ""
    referral_required: bool = False
    referral_description: str = ""
    coverage: str = ServicePage.COVERAGE_LOCAL
    closed_on_bank_holidays: bool = True
    accreditations: str = ""
    assured_date: datetime.date | None = None
    assurer_email: str = ""
    terms: list[TaxonomyTerm] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)
    schedules: list[ScheduleData] = field(default_factory=list)
    exceptions: list[ScheduleExceptionData] = field(default_factory=list)
    phones: list[PhoneData] = field(default_factory=list)
    cost_options: list[CostOptionData] = field(default_factory=list)
    languages: list[LanguageData] = field(default_factory=list)
    contacts: list[ContactData] = field(default_factory=list)


_SERVICE_FIELDS = (
    "summary",
    "description",
    "status",
    "alert",
    "website",
    "email",
    "attending_in_person",
    "attending_online",
    "attending_phone",
    "is_free",
    "fees",
    "minimum_age",
    "maximum_age",
    "eligibility_description",
    "referral_required",
    "referral_description",
    "coverage",
    "closed_on_bank_holidays",
    "accreditations",
    "assured_date",
    "assurer_email",
)


def _ordered(rows: list, key: Callable) -> list:
    return sorted(rows, key=key)


def _schedule_key(row: ScheduleData) -> tuple:
    return (row.weekday, row.opens_at, row.closes_at, row.location.pk if row.location else 0)


def service_page_build(*, data: ServiceData) -> ServicePage:
    """An unsaved ServicePage holding `data`, its child rows in memory (modelcluster)."""
    page = ServicePage(title=data.name, draft_title=data.name, slug=data.slug or _slug(data.name))
    if data.uuid is not None:
        page.uuid = data.uuid
    _apply_service_data(page, data)
    return page


def _apply_service_data(page: ServicePage, data: ServiceData) -> None:
    page.title = data.name
    for name in _SERVICE_FIELDS:
        setattr(page, name, getattr(data, name))
    page.taxonomy_terms = sorted(data.terms, key=lambda term: term.pk)
    page.service_at_locations = [
        ServiceAtLocation(location=location, sort_order=position)
        for position, location in enumerate(data.locations)
    ]
    page.regular_schedules = [
        RegularSchedule(
            weekday=row.weekday,
            opens_at=row.opens_at,
            closes_at=row.closes_at,
            location=row.location,
            notes=row.notes,
            sort_order=position,
        )
        for position, row in enumerate(_ordered(data.schedules, _schedule_key))
    ]
    page.schedule_exceptions = [
        ScheduleException(
            date=row.date,
            closed=row.closed,
            opens_at=row.opens_at,
            closes_at=row.closes_at,
            note=row.note,
            sort_order=position,
        )
        for position, row in enumerate(_ordered(data.exceptions, lambda row: row.date))
    ]
    page.phones = [
        ServicePhone(number=row.number, description=row.description, sort_order=position)
        for position, row in enumerate(data.phones)
    ]
    page.cost_options = [
        ServiceCostOption(
            option=row.option,
            amount=row.amount,
            amount_description=row.amount_description,
            sort_order=position,
        )
        for position, row in enumerate(data.cost_options)
    ]
    page.languages = [
        ServiceLanguage(name=row.name, code=row.code, sort_order=position)
        for position, row in enumerate(data.languages)
    ]
    page.contacts = [
        ServiceContact(
            name=row.name,
            title=row.title,
            email=row.email,
            phone=row.phone,
            is_public=row.is_public,
            sort_order=position,
        )
        for position, row in enumerate(data.contacts)
    ]


def service_data_from_page(*, service: ServicePage) -> ServiceData:
    """The ServiceData a published service holds now (to compare with an incoming change)."""
    locations = [
        row.location
        for row in service.service_at_locations.select_related("location").order_by(
            "sort_order", "pk"
        )
    ]
    return ServiceData(
        name=service.title,
        uuid=service.uuid,
        slug=service.slug,
        terms=sorted(service.taxonomy_terms.all(), key=lambda term: term.pk),
        locations=locations,
        schedules=_ordered(
            [
                ScheduleData(
                    weekday=row.weekday,
                    opens_at=row.opens_at,
                    closes_at=row.closes_at,
                    location=row.location,
                    notes=row.notes,
                )
                for row in service.regular_schedules.select_related("location")
            ],
            _schedule_key,
        ),
        exceptions=_ordered(
            [
                ScheduleExceptionData(
                    date=row.date,
                    closed=row.closed,
                    opens_at=row.opens_at,
                    closes_at=row.closes_at,
                    note=row.note,
                )
                for row in service.schedule_exceptions.all()
            ],
            lambda row: row.date,
        ),
        phones=[PhoneData(row.number, row.description) for row in service.phones.all()],
        cost_options=[
            CostOptionData(row.option, row.amount, row.amount_description)
            for row in service.cost_options.all()
        ],
        languages=[LanguageData(row.name, row.code) for row in service.languages.all()],
        contacts=[
            ContactData(row.name, row.title, row.email, row.phone, row.is_public)
            for row in service.contacts.all()
        ],
        **{name: getattr(service, name) for name in _SERVICE_FIELDS},
    )


# --- One at a time, through Wagtail's page API ---------------------------------------------


def directory_index_get() -> DirectoryIndexPage:
    """The /services/ page (created by migration directory.0002)."""
    index = DirectoryIndexPage.objects.first()
    if index is None:
        raise DirectoryIndexPage.DoesNotExist(
            "There is no directory index page (/services/): run `manage.py migrate` first."
        )
    return index


def _publish(*, page: Page, user: User | None = None, new_under: Page | None = None) -> None:
    """Add (when `new_under` is given), save a revision and publish, as an editor would.

    Each save would refresh the reference index (snippet usage) for the page and again for
    every child row; doing it once at the end gives the same index several times faster.
    """
    with disable_reference_index_auto_update():
        if new_under is not None:
            new_under.add_child(instance=page)
            PageLogEntry.objects.log_action(page, "wagtail.create", user=user)
        revision = page.save_revision(user=user, log_action=new_under is None)
        revision.publish(user=user)
    ReferenceIndex.create_or_update_for_object(type(page).objects.get(pk=page.pk))


def organisation_get_or_create(
    *,
    name: str,
    uuid: uuid_module.UUID | None = None,
    description: str = "",
    website: str = "",
    email: str = "",
    phone: str = "",
    user: User | None = None,
) -> tuple[OrganisationPage, bool]:
    """The organisation with this uuid or called `name` (ignoring capitals), else a new one.

    A new organisation is published at once, under /services/.
    """
    organisation = OrganisationPage.objects.filter(uuid=uuid).first() if uuid else None
    if organisation is None:
        organisation = (
            OrganisationPage.objects.child_of(directory_index_get())
            .filter(title__iexact=name.strip())
            .order_by("pk")
            .first()
        )
    if organisation is not None:
        return organisation, False
    organisation = OrganisationPage(
        title=name.strip(),
        slug=_unique_child_slug(directory_index_get(), name),
        description=description or f"{name.strip()} runs services listed in this directory.",
        website=website,
        email=email,
        phone=phone,
    )
    if uuid:
        organisation.uuid = uuid
    _publish(page=organisation, user=user, new_under=directory_index_get())
    return organisation, True


def organisation_update(
    *, organisation: OrganisationPage, user: User | None = None, **fields: str
) -> bool:
    """Change an organisation's details and publish a revision. False when nothing changed."""
    organisation = organisation.specific
    changed = {
        name: value for name, value in fields.items() if getattr(organisation, name) != value
    }
    if not changed:
        return False
    for name, value in changed.items():
        setattr(organisation, name, value)
    _publish(page=organisation, user=user)
    return True


def location_get_or_create(
    *,
    organisation: OrganisationPage,
    name: str,
    address_1: str = "",
    address_2: str = "",
    city: str = "",
    postal_code: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    hide_address: bool = False,
    area_description: str = "",
    uuid: uuid_module.UUID | None = None,
) -> tuple[Location, bool]:
    """The organisation's location at this address (postcode and first line), or a new one.

    A known location that has no map position yet gets the one given.
    """
    if uuid:
        found = Location.objects.filter(uuid=uuid)
    else:
        found = Location.objects.filter(
            organisation=organisation,
            postal_code__iexact=postal_code,
            address_1__iexact=address_1,
        )
        if not (postal_code or address_1):
            found = found.filter(name__iexact=name)
    if location := found.order_by("pk").first():
        if location.latitude is None and latitude is not None:
            location.latitude, location.longitude = latitude, longitude
            location.save(update_fields=["latitude", "longitude"])
        return location, False
    location = Location(
        organisation=organisation,
        name=name,
        address_1=address_1,
        address_2=address_2,
        city=city,
        postal_code=postal_code,
        latitude=latitude,
        longitude=longitude,
        hide_address=hide_address,
        area_description=area_description,
    )
    if uuid:
        location.uuid = uuid
    location.full_clean()
    location.save()
    return location, True


def service_create(
    *, organisation: OrganisationPage, data: ServiceData, user: User | None = None
) -> ServicePage:
    """Add a service under its organisation and publish it."""
    page = service_page_build(data=data)
    page.slug = _unique_child_slug(organisation, data.slug or data.name)
    _publish(page=page, user=user, new_under=organisation)
    return ServicePage.objects.get(pk=page.pk)


def service_update(
    *, service: ServicePage, data: ServiceData, user: User | None = None
) -> ServicePage:
    """Replace a service's details with `data`: a new revision, published."""
    service = service.specific
    _apply_service_data(service, data)
    _publish(page=service, user=user)
    return ServicePage.objects.get(pk=service.pk)


def local_categories_get() -> Taxonomy:
    """The council's browse categories (seeded by migration directory.0002)."""
    return Taxonomy.objects.get(name=LOCAL_CATEGORIES)


# --- In bulk ---------------------------------------------------------------------------------


def _slug(text: str) -> str:
    return slugify(text)[:80].strip("-") or "page"


def _unique_child_slug(parent: Page, text: str) -> str:
    taken = set(Page.objects.child_of(parent).values_list("slug", flat=True))
    return _unique_slug(_slug(text), taken)


def _unique_slug(base: str, taken: set[str]) -> str:
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    taken.add(slug)
    return slug


def _batch_size(fields: Sequence) -> int:
    """Rows per INSERT: at most 500, fewer when the database limits query parameters."""
    return max(1, min(500, connection.ops.bulk_batch_size(list(fields), [None] * 500)))


def _chunks(items: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def pages_bulk_publish(
    *,
    pages_by_parent: Sequence[tuple[Page, Sequence[Page]]],
    update_search_index: bool = True,
    update_reference_index: bool = False,
) -> list[Page]:
    """Insert new pages as published, with one revision and audit entries each, in bulk.

    Each page is an unsaved instance of one specific page class (a direct subclass of Page)
    whose modelcluster children (`page.phones = [...]`) and parental many-to-many values are
    set in memory. The rows written are the ones Wagtail writes for "create, then publish":
    the tree (paths computed here, parents' numchild), the page, its children, a revision
    that is both latest and live, and "wagtail.create" / "wagtail.publish" log entries.
    Signals are not sent: search indexing happens once at the end, in chunks, and the
    reference index (snippet usage counts) only when asked, because it costs a few queries
    per page.
    """
    pages_by_parent = [(parent, list(pages)) for parent, pages in pages_by_parent if pages]
    if not pages_by_parent:
        return []
    now = timezone.now()
    created: list[Page] = []
    with transaction.atomic():
        for parent, pages in pages_by_parent:
            parent = Page.objects.get(pk=parent.pk)
            _place_in_tree(parent, pages, now)
            Page.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(pages))
            created.extend(pages)
        by_model: dict[type, list[Page]] = {}
        for page in created:
            by_model.setdefault(type(page), []).append(page)
        for model, pages in by_model.items():
            _insert_pages(model, pages)
            _insert_children(model, pages)
        _insert_revisions_and_log(created, now)
    if update_reference_index:
        for page in created:
            ReferenceIndex.create_or_update_for_object(page)
    if update_search_index:
        for model, pages in by_model.items():
            # The pages in hand hold their many-to-many values in memory: indexing them
            # costs no queries, where fetching them again would cost several per page.
            search_index_add(model=model, objects=pages)
    services_bulk_published.send(
        sender=ServicePage,
        service_ids=[page.pk for page in created if isinstance(page, ServicePage)],
    )
    return created


def _place_in_tree(parent: Page, pages: list[Page], now: datetime.datetime) -> None:
    siblings = Page.objects.child_of(parent)
    last_path = siblings.order_by("-path").values_list("path", flat=True).first()
    step = Page._str2int(last_path[-Page.steplen :]) if last_path else 0
    taken = set(siblings.values_list("slug", flat=True))
    depth = parent.depth + 1
    for page in pages:
        step += 1
        page.path = Page._get_path(parent.path, depth, step)
        page.depth = depth
        page.numchild = 0
        page.slug = _unique_slug(page.slug or _slug(page.title), taken)
        page.url_path = f"{parent.url_path}{page.slug}/"
        page.locale_id = parent.locale_id
        page.draft_title = page.title
        page.live = True
        page.has_unpublished_changes = False
        page.first_published_at = page.last_published_at = now
        page.latest_revision_created_at = now


def _insert_pages(model: type[Page], pages: list[Page]) -> None:
    if model._meta.get_parent_list() != [Page]:
        raise TypeError(f"{model.__name__} must inherit directly from Page to be bulk created")
    content_type = ContentType.objects.get_for_model(model)
    base_fields = [f for f in Page._meta.concrete_fields if not f.primary_key]
    base_rows = []
    for page in pages:
        page.content_type = content_type
        base_rows.append(Page(**{f.attname: getattr(page, f.attname) for f in base_fields}))
    Page.objects.bulk_create(base_rows, batch_size=_batch_size(base_fields))
    for page, row in zip(pages, base_rows, strict=True):
        page.pk = page.id = page.page_ptr_id = row.pk
    # Django refuses bulk_create for multi-table inheritance, so the specific table gets a
    # plain multi-row INSERT of its own columns (what bulk_create does for one table).
    local_fields = model._meta.local_concrete_fields
    for batch in _chunks(pages, _batch_size(local_fields)):
        model._base_manager._insert(list(batch), fields=local_fields)


def _insert_children(model: type[Page], pages: list[Page]) -> None:
    for relation in get_all_child_relations(model):
        name = relation.get_accessor_name()
        child_model = relation.related_model
        rows = []
        for page in pages:
            if name not in getattr(page, "_cluster_related_objects", {}):
                setattr(page, name, [])  # a new page has none: never ask the database
                continue
            for position, child in enumerate(getattr(page, name).all()):
                setattr(child, relation.field.attname, page.pk)
                if hasattr(child, "sort_order") and child.sort_order is None:
                    child.sort_order = position
                rows.append(child)
        if rows:
            child_model.objects.bulk_create(
                rows, batch_size=_batch_size(child_model._meta.concrete_fields)
            )
    for m2m in model._meta.get_fields():
        if not isinstance(m2m, ParentalManyToManyField):
            continue
        through = m2m.remote_field.through
        source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
        rows = []
        for page in pages:
            if m2m.name not in getattr(page, "_cluster_related_objects", {}):
                setattr(page, m2m.name, [])
                continue
            rows.extend(
                through(**{f"{source}_id": page.pk, f"{target}_id": related.pk})
                for related in getattr(page, m2m.name).all()
            )
        if rows:
            through.objects.bulk_create(rows, batch_size=500)


def _insert_revisions_and_log(pages: list[Page], now: datetime.datetime) -> None:
    page_type = ContentType.objects.get_for_model(Page)
    revisions = [
        Revision(
            content_type_id=page.content_type_id,
            base_content_type=page_type,
            object_id=str(page.pk),
            created_at=now,
            content=page.serializable_data(),
            object_str=str(page),
        )
        for page in pages
    ]
    Revision.objects.bulk_create(revisions, batch_size=200)
    logs = []
    for page, revision in zip(pages, revisions, strict=True):
        page.latest_revision = page.live_revision = revision
        for action in ("wagtail.create", "wagtail.publish"):
            logs.append(
                PageLogEntry(
                    content_type_id=page.content_type_id,
                    label=page.draft_title,
                    action=action,
                    timestamp=now,
                    page_id=page.pk,
                    revision=revision if action == "wagtail.publish" else None,
                    content_changed=action == "wagtail.publish",
                    data={},
                )
            )
    # One UPDATE per batch: each page's revision found by the (base type, object id) index,
    # instead of bulk_update's CASE over every id.
    revision_of_page = Subquery(
        Revision.objects.filter(
            base_content_type=page_type, object_id=Cast(OuterRef("pk"), CharField())
        )
        .order_by("-pk")
        .values("pk")[:1]
    )
    for chunk in _chunks([page.pk for page in pages], 1000):
        Page.objects.filter(pk__in=chunk).update(
            latest_revision_id=revision_of_page, live_revision_id=revision_of_page
        )
    PageLogEntry.objects.bulk_create(logs, batch_size=500)


def search_index_add(*, model: type, objects: Sequence, chunk_size: int = 500) -> None:
    """Add or refresh these objects in every search backend that updates automatically."""
    backends = list(get_search_backends(with_auto_update=True))
    for chunk in _chunks(list(objects), chunk_size):
        for backend in backends:
            backend.add_bulk(model, list(chunk))
