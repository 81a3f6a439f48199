"""The Elasticsearch engine (ADR 0018): the same contract as the database engine, answered
from the `ServiceDocument` index through the read alias.

Resilience: when Elasticsearch is unreachable, errors, or is slower than
ELASTICSEARCH_TIMEOUT, the database engine answers instead, a warning is logged (never the
words searched for: they may be personal), and /healthz reports search as degraded for the
next minute. A bad postcode is still the person's mistake, not an outage: it is checked
before Elasticsearch is asked, and PostcodeError reaches the form as with the database engine.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.core.cache import cache
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from elastic_transport import TransportError
from elasticsearch import ApiError

from .. import es_query, indexing
from ..autocomplete import fold, words_of
from ..es_client import es_client
from ..es_documents import alias_name
from ..postcodes import geocode
from ..query import (
    AUTOCOMPLETE_LIMIT,
    AUTOCOMPLETE_MIN_CHARACTERS,
    FacetCount,
    InterpretedLocation,
    SearchHit,
    SearchResults,
    ServiceCard,
    ServiceQuery,
    Suggestion,
)
from ..text import MAX_QUERY_CHARACTERS, query_words
from .database import FEW_RESULTS, DatabaseSearchEngine

logger = logging.getLogger(__name__)

DEGRADED_CACHE_KEY = "search:degraded"
DEGRADED_SECONDS = 60
UNAVAILABLE = (ApiError, TransportError)


def mark_degraded(error: BaseException) -> None:
    """Log the fallback and let /healthz say so for the next minute."""
    logger.warning(
        "Elasticsearch unavailable; search served by the database engine: %s",
        type(error).__name__,
    )
    cache.set(
        DEGRADED_CACHE_KEY,
        {"since": timezone.now().isoformat(), "error": type(error).__name__},
        DEGRADED_SECONDS,
    )


class ElasticsearchSearchEngine:
    # --- the protocol ---------------------------------------------------------------------------
    def search(self, query: ServiceQuery) -> SearchResults:
        location = geocode(query.postcode) if query.postcode else None
        try:
            return self._search(query, location)
        except UNAVAILABLE as error:
            mark_degraded(error)
            return DatabaseSearchEngine().search(query)

    def autocomplete(self, prefix: str, *, limit: int = AUTOCOMPLETE_LIMIT) -> list[Suggestion]:
        text = prefix[:MAX_QUERY_CHARACTERS]
        typed = query_words(text)
        if len(text.strip()) < AUTOCOMPLETE_MIN_CHARACTERS or not typed or limit < 1:
            return []
        try:
            response = es_client().search(
                index=alias_name(),
                body=es_query.autocomplete_body(
                    text, limit=limit, stale_cutoff=indexing.stale_cutoff()
                ),
            )
        except UNAVAILABLE as error:
            mark_degraded(error)
            return DatabaseSearchEngine().autocomplete(prefix, limit=limit)
        return suggestions_from(response, typed=typed, limit=limit)

    # --- searching ------------------------------------------------------------------------------
    def _search(self, query: ServiceQuery, location: InterpretedLocation | None) -> SearchResults:
        terms = indexing.browsable_terms()
        open_now_ids = (
            list(indexing.services_open_at(timezone.localtime()).values_list("id", flat=True))
            if query.open_now
            else None
        )
        body = es_query.search_body(
            query,
            location=location,
            open_now_ids=open_now_ids,
            stale_cutoff=indexing.stale_cutoff(),
            facet_term_ids=[term.id for term in terms],
        )
        response = es_client().search(index=alias_name(), body=body)
        return results_from(response, query=query, location=location, terms=terms)


# --- responses into results (pure: unit-tested with recorded response shapes) -----------------


def results_from(
    response: Any, *, query: ServiceQuery, location: InterpretedLocation | None, terms: list
) -> SearchResults:
    body = response.body if hasattr(response, "body") else response
    hits_section = body.get("hits", {})
    total = hits_section.get("total", {}).get("value", 0)
    distance_position = _distance_sort_position(query, location)
    hits = []
    for position, raw in enumerate(hits_section.get("hits", [])):
        source = raw.get("_source", {})
        distance = None
        if distance_position is not None:
            value = (raw.get("sort") or [None] * (distance_position + 1))[distance_position]
            if isinstance(value, int | float) and value != float("inf"):
                distance = float(value)
        hits.append(
            SearchHit(
                card=card_from(source, fallback_id=raw.get("_id")),
                score=float(raw.get("_score") or (total - position)),
                distance_miles=distance,
                within_distance=location is None
                or source.get("coverage") not in es_query.WIDER_COVERAGE,
                highlight=highlight_from(raw.get("highlight", {})),
            )
        )
    buckets = body.get("aggregations", {}).get(es_query.FACETS_AGGREGATION, {}).get("buckets", [])
    counts = {int(bucket["key"]): bucket["doc_count"] for bucket in buckets}
    selected = set(query.taxonomy_term_ids)
    facets = [
        FacetCount(term=term, count=counts.get(term.id, 0), selected=term.id in selected)
        for term in terms
    ]
    suggestion = None
    if query.text and total <= FEW_RESULTS:
        suggestion = suggestion_from(body.get("suggest", {}).get(es_query.SPELLING_SUGGESTER))
    return SearchResults(
        hits=hits,
        total=total,
        query=query,
        facets=facets,
        location=location,
        suggestion=suggestion,
    )


def _distance_sort_position(
    query: ServiceQuery, location: InterpretedLocation | None
) -> int | None:
    if location is None:
        return None
    sorts = es_query.sort_clauses(query, has_text=bool(query_words(query.text)), location=location)
    for position, clause in enumerate(sorts):
        if isinstance(clause, dict) and "_geo_distance" in clause:
            return position
    return None


def card_from(source: dict, *, fallback_id: Any = None) -> ServiceCard:
    return ServiceCard(
        id=int(source.get("service_id") or fallback_id),
        title=source.get("title", ""),
        url=source.get("url", ""),
        organisation=source.get("organisation") or "",
        summary=source.get("summary") or "",
        status=source.get("status") or "active",
        status_label=source.get("status_label") or "",
        categories=tuple(source.get("categories") or ()),
        assured_date=_date(source.get("assured_date")),
        rating_average=source.get("rating_average"),
        rating_count=source.get("rating_count") or 0,
    )


def highlight_from(highlight: dict[str, list[str]]) -> SafeString | str:
    """The first highlighted snippet, escaped, with the matched words in <mark>."""
    for field in es_query.HIGHLIGHT_FIELDS:
        fragments = highlight.get(field)
        if fragments:
            escaped = escape(fragments[0])
            return mark_safe(
                escaped.replace(es_query.HIGHLIGHT_START, "<mark>").replace(
                    es_query.HIGHLIGHT_END, "</mark>"
                )
            )
    return ""


def suggestion_from(entries: list[dict] | None) -> str | None:
    """'dementia carers' from the term suggester's per-word options for 'dementa carers'."""
    if not entries:
        return None
    words, changed = [], False
    for entry in entries:
        options = entry.get("options") or []
        if options:
            words.append(options[0]["text"])
            changed = True
        else:
            words.append(entry.get("text", ""))
    return " ".join(word for word in words if word) if changed else None


def suggestions_from(response: Any, *, typed: list[str], limit: int) -> list[Suggestion]:
    """Categories, then names, each kept only if every word typed starts one of its words
    (the same rule as the database engine's autocomplete)."""
    body = response.body if hasattr(response, "body") else response
    folded_typed = [fold(word) for word in typed]

    def matches(text: str) -> bool:
        words = words_of(text)
        return all(any(word.startswith(part) for word in words) for part in folded_typed)

    buckets = (
        body.get("aggregations", {})
        .get(es_query.FACETS_AGGREGATION, {})
        .get("names", {})
        .get("buckets", [])
    )
    categories = sorted(
        (bucket["key"] for bucket in buckets if matches(bucket["key"])),
        key=lambda name: (not fold(name).startswith(folded_typed[0]), len(name), fold(name)),
    )
    names = [hit["_source"]["title"] for hit in body.get("hits", {}).get("hits", [])]
    suggestions, seen = [], set()
    for kind, texts in (("category", categories), ("service", names)):
        for text in texts:
            if matches(text) and fold(text) not in seen:
                seen.add(fold(text))
                suggestions.append(Suggestion(text=text, kind=kind))
    return suggestions[:limit]


def _date(value: str | None) -> datetime.date | None:
    if not value:
        return None
    return datetime.date.fromisoformat(value[:10])
