"""The Open Referral UK 3.0 API: read-only, anonymous, JSON, at /api/oruk/.

Views only read parameters, call selectors and the ORUK mapping, and shape the envelope.
Every response, errors included, is JSON and carries `Access-Control-Allow-Origin: *`.
What the parameters mean is written down in docs/api.md and in the OpenAPI document.
"""

from __future__ import annotations

import datetime
import math
import re
import time
import uuid
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt

from portal.ratelimit import Rate, client_key, rate_limit_hit

from . import oruk, selectors
from .models.schedules import ICAL_DAYS, WEEKDAYS
from .openapi import (
    DEFAULT_PER_PAGE,
    MAX_AGE,
    MAX_IDS,
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_PROXIMITY_METRES,
    MAX_SEARCH_LENGTH,
    openapi_document,
)

DEFAULT_RATE = "600/m"
ALLOWED_METHODS = ("GET", "HEAD", "OPTIONS")
CACHE_SECONDS = 60

_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}", re.ASCII)
# A number as JSON writes one (the OpenAPI type is `number`): 1000, 2.5, 1e3, 5e-324.
_NUMBER = re.compile(r"[0-9]{1,16}(\.[0-9]{1,16})?([eE][-+]?[0-9]{1,3})?", re.ASCII)
_CLOCK = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])(:([0-5][0-9]))?", re.ASCII)
_DAYS = {code: index for index, code in enumerate(ICAL_DAYS)} | {
    name.lower(): index for index, name in WEEKDAYS
}


class ApiError(Exception):
    """Stops a request with a JSON error body."""

    def __init__(
        self, status: int, error: str, detail: str, *, parameter: str | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.error = error
        self.detail = detail
        self.parameter = parameter

    def response(self) -> JsonResponse:
        body = {"error": self.error, "detail": self.detail}
        if self.parameter:
            body["parameter"] = self.parameter
        return JsonResponse(body, status=self.status)


def _bad(parameter: str, detail: str) -> ApiError:
    return ApiError(400, "bad_request", detail, parameter=parameter)


def _not_found(detail: str = "There is nothing at this address") -> ApiError:
    return ApiError(404, "not_found", detail)


def oruk_endpoint(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Throttle, allow only reads, turn ApiErrors into JSON and add the CORS header."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        rate = getattr(settings, "ORUK_API_RATE", DEFAULT_RATE)
        if rate_limit_hit(scope="oruk", key=client_key(request), rate=rate):
            period = Rate.parse(rate).period_seconds
            retry_after = max(1, math.ceil(period - time.time() % period))
            response: HttpResponse = ApiError(
                429, "too_many_requests", f"Too many requests: try again in {retry_after} seconds"
            ).response()
            response["Retry-After"] = str(retry_after)
        elif request.method not in ALLOWED_METHODS:
            response = ApiError(
                405, "method_not_allowed", "This API is read-only: use GET"
            ).response()
            response["Allow"] = ", ".join(ALLOWED_METHODS)
        elif request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Allow"] = ", ".join(ALLOWED_METHODS)
            response["Access-Control-Allow-Methods"] = ", ".join(ALLOWED_METHODS)
            response["Access-Control-Allow-Headers"] = "*"
            response["Access-Control-Max-Age"] = "86400"
        else:
            try:
                response = view(request, *args, **kwargs)
            except ApiError as error:
                response = error.response()
            if response.status_code == 200:
                response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapper


def _json(data: Any) -> JsonResponse:
    return JsonResponse(data, safe=False, json_dumps_params={"ensure_ascii": False})


# --- Parameters ------------------------------------------------------------------------------


def _param(request: HttpRequest, name: str) -> str:
    """The parameter's value, stripped; "" when absent or empty (empty means "not given")."""
    return request.GET.get(name, "").strip()


def _whole_number(request: HttpRequest, name: str, *, low: int, high: int, detail: str) -> int:
    value = _param(request, name)
    if not _WHOLE_NUMBER.fullmatch(value) or not low <= int(value) <= high:
        raise _bad(name, detail)
    return int(value)


def _uuids(request: HttpRequest, name: str) -> tuple[uuid.UUID, ...]:
    value = _param(request, name)
    if not value:
        return ()
    try:
        ids = tuple(uuid.UUID(part.strip()) for part in value.split(",") if part.strip())
    except ValueError:
        raise _bad(name, f"{name} must be an id (a UUID), or several separated by commas") from None
    if len(ids) > MAX_IDS:
        raise _bad(name, f"{name} takes at most {MAX_IDS} ids")
    return ids


def _clock(request: HttpRequest, name: str) -> datetime.time | None:
    value = _param(request, name)
    if not value:
        return None
    match = _CLOCK.fullmatch(value)
    if match is None:
        raise _bad(name, f"{name} must be a time like 09:30 (24-hour clock)")
    return datetime.time(int(match[1]), int(match[2]), int(match[4] or 0))


def _modified_after(request: HttpRequest) -> datetime.datetime | None:
    value = _param(request, "modified_after")
    if not value:
        return None
    # An unencoded "+01:00" arrives as " 01:00": put the plus sign back.
    value = re.sub(r" ([0-9]{2}:?[0-9]{2})$", r"+\1", value)
    try:
        parsed = parse_datetime(value)
        if parsed is None and (day := parse_date(value)) is not None:
            parsed = datetime.datetime.combine(day, datetime.time())
    except ValueError:  # the right shape but not a real date, like 2024-02-30
        parsed = None
    if parsed is None:
        raise _bad(
            "modified_after",
            "modified_after must be an ISO 8601 date or date and time, "
            "like 2024-05-01 or 2024-05-01T09:00:00Z",
        )
    try:
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        # The database compares in UTC: a moment that can't be written in UTC is no date.
        # Sent in UTC, too: PostgreSQL refuses offsets past 15:59 that ISO 8601 allows.
        return parsed.astimezone(datetime.UTC)
    except (OverflowError, ValueError):
        raise _bad("modified_after", "modified_after is out of range") from None


def _page_params(request: HttpRequest) -> tuple[int, int]:
    page = 1
    if _param(request, "page"):
        page = _whole_number(
            request,
            "page",
            low=1,
            high=MAX_PAGE,
            detail="page must be a whole number of 1 or more",
        )
    per_page = DEFAULT_PER_PAGE
    if _param(request, "per_page"):
        per_page = _whole_number(
            request,
            "per_page",
            low=1,
            high=MAX_PER_PAGE,
            detail=f"per_page must be a whole number from 1 to {MAX_PER_PAGE}",
        )
    return page, per_page


def service_filters_from(request: HttpRequest) -> selectors.ServiceFilters:
    """Check the service filter parameters; the first bad one stops the request with a 400."""
    text = _param(request, "search")
    if len(text) > MAX_SEARCH_LENGTH:
        raise _bad("search", f"search must be {MAX_SEARCH_LENGTH} characters or fewer")
    if "\x00" in text:
        raise _bad("search", "search must not contain NUL characters")
    ages = {}
    for name in ("minimum_age", "maximum_age"):
        ages[name] = None
        if _param(request, name):
            ages[name] = _whole_number(
                request,
                name,
                low=0,
                high=MAX_AGE,
                detail=f"{name} must be a whole number from 0 to {MAX_AGE}",
            )
    if (
        ages["minimum_age"] is not None
        and ages["maximum_age"] is not None
        and ages["maximum_age"] < ages["minimum_age"]
    ):
        raise _bad("maximum_age", "maximum_age must not be less than minimum_age")
    weekday = None
    if day := _param(request, "day"):
        weekday = _DAYS.get(day.upper() if len(day) == 2 else day.lower())
        if weekday is None:
            raise _bad("day", "day must be a day of the week, like MO or Monday")
    start_time, end_time = _clock(request, "start_time"), _clock(request, "end_time")
    if start_time and end_time and end_time <= start_time:
        raise _bad("end_time", "end_time must be later than start_time")
    return selectors.ServiceFilters(
        text=text,
        taxonomy_term_ids=_uuids(request, "taxonomy_term_id"),
        taxonomy_ids=_uuids(request, "taxonomy_id"),
        minimum_age=ages["minimum_age"],
        maximum_age=ages["maximum_age"],
        weekday=weekday,
        start_time=start_time,
        end_time=end_time,
        modified_after=_modified_after(request),
        organisation_ids=_uuids(request, "organization_id"),
    )


def _uuid_or_404(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise _not_found(f"No {what} with id {value!r}") from None


def _envelope(*, total: int, page: int, per_page: int, contents: Sequence[Any]) -> dict:
    """The ORUK paginated envelope. total_pages is 0 when nothing matched."""
    total_pages = math.ceil(total / per_page)
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": len(contents) == 0,
        "contents": list(contents),
    }


def _page_of(queryset: Any, *, page: int, per_page: int) -> tuple[int, list]:
    total = queryset.count()
    start = (page - 1) * per_page
    if start >= total:
        return total, []
    return total, list(queryset[start : start + per_page])


# --- Views -----------------------------------------------------------------------------------


@oruk_endpoint
def api_root(request: HttpRequest) -> HttpResponse:
    return _json(
        {
            "version": oruk.ORUK_VERSION,
            "profile": oruk.PROFILE_URL,
            "openapi_url": request.build_absolute_uri(reverse("oruk:openapi")),
        }
    )


@oruk_endpoint
def openapi_json(request: HttpRequest) -> HttpResponse:
    return _json(openapi_document())


@oruk_endpoint
def service_list(request: HttpRequest) -> HttpResponse:
    filters = service_filters_from(request)
    page, per_page = _page_params(request)
    services = selectors.services_filter(services=selectors.services_published(), filters=filters)
    total, found = _page_of(services, page=page, per_page=per_page)
    context = selectors.mapping_context(found, full=False, request=request)
    contents = [oruk.service_dict(service, context=context, full=False) for service in found]
    return _json(_envelope(total=total, page=page, per_page=per_page, contents=contents))


@oruk_endpoint
def service_detail(request: HttpRequest, id: str) -> HttpResponse:
    service = selectors.service_get(uuid=_uuid_or_404(id, "service"))
    if service is None:
        raise _not_found(f"No service with id {id!r}")
    context = selectors.mapping_context([service], full=True, request=request)
    return _json(oruk.service_dict(service, context=context, full=True))


@oruk_endpoint
def service_at_location_list(request: HttpRequest) -> HttpResponse:
    filters = service_filters_from(request)
    page, per_page = _page_params(request)
    postcode = _param(request, "postcode")
    proximity = None
    if value := _param(request, "proximity"):
        if not _NUMBER.fullmatch(value) or not 0 < float(value) <= MAX_PROXIMITY_METRES:
            raise _bad(
                "proximity",
                f"proximity must be a distance in metres, more than 0 and at most "
                f"{MAX_PROXIMITY_METRES}",
            )
        if not postcode:
            raise _bad("proximity", "proximity needs a postcode to measure from")
        proximity = float(value)
    services = selectors.services_filter(services=selectors.services_published(), filters=filters)
    rows = selectors.service_at_locations_published(services=services)
    distances: dict[int, float | None] = {}
    if postcode:
        from search.postcodes import PostcodeError, geocode

        try:
            point = geocode(postcode)
        except PostcodeError as error:
            raise _bad("postcode", error.message) from None
        ranked = selectors.service_at_locations_by_distance(
            rows=rows,
            latitude=point.latitude,
            longitude=point.longitude,
            within_metres=proximity,
        )
        total = len(ranked)
        start = (page - 1) * per_page
        wanted = ranked[start : start + per_page]
        distances = dict(wanted)
        by_pk = rows.in_bulk([pk for pk, _ in wanted]) if wanted else {}
        found = [by_pk[pk] for pk, _ in wanted if pk in by_pk]
    else:
        total, found = _page_of(rows, page=page, per_page=per_page)
    context = selectors.mapping_context([row.service for row in found], full=False, request=request)
    contents = [
        oruk.service_at_location_dict(row, context=context, distance_metres=distances.get(row.pk))
        for row in found
    ]
    return _json(_envelope(total=total, page=page, per_page=per_page, contents=contents))


@oruk_endpoint
def service_at_location_detail(request: HttpRequest, id: str) -> HttpResponse:
    found = selectors.service_at_location_get(uuid=_uuid_or_404(id, "service_at_location"))
    if found is None:
        raise _not_found(f"No service_at_location with id {id!r}")
    row, service = found
    context = selectors.mapping_context([service], full=True, request=request)
    record = oruk.service_dict(service, context=context, full=True)
    return _json(oruk.service_at_location_full_dict(row, service=record))


@oruk_endpoint
def taxonomy_list(request: HttpRequest) -> HttpResponse:
    page, per_page = _page_params(request)
    total, found = _page_of(selectors.taxonomies_all(), page=page, per_page=per_page)
    contents = [oruk.taxonomy_dict(taxonomy) for taxonomy in found]
    return _json(_envelope(total=total, page=page, per_page=per_page, contents=contents))


@oruk_endpoint
def taxonomy_detail(request: HttpRequest, id: str) -> HttpResponse:
    taxonomy = selectors.taxonomy_get(uuid=_uuid_or_404(id, "taxonomy"))
    if taxonomy is None:
        raise _not_found(f"No taxonomy with id {id!r}")
    return _json(oruk.taxonomy_dict(taxonomy, terms=list(taxonomy.terms.all())))


@oruk_endpoint
def taxonomy_term_list(request: HttpRequest) -> HttpResponse:
    page, per_page = _page_params(request)
    terms = selectors.taxonomy_terms_all(taxonomy_ids=_uuids(request, "taxonomy_id"))
    total, found = _page_of(terms, page=page, per_page=per_page)
    contents = [oruk.taxonomy_term_dict(term) for term in found]
    return _json(_envelope(total=total, page=page, per_page=per_page, contents=contents))


@oruk_endpoint
def taxonomy_term_detail(request: HttpRequest, id: str) -> HttpResponse:
    term = selectors.taxonomy_term_get(uuid=_uuid_or_404(id, "taxonomy_term"))
    if term is None:
        raise _not_found(f"No taxonomy_term with id {id!r}")
    return _json(oruk.taxonomy_term_dict(term))


@oruk_endpoint
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    raise _not_found()
