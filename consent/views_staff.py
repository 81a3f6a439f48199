"""Staff pages for the register, at /manage/consent/ (consent.urls_staff). Thin: the rules
live in consent.access and consent.register.

The NHS number only ever travels in a POST body. After a search, the person's page is
addressed by a random lookup id held in the session, never by the number.

GET/POST /manage/consent/                               find a person by NHS number
GET      /manage/consent/person/<lookup>/                their state, history, access report
GET/POST /manage/consent/person/<lookup>/record/         record a choice
GET/POST /manage/consent/person/<lookup>/gp-code/        record a GP code
GET/POST /manage/consent/person/<lookup>/capacity/       record "lacks capacity"
GET/POST /manage/consent/person/<lookup>/verify/         identity verified (and link an account)
GET      /manage/consent/access-log.csv?from=&to=        export for audits (IG officers)

IG officers and Administrators only (the audit permission):

GET/POST /manage/consent/import/                         upload a CSV of choices
GET/POST /manage/consent/import/<token>/                 check it; "Import N choices"
GET      /manage/consent/import/<token>/done/            what was imported, by line
GET      /manage/consent/pending/                        changes waiting for verification
POST     /manage/consent/pending/find/                   open the person a waiting change is for

The pending list shows no identities (purpose, decision, channel, reference), so viewing it is
not logged; "Find this person" is, as a search, and the person page as a view.
"""

from __future__ import annotations

import csv
import datetime as dt
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import access, bulk_import
from .forms_staff import (
    CapacityForm,
    FindPersonForm,
    GPCodeForm,
    ImportConfirmForm,
    ImportUploadForm,
    PendingFindForm,
    RecordChoiceForm,
    VerifyIdentityForm,
)
from .models import Purpose
from .register import RegisterError, state_for
from .register_models import ConsentState

LOOKUPS_SESSION_KEY = "consent_staff_lookups"
IMPORTS_SESSION_KEY = "consent_staff_imports"
MAX_LOOKUPS = 20
MAX_IMPORTS = 10
SHOWN_LINES = 1000
PENDING_PER_PAGE = 50
_STATE_LABELS = dict(ConsentState.STATES)


def _require_register(request: HttpRequest) -> None:
    if not access.user_can_use_register(user=request.user):
        raise PermissionDenied("Only IG officers and practitioners can use the register")


def _require_manager(request: HttpRequest) -> None:
    if not access.user_can_manage_register(user=request.user):
        raise PermissionDenied("Only IG officers and administrators can do this")


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
    return TemplateResponse(
        request,
        "consent/staff/find.html",
        {"form": form, "manager": access.user_can_manage_register(user=request.user)},
    )


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


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def verify_identity_view(request: HttpRequest, lookup_id: str) -> HttpResponse:
    _require_register(request)
    nhs_number = _looked_up(request, lookup_id)
    form_kwargs = {"staff_user": request.user, "nhs_number": nhs_number}
    if request.method == "POST":
        form = VerifyIdentityForm(request.POST, **form_kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                event, waiting = access.staff_identity_verify(
                    user=request.user,
                    nhs_number=nhs_number,
                    method=data["method"],
                    channel=data["channel"],
                    evidence_reference=data["evidence_reference"],
                    account=form.account,
                )
            except RegisterError as error:
                form.add_error(None, str(error))
            else:
                took_effect = (
                    "No changes were waiting"
                    if waiting == 0
                    else f"{waiting} waiting change{'s' if waiting != 1 else ''} took effect"
                )
                linked = " Their portal account is linked." if form.account else ""
                messages.success(
                    request,
                    f"Identity verified: reference {event.reference}. {took_effect}.{linked}",
                )
                return redirect("consent_staff:person", lookup_id=lookup_id)
    else:
        form = VerifyIdentityForm(**form_kwargs)
    return TemplateResponse(
        request,
        "consent/staff/verify.html",
        {
            "form": form,
            "lookup_id": lookup_id,
            "nhs_number_display": _masked(nhs_number),
            "person_url": reverse("consent_staff:person", args=[lookup_id]),
            "waiting": access.pending_list().filter(nhs_number=nhs_number).count(),
        },
    )


# --- Pending changes ----------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def pending_view(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    paginator = Paginator(access.pending_list(), PENDING_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [
        {
            "purpose": state.purpose.name,
            "decision": state.pending_event.get_decision_display(),
            "channel": state.pending_event.get_channel_display(),
            "recorded_at": state.pending_event.recorded_at,
            "reference": state.pending_event.reference,
            "waiting_days": (today - timezone.localdate(state.pending_event.recorded_at)).days,
        }
        for state in page.object_list
    ]
    base = reverse("consent_staff:pending")
    return TemplateResponse(
        request,
        "consent/staff/pending.html",
        {
            "rows": rows,
            "page_obj": page,
            "total": paginator.count,
            "pagination": [
                {"number": n, "href": f"{base}?page={n}", "current": n == page.number}
                for n in paginator.page_range
            ]
            if paginator.num_pages > 1
            else [],
            "previous_href": f"{base}?page={page.previous_page_number()}"
            if page.has_previous()
            else "",
            "next_href": f"{base}?page={page.next_page_number()}" if page.has_next() else "",
        },
    )


@never_cache
@login_required
@require_http_methods(["POST"])
def pending_find_view(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = PendingFindForm(request.POST)
    nhs_number = None
    if form.is_valid():
        nhs_number = access.pending_person(
            user=request.user, reference=form.cleaned_data["reference"]
        )
    if nhs_number is None:
        messages.info(
            request, "That change is no longer waiting: it may have taken effect or been replaced."
        )
        return redirect("consent_staff:pending")
    return redirect("consent_staff:person", lookup_id=_remember(request, nhs_number))


# --- Bulk import --------------------------------------------------------------------------------


def _own_import(request: HttpRequest, token: str) -> None:
    if token not in request.session.get(IMPORTS_SESSION_KEY, []):
        raise Http404("No such import in this session")


def _expired(request: HttpRequest) -> HttpResponse:
    messages.info(
        request,
        "That upload has expired or has already been imported. Upload the file again to check it.",
    )
    return redirect("consent_staff:import")


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_view(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            token = bulk_import.upload_keep(form.data_bytes)
            tokens = [*request.session.get(IMPORTS_SESSION_KEY, []), token]
            request.session[IMPORTS_SESSION_KEY] = tokens[-MAX_IMPORTS:]
            return redirect("consent_staff:import_check", token=token)
    else:
        form = ImportUploadForm()
    return TemplateResponse(
        request,
        "consent/staff/import_upload.html",
        {
            "form": form,
            "purpose_codes": Purpose.objects.filter(is_active=True).values_list("code", flat=True),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_check_view(request: HttpRequest, token: str) -> HttpResponse:
    _require_manager(request)
    _own_import(request, token)
    data = bulk_import.upload_read(token)
    if data is None:
        return _expired(request)
    try:
        check = bulk_import.import_read(data)
    except bulk_import.ImportFileError:
        bulk_import.upload_discard(token)
        return _expired(request)
    already = check.previous is not None
    if request.method == "POST" and check.rows:
        form = ImportConfirmForm(request.POST, already_imported=already)
        if form.is_valid():
            try:
                result = bulk_import.import_run(
                    check, user=request.user, force=form.cleaned_data["import_again"]
                )
            except bulk_import.AlreadyImportedError as error:
                form = ImportConfirmForm(already_imported=True)
                form.add_error("import_again", str(error))
            else:
                bulk_import.upload_discard(token)
                bulk_import.result_keep(token, result)
                return redirect("consent_staff:import_done", token=token)
    else:
        form = ImportConfirmForm(already_imported=already)
    return TemplateResponse(
        request,
        "consent/staff/import_check.html",
        {
            "form": form,
            "check": check,
            "errors": check.errors[:SHOWN_LINES],
            "errors_hidden": max(0, len(check.errors) - SHOWN_LINES),
            "shown_lines": SHOWN_LINES,
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def import_done_view(request: HttpRequest, token: str) -> HttpResponse:
    _require_manager(request)
    _own_import(request, token)
    result = bulk_import.result_read(token)
    if result is None:
        return _expired(request)
    return TemplateResponse(
        request,
        "consent/staff/import_done.html",
        {
            "result": result,
            "imported": result.imported[:SHOWN_LINES],
            "imported_hidden": max(0, len(result.imported) - SHOWN_LINES),
            "errors": result.errors[:SHOWN_LINES],
            "errors_hidden": max(0, len(result.errors) - SHOWN_LINES),
            "shown_lines": SHOWN_LINES,
        },
    )
