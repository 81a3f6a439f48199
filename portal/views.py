import logging
import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import health_report
from .unavailable import database_unavailable_response, is_database_unavailable

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, report = health_report()
    return JsonResponse(report, status=200 if healthy else 503)


def _render_error(request, template_name: str, status: int, context=None) -> HttpResponse:
    template = loader.get_template(template_name)
    return HttpResponse(template.render(context or {}, request), status=status)


def bad_request(request, exception=None):
    return _render_error(request, "400.html", 400)


def permission_denied(request, exception=None):
    return _render_error(request, "403.html", 403)


def page_not_found(request, exception=None):
    return _render_error(request, "404.html", 404)


def server_error(request):
    # Django calls handler500 while handling the exception: a database outage gets the 503.
    exc = sys.exc_info()[1]
    if is_database_unavailable(exc):
        return database_unavailable_response(request, exc)
    # Anything may be broken here (even the database), so fall back to a page with no lookups.
    try:
        return _render_error(request, "500.html", 500)
    except Exception:
        logger.exception("Could not render the styled 500 page")
        template = loader.get_template("500_plain.html")
        return HttpResponse(template.render({}), status=500)


def csrf_failure(request, reason=""):
    logger.warning("CSRF failure on %s", request.path)
    return _render_error(request, "403_csrf.html", 403)
