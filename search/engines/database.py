"""The embedded engine: Wagtail's database search backend (SQLite FTS5, PostgreSQL full text)
for words, and SQL for filters, facets and distance.

Ranking is deterministic on both databases: Wagtail's relevance orders the text matches, and
bonuses put a match in the service's name above one in its description, and the exact phrase
above scattered words.
"""

from __future__ import annotations

from django.utils import timezone
from wagtail.search.backends import get_search_backend
from wagtail.search.query import Or, PlainText

from .. import indexing
from ..postcodes import bounding_box, geocode, haversine_miles
from ..query import (
    DEFAULT_DISTANCE_MILES,
    FacetCount,
    InterpretedLocation,
    SearchHit,
    SearchResults,
    ServiceQuery,
)
from ..text import expand_synonyms, query_words, spelling_suggestion, synonym_groups

FEW_RESULTS = 3


class DatabaseSearchEngine:
    def __init__(self, backend_name: str = "default") -> None:
        self.backend_name = backend_name

    # --- the protocol ---------------------------------------------------------------------------
    def search(self, query: ServiceQuery) -> SearchResults:
        location = geocode(query.postcode) if query.postcode else None
        filtered = self._apply_filters(indexing.searchable_services(), query)

        variants: list[str] = []
        if query_words(query.text):
            variants = expand_synonyms(query.text, synonym_groups())
            ranked = self._text_ranking(variants, filtered, query.text)
        else:
            ranked = None  # no words: everything that passes the filters

        ordered_ids, distances, within = self._order(query, filtered, ranked, location)
        total = len(ordered_ids)
        start = (query.page - 1) * query.per_page
        page_ids = ordered_ids[start : start + query.per_page]
        services = indexing.services_for_display(page_ids)
        hits = [
            SearchHit(
                service=services[service_id],
                score=float(total - position),
                distance_miles=distances.get(service_id),
                within_distance=within.get(service_id, True),
            )
            for position, service_id in enumerate(page_ids, start=start)
            if service_id in services
        ]

        suggestion = None
        if query.text and total <= FEW_RESULTS:
            suggestion = spelling_suggestion(query.text)
        # With no category chosen, the facets count the results themselves.
        facet_ids = None if query.taxonomy_term_ids else ordered_ids
        return SearchResults(
            hits=hits,
            total=total,
            query=query,
            facets=self._facets(query, location, variants, facet_ids),
            location=location,
            suggestion=suggestion,
            expanded_terms=tuple(variants[1:]),
        )

    # --- filters --------------------------------------------------------------------------------
    def _apply_filters(self, queryset, query: ServiceQuery, *, with_terms: bool = True):
        if with_terms and query.taxonomy_term_ids:
            queryset = indexing.filter_by_terms(queryset, query.taxonomy_term_ids)
        if query.age is not None:
            queryset = indexing.filter_by_age(queryset, query.age)
        if query.free_only:
            queryset = queryset.filter(is_free=True)
        if query.attending:
            queryset = indexing.filter_by_attending(queryset, query.attending)
        if query.day is not None:
            queryset = indexing.filter_open_on_day(queryset, query.day)
        if query.open_now:
            queryset = indexing.filter_open_at(queryset, timezone.localtime())
        return queryset

    # --- words ----------------------------------------------------------------------------------
    def _text_ranking(self, variants: list[str], filtered, original: str) -> list[int]:
        """Ids of services matching the words (or a synonym variant), best first.

        Also records each id's bonus in `self._bonus`, so a postcode search can put the
        nearest first among equally good matches.
        """
        backend = get_search_backend(self.backend_name)
        subqueries = [PlainText(variant, operator="and") for variant in variants]
        search_query = subqueries[0] if len(subqueries) == 1 else Or(subqueries)
        matches = backend.search(search_query, filtered.only("id", "title", "summary"))
        rows = [(page.id, page.title, page.summary) for page in matches]

        words = query_words(original)
        phrase = " ".join(words)

        def bonus(title: str, summary: str) -> int:
            name = " ".join(query_words(title))
            name_words = set(name.split())
            points = 0
            if f" {phrase} " in f" {name} ":
                points += 4  # the exact phrase in the name
            if all(word in name_words for word in words):
                points += 2  # every word in the name
            elif any(word in name_words for word in words):
                points += 1  # some words in the name
            if f" {phrase} " in f" {' '.join(query_words(summary))} ":
                points += 1  # the exact phrase in the summary
            return points

        bonuses = {row[0]: bonus(row[1], row[2]) for row in rows}
        self._bonus = bonuses
        # Stable sort: equal bonuses keep Wagtail's relevance order.
        rows.sort(key=lambda row: -bonuses[row[0]])
        return [row[0] for row in rows]

    # --- order and distance ---------------------------------------------------------------------
    def _order(self, query, filtered, ranked, location: InterpretedLocation | None):
        if ranked is None:
            rows = list(filtered.order_by("title", "id").values_list("id", "coverage"))
            ids = [row[0] for row in rows]
        else:
            ids = ranked
            if query.sort == "name":
                titles = dict(filtered.filter(id__in=ids).values_list("id", "title"))
                ids = sorted(ids, key=lambda i: (titles.get(i, "").casefold(), i))
            rows = None
        if location is None:
            return ids, {}, {}

        coverage = (
            dict(rows) if rows else dict(filtered.filter(id__in=ids).values_list("id", "coverage"))
        )
        radius = query.distance_miles or DEFAULT_DISTANCE_MILES
        box = bounding_box(location.latitude, location.longitude, radius)
        local_ids = [i for i in ids if coverage.get(i) not in indexing.WIDER_COVERAGE]
        points = indexing.service_distances(local_ids, box)
        distances: dict[int, float] = {}
        for service_id, coords in points.items():
            nearest = min(
                haversine_miles(location.latitude, location.longitude, lat, lon)
                for lat, lon in coords
            )
            if nearest <= radius:
                distances[service_id] = nearest
        wider_ids = [i for i in ids if coverage.get(i) in indexing.WIDER_COVERAGE]
        for service_id, coords in indexing.all_location_points(wider_ids).items():
            distances[service_id] = min(
                haversine_miles(location.latitude, location.longitude, lat, lon)
                for lat, lon in coords
            )

        near = [i for i in local_ids if i in distances]
        if query.sort == "distance" or (ranked is None and query.sort == "relevance"):
            near.sort(key=lambda i: distances[i])  # stable: equal distances keep name order
        elif query.sort == "relevance":
            bonuses = getattr(self, "_bonus", {})
            near.sort(key=lambda i: (-bonuses.get(i, 0), distances[i]))
        # County-wide, then national services, after the local ones within the distance.
        county = [i for i in wider_ids if coverage.get(i) == "county"]
        national = [i for i in wider_ids if coverage.get(i) == "national"]
        within = dict.fromkeys(near, True) | dict.fromkeys(county + national, False)
        return near + county + national, distances, within

    # --- facets ---------------------------------------------------------------------------------
    def _facets(self, query, location, variants, ids=None) -> list[FacetCount]:
        """Counts per category over everything else the person chose (so counts stay useful)."""
        terms = indexing.browsable_terms()
        if not terms:
            return []
        if ids is not None:
            source = ids
        else:
            others = self._apply_filters(indexing.searchable_services(), query, with_terms=False)
            ranked = self._text_ranking(variants, others, query.text) if variants else None
            if location is not None:
                by_name = ServiceQuery(sort="name", distance_miles=query.distance_miles)
                ranked, _, _ = self._order(by_name, others, ranked, location)
            source = ranked if ranked is not None else others.values("id")
        counts = indexing.term_counts(source, terms)
        selected = set(query.taxonomy_term_ids)
        return [
            FacetCount(term=term, count=counts.get(term.id, 0), selected=term.id in selected)
            for term in terms
        ]
