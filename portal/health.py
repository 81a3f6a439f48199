"""Health checks reported by /healthz. Each returns (status, detail); status is ok or error."""

import logging

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


CHECKS = {"database": check_database}


def health_report() -> tuple[bool, dict]:
    results = {name: check() for name, check in CHECKS.items()}
    healthy = all(result["status"] == "ok" for result in results.values())
    return healthy, {"status": "ok" if healthy else "error", "checks": results}
