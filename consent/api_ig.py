"""The IG pipeline HTTP API under /api/ig/v1/ (ADR 0014, docs/ig-pipeline.md): the bulk check,
the change feed and the OpenAPI document.

Thin views over `consent.pipeline` (tokens, scope, use policy), `consent.bulk_check` (the
two-pass streaming check) and `consent.feed`. Every answer is JSON or a stream, never cached;
every refusal is a `PipelineError` as JSON. NHS numbers never reach a log, a URL or an error
message: errors name lines, not numbers.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from . import pipeline
from .bulk_check import check_prepare
from .feed import feed_page, limit_parse
from .openapi_ig import openapi_document
from .pipeline import PipelineError
from .pipeline_models import PipelineSystem

READ_CHUNK = 64 * 1024
WRITE_BATCH = 10_000  # numbers per chunk written: one join per batch, not one write per number

ENDPOINT_CHECK = "ig-check"
ENDPOINT_CHANGES = "ig-changes"


@dataclass
class _Call:
    """What is known about a call so far, for its PipelineCall row."""

    endpoint: str
    started: dt.datetime
    system: PipelineSystem | None = None
    purpose_code: str = ""
    received: int = 0
    invalid: int = 0

    def record(self, status: int, *, returned: int = 0) -> None:
        if self.system is None and status == 401:
            return  # nobody to attribute it to; not worth a row per stray request
        pipeline.call_record(
            system=self.system,
            endpoint=self.endpoint,
            purpose_code=self.purpose_code,
            status=status,
            received=self.received,
            returned=returned,
            invalid=self.invalid,
            started=self.started,
        )


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def _error_response(error: PipelineError) -> HttpResponse:
    response = JsonResponse(error.as_json(), status=error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="ig-pipeline"'
    return _no_store(response)


def _method_not_allowed(allowed: str) -> PipelineError:
    return PipelineError(
        405, "method_not_allowed", f"Use {allowed} for this path (see /api/ig/v1/openapi.json)."
    )


def _authorised_purpose(system: PipelineSystem, code: str | None):
    try:
        return pipeline.purpose_authorise(system, code)
    except PipelineError as error:
        if error.status == 404:
            # Never echo what was sent: a mistaken caller may have put an NHS number there.
            raise PipelineError(
                404,
                "unknown_purpose",
                "There is no active purpose with the code you sent. The purposes your system "
                "may ask about are listed by your IG officer.",
            ) from None
        raise


def _api(endpoint: str, method: str) -> Callable:
    """Wrap a view: the method check, token authentication and the JSON answer for any
    PipelineError (with its PipelineCall row). The view gets the call and the system."""

    def decorate(view: Callable[[HttpRequest, _Call], HttpResponse]) -> Callable:
        @csrf_exempt
        def wrapped(request: HttpRequest) -> HttpResponse:
            call = _Call(endpoint=endpoint, started=timezone.now())
            try:
                if request.method != method:
                    response = _error_response(_method_not_allowed(method))
                    response["Allow"] = method
                    return response
                call.system = pipeline.system_authenticate(request.headers.get("Authorization"))
                return _no_store(view(request, call))
            except PipelineError as error:
                call.record(error.status)
                return _error_response(error)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorate


# ---------------------------------------------------------------------------------------------
# POST /api/ig/v1/check


def _input_format(request: HttpRequest) -> str:
    fmt = request.GET.get("format")
    if fmt:
        if fmt not in pipeline.FORMATS:
            raise PipelineError(400, "bad_request", "format must be text, csv or json.")
        return fmt
    content_type = (request.content_type or "").lower()
    if not content_type:
        return "text"
    if content_type not in pipeline.CONTENT_TYPES:
        raise PipelineError(
            415,
            "unsupported_media_type",
            "Send text/plain (one NHS number per line), text/csv or application/json, or say "
            "which with ?format=text|csv|json.",
        )
    return pipeline.CONTENT_TYPES[content_type]


def _content_length(request: HttpRequest) -> int | None:
    raw = request.META.get("CONTENT_LENGTH")
    if raw in (None, ""):
        return None
    try:
        length = int(raw)
    except ValueError:
        raise PipelineError(400, "bad_request", "Content-Length is not a number.") from None
    if length < 0:
        raise PipelineError(400, "bad_request", "Content-Length is not a number.")
    return length


def _line_errors(lines) -> list[dict]:
    return [{"line": item.line, "message": item.error} for item in lines]


def _batches(numbers: Iterator[str]) -> Iterator[list[str]]:
    while batch := list(islice(numbers, WRITE_BATCH)):
        yield batch


class _InvalidNumbers(PipelineError):
    """422: some items are not NHS numbers. Lines are given, never the items."""

    def __init__(self, count: int, errors: list[dict]) -> None:
        what = (
            "1 item is not a valid NHS number"
            if count == 1
            else f"{count:,} items are not valid NHS numbers"
        )
        super().__init__(
            422,
            "invalid_nhs_numbers",
            f"{what}; nothing was checked. Fix them, or send ?invalid=skip to check the rest.",
            errors=errors,
        )
        self.invalid_count = count

    def as_json(self) -> dict:
        body = {"error": self.error, "detail": self.detail, "invalid_count": self.invalid_count}
        body["errors"] = self.errors
        return body


@_api(ENDPOINT_CHECK, "POST")
def check(request: HttpRequest, call: _Call) -> HttpResponse:
    """Which of the NHS numbers in the body may be used for ?purpose=CODE, streamed."""
    purpose = _authorised_purpose(call.system, request.GET.get("purpose"))
    call.purpose_code = purpose.code
    fmt = _input_format(request)
    skip_invalid = request.GET.get("invalid", "")
    if skip_invalid not in ("", "skip"):
        raise PipelineError(400, "bad_request", "invalid may only be skip.")
    accept = request.headers.get("Accept", "")
    json_out = "application/json" in accept or (fmt == "json" and "text/plain" not in accept)
    max_bytes = settings.IG_CHECK_MAX_BYTES
    length = _content_length(request)
    if length is not None and length > max_bytes:
        raise PipelineError(
            413,
            "too_large",
            f"The input is larger than {max_bytes:,} bytes. Split it into smaller requests.",
        )
    # Before reading the body: a stale national opt-out cache answers 503 at once.
    policy = pipeline.use_policy(purpose)
    chunks = iter(lambda: request.read(READ_CHUNK), b"")
    prepared = check_prepare(chunks, fmt, max_bytes=max_bytes)
    call.received = prepared.checked + prepared.invalid
    call.invalid = prepared.invalid
    if prepared.invalid and not skip_invalid:
        prepared.close()
        count = prepared.invalid
        raise _InvalidNumbers(count, _line_errors(prepared.invalid_lines))

    def stream() -> Iterator[str]:
        returned = 0
        try:
            allowed = prepared.allowed(policy)
            if not json_out:
                for batch in _batches(allowed):
                    returned += len(batch)
                    yield "\n".join(batch) + "\n"
                return
            head = {
                "purpose": purpose.code,
                "checked": prepared.checked,
                "invalid_count": prepared.invalid,
                "invalid": _line_errors(prepared.invalid_lines),
            }
            yield json.dumps(head)[:-1] + ', "allowed": ['
            separator = '"'
            for batch in _batches(allowed):
                returned += len(batch)
                yield separator + '", "'.join(batch) + '"'
                separator = ', "'
            yield f'], "allowed_count": {returned}}}\n'
        finally:
            prepared.close()
            call.record(200, returned=returned)

    response = StreamingHttpResponse(
        stream(),
        content_type="application/json" if json_out else "text/plain; charset=utf-8",
    )
    response["X-IG-Checked"] = str(prepared.checked)
    response["X-IG-Invalid"] = str(prepared.invalid)
    return response


# ---------------------------------------------------------------------------------------------
# GET /api/ig/v1/changes


@_api(ENDPOINT_CHANGES, "GET")
def changes(request: HttpRequest, call: _Call) -> HttpResponse:
    """Register changes after ?after=CURSOR, for the purposes in the system's scope."""
    purpose = None
    if "purpose" in request.GET:
        purpose = _authorised_purpose(call.system, request.GET["purpose"])
        call.purpose_code = purpose.code
    limit = limit_parse(request.GET.get("limit"))
    page = feed_page(call.system, request.GET.get("after"), limit, purpose=purpose)
    call.record(200, returned=len(page.items))
    return JsonResponse({"changes": page.items, "next": page.next, "has_more": page.has_more})


# ---------------------------------------------------------------------------------------------
# GET /api/ig/v1/openapi.json, and anything else under /api/ig/v1/


@csrf_exempt
def openapi(request: HttpRequest) -> HttpResponse:
    """The OpenAPI document; no token needed."""
    if request.method not in ("GET", "HEAD"):
        response = _error_response(_method_not_allowed("GET"))
        response["Allow"] = "GET, HEAD"
        return response
    return _no_store(JsonResponse(openapi_document()))


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """A JSON 404 for paths under /api/ig/v1/ that are not in the API."""
    return _error_response(
        PipelineError(
            404, "not_found", "There is no such path in this API: see /api/ig/v1/openapi.json."
        )
    )
