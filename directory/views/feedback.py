"""Listing feedback pages. Thin: the rules live in directory.feedback.

GET/POST /services/<org>/<service>/report-a-problem/   report a problem (anyone; routed by
                                                      ServicePage), then a confirmation
GET      /providers/feedback/?status=new|actioned|dismissed|all   reports a person may see
GET/POST /providers/feedback/<id>/                    one report and its status
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from wagtail.models import Page

from directory.feedback import (
    STATUSES,
    feedback_set_status,
    feedback_status_counts,
    feedback_submit,
    feedback_visible_to,
    user_can_see_feedback_pages,
)
from directory.feedback_forms import RATE_LIMIT_ERROR, FeedbackForm, FeedbackStatusForm
from directory.models import OrganisationPage, ServicePage
from portal.ratelimit import Rate, client_key, rate_limit_hit

SENT_SESSION_KEY = "listing_feedback_sent"
PER_PAGE = 50
_PERIODS = {60: "a minute", 3600: "an hour", 86400: "a day"}


def _rate_limit_period(rate: str) -> str:
    seconds = Rate.parse(rate).period_seconds
    return _PERIODS.get(seconds) or f"{max(1, seconds // 60)} minutes"


def _report_url(request: HttpRequest, service: ServicePage) -> str:
    return service.get_url(request) + service.reverse_subpage("report_problem")


def feedback_submit_view(request: HttpRequest, *, service: ServicePage) -> HttpResponse:
    """Report a problem with a service's page: no sign-in, rate-limited per client."""
    status = 200
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        if form.is_valid():
            rate = getattr(settings, "DIRECTORY_FEEDBACK_RATE", "10/h")
            if rate_limit_hit(scope="listing-feedback", key=client_key(request), rate=rate):
                form.add_error(None, RATE_LIMIT_ERROR.format(period=_rate_limit_period(rate)))
                status = 429
            else:
                feedback_submit(
                    service=service,
                    reason=form.cleaned_data["reason"],
                    details=form.cleaned_data["details"],
                    email=form.cleaned_data["email"],
                )
                request.session[SENT_SESSION_KEY] = service.pk
                return redirect(_report_url(request, service))
    elif request.method in ("GET", "HEAD"):
        if request.session.get(SENT_SESSION_KEY) == service.pk:
            del request.session[SENT_SESSION_KEY]
            return TemplateResponse(
                request,
                "directory/report_a_problem.html",
                {"page": service, "self": service, "service": service, "sent": True},
            )
        form = FeedbackForm()
    else:
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    return TemplateResponse(
        request,
        "directory/report_a_problem.html",
        {"page": service, "self": service, "service": service, "form": form},
        status=status,
    )


# --- Providers and moderators -----------------------------------------------------------------


def _require_feedback_access(request: HttpRequest) -> None:
    if not user_can_see_feedback_pages(user=request.user):
        raise PermissionDenied("Only providers and moderators can see listing feedback")


def _page_links(request: HttpRequest, page_obj) -> list[dict]:
    """GOV.UK pagination items: numbers around the current page, with ellipses."""
    current, last = page_obj.number, page_obj.paginator.num_pages
    params = request.GET.copy()
    items, previous = [], 0
    for number in range(1, last + 1):
        if number in (1, last) or abs(number - current) <= 1:
            if previous and number - previous > 1:
                items.append({"ellipsis": True})
            params["page"] = number
            items.append(
                {"number": number, "href": f"?{params.urlencode()}", "current": number == current}
            )
            previous = number
    return items


@login_required
def feedback_list_view(request: HttpRequest) -> HttpResponse:
    """Reports about the services a person looks after (all of them, for moderators)."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    _require_feedback_access(request)
    visible = feedback_visible_to(user=request.user)
    counts = feedback_status_counts(feedback=visible)
    status = request.GET.get("status", "new")
    if status not in STATUSES:
        status = "all"
    shown = visible if status == "all" else visible.filter(status=status)
    page_obj = Paginator(shown.order_by("-created_at", "-pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    items = list(page_obj.object_list)
    _attach_organisations(items)
    filters = [
        {"value": value, "label": label, "count": counts[value], "current": value == status}
        for value, label in STATUSES.items()
    ]
    filters.append(
        {"value": "all", "label": "All", "count": sum(counts.values()), "current": status == "all"}
    )
    return TemplateResponse(
        request,
        "directory/feedback_list.html",
        {
            "page_obj": page_obj,
            "feedback_items": items,
            "status": status,
            "status_label": STATUSES.get(status, "All"),
            "filters": filters,
            "pagination": _page_links(request, page_obj),
            "previous_href": _page_href(request, page_obj.previous_page_number())
            if page_obj.has_previous()
            else "",
            "next_href": _page_href(request, page_obj.next_page_number())
            if page_obj.has_next()
            else "",
        },
    )


def _attach_organisations(items: list) -> None:
    """Each report's organisation as `organisation`, in one query."""
    paths = {item.service.path[: -Page.steplen] for item in items}
    organisations = {o.path: o for o in OrganisationPage.objects.filter(path__in=paths)}
    for item in items:
        item.organisation = organisations.get(item.service.path[: -Page.steplen])


def _page_href(request: HttpRequest, number: int) -> str:
    params = request.GET.copy()
    params["page"] = number
    return f"?{params.urlencode()}"


@login_required
def feedback_detail_view(request: HttpRequest, feedback_id: int) -> HttpResponse:
    """One report, and the form to set its status. Someone else's report is not found."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    _require_feedback_access(request)
    feedback = get_object_or_404(feedback_visible_to(user=request.user), pk=feedback_id)
    if request.method == "POST":
        form = FeedbackStatusForm(request.POST)
        if form.is_valid():
            feedback_set_status(
                feedback=feedback, status=form.cleaned_data["status"], user=request.user
            )
            messages.success(
                request,
                f"The report about {feedback.service.title} is now marked "
                f"{feedback.get_status_display().lower()}",
            )
            return redirect(reverse("directory_feedback_detail", args=[feedback.pk]))
    else:
        form = FeedbackStatusForm(initial={"status": feedback.status})
    service = feedback.service
    return TemplateResponse(
        request,
        "directory/feedback_detail.html",
        {
            "feedback": feedback,
            "service": service,
            "organisation": service.get_parent(),
            "form": form,
            "list_url": reverse("directory_feedback_list"),
        },
    )
