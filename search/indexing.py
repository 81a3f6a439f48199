"""The one place the search app touches the directory's models (ARCHITECTURE.md).

Engines ask this module for what may be searched and for the facts they filter and rank on;
nothing else in `search/` imports from `directory`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.core.cache import cache
from django.db.models import Q, QuerySet

from directory.models import (
    OrganisationPage,
    RegularSchedule,
    ScheduleException,
    ServiceAtLocation,
    ServicePage,
    Taxonomy,
    TaxonomyTerm,
)
from directory.selectors import services_published

TERM_MODELS = (Taxonomy, TaxonomyTerm)  # changes to these reset the cached categories
SEARCHABLE_STATUSES = ("active", "temporarily closed")
WIDER_COVERAGE = ("county", "national")


def service_model() -> type[ServicePage]:
    """The model whose search-index entries the engines read."""
    return ServicePage


def searchable_services() -> QuerySet[ServicePage]:
    """What the public may find: published (as the API defines it) and still running."""
    return services_published().filter(status__in=SEARCHABLE_STATUSES).order_by()


def services_for_display(ids: Iterable[int]) -> dict[int, ServicePage]:
    """Full service objects for a page of results, with what result cards show, by id."""
    # Only what the result card shows: the long texts stay in the database.
    services = (
        ServicePage.objects.filter(id__in=list(ids))
        .defer("description", "eligibility_description", "referral_description", "fees")
        .defer("accreditations", "extra_information", "alert")
        .prefetch_related("taxonomy_terms")
    )
    parents = {}
    result = {}
    for service in services:
        result[service.id] = service
        parents[service.path[: -ServicePage.steplen]] = None
    organisations = OrganisationPage.objects.filter(path__in=list(parents))
    by_path = {organisation.path: organisation for organisation in organisations}
    for service in result.values():
        # Result cards name the organisation; one query for all of them, not one per card.
        service.organisation_for_display = by_path.get(service.path[: -ServicePage.steplen])
    return result


def expand_terms(term_ids: Iterable[int]) -> dict[int, set[int]]:
    """Each chosen term with all its descendants: choosing a category includes its children."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for term_id, parent_id in TaxonomyTerm.objects.values_list("id", "parent_id"):
        children[parent_id].append(term_id)
    expanded = {}
    for term_id in term_ids:
        found, stack = {term_id}, [term_id]
        while stack:
            for child in children.get(stack.pop(), []):
                if child not in found:
                    found.add(child)
                    stack.append(child)
        expanded[term_id] = found
    return expanded


def filter_by_terms(queryset: QuerySet, term_ids: Iterable[int]) -> QuerySet:
    """Services in any of the chosen categories (or their sub-categories)."""
    all_ids = set().union(*expand_terms(term_ids).values()) if term_ids else set()
    if not all_ids:
        return queryset
    through = ServicePage.taxonomy_terms.through
    matching = through.objects.filter(taxonomyterm_id__in=all_ids).values("servicepage_id")
    return queryset.filter(id__in=matching)


def filter_by_age(queryset: QuerySet, age: int) -> QuerySet:
    return queryset.filter(
        Q(minimum_age__isnull=True) | Q(minimum_age__lte=age),
        Q(maximum_age__isnull=True) | Q(maximum_age__gte=age),
    )


def filter_by_attending(queryset: QuerySet, attending: Iterable[str]) -> QuerySet:
    condition = Q()
    for kind in attending:
        condition |= Q(**{f"attending_{kind}": True})
    return queryset.filter(condition) if condition else queryset


def filter_open_on_day(queryset: QuerySet, weekday: int) -> QuerySet:
    open_that_day = RegularSchedule.objects.filter(weekday=weekday).values("service_id")
    return queryset.filter(id__in=open_that_day)


def filter_open_at(queryset: QuerySet, when: datetime.datetime) -> QuerySet:
    """Open at a moment: a weekly session covers it and no closure or bank holiday stops it."""
    from directory.bank_holidays import is_bank_holiday

    local_time = when.timetz().replace(tzinfo=None)
    sessions = RegularSchedule.objects.filter(
        weekday=when.weekday(), opens_at__lte=local_time, closes_at__gt=local_time
    ).values("service_id")
    closed_today = ScheduleException.objects.filter(date=when.date(), closed=True).values(
        "service_id"
    )
    queryset = queryset.filter(id__in=sessions).exclude(id__in=closed_today)
    if is_bank_holiday(when.date()):
        queryset = queryset.exclude(closed_on_bank_holidays=True)
    return queryset


# SQLite refuses statements with more than 32,766 parameters: long id lists go in chunks.
ID_CHUNK = 10_000


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), ID_CHUNK):
        yield ids[start : start + ID_CHUNK]


def in_box(box: tuple[float, float, float, float]) -> Q:
    """Service locations inside a bounding box (an indexed pre-filter before exact distance)."""
    min_lat, max_lat, min_lon, max_lon = box
    return Q(
        location__latitude__gte=min_lat,
        location__latitude__lte=max_lat,
        location__longitude__gte=min_lon,
        location__longitude__lte=max_lon,
    )


def location_points(
    services: QuerySet, where: Q | None = None
) -> Iterable[tuple[int, float, float]]:
    """(service id, latitude, longitude) for the locations of the given services."""
    return ServiceAtLocation.objects.filter(
        where or Q(), service__in=services.values("id"), location__latitude__isnull=False
    ).values_list("service_id", "location__latitude", "location__longitude")


TERMS_CACHE_KEY = "search:browsable-terms"


def _cached_terms() -> dict[str, list[TaxonomyTerm]]:
    """Browsable terms, cached until a term or vocabulary changes (search.signals)."""
    terms = cache.get(TERMS_CACHE_KEY)
    if terms is None:
        every = list(TaxonomyTerm.objects.filter(taxonomy__is_browsable=True).order_by("name"))
        terms = {"all": every, "top": [term for term in every if term.parent_id is None]}
        cache.set(TERMS_CACHE_KEY, terms, 3600)
    return terms


def browsable_terms() -> list[TaxonomyTerm]:
    """Top-level terms of browsable vocabularies: the categories offered as filters."""
    return _cached_terms()["top"]


def browsable_term(slug: str) -> TaxonomyTerm | None:
    """Any term (top-level or not) of a browsable vocabulary, by slug."""
    return (
        TaxonomyTerm.objects.filter(taxonomy__is_browsable=True, slug=slug)
        .select_related("parent")
        .first()
    )


def all_browsable_terms() -> list[TaxonomyTerm]:
    return _cached_terms()["all"]


def child_terms(term: TaxonomyTerm) -> list[TaxonomyTerm]:
    return list(term.children.order_by("name"))


def term_counts(service_ids: QuerySet | list[int], terms: list[TaxonomyTerm]) -> dict[int, int]:
    """How many of the given services sit in each term, sub-categories rolled up."""
    if not terms:
        return {}
    expanded = expand_terms([term.id for term in terms])
    owner = {child: top for top, children in expanded.items() for child in children}
    through = ServicePage.taxonomy_terms.through
    sources = [service_ids] if isinstance(service_ids, QuerySet) else _chunks(list(service_ids))
    members: dict[int, set[int]] = defaultdict(set)
    for source in sources:
        rows = (
            through.objects.filter(servicepage_id__in=source, taxonomyterm_id__in=owner)
            .values_list("taxonomyterm_id", "servicepage_id")
            .order_by()
        )
        for term_id, service_id in rows:
            members[owner[term_id]].add(service_id)
    return {term.id: len(members.get(term.id, ())) for term in terms}


def vocabulary_sources() -> Iterable[str]:
    """Text the spelling suggester learns words from: service names and category names."""
    yield from searchable_services().values_list("title", flat=True)
    yield from TaxonomyTerm.objects.values_list("name", flat=True)
