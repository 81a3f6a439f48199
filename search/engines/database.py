"""The embedded engine: Wagtail's database search index (SQLite FTS5, PostgreSQL full text)
for words, and the search documents (ADR 0006) for filters, facets, distance and result cards.

Ranking is deterministic on both databases: ranking points put a match in the service's name
above one in its description and the exact phrase above scattered words (ADR 0005); the
index's relevance orders the rest.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain

from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from .. import indexing
from ..autocomplete import autocomplete_suggestions
from ..models import SearchDocument, SearchDocumentPoint, SearchDocumentTerm
from ..postcodes import (
    bounding_box,
    chord_squared,
    geocode,
    haversine_miles,
    miles_from_chord_squared,
    unit_vector,
)
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
from .text_index import Ranked, Ranking, text_index

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
    # A postcode search: its centre, and the squared chord (search.postcodes.chord_squared)
    # to each local service within the distance. Services not in `chords` are county-wide
    # or national ones listed after them.
    origin: tuple[float, float] | None = None
    chords: dict[int, float] = field(default_factory=dict)


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
                ids = list(filter(allowed.__contains__, ids))
            total = len(ids)
            page_ids = ids[start:stop]

        distances = self._distances(candidates, page_ids)
        cards = self._cards(page_ids)
        hits = [
            SearchHit(
                card=cards[service_id],
                score=float(total - position),
                distance_miles=distances.get(service_id),
                within_distance=candidates.origin is None or service_id in candidates.chords,
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
                ids = ranked.ids
                if query.sort == "name":
                    ids = _by_name(ids)
                return _Candidates(ids=ids)
        return self._by_distance(query, base, ranked, location)

    def _ranked(self, query, base, variants) -> Ranked:
        """Services matching the words (or a synonym's variant) and the filters, best first."""
        ranking = Ranking(
            phrase_words=tuple(query_words(query.text)),
            name_words=tuple(content_words(query.text)),
        )
        within = base.values("service_id").query.sql_with_params()
        return text_index().ranked(
            indexing.service_model(), [v.split() for v in variants], ranking, within
        )

    def _by_distance(self, query, base, ranked: Ranked | None, location) -> _Candidates:
        """Local services within the distance, then county-wide, then national ones."""
        radius = query.distance_miles or DEFAULT_DISTANCE_MILES
        origin = (location.latitude, location.longitude)
        near_to = _Nearness(origin, radius)
        terms = term_map()
        if ranked is None:
            # Wider services in name order come from memory; filters, if any, from SQL.
            county, national = terms.wider_by_name["county"], terms.wider_by_name["national"]
            if base.query.has_filters():
                allowed = set(
                    base.filter(coverage__in=WIDER_COVERAGE).values_list("service_id", flat=True)
                )
                county = list(filter(allowed.__contains__, county))
                national = list(filter(allowed.__contains__, national))
                local = base.exclude(coverage__in=WIDER_COVERAGE).values("service_id")
                chords = near_to.services(within=local)
            else:
                chords = near_to.services(local_only=True)
            near = list(chords)  # nearest first
            if query.sort == "name":
                near = _by_name(near)
        else:
            # The matches already passed the filters: their coverage comes from memory, in
            # relevance order, with no query over every county-wide and national service.
            coverage_of = terms.wider_coverage
            county = [i for i in ranked.ids if coverage_of.get(i) == "county"]
            national = [i for i in ranked.ids if coverage_of.get(i) == "national"]
            local_ids = [i for i in ranked.ids if i not in coverage_of]
            chords = near_to.services(ids=local_ids)
            if query.sort == "name":
                near, county, national = _by_name(chords), _by_name(county), _by_name(national)
            elif query.sort == "distance":
                near = list(chords)
            else:  # ranking points first, then the nearer, then the index's relevance
                position = {service_id: n for n, service_id in enumerate(local_ids)}
                bonus = dict(zip(ranked.ids, ranked.bonus, strict=True))
                near = sorted(chords, key=lambda i: (-bonus[i], chords[i], position[i]))
        return _Candidates(ids=near + county + national, chords=chords, origin=origin)

    @staticmethod
    def _distances(candidates: _Candidates, page_ids: list[int]) -> dict[int, float]:
        """Miles from the postcode for the services on this page: worked out from the chords
        for local ones, and from their nearest point for county-wide and national ones (there
        may be many of them, anywhere in the country)."""
        if candidates.origin is None:
            return {}
        distances = {
            service_id: miles_from_chord_squared(candidates.chords[service_id])
            for service_id in page_ids
            if service_id in candidates.chords
        }
        missing = [i for i in page_ids if i not in distances]
        if missing:
            points = SearchDocumentPoint.objects.filter(document_id__in=missing).values_list(
                "document_id", "latitude", "longitude"
            )
            for service_id, lat, lon in points:
                miles = haversine_miles(*candidates.origin, lat, lon)
                distances[service_id] = min(miles, distances.get(service_id, miles))
        return distances

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


class _Nearness:
    """Services with a point within `radius` miles of `origin`, found in SQL: an indexed box
    first, then the exact distance as a squared chord between unit vectors (arithmetic that
    SQLite and PostgreSQL both do in C), the nearest point of each service kept."""

    def __init__(self, origin: tuple[float, float], radius: float) -> None:
        self.box = bounding_box(*origin, radius)
        self.vector = unit_vector(*origin)
        # A hair of slack so a point exactly at the radius survives float rounding.
        self.reach = chord_squared(radius) * (1 + 1e-9) + 1e-15

    def services(
        self,
        *,
        ids: list[int] | None = None,
        within: QuerySet | None = None,
        local_only: bool = False,
    ) -> dict[int, float]:
        """{service id: squared chord}, nearest first (ties by id), for the services listed,
        those `within` a query, or every local one."""
        table = SearchDocumentPoint._meta.db_table
        chord = "(x - %s) * (x - %s) + (y - %s) * (y - %s) + (z - %s) * (z - %s)"
        x, y, z = self.vector
        chord_params = [x, x, y, y, z, z]
        sql = (
            f"SELECT document_id, MIN({chord}) AS chord FROM {table} "
            "WHERE latitude BETWEEN %s AND %s AND longitude BETWEEN %s AND %s"
        )
        params: list = [*chord_params, *self.box]
        if ids is not None:
            if not ids:
                return {}
            sql += f" AND document_id IN ({_id_list(ids)})"
        elif within is not None:
            within_sql, within_params = within.query.sql_with_params()
            sql += f" AND document_id IN ({within_sql})"
            params += list(within_params)
        if local_only:
            sql += " AND is_local"
        # PostgreSQL will not let HAVING name a column alias: the expression is repeated.
        sql += f" GROUP BY document_id HAVING MIN({chord}) <= %s ORDER BY chord, document_id"
        params += [*chord_params, self.reach]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return dict(cursor)


def _by_name(service_ids: Iterable[int]) -> list[int]:
    """The services in name order (ties by id)."""
    titles = _sort_titles(list(service_ids))
    return sorted(titles, key=lambda i: (titles[i], i))


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
        # County-wide and national services in name order, and which coverage each has
        # (local ones are not listed).
        self.wider_by_name: dict[str, list[int]] = {coverage: [] for coverage in WIDER_COVERAGE}
        self.wider_coverage: dict[int, str] = {}
        for service_id, coverage in wider:
            self.wider_by_name[coverage].append(service_id)
            self.wider_coverage[service_id] = coverage

    def documents_in(self, term_ids: Iterable[int]) -> set[int] | frozenset[int]:
        """Services in any of these categories (or below them: documents list every
        category above their own)."""
        sets = [self.documents_of.get(term_id, frozenset()) for term_id in term_ids]
        return sets[0] if len(sets) == 1 else set().union(*sets)

    def count_top_terms(self, service_ids: Iterable[int], top: list[int]) -> dict[int, int]:
        """How many of the services are in each of the `top` categories (zero included)."""
        terms_of = self.terms_of.get
        every = Counter(chain.from_iterable(terms_of(service_id, ()) for service_id in service_ids))
        return {term_id: every[term_id] for term_id in top}


@lru_cache(maxsize=2)
def _term_map(version: str, period: int) -> TermMap:
    return TermMap(
        SearchDocumentTerm.objects.order_by()
        .values_list("document_id", "term_id")
        .iterator(chunk_size=ID_CHUNK),
        SearchDocument.objects.filter(coverage__in=WIDER_COVERAGE)
        .order_by("sort_title", "service_id")
        .values_list("service_id", "coverage"),
    )


def term_map() -> TermMap:
    return _term_map(vocabulary_version(), int(time.time() // TERM_MAP_SECONDS))
