"""The practitioners' queue of submitted self-assessments, at /manage/self-care/
(selfcare.urls_staff). Thin: the rules live in selfcare.cases.

GET  /manage/self-care/                         the list: filters, urgent first, oldest first
GET  /manage/self-care/<reference>/             one case (logged as viewed)
POST /manage/self-care/<reference>/note/        add a note
POST /manage/self-care/<reference>/assign/      assign (or "Assign to me", or unassign)
POST /manage/self-care/<reference>/status/      change the status
GET  /manage/self-care/<reference>/print/       a printable summary (logged as printed)

The list shows references, tools, dates and statuses but no names or contact details, so
viewing it is not an access to personal data and is not logged; opening a case is. References
are random, not personal data, so they may appear in addresses.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import cases
from .forms_staff import AssignForm, NoteForm, QueueFilterForm, StatusForm
from .models import Submission

PER_PAGE = 50
# What the care needs assessment's consent checkboxes mean, in the words staff use.
CONSENT_LABELS = {
    "gp": "GP",
    "adult-social-care": "Adult social care",
    "social-care": "Adult social care",
    "asc": "Adult social care",
}
NO_CONSENT = "Does not want their answers shared"


def _require_practitioner(request: HttpRequest) -> None:
    if not cases.user_can_work_on_cases(user=request.user):
        raise PermissionDenied("Only social care practitioners can work on self-assessments")


def _case(reference: str) -> Submission:
    try:
        return cases.case_get(reference=reference)
    except Submission.DoesNotExist:
        raise Http404("No such self-assessment") from None


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def queue_view(request: HttpRequest) -> HttpResponse:
    _require_practitioner(request)
    form = QueueFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    paginator = Paginator(cases.cases_for(user=request.user, **filters), PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    base = reverse("selfcare_staff:queue")
    kept = {key: value for key, value in request.GET.items() if key != "page" and value}

    def href(number: int) -> str:
        return f"{base}?{urlencode({**kept, 'page': number})}"

    return TemplateResponse(
        request,
        "selfcare/staff/queue.html",
        {
            "filter_form": form if request.GET else QueueFilterForm(),
            "filtered": any(filters.values()) if filters else False,
            "cases": page.object_list,
            "page_obj": page,
            "total": paginator.count,
            "me": request.user,
            "pagination": [
                {"number": n, "href": href(n), "current": n == page.number}
                for n in paginator.page_range
            ]
            if paginator.num_pages > 1
            else [],
            "previous_href": href(page.previous_page_number()) if page.has_previous() else "",
            "next_href": href(page.next_page_number()) if page.has_next() else "",
        },
    )


def consent_words(submission: Submission) -> list[str]:
    """Who the person agreed to share their answers with, in plain words."""
    words = [
        CONSENT_LABELS.get(value, str(value).replace("-", " ").capitalize())
        for value in submission.consent_to_share or []
    ]
    return words or [NO_CONSENT]


def _case_page(
    request: HttpRequest,
    submission: Submission,
    *,
    note_form: NoteForm | None = None,
    assign_form: AssignForm | None = None,
    status_form: StatusForm | None = None,
    status: int = 200,
) -> HttpResponse:
    note_form = note_form or NoteForm()
    assign_form = assign_form or AssignForm(
        initial={"assigned_to": str(submission.assigned_to_id or "")}
    )
    status_form = status_form or StatusForm(initial={"status": submission.status})
    failed = next((f for f in (note_form, assign_form, status_form) if f.errors), None)
    return TemplateResponse(
        request,
        "selfcare/staff/case.html",
        {
            "submission": submission,
            "consent": consent_words(submission),
            "eligibility": (submission.outcome or {}).get("eligibility"),
            "notes": submission.notes.select_related("author"),
            "activity": submission.activity.select_related("user")[:200],
            "assigned_label": cases.user_label(submission.assigned_to),
            "assigned_to_me": submission.assigned_to_id == request.user.pk,
            # base.html and the error summary read `form`: the one that failed, if any.
            "form": failed,
            "note_form": note_form,
            "assign_form": assign_form,
            "status_form": status_form,
        },
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def case_view(request: HttpRequest, reference: str) -> HttpResponse:
    _require_practitioner(request)
    submission = _case(reference)
    cases.case_viewed(submission=submission, by=request.user)
    return _case_page(request, submission)


@never_cache
@login_required
@require_http_methods(["POST"])
def case_note_view(request: HttpRequest, reference: str) -> HttpResponse:
    _require_practitioner(request)
    submission = _case(reference)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            cases.case_add_note(
                submission=submission, text=form.cleaned_data["text"], by=request.user
            )
        except ValueError as error:
            form.add_error("text", str(error))
        else:
            messages.success(request, "Note added")
            return redirect("selfcare_staff:case", reference=submission.reference)
    return _case_page(request, submission, note_form=form)


@never_cache
@login_required
@require_http_methods(["POST"])
def case_assign_view(request: HttpRequest, reference: str) -> HttpResponse:
    _require_practitioner(request)
    submission = _case(reference)
    if "assign_to_me" in request.POST:
        form, to_user = AssignForm(), request.user
    else:
        form = AssignForm(request.POST)
        to_user = form.chosen_user() if form.is_valid() else None
    if not form.errors:
        try:
            cases.case_assign(submission=submission, to_user=to_user, by=request.user)
        except ValueError as error:
            form = AssignForm(request.POST)
            form.is_valid()
            form.add_error("assigned_to", str(error))
        else:
            if to_user is None:
                messages.success(request, "The case is no longer assigned to anyone")
            elif to_user.pk == request.user.pk:
                messages.success(request, "The case is assigned to you")
            else:
                messages.success(request, f"The case is assigned to {cases.user_label(to_user)}")
            return redirect("selfcare_staff:case", reference=submission.reference)
    return _case_page(request, submission, assign_form=form)


@never_cache
@login_required
@require_http_methods(["POST"])
def case_status_view(request: HttpRequest, reference: str) -> HttpResponse:
    _require_practitioner(request)
    submission = _case(reference)
    form = StatusForm(request.POST)
    if form.is_valid():
        cases.case_set_status(
            submission=submission, status=form.cleaned_data["status"], by=request.user
        )
        messages.success(request, f"Status changed to {submission.get_status_display()}")
        return redirect("selfcare_staff:case", reference=submission.reference)
    return _case_page(request, submission, status_form=form)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def case_print_view(request: HttpRequest, reference: str) -> HttpResponse:
    _require_practitioner(request)
    submission = _case(reference)
    cases.case_printed(submission=submission, by=request.user)
    return TemplateResponse(
        request,
        "selfcare/staff/print.html",
        {
            "submission": submission,
            "consent": consent_words(submission),
            "eligibility": (submission.outcome or {}).get("eligibility"),
            "notes": submission.notes.select_related("author"),
            "assigned_label": cases.user_label(submission.assigned_to),
        },
    )
