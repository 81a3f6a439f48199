"""Residents' reviews of a service, routed by ServicePage. Thin: the rules live in
directory.reviews.

GET/POST /services/<org>/<service>/review/                      write a review
GET/POST /services/<org>/<service>/reviews/<id>/report/         report a published review
"""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from directory.models import Review, ServicePage
from directory.models.reviews import REVIEW_MAX_CHARACTERS
from directory.review_forms import RATE_LIMIT_ERROR, ReviewForm, ReviewReportForm
from directory.reviews import (
    ReviewNotAllowed,
    ReviewStateError,
    experience_months_allowed,
    review_published_get,
    review_refusal,
    review_report,
    review_submit,
)
from portal.ratelimit import Rate, client_key, rate_limit_hit

SUBMITTED_SESSION_KEY = "review_submitted"
REPORTED_SESSION_KEY = "review_reported"
_PERIODS = {60: "a minute", 3600: "an hour", 86400: "a day"}


def _posted(request: HttpRequest):
    """The form data when the form was sent (even empty), else None for an unbound form."""
    return request.POST if request.method == "POST" else None


def _rate(name: str, default: str) -> str:
    return getattr(settings, name, default)


def _period(rate: str) -> str:
    seconds = Rate.parse(rate).period_seconds
    return _PERIODS.get(seconds) or f"{max(1, seconds // 60)} minutes"


def _over_limit(request: HttpRequest, limits: list[tuple[str, str, str]]) -> str | None:
    """Count this use against each (scope, key, rate); the first exceeded rate, if any."""
    exceeded = None
    for scope, key, rate in limits:
        if rate_limit_hit(scope=scope, key=key, rate=rate) and exceeded is None:
            exceeded = rate
    return exceeded


def _context(service: ServicePage, **extra) -> dict:
    # `page` is the service, so the breadcrumbs lead back through it.
    return {"page": service, "self": service, "service": service, **extra}


def review_submit_view(request: HttpRequest, *, service: ServicePage) -> HttpResponse:
    """Write a review: signed in, with a verified email address; published after moderation."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method != "POST" and request.session.get(SUBMITTED_SESSION_KEY) == service.pk:
        del request.session[SUBMITTED_SESSION_KEY]
        return TemplateResponse(
            request, "directory/review_write.html", _context(service, mode="submitted")
        )
    refusal = review_refusal(user=request.user, service=service)
    if refusal is not None:
        return TemplateResponse(
            request,
            "directory/review_write.html",
            _context(service, mode="refused", refusal=refusal),
        )
    status = 200
    form = ReviewForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        rate = _over_limit(
            request,
            [
                (
                    "review-submit-user",
                    str(request.user.pk),
                    _rate("REVIEW_SUBMIT_USER_RATE", "5/h"),
                ),
                (
                    "review-submit-client",
                    client_key(request),
                    _rate("REVIEW_SUBMIT_CLIENT_RATE", "20/h"),
                ),
            ],
        )
        if rate:
            form.add_error(None, RATE_LIMIT_ERROR.format(things="reviews", period=_period(rate)))
            status = 429
        else:
            try:
                review_submit(
                    user=request.user,
                    service=service,
                    rating=int(form.cleaned_data["rating"]),
                    text=form.cleaned_data["text"],
                    experienced_on=form.cleaned_data["experienced_on"],
                    confirmed=form.cleaned_data["confirmed"],
                )
            except ReviewNotAllowed as refused:  # a second tab submitted first
                return TemplateResponse(
                    request,
                    "directory/review_write.html",
                    _context(service, mode="refused", refusal=refused.refusal),
                )
            request.session[SUBMITTED_SESSION_KEY] = service.pk
            return redirect(request.path)
    earliest, latest = experience_months_allowed()
    date_hint = (
        f"For example, {latest.month} {latest.year}. It must be in the last 2 years: "
        f"{earliest:%B %Y} or later."
    )
    return TemplateResponse(
        request,
        "directory/review_write.html",
        _context(
            service,
            mode="form",
            form=form,
            maxlength=REVIEW_MAX_CHARACTERS,
            date_hint=date_hint,
        ),
        status=status,
    )


def review_report_view(
    request: HttpRequest, *, service: ServicePage, review_id: int
) -> HttpResponse:
    """Anyone may report a published review; it is hidden until a moderator decides."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    if request.method != "POST" and request.session.get(REPORTED_SESSION_KEY) == review_id:
        del request.session[REPORTED_SESSION_KEY]
        return TemplateResponse(
            request, "directory/review_report.html", _context(service, mode="reported")
        )
    try:
        review = review_published_get(service=service, review_id=review_id)
    except Review.DoesNotExist as missing:
        raise Http404("No such review on this service") from missing
    status = 200
    form = ReviewReportForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        rate = _over_limit(
            request,
            [("review-report", client_key(request), _rate("REVIEW_REPORT_RATE", "10/h"))],
        )
        if rate:
            form.add_error(None, RATE_LIMIT_ERROR.format(things="reports", period=_period(rate)))
            status = 429
        else:
            # Someone else may have reported it a moment ago: then it is already hidden.
            with contextlib.suppress(ReviewStateError):
                review_report(
                    review=review,
                    reason=form.cleaned_data["reason"],
                    details=form.cleaned_data["details"],
                    email=form.cleaned_data["email"],
                )
            request.session[REPORTED_SESSION_KEY] = review.pk
            return redirect(request.path)
    return TemplateResponse(
        request,
        "directory/review_report.html",
        _context(service, mode="form", form=form, review=review, maxlength=REVIEW_MAX_CHARACTERS),
        status=status,
    )
