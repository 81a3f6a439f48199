"""FHIR R4 Consent search for IG pipeline systems: POST /api/fhir/Consent/_search.

The NHS number comes in the body (form-encoded search parameters, or a FHIR Parameters
resource), never the URL: GET is refused with 405 before anything else is read. Systems
authenticate with their pipeline token and see only purposes in their scope. Each call is
logged as a PipelineCall (system, purposes, counts, time), never with the number.

Thin: `consent.fhir` builds the resources; `consent.pipeline` holds the token rules.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from . import fhir
from .models import DataSharingNoticePage, Purpose
from .nhs_number import NHSNumberError, validate_nhs_number
from .pipeline import PipelineError, call_record, system_authenticate
from .pipeline_models import PipelineSystem
from .register_models import ConsentEvent

logger = logging.getLogger(__name__)

ENDPOINT = "fhir-consent-search"
FHIR_JSON = "application/fhir+json"
FORM = "application/x-www-form-urlencoded"
JSON_TYPES = (FHIR_JSON, "application/json")

PATIENT_PARAMS = ("patient.identifier", "patient:identifier")
PARAMS = (*PATIENT_PARAMS, "purpose", "status")
STATUSES = ("active", "inactive")
# Parameter names echoed in messages only if they look like names (never a pasted number).
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:\-]{0,40}$")
_PURPOSE_CODE = re.compile(r"^[a-z][a-z0-9\-]{0,59}$")


class SearchError(PipelineError):
    """A refusal answered as an OperationOutcome."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(status, fhir.ISSUE_CODES.get(status, "exception"), detail)


@dataclass
class SearchParams:
    nhs_number: str
    purposes: list[str] = field(default_factory=list)
    status: str | None = None


# ---------------------------------------------------------------------------------------------
# Reading the request


def _unknown_names(names: list[str]) -> str:
    shown = [name for name in names if _NAME.match(name)]
    listed = f" ({', '.join(sorted(shown))})" if shown else ""
    return (
        f"Unknown search parameter{'s' if len(names) > 1 else ''}{listed}. This search accepts "
        "patient.identifier (or patient:identifier), purpose and status."
    )


def _nhs_number_from_token(token: str) -> str:
    """`https://fhir.nhs.uk/Id/nhs-number|9434765919` (or the bare number) -> the number."""
    if "|" in token:
        system, _, value = token.partition("|")
        if system != fhir.NHS_NUMBER_SYSTEM:
            raise SearchError(
                400,
                "patient.identifier must use the NHS number system: "
                f"{fhir.NHS_NUMBER_SYSTEM}|<NHS number>.",
            )
    else:
        value = token
    return _nhs_number(value)


def _nhs_number(value: str | None) -> str:
    try:
        return validate_nhs_number(value)
    except NHSNumberError as error:
        # The validator's messages name the problem, never the number.
        raise SearchError(400, f"patient.identifier: {error.message}.") from None


def _split_codes(values: list[str]) -> list[str]:
    return [code.strip() for value in values for code in value.split(",") if code.strip()]


def _params(nhs_numbers: list[str], purposes: list[str], statuses: list[str]) -> SearchParams:
    if not nhs_numbers:
        raise SearchError(
            400,
            "Say whose consent records to find: "
            f"patient.identifier={fhir.NHS_NUMBER_SYSTEM}|<NHS number>.",
        )
    if len(nhs_numbers) > 1:
        raise SearchError(400, "Search for one person at a time: one patient.identifier.")
    status = None
    if statuses:
        if len(statuses) > 1 or statuses[0] not in STATUSES:
            raise SearchError(400, "status must be active or inactive.")
        status = statuses[0]
    return SearchParams(nhs_number=nhs_numbers[0], purposes=purposes, status=status)


def _form_params(request: HttpRequest) -> SearchParams:
    data = request.POST
    unknown = [name for name in data if name not in PARAMS]
    if unknown:
        raise SearchError(400, _unknown_names(unknown))
    tokens = [value for name in PATIENT_PARAMS for value in data.getlist(name)]
    if len(tokens) > 1:
        raise SearchError(400, "Search for one person at a time: one patient.identifier.")
    numbers = [_nhs_number_from_token(token) for token in tokens]
    return _params(numbers, _split_codes(data.getlist("purpose")), data.getlist("status"))


def _parameter_value(parameter: dict, name: str) -> str:
    for key in ("valueString", "valueCode", "valueToken"):
        if isinstance(parameter.get(key), str):
            return parameter[key]
    raise SearchError(422, f"Parameters: {name} needs a valueString or valueCode.")


def _parameters_params(request: HttpRequest) -> SearchParams:
    try:
        body = json.loads(request.body or b"null")
    except (UnicodeDecodeError, ValueError):
        raise SearchError(400, "The body is not valid JSON.") from None
    if not isinstance(body, dict) or body.get("resourceType") != "Parameters":
        raise SearchError(422, "Send a FHIR Parameters resource (resourceType Parameters).")
    parameters = body.get("parameter") or []
    if not isinstance(parameters, list) or not all(isinstance(p, dict) for p in parameters):
        raise SearchError(422, "Parameters.parameter must be a list of parameters.")
    names = [p.get("name") if isinstance(p.get("name"), str) else "" for p in parameters]
    unknown = [name for name in names if name not in PARAMS]
    if unknown:
        raise SearchError(400, _unknown_names(unknown))
    numbers: list[str] = []
    purposes: list[str] = []
    statuses: list[str] = []
    for name, parameter in zip(names, parameters, strict=True):
        if name in PATIENT_PARAMS:
            identifier = parameter.get("valueIdentifier")
            if isinstance(identifier, dict):
                if identifier.get("system") != fhir.NHS_NUMBER_SYSTEM:
                    raise SearchError(
                        400,
                        f"patient.identifier must use the system {fhir.NHS_NUMBER_SYSTEM}.",
                    )
                value = identifier.get("value")
                numbers.append(_nhs_number(value if isinstance(value, str) else None))
            else:
                numbers.append(_nhs_number_from_token(_parameter_value(parameter, name)))
        elif name == "purpose":
            purposes.extend(_split_codes([_parameter_value(parameter, name)]))
        else:
            statuses.append(_parameter_value(parameter, name))
    return _params(numbers, purposes, statuses)


def search_params(request: HttpRequest) -> SearchParams:
    if request.GET:
        raise SearchError(
            400,
            "Send the search parameters in the body, not the URL: NHS numbers must never be "
            "sent in a URL.",
        )
    content_type = request.content_type or ""
    try:
        if content_type == FORM:
            return _form_params(request)
        if content_type in JSON_TYPES:
            return _parameters_params(request)
    except RequestDataTooBig:
        raise SearchError(413, "The request body is too large for one search.") from None
    except TooManyFieldsSent:
        raise SearchError(400, "Too many search parameters.") from None
    raise SearchError(
        415,
        f"Send the search parameters as {FORM} or as a FHIR Parameters resource ({FHIR_JSON}).",
    )


def purposes_in_scope(system: PipelineSystem, codes: list[str]) -> list[Purpose]:
    """The purposes asked about (all of the system's, if none named): 400 for a code that is
    not an active purpose, 403 for one outside the system's scope."""
    scope = list(system.purposes.filter(is_active=True).order_by("sort_order", "name"))
    if not codes:
        return scope
    by_code = {purpose.code: purpose for purpose in scope}
    known = set(Purpose.objects.filter(is_active=True).values_list("code", flat=True))
    chosen: list[Purpose] = []
    for code in dict.fromkeys(codes):
        shown = repr(code) if _PURPOSE_CODE.match(code) else "given"
        if code not in known:
            raise SearchError(400, f"There is no active purpose with the code {shown}.")
        if code not in by_code:
            raise SearchError(403, f"This system may not ask about the purpose {shown}.")
        chosen.append(by_code[code])
    return chosen


# ---------------------------------------------------------------------------------------------
# Answering


def notice_urls() -> fhir.Urls:
    site = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    page = DataSharingNoticePage.objects.live().first()
    path = "/data-sharing/"
    if page is not None:
        parts = page.get_url_parts()
        if parts is not None:
            path = parts[2]
    return fhir.Urls(site=site, notice=site + path)


def _fhir_response(body: dict, status: int = 200) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=FHIR_JSON
    )
    response["Cache-Control"] = "no-store"
    if status == 405:
        response["Allow"] = "POST"
    if status >= 400:
        # Django would log this response with the request attached (its URL may hold an NHS
        # number a caller put there); we log it ourselves, without.
        response._has_been_logged = True
        logger.warning("FHIR Consent search refused: %s", status)
    return response


def _codes_logged(codes: list[str]) -> str:
    """The purposes a caller named, for PipelineCall.purpose_code (60 characters): as many
    whole codes as fit, then "+N" for the rest. Blank means every purpose in scope."""
    joined = ",".join(codes)
    if len(joined) <= 60:
        return joined
    kept: list[str] = []
    for code in codes:
        rest = len(codes) - len(kept) - 1
        if len(",".join([*kept, code, f"+{rest}"])) > 60:
            break
        kept.append(code)
    return ",".join([*kept, f"+{len(codes) - len(kept)}"])


def _quiet_authenticate(request: HttpRequest) -> PipelineSystem | None:
    """The calling system if its token is good, to attribute a refused call; else None."""
    try:
        return system_authenticate(request.headers.get("Authorization"))
    except PipelineError:
        return None


@csrf_exempt
def consent_search(request: HttpRequest) -> HttpResponse:
    started = timezone.now()
    system: PipelineSystem | None = None
    purpose_codes = ""
    received = 0
    try:
        if request.method != "POST":
            system = _quiet_authenticate(request)
            raise SearchError(
                405,
                "Use POST /api/fhir/Consent/_search with the NHS number in the body "
                f"(patient.identifier={fhir.NHS_NUMBER_SYSTEM}|<NHS number>). NHS numbers "
                "must never be sent in a URL.",
            )
        system = system_authenticate(request.headers.get("Authorization"))
        params = search_params(request)
        received = 1
        # The codes asked for, also on refusals; only ones shaped like codes (never a number).
        purpose_codes = _codes_logged([c for c in params.purposes if _PURPOSE_CODE.match(c)])
        purposes = purposes_in_scope(system, params.purposes)
        events = ConsentEvent.objects.filter(nhs_number=params.nhs_number).order_by("sequence")
        resources = fhir.consent_resources(
            nhs_number=params.nhs_number,
            purposes=purposes,
            events=events,
            urls=notice_urls(),
            status=params.status,
        )
    except PipelineError as error:
        status = error.status
        call_record(
            system=system,
            endpoint=ENDPOINT,
            purpose_code=purpose_codes,
            status=status,
            received=received,
            started=started,
        )
        return _fhir_response(fhir.operation_outcome(status, error.detail), status)
    call_record(
        system=system,
        endpoint=ENDPOINT,
        purpose_code=purpose_codes,
        status=200,
        received=received,
        returned=len(resources),
        started=started,
    )
    return _fhir_response(fhir.searchset_bundle(resources, now=started))


@csrf_exempt
def consent_type(request: HttpRequest) -> HttpResponse:
    """/api/fhir/Consent: searching by GET (or anything else here) is refused."""
    started = timezone.now()
    system = _quiet_authenticate(request)
    call_record(system=system, endpoint=ENDPOINT, status=405, started=started)
    return _fhir_response(
        fhir.operation_outcome(
            405,
            "Search with POST /api/fhir/Consent/_search and the NHS number in the body "
            f"(patient.identifier={fhir.NHS_NUMBER_SYSTEM}|<NHS number>). NHS numbers must "
            "never be sent in a URL.",
        ),
        405,
    )
