"""The Elasticsearch connection, from settings (ELASTICSEARCH_URL and friends, ADR 0018).

Searches use a short timeout and no retries, so a slow or unreachable cluster costs a person
at most ELASTICSEARCH_TIMEOUT seconds before the database engine answers instead; indexing
and reindexing use a longer timeout and retry.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from elasticsearch import Elasticsearch

INDEXING_TIMEOUT_SECONDS = 60.0


def es_configured() -> bool:
    return bool(getattr(settings, "ELASTICSEARCH_URL", None))


def _options() -> dict:
    options: dict = {}
    if getattr(settings, "ELASTICSEARCH_API_KEY", None):
        options["api_key"] = settings.ELASTICSEARCH_API_KEY
    elif getattr(settings, "ELASTICSEARCH_USERNAME", None):
        options["basic_auth"] = (settings.ELASTICSEARCH_USERNAME, settings.ELASTICSEARCH_PASSWORD)
    if getattr(settings, "ELASTICSEARCH_CA_CERTS", None):
        options["ca_certs"] = settings.ELASTICSEARCH_CA_CERTS
    return options


@lru_cache(maxsize=8)
def _client(url: str, timeout: float, retries: int, options_key: tuple) -> Elasticsearch:
    return Elasticsearch(
        url,
        request_timeout=timeout,
        max_retries=retries,
        retry_on_timeout=retries > 0,
        **dict(options_key),
    )


def es_client(*, for_indexing: bool = False) -> Elasticsearch:
    """A client for searches (short timeout, no retries) or for indexing (long, retried).

    Cached per configuration, so tests that change settings get a fresh client."""
    if not es_configured():
        raise RuntimeError("ELASTICSEARCH_URL is not set")
    timeout = INDEXING_TIMEOUT_SECONDS if for_indexing else float(settings.ELASTICSEARCH_TIMEOUT)
    retries = 3 if for_indexing else 0
    options = tuple(sorted((key, _hashable(value)) for key, value in _options().items()))
    return _client(settings.ELASTICSEARCH_URL, timeout, retries, options)


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value
