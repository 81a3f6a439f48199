"""Providers' self-service pages (ADR 0008). Thin: the rules live in directory.providers.

GET       /providers/                                   your organisations, requests, listings
GET       /providers/join/?q=                           find an organisation to join
GET/POST  /providers/join/<organisation id>/            ask to join it
GET/POST  /providers/register/                          ask to register a new organisation
GET       /providers/requests/                          moderators: every request, waiting first
GET/POST  /providers/requests/<id>/                     moderators: approve or reject one
GET/POST  /providers/organisations/<id>/members/        admins: members, invite a colleague
GET/POST  /providers/organisations/<id>/members/<membership id>/remove/
POST      /providers/organisations/<id>/members/<membership id>/admin/
POST      /providers/organisations/<id>/invitations/<invitation id>/cancel/
GET/POST  /providers/invitations/<token>/               accept an invitation

Everyone must be signed in (anonymous visitors are sent to sign in; MFA is enforced for
providers and moderators by the middleware), except for the invitation link, which explains
what to do first. Someone who may not see an organisation's members or a request gets a 403;
an object that is not the organisation's is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.models import Page

from directory import providers
from directory.freshness import listings_freshness
from directory.models import (
    OrganisationInvitation,
    OrganisationMembership,
    OrganisationPage,
    OrganisationRequest,
    ServicePage,
)
from directory.provider_forms import (
    APPROVE,
    RATE_LIMIT_ERROR,
    InvitationForm,
    JoinRequestForm,
    OrganisationSearchForm,
    RegisterRequestForm,
    RequestDecisionForm,
)
from portal.ratelimit import rate_limit_hit

REQUEST_RATE = "10/h"
INVITATION_RATE = "30/d"
DASHBOARD = "providers:dashboard"


def _service_rows(organisation: OrganisationPage) -> list[dict]:
    rows = []
    for service in Page.objects.child_of(organisation).type(ServicePage).order_by("title"):
        if service.workflow_in_progress:
            status = ("Awaiting approval", "govuk-tag--yellow")
        elif not service.live:
            status = ("Draft", "govuk-tag--grey")
        elif service.has_unpublished_changes:
            status = ("Changes not sent for approval", "govuk-tag--grey")
        else:
            status = ("Published", "govuk-tag--green")
        rows.append(
            {
                "title": service.get_admin_display_title(),
                "edit_url": reverse("wagtailadmin_pages:edit", args=[service.pk]),
                "status": status[0],
                "status_class": status[1],
            }
        )
    return rows


def _organisation_rows(request: HttpRequest, organisations: list[OrganisationPage]) -> list[dict]:
    """Each organisation with its services and links into the Wagtail admin."""
    admin_of = set(
        OrganisationMembership.objects.filter(
            user=request.user, organisation__in=organisations, is_admin=True
        ).values_list("organisation_id", flat=True)
    )
    return [
        {
            "organisation": organisation,
            "is_admin": organisation.pk in admin_of,
            "services": _service_rows(organisation),
            "explore_url": reverse("wagtailadmin_explore", args=[organisation.pk]),
            "edit_url": reverse("wagtailadmin_pages:edit", args=[organisation.pk]),
            "add_service_url": reverse(
                "wagtailadmin_pages:add",
                args=["directory", "servicepage", organisation.pk],
            ),
            "members_url": reverse("providers:members", args=[organisation.pk]),
        }
        for organisation in organisations
    ]


@login_required
@require_http_methods(["GET", "HEAD"])
def dashboard_view(request: HttpRequest) -> HttpResponse:
    """Your organisations, with links to edit them in the admin, and your requests."""
    organisations = list(providers.organisations_of(user=request.user))
    is_moderator = providers.user_is_moderator(request.user)
    context = {
        "rows": _organisation_rows(request, organisations),
        "organisations": organisations,
        "pending_requests": list(providers.organisation_requests_pending_of(user=request.user)),
        "is_moderator": is_moderator,
        "waiting_requests": (
            OrganisationRequest.objects.filter(status=OrganisationRequest.PENDING).count()
            if is_moderator
            else 0
        ),
        # How fresh each listing is, with "Confirm still correct" (directory.freshness).
        "listings": listings_freshness(organisations=organisations) if organisations else None,
        "show_organisation": len(organisations) > 1,
    }
    return TemplateResponse(request, "directory/providers/dashboard.html", context)


def _rate_limited(request: HttpRequest, *, scope: str, rate: str) -> bool:
    return rate_limit_hit(scope=scope, key=str(request.user.pk), rate=rate)


@login_required
@require_http_methods(["GET", "HEAD"])
def join_view(request: HttpRequest) -> HttpResponse:
    """Find an organisation to join by name (a plain GET form, so results can be shared)."""
    form = OrganisationSearchForm(request.GET or None)
    results = None
    query = ""
    if form.is_bound and form.is_valid():
        query = form.cleaned_data["q"].strip()
        if query:
            results = list(
                providers.organisations_search(query=query)[: providers.SEARCH_RESULTS_LIMIT]
            )
    return TemplateResponse(
        request,
        "directory/providers/join.html",
        {
            "form": form,
            "query": query,
            "results": results,
            "limit": providers.SEARCH_RESULTS_LIMIT,
            "member_of": set(
                providers.organisations_of(user=request.user).values_list("pk", flat=True)
            ),
            "verified": providers.user_has_verified_email(user=request.user),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def join_organisation_view(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = get_object_or_404(OrganisationPage.objects.live(), pk=organisation_id)
    form = JoinRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _rate_limited(request, scope="provider-request", rate=REQUEST_RATE):
            form.add_error(None, RATE_LIMIT_ERROR.format(things="requests", period="an hour"))
        else:
            try:
                providers.organisation_request_join(
                    user=request.user,
                    organisation=organisation,
                    job_title=form.cleaned_data["job_title"],
                    message=form.cleaned_data["message"],
                )
            except providers.ProviderActionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    f"You asked to join {organisation.title}. A moderator will check your "
                    "request, and we will email you when they have decided.",
                )
                return redirect(DASHBOARD)
    return TemplateResponse(
        request,
        "directory/providers/join_organisation.html",
        {
            "form": form,
            "organisation": organisation,
            "verified": providers.user_has_verified_email(user=request.user),
            "query": request.GET.get("q", ""),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def register_view(request: HttpRequest) -> HttpResponse:
    form = RegisterRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _rate_limited(request, scope="provider-request", rate=REQUEST_RATE):
            form.add_error(None, RATE_LIMIT_ERROR.format(things="requests", period="an hour"))
        else:
            try:
                organisation_request = providers.organisation_request_register(
                    user=request.user,
                    details=form.details(),
                    job_title=form.cleaned_data["job_title"],
                    message=form.cleaned_data["message"],
                )
            except providers.ProviderActionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    f"You asked to register {organisation_request.name}. A moderator will "
                    "check your request, and we will email you when they have decided.",
                )
                return redirect(DASHBOARD)
    return TemplateResponse(
        request,
        "directory/providers/register.html",
        {"form": form, "verified": providers.user_has_verified_email(user=request.user)},
    )


# --- Moderators: requests -------------------------------------------------------------------


def _require_moderator(request: HttpRequest) -> None:
    if not providers.user_is_moderator(request.user):
        raise PermissionDenied("Only moderators may decide on requests")


@login_required
@require_http_methods(["GET", "HEAD"])
def requests_view(request: HttpRequest) -> HttpResponse:
    _require_moderator(request)
    all_requests = list(providers.organisation_requests_for_moderators()[:200])
    return TemplateResponse(
        request,
        "directory/providers/requests.html",
        {
            "waiting": [r for r in all_requests if r.status == OrganisationRequest.PENDING],
            "decided": [r for r in all_requests if r.status != OrganisationRequest.PENDING],
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def request_detail_view(request: HttpRequest, request_id: int) -> HttpResponse:
    _require_moderator(request)
    organisation_request = get_object_or_404(
        OrganisationRequest.objects.select_related("user", "organisation", "decided_by"),
        pk=request_id,
    )
    is_join = organisation_request.kind == OrganisationRequest.JOIN
    organisation = organisation_request.organisation
    has_admin = bool(
        is_join
        and organisation is not None
        and OrganisationMembership.objects.filter(organisation=organisation, is_admin=True).exists()
    )
    form = RequestDecisionForm(
        request.POST or None,
        kind=organisation_request.kind,
        initial={"make_admin": is_join and not has_admin},
    )
    pending = organisation_request.status == OrganisationRequest.PENDING
    if request.method == "POST" and pending and form.is_valid():
        try:
            if form.cleaned_data["decision"] == APPROVE:
                providers.organisation_request_approve(
                    organisation_request=organisation_request,
                    decided_by=request.user,
                    comment=form.cleaned_data["comment"],
                    make_admin=form.cleaned_data.get("make_admin", False),
                )
                messages.success(request, "You approved the request. We have emailed them.")
            else:
                providers.organisation_request_reject(
                    organisation_request=organisation_request,
                    decided_by=request.user,
                    comment=form.cleaned_data["comment"],
                )
                messages.success(request, "You rejected the request. We have emailed them why.")
        except providers.ProviderActionError as error:
            form.add_error(None, str(error))
        else:
            return redirect("providers:requests")
    return TemplateResponse(
        request,
        "directory/providers/request_detail.html",
        {
            "organisation_request": organisation_request,
            "form": form,
            "pending": pending,
            "has_admin": has_admin,
            "similar": (
                list(providers.organisations_search(query=organisation_request.name)[:5])
                if organisation_request.kind == OrganisationRequest.REGISTER and pending
                else []
            ),
        },
    )


# --- Organisation admins: members and invitations ----------------------------------------


def _organisation_for_member_admin(request: HttpRequest, organisation_id: int) -> OrganisationPage:
    organisation = get_object_or_404(OrganisationPage, pk=organisation_id)
    if not providers.user_can_manage_members(user=request.user, organisation=organisation):
        raise PermissionDenied("Only the organisation's admins may manage its members")
    return organisation


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def members_view(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = _organisation_for_member_admin(request, organisation_id)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _rate_limited(request, scope="provider-invitation", rate=INVITATION_RATE):
            form.add_error(None, RATE_LIMIT_ERROR.format(things="invitations", period="a day"))
        else:
            try:
                invitation = providers.invitation_send(
                    organisation=organisation,
                    email=form.cleaned_data["email"],
                    invited_by=request.user,
                )
            except providers.ProviderActionError as error:
                form.add_error("email", str(error))
            else:
                messages.success(
                    request,
                    f"We have emailed an invitation to {invitation.email}. It works once, "
                    "for 14 days.",
                )
                return redirect("providers:members", organisation_id=organisation.pk)
    return TemplateResponse(
        request,
        "directory/providers/members.html",
        {
            "organisation": organisation,
            "members": list(providers.organisation_members(organisation=organisation)),
            "invitations": list(providers.invitations_pending(organisation=organisation)),
            "form": form,
        },
    )


def _membership_of(organisation: OrganisationPage, membership_id: int) -> OrganisationMembership:
    return get_object_or_404(
        OrganisationMembership.objects.select_related("user", "organisation"),
        pk=membership_id,
        organisation=organisation,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def member_remove_view(request: HttpRequest, organisation_id: int, membership_id: int):
    organisation = _organisation_for_member_admin(request, organisation_id)
    membership = _membership_of(organisation, membership_id)
    error = ""
    if request.method == "POST":
        try:
            providers.member_remove(membership=membership, removed_by=request.user)
        except providers.ProviderActionError as refusal:
            error = str(refusal)
        else:
            if membership.user_id == request.user.pk:
                messages.success(request, f"You are no longer a member of {organisation.title}.")
                return redirect(DASHBOARD)
            messages.success(
                request, f"{membership.user.email} is no longer a member of {organisation.title}."
            )
            return redirect("providers:members", organisation_id=organisation.pk)
    return TemplateResponse(
        request,
        "directory/providers/member_remove.html",
        {"organisation": organisation, "membership": membership, "error": error},
    )


@login_required
@require_POST
def member_admin_view(request: HttpRequest, organisation_id: int, membership_id: int):
    organisation = _organisation_for_member_admin(request, organisation_id)
    membership = _membership_of(organisation, membership_id)
    make_admin = request.POST.get("is_admin") == "yes"
    try:
        providers.member_admin_set(
            membership=membership, is_admin=make_admin, changed_by=request.user
        )
    except providers.ProviderActionError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            f"{membership.user.email} is {'now' if make_admin else 'no longer'} an admin of "
            f"{organisation.title}.",
        )
    return redirect("providers:members", organisation_id=organisation.pk)


@login_required
@require_POST
def invitation_cancel_view(request: HttpRequest, organisation_id: int, invitation_id: int):
    organisation = _organisation_for_member_admin(request, organisation_id)
    invitation = get_object_or_404(
        OrganisationInvitation, pk=invitation_id, organisation=organisation
    )
    providers.invitation_revoke(invitation=invitation, revoked_by=request.user)
    messages.success(request, f"You cancelled the invitation to {invitation.email}.")
    return redirect("providers:members", organisation_id=organisation.pk)


# --- Accepting an invitation ----------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def invitation_view(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link. Anyone may open it; accepting needs the invited address, signed in."""
    context: dict = {"token": token}
    try:
        invitation = providers.invitation_from_token(token=token)
    except providers.InvitationError as error:
        context.update(error=str(error), reason=error.reason)
        return TemplateResponse(request, "directory/providers/invitation.html", context, status=410)
    here = reverse("providers:invitation", kwargs={"token": token})
    context.update(
        invitation=invitation,
        organisation=invitation.organisation,
        login_url=f"{reverse('account_login')}?{urlencode({'next': here})}",
        signup_url=f"{reverse('account_signup')}?{urlencode({'next': here})}",
        logout_url=reverse("account_logout"),
    )
    user = request.user
    if user.is_authenticated:
        context["matches"] = providers.invitation_matches_user(invitation=invitation, user=user)
        context["already_member"] = providers.user_manages_organisation(
            user=user, organisation=invitation.organisation
        )
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect(context["login_url"])
        try:
            providers.invitation_accept(invitation=invitation, user=user)
        except providers.InvitationError as error:
            context.update(error=str(error), reason=error.reason)
            status = 403 if error.reason == "wrong-email" else 410
            return TemplateResponse(
                request, "directory/providers/invitation.html", context, status=status
            )
        messages.success(
            request,
            f"You are now a member of {invitation.organisation.title}. You can edit its listings.",
        )
        return redirect(DASHBOARD)
    return TemplateResponse(request, "directory/providers/invitation.html", context)
