"""Health checks reported by /healthz. Each returns a dict with a status: ok, degraded or
error. Only an error makes /healthz fail (503); degraded means the portal still works, less
well (search served by the database engine while Elasticsearch is away), and is listed in a
top-level `degraded` field for monitoring to alert on without taking the portal out of a load
balancer."""

import logging

from django.core.cache import cache
from django.db import connections

logger = logging.getLogger(__name__)


def check_database() -> dict[str, str]:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not healthy"; the detail is logged only
        logger.warning("Health check: database unavailable: %s", type(exc).__name__)
        return {"status": "error"}
    return {"status": "ok"}


def check_search() -> dict[str, str]:
    """Which engine answers searches, and whether Elasticsearch (when configured) does."""
    from search.es_client import es_configured

    if not es_configured():
        return {"status": "ok", "engine": "database"}
    from elastic_transport import TransportError
    from elasticsearch import ApiError, NotFoundError

    from search.engines.elasticsearch import DEGRADED_CACHE_KEY
    from search.es_client import es_client
    from search.es_documents import alias_name

    recent = cache.get(DEGRADED_CACHE_KEY)
    if recent:
        return {
            "status": "degraded",
            "engine": "database",
            "detail": "Elasticsearch failed a recent search; the database engine is answering.",
        }
    try:
        es_client().count(index=alias_name())
    except NotFoundError:
        return {
            "status": "degraded",
            "engine": "database",
            "detail": "The Elasticsearch index is missing: run "
            "`manage.py search_reindex --engine elasticsearch`.",
        }
    except (ApiError, TransportError) as exc:
        logger.warning("Health check: Elasticsearch unavailable: %s", type(exc).__name__)
        return {
            "status": "degraded",
            "engine": "database",
            "detail": "Elasticsearch is unreachable; the database engine is answering.",
        }
    return {"status": "ok", "engine": "elasticsearch"}


CHECKS = {"database": check_database, "search": check_search}


def health_report() -> tuple[bool, dict]:
    results = {name: check() for name, check in CHECKS.items()}
    healthy = all(result["status"] != "error" for result in results.values())
    report: dict = {"status": "ok" if healthy else "error", "checks": results}
    degraded = [name for name, result in results.items() if result["status"] == "degraded"]
    if degraded:
        report["degraded"] = degraded
    return healthy, report
