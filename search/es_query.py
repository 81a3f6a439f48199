"""The Elasticsearch query DSL for directory searches, as plain dicts (ADR 0018).

Pure functions: a `ServiceQuery` and what the engine worked out first (the postcode's centre,
which services are open now, the stale-listing cutoff) go in; the request body comes out. No
network, so unit tests assert exactly what is sent (tests/search/test_elasticsearch_dsl.py).

The semantics are the database engine's (search/engines/database.py), so results agree:
every word must match (in any field, or as a synonym, or within a typo or two); filters on
age overlap (no limit when unset), weekday, open now, free, any of the ways of attending;
categories include their sub-categories and are applied after the facet counts; near a
postcode, local services within the distance come first, then county-wide, then national.
"""

from __future__ import annotations

import datetime
from typing import Any

from .query import DEFAULT_DISTANCE_MILES, InterpretedLocation, ServiceQuery
from .text import content_words, query_words

# Name over summary and categories over description (issue 7); eligibility and the
# organisation's name count least.
TEXT_FIELDS = [
    "title^3",
    "categories^2",
    "summary^2",
    "organisation",
    "description",
    "eligibility",
]
WIDER_COVERAGE = ("county", "national")
FACETS_AGGREGATION = "categories"
SPELLING_SUGGESTER = "spelling"
# Marks around highlighted words, swapped for <mark> after the snippet is escaped.
HIGHLIGHT_START, HIGHLIGHT_END = "\x02", "\x03"
HIGHLIGHT_FIELDS = ("summary", "description")

# Coverage as a number to sort on: local services first, then county-wide, then national.
COVERAGE_TIER_SCRIPT = (
    "if (doc['coverage'].size() == 0) { return 0; } "
    "String c = doc['coverage'].value; "
    "return c == 'national' ? 2 : (c == 'county' ? 1 : 0);"
)


def text_clause(text: str) -> dict[str, Any] | None:
    """Every meaningful word must match somewhere: exactly or as a synonym (the search
    analyser's synonym graph), or within a typo (fuzziness AUTO; the first letter must be
    right). The name as a phrase, or all the words in the name, score extra."""
    words = content_words(text)
    if not words:
        return None
    cleaned = " ".join(words)
    exact = {
        "multi_match": {
            "query": cleaned,
            "type": "cross_fields",
            "fields": TEXT_FIELDS,
            "operator": "and",
        }
    }
    # Fuzzy matching word by word, analysed without synonyms (a fuzzy query over a synonym
    # graph is not what anyone typed).
    fuzzy = {
        "bool": {
            "must": [
                {
                    "multi_match": {
                        "query": word,
                        "fields": TEXT_FIELDS,
                        "fuzziness": "AUTO",
                        "prefix_length": 1,
                        "analyzer": "portal_english",
                    }
                }
                for word in words
            ],
            "boost": 0.5,  # below an exact match of the same words
        }
    }
    return {
        "bool": {
            "must": [{"bool": {"should": [exact, fuzzy], "minimum_should_match": 1}}],
            "should": [
                {"match_phrase": {"title": {"query": " ".join(query_words(text)), "boost": 4}}},
                {"match": {"title": {"query": cleaned, "operator": "and", "boost": 2}}},
            ],
        }
    }


def filter_clauses(
    query: ServiceQuery,
    *,
    stale_cutoff: datetime.date | None,
    open_now_ids: list[int] | None,
) -> list[dict[str, Any]]:
    """Every filter but the categories (those go in the post filter, after facet counts)."""
    filters: list[dict[str, Any]] = []
    if stale_cutoff is not None:
        # Listings checked on or before the cutoff are hidden; never-checked ones are not.
        filters.append(
            {"bool": {"must_not": [{"range": {"checked_on": {"lte": stale_cutoff.isoformat()}}}]}}
        )
    if query.age is not None:
        # Age ranges overlap: an unset limit is no limit.
        filters.append(
            {
                "bool": {
                    "must_not": [
                        {"range": {"minimum_age": {"gt": query.age}}},
                        {"range": {"maximum_age": {"lt": query.age}}},
                    ]
                }
            }
        )
    if query.free_only:
        filters.append({"term": {"is_free": True}})
    if query.attending:
        filters.append(
            {
                "bool": {
                    "should": [{"term": {f"attending_{kind}": True}} for kind in query.attending],
                    "minimum_should_match": 1,
                }
            }
        )
    if query.day is not None:
        filters.append({"term": {"open_weekdays": query.day}})
    if query.open_now:
        filters.append({"terms": {"service_id": sorted(open_now_ids or [])}})
    return filters


def location_clause(location: InterpretedLocation, radius_miles: float) -> dict[str, Any]:
    """Local services with a location within the distance, and every county-wide and
    national service (listed after them)."""
    return {
        "bool": {
            "should": [
                {
                    "bool": {
                        "must_not": [{"terms": {"coverage": list(WIDER_COVERAGE)}}],
                        "filter": [
                            {
                                "nested": {
                                    "path": "locations",
                                    "query": {
                                        "geo_distance": {
                                            "distance": f"{radius_miles}mi",
                                            "locations.point": _point(location),
                                        }
                                    },
                                }
                            }
                        ],
                    }
                },
                {"terms": {"coverage": list(WIDER_COVERAGE)}},
            ],
            "minimum_should_match": 1,
        }
    }


def distance_sort(location: InterpretedLocation) -> dict[str, Any]:
    """Miles to the nearest of a service's locations (Infinity when it has none)."""
    return {
        "_geo_distance": {
            "locations.point": _point(location),
            "order": "asc",
            "unit": "mi",
            "mode": "min",
            "distance_type": "arc",
            "nested": {"path": "locations"},
            "ignore_unmapped": True,
        }
    }


def coverage_tier_sort() -> dict[str, Any]:
    return {
        "_script": {
            "type": "number",
            "script": {"lang": "painless", "source": COVERAGE_TIER_SCRIPT},
            "order": "asc",
        }
    }


BY_NAME = [{"title.sort": "asc"}, {"service_id": "asc"}]


def sort_clauses(
    query: ServiceQuery, *, has_text: bool, location: InterpretedLocation | None
) -> list[Any]:
    """The order of results, as the database engine orders them.

    Near a postcode, the distance is always a sort key (last, when not deciding), so every
    result on the page can say how far away it is.
    """
    if location is None:
        if has_text and query.sort != "name":
            return ["_score", *BY_NAME]
        return list(BY_NAME)
    tier = coverage_tier_sort()
    distance = distance_sort(location)
    if query.sort == "name":
        return [tier, *BY_NAME, distance]
    if has_text and query.sort != "distance":
        return [tier, "_score", distance, *BY_NAME]
    return [tier, distance, *BY_NAME]


def search_body(
    query: ServiceQuery,
    *,
    location: InterpretedLocation | None = None,
    open_now_ids: list[int] | None = None,
    stale_cutoff: datetime.date | None = None,
    facet_term_ids: list[int] | None = None,
    suggest: bool = True,
) -> dict[str, Any]:
    """The request body for one page of results, with facet counts and spelling suggestions."""
    text = text_clause(query.text)
    filters = filter_clauses(query, stale_cutoff=stale_cutoff, open_now_ids=open_now_ids)
    if location is not None:
        radius = query.distance_miles or DEFAULT_DISTANCE_MILES
        filters.append(location_clause(location, radius))
    bool_query: dict[str, Any] = {"filter": filters}
    if text is not None:
        bool_query["must"] = [text]
    body: dict[str, Any] = {
        "query": {"bool": bool_query},
        "sort": sort_clauses(query, has_text=text is not None, location=location),
        "from": (query.page - 1) * query.per_page,
        "size": query.per_page,
        "track_total_hits": True,
        "_source": [
            "service_id",
            "title",
            "url",
            "organisation",
            "summary",
            "status",
            "status_label",
            "categories",
            "coverage",
            "assured_date",
            "rating_average",
            "rating_count",
        ],
    }
    if query.taxonomy_term_ids:
        # After the aggregations: facet counts show what choosing another category would give.
        body["post_filter"] = {"terms": {"term_ids": sorted(query.taxonomy_term_ids)}}
    if facet_term_ids:
        body["aggs"] = {
            FACETS_AGGREGATION: {
                "terms": {
                    "field": "term_ids",
                    "include": sorted(facet_term_ids),
                    "size": len(facet_term_ids),
                }
            }
        }
    if text is not None:
        body["highlight"] = {
            "pre_tags": [HIGHLIGHT_START],
            "post_tags": [HIGHLIGHT_END],
            "fields": {
                field: {"fragment_size": 160, "number_of_fragments": 1}
                for field in HIGHLIGHT_FIELDS
            },
        }
        if suggest:
            body["suggest"] = {
                SPELLING_SUGGESTER: {
                    "text": " ".join(query_words(query.text)),
                    "term": {
                        "field": "spelling",
                        "suggest_mode": "missing",
                        "min_word_length": 4,
                        "sort": "score",
                    },
                }
            }
    return body


def autocomplete_body(
    prefix: str, *, limit: int, stale_cutoff: datetime.date | None = None
) -> dict[str, Any]:
    """Service names with a word starting with each word typed (the edge-n-gram sub-field),
    names starting with what was typed first; and, counted over every findable service, the
    category names that match (an aggregation, so categories need no index of their own)."""
    typed = " ".join(query_words(prefix))
    stale = filter_clauses(ServiceQuery(), stale_cutoff=stale_cutoff, open_now_ids=None)
    title_match = {"match": {"title.autocomplete": {"query": typed, "operator": "and"}}}
    return {
        "query": {
            "bool": {
                "filter": stale,
                "should": [
                    title_match,
                    {"prefix": {"title.sort": {"value": typed.casefold(), "boost": 2}}},
                ],
            }
        },
        "post_filter": title_match,
        "sort": ["_score", {"title.sort": "asc"}],
        "size": limit * 2,  # some may be dropped as duplicates
        "_source": ["title"],
        "aggs": {
            FACETS_AGGREGATION: {
                "filter": {
                    "match": {"categories.autocomplete": {"query": typed, "operator": "and"}}
                },
                "aggs": {"names": {"terms": {"field": "categories.keyword", "size": 50}}},
            }
        },
    }


def _point(location: InterpretedLocation) -> dict[str, float]:
    return {"lat": location.latitude, "lon": location.longitude}
