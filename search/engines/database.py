"""The embedded engine: Wagtail's database search index (SQLite FTS5, PostgreSQL full text)
for words, and the search documents (ADR 0006) for filters, facets, distance and result cards.

Ranking is deterministic on both databases: ranking points put a match in the service's name
above one in its description and the exact phrase above scattered words (ADR 0005); the
index's relevance orders the rest.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from .. import indexing
from ..autocomplete import autocomplete_suggestions
from ..models import SearchDocument, SearchDocumentPoint, SearchDocumentTerm
from ..postcodes import bounding_box, geocode, haversine_miles
from ..query import (
    AUTOCOMPLETE_LIMIT,
    DEFAULT_DISTANCE_MILES,
    FacetCount,
    SearchHit,
    SearchResults,
    ServiceCard,
    ServiceQuery,
    Suggestion,
)
from ..text import (
    content_words,
    expand_synonyms,
    query_words,
    spelling_suggestion,
    synonym_groups,
    vocabulary_version,
)
from .text_index import Ranking, text_index

FEW_RESULTS = 3
WIDER_COVERAGE = ("county", "national")
# SQLite refuses statements with more than 32,766 parameters: long id lists go in chunks.
ID_CHUNK = 10_000
TERM_MAP_SECONDS = 600  # bulk loads send no signals: the term map is rebuilt this often


@dataclass
class _Candidates:
    """Matching services before the category filter (facets count these), in order.

    `ids` is the ordered list when words or a postcode decide the order; otherwise the order
    is by name and stays in SQL (`queryset`), so a browse page never loads every id.
    """

    ids: list[int] | None = None
    queryset: QuerySet | None = None
    distances: dict[int, float] = field(default_factory=dict)
    within: dict[int, bool] = field(default_factory=dict)
    origin: tuple[float, float] | None = None  # a postcode search's centre


class DatabaseSearchEngine:
    # --- the protocol ---------------------------------------------------------------------------
    def search(self, query: ServiceQuery) -> SearchResults:
        location = geocode(query.postcode) if query.postcode else None
        variants = expand_synonyms(query.text, synonym_groups()) if query_words(query.text) else []
        base = self._filtered(query)
        candidates = self._candidates(query, base, variants, location)
        in_terms = self._term_filter(query)

        start = (query.page - 1) * query.per_page
        stop = start + query.per_page
        if candidates.ids is None:
            chosen = candidates.queryset
            if in_terms is not None:
                chosen = chosen.filter(service_id__in=in_terms)
            total = chosen.count()
            page_ids = list(chosen.values_list("service_id", flat=True)[start:stop])
            facets = self._facets(query, candidates.queryset.values("service_id"), None)
        else:
            terms_map = term_map()
            facets = self._facets(query, candidates.ids, terms_map)
            ids = candidates.ids
            if query.taxonomy_term_ids:
                allowed = terms_map.documents_in(query.taxonomy_term_ids)
                ids = [service_id for service_id in ids if service_id in allowed]
            total = len(ids)
            page_ids = ids[start:stop]

        self._add_distances(candidates, page_ids)
        cards = self._cards(page_ids)
        hits = [
            SearchHit(
                card=cards[service_id],
                score=float(total - position),
                distance_miles=candidates.distances.get(service_id),
                within_distance=candidates.within.get(service_id, True),
            )
            for position, service_id in enumerate(page_ids, start=start)
            if service_id in cards
        ]
        suggestion = (
            spelling_suggestion(query.text) if query.text and total <= FEW_RESULTS else None
        )
        return SearchResults(
            hits=hits,
            total=total,
            query=query,
            facets=facets,
            location=location,
            suggestion=suggestion,
            expanded_terms=tuple(variants[1:]),
        )

    def autocomplete(self, prefix: str, *, limit: int = AUTOCOMPLETE_LIMIT) -> list[Suggestion]:
        return autocomplete_suggestions(prefix, limit=limit)

    # --- filters --------------------------------------------------------------------------------
    def _filtered(self, query: ServiceQuery) -> QuerySet[SearchDocument]:
        """Findable services passing every filter but the categories (facets leave those out,
        so people can see what choosing one more would give)."""
        documents = SearchDocument.objects.order_by()
        cutoff = indexing.stale_cutoff()
        if cutoff is not None:
            documents = documents.exclude(checked_on__lte=cutoff)
        if query.age is not None:
            documents = documents.filter(
                Q(minimum_age__isnull=True) | Q(minimum_age__lte=query.age),
                Q(maximum_age__isnull=True) | Q(maximum_age__gte=query.age),
            )
        if query.free_only:
            documents = documents.filter(is_free=True)
        if query.attending:
            either = Q()
            for kind in query.attending:
                either |= Q(**{f"attending_{kind}": True})
            documents = documents.filter(either)
        if query.day is not None:
            documents = documents.annotate(open_that_day=_open_on(query.day)).filter(
                open_that_day__gt=0
            )
        if query.open_now:
            documents = documents.filter(
                service_id__in=indexing.services_open_at(timezone.localtime())
            )
        return documents

    def _term_filter(self, query: ServiceQuery) -> QuerySet | None:
        """Document-term rows for the chosen categories (their sub-categories come along: a
        document lists every category above its own)."""
        if not query.taxonomy_term_ids:
            return None
        return SearchDocumentTerm.objects.filter(term_id__in=query.taxonomy_term_ids).values(
            "document_id"
        )

    # --- order ----------------------------------------------------------------------------------
    def _candidates(self, query, base, variants, location) -> _Candidates:
        if not variants and location is None:
            return _Candidates(queryset=base.order_by("sort_title", "service_id"))
        ranked = None
        if variants:
            ranked = self._ranked(query, base, variants)
            if location is None:
                if query.sort == "name":
                    ranked.sort(key=lambda match: (match.title.casefold(), match.object_id))
                return _Candidates(ids=[match.object_id for match in ranked])
        return self._by_distance(query, base, ranked, location)

    def _ranked(self, query, base, variants) -> list:
        """Services matching the words (or a synonym's variant) and the filters, best first."""
        ranking = Ranking(
            phrase_words=tuple(query_words(query.text)),
            name_words=tuple(content_words(query.text)),
        )
        within = base.values("service_id").query.sql_with_params()
        return text_index().ranked(
            indexing.service_model(), [v.split() for v in variants], ranking, within
        )

    def _by_distance(self, query, base, ranked, location) -> _Candidates:
        """Local services within the distance, then county-wide, then national ones."""
        radius = query.distance_miles or DEFAULT_DISTANCE_MILES
        origin = (location.latitude, location.longitude)
        position = bonus = None
        if ranked is None:
            wider_rows = list(
                base.filter(coverage__in=WIDER_COVERAGE)
                .order_by("sort_title", "service_id")
                .values_list("service_id", "coverage")
            )
        if ranked is None and not base.query.has_filters():
            points = _points_in_box(bounding_box(*origin, radius), local_only=True)
        elif ranked is None:
            local = base.exclude(coverage__in=WIDER_COVERAGE).values("service_id")
            points = _points_in_box(bounding_box(*origin, radius), within=local)
        else:
            # The matches already passed the filters: their coverage comes from memory, in
            # relevance order, with no query over every county-wide and national service.
            position = {match.object_id: n for n, match in enumerate(ranked)}
            bonus = {match.object_id: match.bonus for match in ranked}
            coverage_of = term_map().wider_coverage
            wider_rows = [
                (match.object_id, coverage_of[match.object_id])
                for match in ranked
                if match.object_id in coverage_of
            ]
            local_ids = [i for i in position if i not in coverage_of]
            points = _points_in_box(bounding_box(*origin, radius), ids=local_ids)

        distances: dict[int, float] = {}
        for service_id, lat, lon in points:
            miles = haversine_miles(*origin, lat, lon)
            if miles <= radius and miles < distances.get(service_id, radius + 1):
                distances[service_id] = miles
        near = list(distances)
        if query.sort == "name" and position is None:
            titles = _sort_titles(near)
            near.sort(key=lambda i: (titles[i], i))
        elif query.sort == "name":
            near.sort(key=lambda i: position[i])
        elif position is not None and query.sort != "distance":
            near.sort(key=lambda i: (-bonus[i], distances[i], position[i]))
        else:
            near.sort(key=lambda i: (distances[i], position[i] if position else i))

        county = [i for i, coverage in wider_rows if coverage == "county"]
        national = [i for i, coverage in wider_rows if coverage == "national"]
        within = dict.fromkeys(near, True) | dict.fromkeys(county + national, False)
        return _Candidates(
            ids=near + county + national, distances=distances, within=within, origin=origin
        )

    @staticmethod
    def _add_distances(candidates: _Candidates, page_ids: list[int]) -> None:
        """Distances for the county-wide and national services on this page only (there may
        be many of them, anywhere in the country)."""
        missing = [i for i in page_ids if i not in candidates.distances]
        if candidates.origin is None or not missing:
            return
        points = SearchDocumentPoint.objects.filter(document_id__in=missing).values_list(
            "document_id", "latitude", "longitude"
        )
        for service_id, lat, lon in points:
            miles = haversine_miles(*candidates.origin, lat, lon)
            candidates.distances[service_id] = min(
                miles, candidates.distances.get(service_id, miles)
            )

    # --- facets and cards -----------------------------------------------------------------------
    def _facets(
        self, query, source: QuerySet | list[int], terms_map: TermMap | None
    ) -> list[FacetCount]:
        """Counts per top-level category of the candidates (before the category filter)."""
        terms = indexing.browsable_terms()
        top = [term.id for term in terms]
        if isinstance(source, QuerySet):
            rows = (
                SearchDocumentTerm.objects.filter(term_id__in=top, document_id__in=source)
                .values("term_id")
                .annotate(services=Count("document_id"))
                .order_by()
                .values_list("term_id", "services")
            )
            counts = dict(rows)
        else:
            counts = terms_map.count_top_terms(source, top)
        selected = set(query.taxonomy_term_ids)
        return [
            FacetCount(term=term, count=counts.get(term.id, 0), selected=term.id in selected)
            for term in terms
        ]

    def _cards(self, ids: list[int]) -> dict[int, ServiceCard]:
        if not ids:
            return {}
        return {
            document.service_id: ServiceCard(
                id=document.service_id,
                title=document.title,
                url=document.url,
                organisation=document.organisation,
                summary=document.summary,
                status=document.status,
                status_label=document.status_label,
                categories=tuple(document.categories),
                assured_date=document.assured_date,
                rating_average=document.rating_average,
                rating_count=document.rating_count,
            )
            for document in SearchDocument.objects.filter(service_id__in=ids).defer(
                "sort_title", "indexed_at"
            )
        }


def _open_on(weekday: int):
    """Non-zero when a document's open days include `weekday` (0 = Monday)."""
    return F("open_days").bitand(1 << weekday)


def _id_list(ids) -> str:
    """Integer ids written into SQL: thousands of them as parameters would cost more to
    prepare (in Django and in the driver) than the query itself, and int() makes them safe."""
    return ",".join(str(int(service_id)) for service_id in ids)


def _points_in_box(
    box: tuple[float, float, float, float],
    *,
    ids: list[int] | None = None,
    within: QuerySet | None = None,
    local_only: bool = False,
) -> list[tuple[int, float, float]]:
    """(service id, latitude, longitude) of the given services' points inside a box (those
    listed, those `within` a query, or every local one): an indexed pre-filter before the
    exact distance."""
    table = SearchDocumentPoint._meta.db_table
    sql = (
        f"SELECT document_id, latitude, longitude FROM {table} "
        "WHERE latitude BETWEEN %s AND %s AND longitude BETWEEN %s AND %s"
    )
    params: list = list(box)
    if ids is not None:
        if not ids:
            return []
        sql += f" AND document_id IN ({_id_list(ids)})"
    elif within is not None:
        within_sql, within_params = within.query.sql_with_params()
        sql += f" AND document_id IN ({within_sql})"
        params += list(within_params)
    if local_only:
        sql += " AND is_local"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _sort_titles(service_ids: list[int]) -> dict[int, str]:
    table = SearchDocument._meta.db_table
    titles: dict[int, str] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(service_ids), ID_CHUNK):
            chunk = service_ids[start : start + ID_CHUNK]
            cursor.execute(
                f"SELECT service_id, sort_title FROM {table} "
                f"WHERE service_id IN ({_id_list(chunk)})"
            )
            titles.update(cursor.fetchall())
    return titles


class TermMap:
    """Which categories each findable service is in (and which services are county-wide or
    national), held in memory: counting facets over
    thousands of matches, or keeping the matches in a category, is then a dictionary lookup
    per service rather than a query with thousands of ids. Rebuilt when the vocabulary
    version changes (every publish, unpublish and category edit) and every ten minutes."""

    def __init__(
        self, rows: Iterable[tuple[int, int]], wider: Iterable[tuple[int, str]] = ()
    ) -> None:
        by_document: dict[int, list[int]] = {}
        by_term: dict[int, set[int]] = {}
        for document_id, term_id in rows:
            by_document.setdefault(document_id, []).append(term_id)
            by_term.setdefault(term_id, set()).add(document_id)
        self.terms_of = {document: tuple(terms) for document, terms in by_document.items()}
        self.documents_of = {term: frozenset(documents) for term, documents in by_term.items()}
        # County-wide and national services, and which (local ones are not listed).
        self.wider_coverage = dict(wider)

    def documents_in(self, term_ids: Iterable[int]) -> set[int] | frozenset[int]:
        """Services in any of these categories (or below them: documents list every
        category above their own)."""
        sets = [self.documents_of.get(term_id, frozenset()) for term_id in term_ids]
        return sets[0] if len(sets) == 1 else set().union(*sets)

    def count_top_terms(self, service_ids: Iterable[int], top: list[int]) -> dict[int, int]:
        wanted = set(top)
        counts: dict[int, int] = dict.fromkeys(top, 0)
        terms_of = self.terms_of
        for service_id in service_ids:
            for term_id in terms_of.get(service_id, ()):
                if term_id in wanted:
                    counts[term_id] += 1
        return counts


@lru_cache(maxsize=2)
def _term_map(version: str, period: int) -> TermMap:
    return TermMap(
        SearchDocumentTerm.objects.order_by()
        .values_list("document_id", "term_id")
        .iterator(chunk_size=ID_CHUNK),
        SearchDocument.objects.order_by()
        .filter(coverage__in=WIDER_COVERAGE)
        .values_list("service_id", "coverage"),
    )


def term_map() -> TermMap:
    return _term_map(vocabulary_version(), int(time.time() // TERM_MAP_SECONDS))
