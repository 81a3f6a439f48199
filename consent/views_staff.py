"""Staff pages for the register, at /manage/consent/ (consent.urls_staff). Thin: the rules
live in consent.access and consent.register.

The NHS number only ever travels in a POST body. After a search, the person's page is
addressed by a random lookup id held in the session, never by the number.

GET/POST /manage/consent/                               find a person by NHS number
GET      /manage/consent/person/<lookup>/                their state, history, access report
GET/POST /manage/consent/person/<lookup>/record/         record a choice
GET/POST /manage/consent/person/<lookup>/gp-code/        record a GP code
GET/POST /manage/consent/person/<lookup>/capacity/       record "lacks capacity"
GET      /manage/consent/access-log.csv?from=&to=        export for audits (IG officers)
"""

from __future__ import annotations

import csv
import datetime as dt
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import access
from .forms_staff import CapacityForm, FindPersonForm, GPCodeForm, RecordChoiceForm
from .models import Purpose
from .register import RegisterError, state_for
from .register_models import ConsentState

LOOKUPS_SESSION_KEY = "consent_staff_lookups"
MAX_LOOKUPS = 20
_STATE_LABELS = dict(ConsentState.STATES)


def _require_register(request: HttpRequest) -> None:
    if not access.user_can_use_register(user=request.user):
        raise PermissionDenied("Only IG officers and practitioners can use the register")


def _remember(request: HttpRequest, nhs_number: str) -> str:
    lookups = dict(request.session.get(LOOKUPS_SESSION_KEY, {}))
    lookup_id = secrets.token_urlsafe(12)
    lookups[lookup_id] = nhs_number
    request.session[LOOKUPS_SESSION_KEY] = dict(list(lookups.items())[-MAX_LOOKUPS:])
    return lookup_id


def _looked_up(request: HttpRequest, lookup_id: str) -> str:
    nhs_number = request.session.get(LOOKUPS_SESSION_KEY, {}).get(lookup_id)
    if nhs_number is None:
        raise Http404("No such lookup in this session")
    return nhs_number


def _masked(nhs_number: str) -> str:
    return f"{nhs_number[:3]} {nhs_number[3:6]} {nhs_number[6:]}"


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def find_view(request: HttpRequest) -> HttpResponse:
    _require_register(request)
    if request.method == "POST":
        form = FindPersonForm(request.POST)
        if form.is_valid():
            nhs_number = form.cleaned_data["nhs_number"]
            access.person_search(user=request.user, nhs_number=nhs_number)
            return redirect("consent_staff:person", lookup_id=_remember(request, nhs_number))
    else:
        form = FindPersonForm()
    return TemplateResponse(request, "consent/staff/find.html", {"form": form})


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def person_view(request: HttpRequest, lookup_id: str) -> HttpResponse:
    _require_register(request)
    nhs_number = _looked_up(request, lookup_id)
    events = list(access.person_view(user=request.user, nhs_number=nhs_number))
    states = state_for(nhs_number=nhs_number)
    by_event = {event.pk: event for event in events}
    names = dict(Purpose.objects.values_list("code", "name"))
    rows = [
        {
            "purpose": code,
            "name": names.get(code, code),
            "state": _STATE_LABELS[view.state],
            "effective_from": view.effective_from,
            "capacity_default": view.capacity_default,
            "pending": by_event.get(view.pending_event_id),
        }
        for code, view in states.items()
    ]
    auditor = access.user_can_audit_access(user=request.user)
    return TemplateResponse(
        request,
        "consent/staff/person.html",
        {
            "lookup_id": lookup_id,
            "nhs_number_display": _masked(nhs_number),
            "states": rows,
            "pending": [row for row in rows if row["pending"]],
            "events": events,
            "auditor": auditor,
            "access_entries": access.access_log_for_person(nhs_number=nhs_number)[:200]
            if auditor
            else [],
        },
    )


def _record(request: HttpRequest, lookup_id: str, form_class, template: str, save) -> HttpResponse:
    _require_register(request)
    nhs_number = _looked_up(request, lookup_id)
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                references = save(nhs_number, form.cleaned_data)
            except RegisterError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Recorded: reference {', '.join(references)}")
                return redirect("consent_staff:person", lookup_id=lookup_id)
    else:
        form = form_class()
    return TemplateResponse(
        request,
        template,
        {
            "form": form,
            "lookup_id": lookup_id,
            "nhs_number_display": _masked(nhs_number),
            "person_url": reverse("consent_staff:person", args=[lookup_id]),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def record_choice_view(request: HttpRequest, lookup_id: str) -> HttpResponse:
    def save(nhs_number: str, data: dict) -> list[str]:
        event = access.staff_choice_record(
            user=request.user,
            nhs_number=nhs_number,
            purpose=data["purpose"],
            decision=data["decision"],
            channel=data["channel"],
            actor=data["actor"],
            proxy_role=data["proxy_role"],
            proxy_name=data["proxy_name"],
            evidence_reference=data["evidence_reference"],
            identity_method=data["identity_method"],
            identity_result=data["identity_result"],
        )
        return [event.reference]

    return _record(request, lookup_id, RecordChoiceForm, "consent/staff/record_choice.html", save)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def record_gp_code_view(request: HttpRequest, lookup_id: str) -> HttpResponse:
    def save(nhs_number: str, data: dict) -> list[str]:
        events = access.gp_code_record(
            user=request.user,
            nhs_number=nhs_number,
            code=data["code"],
            evidence_reference=data["evidence_reference"],
            identity_method=data["identity_method"],
            identity_result=data["identity_result"],
        )
        return [event.reference for event in events]

    return _record(request, lookup_id, GPCodeForm, "consent/staff/record_gp_code.html", save)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def record_capacity_view(request: HttpRequest, lookup_id: str) -> HttpResponse:
    def save(nhs_number: str, data: dict) -> list[str]:
        events = access.staff_capacity_record(
            user=request.user, nhs_number=nhs_number, evidence_reference=data["evidence_reference"]
        )
        return [event.reference for event in events]

    return _record(request, lookup_id, CapacityForm, "consent/staff/record_capacity.html", save)


def _date_param(request: HttpRequest, name: str) -> dt.date | None:
    value = request.GET.get(name, "").strip()
    return dt.date.fromisoformat(value) if value else None


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def access_log_csv_view(request: HttpRequest) -> HttpResponse:
    if not access.user_can_audit_access(user=request.user):
        raise PermissionDenied("Only IG officers can export the access log")
    try:
        start, end = _date_param(request, "from"), _date_param(request, "to")
    except ValueError:
        return HttpResponseBadRequest("from and to must be dates like 2026-11-22")
    entries = access.access_log_export(user=request.user, start=start, end=end)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="consent-access-log.csv"'
    writer = csv.writer(response)
    writer.writerow(["at", "user", "action", "nhs_number_hash", "found", "event_reference"])
    for entry in entries.iterator(chunk_size=2000):
        writer.writerow(
            [
                entry.at.isoformat(),
                entry.user.email or entry.user.get_username(),
                entry.action,
                entry.nhs_number_hash,
                "" if entry.found is None else ("yes" if entry.found else "no"),
                entry.event_reference,
            ]
        )
    return response
