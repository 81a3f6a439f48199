"""The embedded engine: Wagtail's database search index (SQLite FTS5, PostgreSQL full text)
for words, and SQL for filters, facets and distance.

Ranking is deterministic on both databases: the index's relevance orders the text matches,
and a stable sort adds bonuses so a match in the service's name beats one in its description
and the exact phrase beats scattered words (ADR 0005).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from .. import indexing
from ..postcodes import bounding_box, geocode, haversine_miles
from ..query import (
    DEFAULT_DISTANCE_MILES,
    FacetCount,
    SearchHit,
    SearchResults,
    ServiceQuery,
)
from ..text import content_words, expand_synonyms, query_words, spelling_suggestion, synonym_groups
from .text_index import text_index

FEW_RESULTS = 3


@dataclass
class _Ordered:
    """The results in order: a list of ids, or (with no words and no postcode) a queryset.

    With words but no postcode it has both: the ranked ids, and a queryset of the same
    services for counting facets inside the database.
    """

    ids: list[int] | None = None
    queryset: object = None
    distances: dict[int, float] = field(default_factory=dict)
    within: dict[int, bool] = field(default_factory=dict)

    @property
    def total(self) -> int:  # ids win: they are the ranked, filtered matches
        return len(self.ids) if self.ids is not None else self.queryset.count()

    def page(self, start: int, stop: int) -> list[int]:
        if self.ids is not None:
            return self.ids[start:stop]
        return list(self.queryset.values_list("id", flat=True)[start:stop])

    def id_source(self):
        return self.queryset.values("id") if self.queryset is not None else self.ids


class DatabaseSearchEngine:
    # --- the protocol ---------------------------------------------------------------------------
    def search(self, query: ServiceQuery) -> SearchResults:
        location = geocode(query.postcode) if query.postcode else None
        filtered = self._apply_filters(indexing.searchable_services(), query)
        variants = expand_synonyms(query.text, synonym_groups()) if query_words(query.text) else []

        ordered = self._ordered(query, filtered, variants, location)
        total = ordered.total
        start = (query.page - 1) * query.per_page
        page_ids = ordered.page(start, start + query.per_page)
        services = indexing.services_for_display(page_ids)
        hits = [
            SearchHit(
                service=services[service_id],
                score=float(total - position),
                distance_miles=ordered.distances.get(service_id),
                within_distance=ordered.within.get(service_id, True),
            )
            for position, service_id in enumerate(page_ids, start=start)
            if service_id in services
        ]

        if query.taxonomy_term_ids:
            # Counts leave the category choice out, so people can see what adding one gives.
            unfiltered = self._apply_filters(
                indexing.searchable_services(), query, with_terms=False
            )
            facet_source = self._matching(unfiltered, variants, location, query)
        else:
            facet_source = ordered.id_source()

        suggestion = (
            spelling_suggestion(query.text) if query.text and total <= FEW_RESULTS else None
        )
        return SearchResults(
            hits=hits,
            total=total,
            query=query,
            facets=self._facets(query, facet_source),
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

    # --- order ----------------------------------------------------------------------------------
    def _matching(self, filtered, variants, location, query):
        """Everything that matches, unordered: for counting, kept in SQL where possible."""
        if variants:
            word_lists = [variant.split() for variant in variants]
            subquery = text_index().id_subquery(indexing.service_model(), word_lists)
            filtered = filtered.filter(id__in=subquery)
        if location is None:
            return filtered.values("id")
        return self._ordered(query, filtered, [], location).id_source()

    def _ordered(self, query, filtered, variants, location) -> _Ordered:
        if not variants and location is None:
            return _Ordered(queryset=filtered.order_by("title", "id"))

        ranked = bonus = None
        if variants:
            word_lists = [variant.split() for variant in variants]
            subquery = text_index().id_subquery(indexing.service_model(), word_lists)
            filtered = filtered.filter(id__in=subquery)
            allowed = set(filtered.values_list("id", flat=True))
            ranked, bonus = self._text_ranking(word_lists, allowed, query)
            if location is None:
                # Counting stays in SQL: the same matches as a subquery, not a list of ids.
                return _Ordered(ids=ranked, queryset=filtered)
        return self._by_distance(query, filtered, ranked, bonus or {}, location)

    def _text_ranking(self, word_lists, allowed: set[int], query) -> tuple[list[int], dict]:
        """Ids matching the words (or a synonym's variant) and the filters, best first."""
        words = content_words(query.text)
        phrase_words = query_words(query.text)
        phrase = " ".join(phrase_words)
        index = text_index()
        model = indexing.service_model()
        found = index.matches(model, word_lists)
        matches = [m for m in found if m.object_id in allowed]
        in_phrase = index.phrase_ids(model, phrase_words) if len(phrase_words) > 1 else set()

        def bonus(match) -> int:
            name = " ".join(query_words(match.title))
            name_words = set(name.split())
            points = 0
            if f" {phrase} " in f" {name} ":
                points += 4  # the exact phrase in the name
            if all(word in name_words for word in words):
                points += 2  # every word in the name
            elif any(word in name_words for word in words):
                points += 1  # some words in the name
            if match.object_id in in_phrase:
                points += 1  # the exact phrase anywhere
            return points

        bonuses = {m.object_id: bonus(m) for m in matches}
        if query.sort == "name":
            ordered = sorted(matches, key=lambda m: (m.title.casefold(), m.object_id))
        else:
            ordered = sorted(matches, key=lambda m: -bonuses[m.object_id])  # stable
        return [m.object_id for m in ordered], bonuses

    def _by_distance(self, query, filtered, ranked, bonus, location) -> _Ordered:
        """Local services within the distance, then county-wide, then national ones."""
        radius = query.distance_miles or DEFAULT_DISTANCE_MILES
        origin = (location.latitude, location.longitude)
        box = indexing.in_box(bounding_box(*origin, radius))
        local = filtered.exclude(coverage__in=indexing.WIDER_COVERAGE)
        wider = filtered.filter(coverage__in=indexing.WIDER_COVERAGE)

        distances: dict[int, float] = {}
        for service_id, lat, lon in indexing.location_points(local, box):
            miles = haversine_miles(*origin, lat, lon)
            if miles <= radius and miles < distances.get(service_id, radius + 1):
                distances[service_id] = miles
        near = list(distances)
        wider_rows = list(wider.order_by("title", "id").values_list("id", "coverage"))
        for service_id, lat, lon in indexing.location_points(wider):
            miles = haversine_miles(*origin, lat, lon)
            distances[service_id] = min(miles, distances.get(service_id, miles))

        if ranked is not None:
            position = {service_id: n for n, service_id in enumerate(ranked)}
            near = [i for i in near if i in position]
            wider_rows = [row for row in wider_rows if row[0] in position]
            if query.sort == "name":
                near.sort(key=lambda i: position[i])
            elif query.sort == "distance":
                near.sort(key=lambda i: (distances[i], position[i]))
            else:
                near.sort(key=lambda i: (-bonus.get(i, 0), distances[i]))
                wider_rows.sort(key=lambda row: position[row[0]])
        elif query.sort == "name":
            titles = dict(filtered.filter(id__in=near).values_list("id", "title"))
            near.sort(key=lambda i: (titles[i].casefold(), i))
        else:
            near.sort(key=lambda i: (distances[i], i))
        county = [i for i, coverage in wider_rows if coverage == "county"]
        national = [i for i, coverage in wider_rows if coverage == "national"]
        within = dict.fromkeys(near, True) | dict.fromkeys(county + national, False)
        return _Ordered(ids=near + county + national, distances=distances, within=within)

    # --- facets ---------------------------------------------------------------------------------
    def _facets(self, query, source) -> list[FacetCount]:
        terms = indexing.browsable_terms()
        counts = indexing.term_counts(source, terms)
        selected = set(query.taxonomy_term_ids)
        return [
            FacetCount(term=term, count=counts.get(term.id, 0), selected=term.id in selected)
            for term in terms
        ]
