"""A signed-in person's own data-sharing choices, at /data-sharing/your-choices/ (issue 5).

GET  /data-sharing/your-choices/                  current choices, history, download link
GET  /data-sharing/your-choices/history.json      the same as a file
GET/POST /data-sharing/your-choices/<code>/       change one choice (post/redirect/get)
GET  /data-sharing/your-choices/<code>/done/      what was recorded

Only accounts linked to an NHS number by staff (consent.identity) see any data; the NHS number
comes from that link, never from the URL or the form, and is never logged. These pages do not
write the staff access log: it records staff looking at other people's records.
"""

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from . import citizen
from .forms_citizen import ChangeForm
from .models import DataSharingNoticePage, Purpose

DONE_KEY = "consent_citizen_done"


def _notice_url() -> str:
    page = DataSharingNoticePage.objects.live().first()
    return page.url if page and page.url else "/data-sharing/"


def _purpose(code: str) -> Purpose:
    purpose = Purpose.objects.filter(code=code, is_active=True).first()
    if purpose is None:
        raise Http404("No such use of information")
    return purpose


def _not_verified(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "consent/citizen/not_verified.html",
        {"notice_url": _notice_url()},
    )


@never_cache
@login_required
@require_GET
def overview_view(request: HttpRequest) -> HttpResponse:
    identity = citizen.identity_for(user=request.user)
    if identity is None:
        return _not_verified(request)
    choices = citizen.choices_current(nhs_number=identity.nhs_number)
    return render(
        request,
        "consent/citizen/overview.html",
        {
            "choices": choices,
            "pending": [c for c in choices if c.pending_reference],
            "capacity_default": any(c.capacity_default for c in choices),
            "history": citizen.history_for(nhs_number=identity.nhs_number),
            "nhs_number_masked": citizen.nhs_number_masked(identity.nhs_number),
            "notice_url": _notice_url(),
        },
    )


@never_cache
@login_required
@require_GET
def history_json_view(request: HttpRequest) -> HttpResponse:
    identity = citizen.identity_for(user=request.user)
    if identity is None:
        return _not_verified(request)
    export = citizen.history_export(nhs_number=identity.nhs_number)
    response = HttpResponse(
        json.dumps(export, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="your-data-sharing-choices.json"'
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def change_view(request: HttpRequest, code: str) -> HttpResponse:
    identity = citizen.identity_for(user=request.user)
    if identity is None:
        return redirect("consent_citizen:overview")
    purpose = _purpose(code)
    current = next(
        c for c in citizen.choices_current(nhs_number=identity.nhs_number) if c.purpose == purpose
    )
    data = request.POST if request.method == "POST" else None
    form = ChangeForm(data, purpose=purpose) if current.changeable else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            result = citizen.choice_change(
                identity=identity, purpose=purpose, decision=form.cleaned_data["answer"]
            )
        except citizen.ChoiceRefused as refused:
            form.add_error("answer", str(refused))
        else:
            request.session[DONE_KEY] = {
                "code": purpose.code,
                "changed": result.changed,
                "decision": result.decision,
                "reference": result.event.reference if result.event else "",
            }
            return redirect("consent_citizen:done", code=purpose.code)
    return render(
        request,
        "consent/citizen/change.html",
        {
            "purpose": purpose,
            "current": current,
            "form": form,
            "not_honoured": citizen.NOT_HONOURED,
            "notice_url": _notice_url(),
        },
        status=400 if form is not None and form.errors else 200,
    )


@never_cache
@login_required
@require_GET
def done_view(request: HttpRequest, code: str) -> HttpResponse:
    identity = citizen.identity_for(user=request.user)
    done = request.session.get(DONE_KEY)
    if identity is None or not done or done.get("code") != code:
        return redirect("consent_citizen:overview")
    purpose = _purpose(code)
    current = next(
        c for c in citizen.choices_current(nhs_number=identity.nhs_number) if c.purpose == purpose
    )
    labels = dict(citizen.answers_for(purpose))
    return render(
        request,
        "consent/citizen/done.html",
        {
            "purpose": purpose,
            "current": current,
            "done": done,
            "answer": labels.get(done.get("decision"), ""),
        },
    )
