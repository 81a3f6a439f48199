"""Confirming that a listing is still correct. Thin: the rules live in directory.freshness.

GET  /providers/still-correct/<token>/      the emailed one-click link: keeps the token in the
                                             session and redirects to the page below
GET  /providers/still-correct/              "Is this listing still correct?" with a button
POST /providers/still-correct/              confirm (the token comes back in the form)
POST /providers/listings/<service_id>/confirm/   a signed-in member confirms from the dashboard

The token leaves the address bar at once, as Django's password reset does it: the pages that
can fail, and anything they link to (the Referer header), only ever see
/providers/still-correct/, so a failure is never logged with the token. Gunicorn's access log
redacts the first request's path (portal.access_log). The token is kept only in the session and
the form (ADR 0011).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from directory.freshness import (
    LINK_VALID_DAYS,
    StillCorrectLinkError,
    last_checked_on,
    listing_confirm,
    listing_confirm_by_member,
    reminder_for_token,
    user_can_confirm_listing,
)
from directory.models import ServicePage

TOKEN_SESSION_KEY = "still_correct_token"
CONFIRMED_SESSION_KEY = "still_correct_confirmed"
DASHBOARD_PATH = "/providers/"

# The page's status for each way a link can fail.
_ERROR_STATUS = {"invalid": 400, "missing": 400, "used": 410, "expired": 410, "unavailable": 410}


@sensitive_variables("token")
def still_correct_link_view(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the reminder email: move the token out of the address, then show the page."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    request.session[TOKEN_SESSION_KEY] = token
    return redirect(reverse("directory_still_correct_confirm"))


def _context(**extra) -> dict:
    sign_in_url = f"{reverse('account_login')}?next={DASHBOARD_PATH}"
    return {"sign_in_url": sign_in_url, "link_valid_days": LINK_VALID_DAYS, **extra}


def _error(request: HttpRequest, error: StillCorrectLinkError | None) -> HttpResponse:
    reason = error.reason if error is not None else "missing"
    reminder = error.reminder if error is not None else None
    return TemplateResponse(
        request,
        "directory/still_correct.html",
        _context(mode="error", reason=reason, reminder=reminder),
        status=_ERROR_STATUS[reason],
    )


@sensitive_post_parameters("token")
@sensitive_variables("token")
def still_correct_view(request: HttpRequest) -> HttpResponse:
    """Ask "Is this listing still correct?", confirm it, or say clearly why the link failed."""
    if request.method == "POST":
        token = request.POST.get("token", "")
        if not token:
            return _error(request, None)
        try:
            service = listing_confirm(token=token)
        except StillCorrectLinkError as error:
            return _error(request, error)
        if request.session.get(TOKEN_SESSION_KEY) == token:
            del request.session[TOKEN_SESSION_KEY]
        request.session[CONFIRMED_SESSION_KEY] = service.pk
        return redirect(reverse("directory_still_correct_confirm"))
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])

    confirmed_id = request.session.pop(CONFIRMED_SESSION_KEY, None)
    if confirmed_id is not None:
        service = ServicePage.objects.filter(pk=confirmed_id).first()
        if service is not None:
            return TemplateResponse(
                request,
                "directory/still_correct.html",
                _context(mode="done", service=service, organisation=service.get_parent()),
            )
    token = request.session.get(TOKEN_SESSION_KEY)
    if not token:
        return _error(request, None)
    try:
        reminder = reminder_for_token(token=token)
    except StillCorrectLinkError as error:
        return _error(request, error)
    service = reminder.service
    return TemplateResponse(
        request,
        "directory/still_correct.html",
        _context(
            mode="confirm",
            token=token,
            reminder=reminder,
            service=service,
            organisation=service.get_parent(),
            checked_on=last_checked_on(service),
        ),
    )


def _next_url(request: HttpRequest) -> str:
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return DASHBOARD_PATH


@login_required
def listing_confirm_view(request: HttpRequest, service_id: int) -> HttpResponse:
    """ "Confirm still correct" from the providers' dashboard: members of the service's
    organisation only (anyone else gets 404, as for a service that does not exist)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    service = ServicePage.objects.live().filter(pk=service_id).first()
    if service is None or not user_can_confirm_listing(user=request.user, service=service):
        raise Http404("No such listing")
    service = listing_confirm_by_member(service=service, user=request.user)
    messages.success(request, f"You confirmed that {service.title} is still correct. Thank you.")
    return redirect(_next_url(request))
