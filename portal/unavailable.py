"""The "service unavailable" answer for a request that fails because the database is down.

`server_error` (handler500) hands over here when the exception it is answering is a database
connection error (`OperationalError`, `InterfaceError`): the person gets a 503 with
`Retry-After` and GOV.UK's "Sorry, the service is unavailable" page instead of the 500 page.
The page (templates/503.html) is standalone: it is rendered without the request, so no
context processor, site setting or session is touched on the way out.

The log line names the exception's class and the request's method and path only: the
driver's message (which may quote a host or a query) and the request's data stay out.
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 60
TEMPLATE = "503.html"
# If even the standalone template cannot be rendered (a missing static manifest entry, say).
FALLBACK = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
    "<title>Sorry, the service is unavailable</title></head><body><main>"
    "<h1>Sorry, the service is unavailable</h1><p>You will be able to use the service later."
    "</p></main></body></html>"
)

DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def is_database_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, DATABASE_UNAVAILABLE)


def database_unavailable_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    """The 503 page for a request that failed with `exc`, a database connection error."""
    logger.error(
        "Database unavailable (%s) while answering %s %s: sent the 503 page",
        type(exc).__name__,
        request.method,
        request.path,
    )
    try:
        content = loader.get_template(TEMPLATE).render({})
    except Exception:
        logger.exception("Could not render %s", TEMPLATE)
        content = FALLBACK
    response = HttpResponse(content, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
