"""Reads of the published directory, shaped for the Open Referral UK API and export.

Everything here starts from `services_published()`: live, public ServicePages whose
organisation page is live too, less any listing hidden for being stale (directory.freshness).
Wagtail keeps the live version of a page in the page tables and pending edits only in
revisions, so nothing here reads a revision and a draft change can never leak. Each function
loads a page of results with a fixed number of queries, however many results or related rows
there are.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.db.models import F, Prefetch, Q, QuerySet
from django.db.models.functions import Length, Substr
from django.http import HttpRequest
from wagtail.models import Page, Site
from wagtail.rich_text import expand_db_html

from . import freshness
from .models import (
    AccessibilityFeature,
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
from .oruk import MappingContext

DEFAULT_COUNTY_NAME = "Essex"
DEFAULT_NATIONAL_NAME = "England"
DEFAULT_COUNCIL_NAME = "Seaborough Council"

_ORDERED = F("sort_order").asc(nulls_last=True)


@dataclass(frozen=True)
class ServiceFilters:
    """The API's service filters, already checked. Empty values mean "don't filter"."""

    text: str = ""
    taxonomy_term_ids: tuple[UUID, ...] = ()
    taxonomy_ids: tuple[UUID, ...] = ()
    minimum_age: int | None = None
    maximum_age: int | None = None
    weekday: int | None = None  # 0 = Monday
    start_time: datetime.time | None = None
    end_time: datetime.time | None = None
    modified_after: datetime.datetime | None = None
    organisation_ids: tuple[UUID, ...] = ()


def services_live() -> QuerySet[ServicePage]:
    """Live, public services whose organisation is live, in a stable order (name, then id),
    stale listings included: what the freshness reminders work through."""
    live_organisations = OrganisationPage.objects.live().values("path")
    return (
        ServicePage.objects.live()
        .public()
        .annotate(
            organisation_path=Substr("path", 1, Length("path") - Page.steplen),
        )
        .filter(organisation_path__in=live_organisations)
        .order_by("title", "uuid")
    )


def services_published() -> QuerySet[ServicePage]:
    """`services_live()` without listings hidden for staleness: with
    DIRECTORY_HIDE_STALE_AFTER_MONTHS set, a listing not checked for that many months
    (directory.freshness) leaves the API and search until someone confirms it."""
    services = services_live()
    if freshness.hidden_cutoff() is not None:
        services = services.exclude(freshness.hidden_listings_filter())
    return services


def services_filter(*, services: QuerySet[ServicePage], filters: ServiceFilters) -> QuerySet:
    """Narrow `services` by the API's filters. See docs/api.md for what each one means."""
    if filters.text:
        services = services.filter(
            Q(title__icontains=filters.text)
            | Q(summary__icontains=filters.text)
            | Q(description__icontains=filters.text)
        )
    if filters.taxonomy_term_ids:
        services = services.filter(
            pk__in=ServicePage.taxonomy_terms.through.objects.filter(
                taxonomyterm__uuid__in=filters.taxonomy_term_ids
            ).values("servicepage_id")
        )
    if filters.taxonomy_ids:
        services = services.filter(
            pk__in=ServicePage.taxonomy_terms.through.objects.filter(
                taxonomyterm__taxonomy__uuid__in=filters.taxonomy_ids
            ).values("servicepage_id")
        )
    # Ages: a service matches when its age range overlaps the range asked for. A missing
    # bound on either side is open-ended.
    if filters.minimum_age is not None:
        services = services.filter(
            Q(maximum_age__isnull=True) | Q(maximum_age__gte=filters.minimum_age)
        )
    if filters.maximum_age is not None:
        services = services.filter(
            Q(minimum_age__isnull=True) | Q(minimum_age__lte=filters.maximum_age)
        )
    if filters.weekday is not None or filters.start_time or filters.end_time:
        sessions = RegularSchedule.objects.all()
        if filters.weekday is not None:
            sessions = sessions.filter(weekday=filters.weekday)
        # Open for the whole window asked for: opens by the start and closes no earlier
        # than the end. With only one end given, open at that moment.
        if filters.start_time:
            sessions = sessions.filter(opens_at__lte=filters.start_time)
            if not filters.end_time:
                sessions = sessions.filter(closes_at__gt=filters.start_time)
        if filters.end_time:
            sessions = sessions.filter(closes_at__gte=filters.end_time)
            if not filters.start_time:
                sessions = sessions.filter(opens_at__lt=filters.end_time)
        services = services.filter(pk__in=sessions.values("service_id"))
    if filters.modified_after is not None:
        services = services.filter(last_published_at__gte=filters.modified_after)
    if filters.organisation_ids:
        organisation_paths = OrganisationPage.objects.filter(
            uuid__in=filters.organisation_ids
        ).values("path")
        services = services.filter(organisation_path__in=organisation_paths)
    return services


def services_with_details(services: QuerySet[ServicePage]) -> QuerySet[ServicePage]:
    """Prefetch everything a full ORUK service record shows: one query per relation."""
    return services.prefetch_related(
        Prefetch(
            "taxonomy_terms",
            queryset=TaxonomyTerm.objects.select_related("taxonomy", "parent").order_by(
                "taxonomy__name", "name", "uuid"
            ),
        ),
        Prefetch(
            "service_at_locations",
            queryset=ServiceAtLocation.objects.select_related("location")
            .annotate(location_organisation_uuid=F("location__organisation__uuid"))
            .prefetch_related(
                Prefetch(
                    "location__accessibility_features",
                    queryset=AccessibilityFeature.objects.order_by(_ORDERED, "uuid"),
                )
            )
            .order_by(_ORDERED, "uuid"),
        ),
        Prefetch(
            "regular_schedules",
            queryset=RegularSchedule.objects.select_related("location").order_by(
                "weekday", "opens_at", "closes_at", "uuid"
            ),
        ),
        Prefetch(
            "schedule_exceptions", queryset=ScheduleException.objects.order_by("date", "uuid")
        ),
        Prefetch("languages", queryset=ServiceLanguage.objects.order_by(_ORDERED, "uuid")),
        Prefetch("cost_options", queryset=ServiceCostOption.objects.order_by(_ORDERED, "uuid")),
        Prefetch("phones", queryset=ServicePhone.objects.order_by(_ORDERED, "uuid")),
        Prefetch(
            "contacts",
            queryset=ServiceContact.objects.filter(is_public=True).order_by(_ORDERED, "uuid"),
            to_attr="public_contacts",
        ),
    )


def service_area_names() -> dict[str, str]:
    """The area each `coverage` value stands for, as shown in service_areas."""
    from portal.models import SiteSettings

    site = Site.objects.filter(is_default_site=True).first()
    council_name = DEFAULT_COUNCIL_NAME
    if site is not None:
        council_name = SiteSettings.for_site(site).council_name or council_name
    return {
        "local": council_name,
        "county": getattr(settings, "DIRECTORY_COUNTY_NAME", DEFAULT_COUNTY_NAME),
        "national": getattr(settings, "DIRECTORY_NATIONAL_NAME", DEFAULT_NATIONAL_NAME),
    }


def mapping_context(
    services: Sequence[ServicePage],
    *,
    full: bool,
    area_names: dict[str, str] | None = None,
    request: HttpRequest | None = None,
) -> MappingContext:
    """What the mapping needs besides the services: organisations, URLs, term ancestors."""
    paths = {service.path[: -Page.steplen] for service in services}
    by_path = {
        organisation.path: organisation
        for organisation in OrganisationPage.objects.filter(path__in=paths)
    }
    by_service = {
        service.pk: by_path[service.path[: -Page.steplen]]
        for service in services
        if service.path[: -Page.steplen] in by_path
    }
    # Site root paths are cached (on the request, or in the cache), so no query per page.
    page_urls = {service.pk: service.get_full_url(request) for service in services}
    ancestors: dict[int, TaxonomyTerm] = {}
    rich_text: dict[int, str] = {}
    if full:
        ancestors = term_ancestors(
            term for service in services for term in service.taxonomy_terms.all()
        )
        # Internal links become ordinary ones; the link handlers look pages up in bulk.
        rich_text = {
            service.pk: expand_db_html(service.extra_information)
            for service in services
            if service.extra_information
        }
    if area_names is None:
        area_names = service_area_names() if full else {}
    return MappingContext(
        area_names=area_names,
        organisations=by_service,
        terms=ancestors,
        page_urls={pk: url for pk, url in page_urls.items() if url},
        rich_text=rich_text,
    )


def term_ancestors(terms: Iterable[TaxonomyTerm]) -> dict[int, TaxonomyTerm]:
    """Every ancestor of `terms` by id, so records can carry whole branches.

    One query per level of the tree (vocabularies are shallow), never one per term.
    """
    known: dict[int, TaxonomyTerm] = {}
    missing = {term.parent_id for term in terms if term.parent_id}
    while missing:
        found = list(
            TaxonomyTerm.objects.select_related("taxonomy", "parent").filter(pk__in=missing)
        )
        for term in found:
            known[term.pk] = term
        missing = {term.parent_id for term in found if term.parent_id} - known.keys()
    return known


def service_get(*, uuid: UUID) -> ServicePage | None:
    """One published service with everything its full record shows, or None."""
    return services_with_details(services_published().filter(uuid=uuid)).first()


def service_at_locations_published(
    *, services: QuerySet[ServicePage] | None = None
) -> QuerySet[ServiceAtLocation]:
    """Service-at-location rows of published services (of `services` when given)."""
    services = services if services is not None else services_published()
    return (
        ServiceAtLocation.objects.filter(service__in=services.values("pk"))
        .select_related("service", "location")
        .order_by("service__title", "service__uuid", _ORDERED, "uuid")
    )


def service_at_location_get(*, uuid: UUID) -> tuple[ServiceAtLocation, ServicePage] | None:
    """One row of a published service, and that service loaded for its full record."""
    service_uuid = (
        service_at_locations_published()
        .filter(uuid=uuid)
        .values_list("service__uuid", flat=True)
        .first()
    )
    service = service_get(uuid=service_uuid) if service_uuid else None
    if service is None:
        return None
    for row in service.service_at_locations.all():
        if row.uuid == uuid:
            return row, service
    return None


def taxonomies_all() -> QuerySet[Taxonomy]:
    return Taxonomy.objects.order_by("name", "uuid")


def taxonomy_get(*, uuid: UUID) -> Taxonomy | None:
    terms = TaxonomyTerm.objects.select_related("taxonomy", "parent").order_by("name", "uuid")
    return (
        Taxonomy.objects.filter(uuid=uuid)
        .prefetch_related(Prefetch("terms", queryset=terms))
        .first()
    )


def taxonomy_terms_all(*, taxonomy_ids: tuple[UUID, ...] = ()) -> QuerySet[TaxonomyTerm]:
    terms = TaxonomyTerm.objects.select_related("taxonomy", "parent").order_by(
        "taxonomy__name", "name", "uuid"
    )
    if taxonomy_ids:
        terms = terms.filter(taxonomy__uuid__in=taxonomy_ids)
    return terms


def taxonomy_term_get(*, uuid: UUID) -> TaxonomyTerm | None:
    return TaxonomyTerm.objects.select_related("taxonomy", "parent").filter(uuid=uuid).first()


METRES_PER_MILE = 1609.344


def service_at_locations_by_distance(
    *,
    rows: QuerySet[ServiceAtLocation],
    latitude: float,
    longitude: float,
    within_metres: float | None = None,
) -> list[tuple[int, float | None]]:
    """(row id, metres away) nearest first; rows without coordinates (or with a hidden
    address) last, or left out when `within_metres` is given. One query for any number of
    rows."""
    # The API asks search for geocoding and distances; imported here, not at module level,
    # because search's engines import the directory.
    from search.postcodes import bounding_box, haversine_miles

    if within_metres is not None:
        min_lat, max_lat, min_lon, max_lon = bounding_box(
            latitude, longitude, within_metres / METRES_PER_MILE
        )
        rows = rows.filter(
            location__latitude__range=(min_lat, max_lat),
            location__longitude__range=(min_lon, max_lon),
        )
    ranked = []
    points = rows.values_list(
        "pk", "location__latitude", "location__longitude", "location__hide_address"
    )
    for position, (pk, lat, lon, hidden) in enumerate(points):
        distance = None
        # A hidden address counts as having no coordinates: sorting and radius filters could
        # otherwise narrow down where a refuge is, query by query.
        if lat is not None and lon is not None and not hidden:
            distance = haversine_miles(latitude, longitude, lat, lon) * METRES_PER_MILE
        if within_metres is not None and (distance is None or distance > within_metres):
            continue
        ranked.append((distance is None, distance or 0.0, position, pk, distance))
    ranked.sort()
    return [(pk, distance) for *_, pk, distance in ranked]
