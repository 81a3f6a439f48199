"""Keeping the database engine's search documents in step with the directory (ADR 0006).

A document holds one findable service's filters, ranking facts and result-card text, so a
search reads one narrow table instead of joining the page tree. Writes happen here only:
`search.signals` calls `documents_refresh` when pages are published, withdrawn, moved or
restricted, and `manage.py search_reindex` rebuilds the lot.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.db import transaction

from . import indexing
from .models import SearchDocument, SearchDocumentPoint, SearchDocumentTerm

logger = logging.getLogger(__name__)

CHUNK = 500


def _rows(facts: indexing.ServiceFacts):
    document = SearchDocument(
        service_id=facts.id,
        title=facts.title,
        url=facts.url,
        organisation=facts.organisation,
        summary=facts.summary,
        status=facts.status,
        status_label=facts.status_label,
        categories=list(facts.categories),
        assured_date=facts.assured_date,
        checked_on=facts.checked_on,
        rating_average=facts.rating_average,
        rating_count=facts.rating_count,
        sort_title=facts.title.casefold(),
        coverage=facts.coverage,
        minimum_age=facts.minimum_age,
        maximum_age=facts.maximum_age,
        is_free=facts.is_free,
        attending_in_person=facts.attending_in_person,
        attending_online=facts.attending_online,
        attending_phone=facts.attending_phone,
        open_days=facts.open_days,
    )
    terms = [SearchDocumentTerm(document_id=facts.id, term_id=term) for term in facts.term_ids]
    points = [
        SearchDocumentPoint.at(facts.id, lat, lon, is_local=facts.coverage == "local")
        for lat, lon in facts.points
    ]
    return document, terms, points


def _write(facts: Iterable[indexing.ServiceFacts]) -> int:
    documents, terms, points = [], [], []
    for item in facts:
        document, document_terms, document_points = _rows(item)
        documents.append(document)
        terms.extend(document_terms)
        points.extend(document_points)
    SearchDocument.objects.bulk_create(documents, batch_size=CHUNK)
    SearchDocumentTerm.objects.bulk_create(terms, batch_size=CHUNK)
    SearchDocumentPoint.objects.bulk_create(points, batch_size=CHUNK)
    return len(documents)


def documents_refresh(*, service_ids: Iterable[int]) -> int:
    """Bring these services' documents up to date: rebuilt if they may be found, removed if
    not. Returns how many documents they have now."""
    ids = sorted(set(service_ids))
    written = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        with transaction.atomic():
            SearchDocument.objects.filter(service_id__in=chunk).delete()
            written += _write(indexing.service_facts(chunk))
    _queue_elasticsearch_refresh(ids)
    return written


def _queue_elasticsearch_refresh(ids: list[int]) -> None:
    """With Elasticsearch configured, queue the same services' index update for when this
    transaction commits (so the worker reads what was committed, and nothing if rolled back).
    """
    from .es_client import es_configured

    if not ids or not es_configured():
        return
    from .tasks import elasticsearch_refresh, enqueue_safely

    transaction.on_commit(lambda: enqueue_safely(elasticsearch_refresh, ids))


def documents_rebuild(*, progress: Callable[[int], None] | None = None) -> int:
    """Every document afresh, from the live directory. Returns how many were written."""
    ids = list(indexing.searchable_services().order_by("id").values_list("id", flat=True))
    written = 0
    with transaction.atomic():
        SearchDocument.objects.all().delete()
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            written += _write(indexing.service_facts(chunk))
            if progress is not None:
                progress(len(chunk))
    return written


def documents_out_of_step() -> dict[str, list[int]]:
    """Differences between the documents and the live directory: services that may be found
    but have no document or a stale one, and documents for services that may not be found."""
    expected = {facts.id: facts for facts in indexing.service_facts(None)}
    documents = {
        document.service_id: document
        for document in SearchDocument.objects.prefetch_related("terms", "points")
    }
    stale = []
    for service_id in expected.keys() & documents.keys():
        wanted, _, _ = _rows(expected[service_id])
        have = documents[service_id]
        fields = [f.attname for f in SearchDocument._meta.concrete_fields if f.name != "indexed_at"]
        same = all(getattr(wanted, name) == getattr(have, name) for name in fields)
        same = same and {t.term_id for t in have.terms.all()} == set(expected[service_id].term_ids)
        same = same and sorted((p.latitude, p.longitude) for p in have.points.all()) == sorted(
            expected[service_id].points
        )
        if not same:
            stale.append(service_id)
    extra = documents.keys() - expected.keys()
    cutoff = indexing.stale_cutoff()
    if cutoff is not None:
        # Listings that went stale since they were indexed: searches leave them out already.
        extra = {
            service_id
            for service_id in extra
            if documents[service_id].checked_on is None or documents[service_id].checked_on > cutoff
        }
    return {
        "missing": sorted(expected.keys() - documents.keys()),
        "stale": sorted(stale),
        "extra": sorted(extra),
    }


def documents_ensure() -> int | None:
    """Build the documents when there are none but there are services to find (a database
    that predates them); None when nothing needed doing."""
    if SearchDocument.objects.exists() or not indexing.searchable_services().exists():
        return None
    written = documents_rebuild()
    logger.info("Built %d search documents for an index that had none", written)
    return written
