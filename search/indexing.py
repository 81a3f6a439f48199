"""The one place the search app touches the directory's models (ARCHITECTURE.md).

Engines ask this module for what may be searched and for the facts they filter and rank on;
nothing else in `search/` imports from `directory`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Avg, Count, QuerySet

from directory.freshness import hidden_cutoff, last_checked_on
from directory.models import (
    Location,
    OrganisationPage,
    RegularSchedule,
    Review,
    ScheduleException,
    ServiceAtLocation,
    ServicePage,
    Taxonomy,
    TaxonomyTerm,
)
from directory.selectors import services_published
from directory.signals import service_ratings_changed, services_bulk_published

SEARCHABLE_STATUSES = ("active", "temporarily closed")


# Re-exported for search.signals: the directory's own signals and the models whose changes
# reach a search document.
BULK_PUBLISHED = services_bulk_published
RATINGS_CHANGED = service_ratings_changed
SERVICE_MODEL = ServicePage
ORGANISATION_MODEL = OrganisationPage
LOCATION_MODEL = Location
TERM_MODEL = TaxonomyTerm
VOCABULARY_MODEL = Taxonomy


@dataclass(frozen=True)
class ServiceFacts:
    """Everything a search document holds about one findable service, read in bulk."""

    id: int
    title: str
    url: str
    organisation: str
    summary: str
    status: str
    status_label: str
    categories: tuple[str, ...]
    assured_date: datetime.date | None
    coverage: str
    minimum_age: int | None
    maximum_age: int | None
    is_free: bool
    attending_in_person: bool
    attending_online: bool
    attending_phone: bool
    open_days: int
    checked_on: datetime.date | None
    rating_average: float | None
    rating_count: int
    term_ids: frozenset[int]  # its terms and every term above them
    points: tuple[tuple[float, float], ...]
    # Free text the Elasticsearch engine matches on (the database engine reads Wagtail's index).
    description: str = ""
    eligibility: str = ""


def service_model() -> type[ServicePage]:
    """The model whose search-index entries the engines read."""
    return ServicePage


def searchable_services() -> QuerySet[ServicePage]:
    """What the public may find: published (as the API defines it) and still running."""
    return services_published().filter(status__in=SEARCHABLE_STATUSES).order_by()


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


def services_open_at(when: datetime.datetime) -> QuerySet:
    """Ids of services open at a moment: a weekly session covers it and no closure or bank
    holiday stops it (as SQL, for `id__in=`)."""
    from directory.bank_holidays import is_bank_holiday

    local_time = when.timetz().replace(tzinfo=None)
    sessions = RegularSchedule.objects.filter(
        weekday=when.weekday(), opens_at__lte=local_time, closes_at__gt=local_time
    ).values("service_id")
    closed_today = ScheduleException.objects.filter(date=when.date(), closed=True).values(
        "service_id"
    )
    services = ServicePage.objects.filter(id__in=sessions).exclude(id__in=closed_today)
    if is_bank_holiday(when.date()):
        services = services.exclude(closed_on_bank_holidays=True)
    return services.values("id")


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


def vocabulary_sources() -> Iterable[str]:
    """Text the spelling suggester learns words from: service names and category names."""
    yield from searchable_services().values_list("title", flat=True)
    yield from TaxonomyTerm.objects.values_list("name", flat=True)


# --- Facts for search documents ---------------------------------------------------------------


def service_facts(service_ids: Iterable[int] | None = None) -> Iterator[ServiceFacts]:
    """The facts of each findable service among `service_ids` (all of them when None), read
    with a fixed number of queries per chunk. Services that may not be found are left out."""
    if service_ids is None:
        ids = list(searchable_services().order_by("id").values_list("id", flat=True))
    else:
        ids = sorted(set(service_ids))
    labels = dict(ServicePage.STATUSES)
    parents = dict(TaxonomyTerm.objects.values_list("id", "parent_id"))
    names = dict(TaxonomyTerm.objects.values_list("id", "name"))
    for chunk in _chunks_of(ids, 500):
        services = list(
            searchable_services()
            .filter(id__in=chunk)
            .only(
                "id",
                "path",
                "url_path",
                "title",
                "summary",
                "description",
                "eligibility_description",
                "status",
                "assured_date",
                "first_published_at",
                "coverage",
                "minimum_age",
                "maximum_age",
                "is_free",
                "attending_in_person",
                "attending_online",
                "attending_phone",
                "locale_id",
            )
            .order_by("id")
        )
        if not services:
            continue
        found = [service.id for service in services]
        organisations = dict(
            OrganisationPage.objects.filter(
                path__in={service.path[: -ServicePage.steplen] for service in services}
            ).values_list("path", "title")
        )
        own_terms: dict[int, list[int]] = defaultdict(list)
        through = ServicePage.taxonomy_terms.through
        for service_id, term_id in (
            through.objects.filter(servicepage_id__in=found)
            .order_by("id")
            .values_list("servicepage_id", "taxonomyterm_id")
        ):
            own_terms[service_id].append(term_id)
        open_days: dict[int, int] = defaultdict(int)
        for service_id, weekday in (
            RegularSchedule.objects.filter(service_id__in=found)
            .values_list("service_id", "weekday")
            .distinct()
        ):
            open_days[service_id] |= 1 << weekday
        ratings = {
            row["service_id"]: row
            for row in Review.objects.filter(service_id__in=found, status=Review.PUBLISHED)
            .values("service_id")
            .annotate(average=Avg("rating"), count=Count("id"))
            .order_by()
        }
        points: dict[int, list[tuple[float, float]]] = defaultdict(list)
        for service_id, lat, lon in (
            ServiceAtLocation.objects.filter(service_id__in=found, location__latitude__isnull=False)
            .order_by("service_id", "sort_order", "id")
            .values_list("service_id", "location__latitude", "location__longitude")
        ):
            if lat is not None and lon is not None and (lat, lon) not in points[service_id]:
                points[service_id].append((lat, lon))
        for service in services:
            terms = own_terms.get(service.id, [])
            yield ServiceFacts(
                id=service.id,
                title=service.title,
                url=service.get_url() or "",
                organisation=organisations.get(service.path[: -ServicePage.steplen], ""),
                summary=service.summary,
                status=service.status,
                status_label="" if service.status == "active" else labels[service.status],
                categories=tuple(names[term_id] for term_id in terms),
                assured_date=service.assured_date,
                coverage=service.coverage,
                minimum_age=service.minimum_age,
                maximum_age=service.maximum_age,
                is_free=service.is_free,
                attending_in_person=service.attending_in_person,
                attending_online=service.attending_online,
                attending_phone=service.attending_phone,
                open_days=open_days.get(service.id, 0),
                checked_on=last_checked_on(service),
                rating_average=ratings[service.id]["average"] if service.id in ratings else None,
                rating_count=ratings[service.id]["count"] if service.id in ratings else 0,
                term_ids=frozenset(_with_ancestors(terms, parents)),
                points=tuple(points.get(service.id, ())),
                description=service.description,
                eligibility=service.eligibility_description,
            )


def _with_ancestors(term_ids: Iterable[int], parents: dict[int, int | None]) -> set[int]:
    found: set[int] = set()
    for term_id in term_ids:
        while term_id is not None and term_id not in found:
            found.add(term_id)
            term_id = parents.get(term_id)
    return found


def _chunks_of(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def services_under(path: str) -> list[int]:
    """Every service at or below a page (by its tree path), live or not."""
    return list(ServicePage.objects.filter(path__startswith=path).values_list("id", flat=True))


def services_with_terms(term_ids: Iterable[int]) -> list[int]:
    """Services filed under any of these terms or a term below them."""
    expanded = set().union(*expand_terms(list(term_ids)).values()) if term_ids else set()
    through = ServicePage.taxonomy_terms.through
    return list(
        through.objects.filter(taxonomyterm_id__in=expanded)
        .values_list("servicepage_id", flat=True)
        .distinct()
    )


def services_at_location(location_id: int) -> list[int]:
    return list(
        ServiceAtLocation.objects.filter(location_id=location_id)
        .values_list("service_id", flat=True)
        .distinct()
    )


def stale_cutoff() -> datetime.date | None:
    """Listings last checked on or before this date are hidden (DIRECTORY_HIDE_STALE_AFTER_
    MONTHS); None when nothing is hidden. Documents carry `checked_on` to filter on, since a
    listing goes stale without anything being published."""
    return hidden_cutoff()
