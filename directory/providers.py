"""Providers and their organisations: memberships and the page permissions that follow them
(ADR 0008).

Each organisation has its own Wagtail group with "add" and "change" page permissions on the
organisation's page, which Wagtail applies to the whole subtree: members edit their own
organisation and its services, and nothing else. They have no "publish" permission, so every
edit goes through the listing moderation workflow. Memberships are the source of truth; the
groups follow them through the functions here.

People become members by asking to join a listed organisation or to register a new one (a
moderator decides; `organisation_request_*`), or by accepting an emailed invitation from one of
the organisation's admins (`invitation_*`: a signed link that works once, for the address it
was sent to, until it expires or is cancelled). Decisions, invitations and membership changes
go into Wagtail's audit log.

In the admin, providers see, edit and choose only their own organisations' locations
(`LocationPermissionPolicy`, `locations_visible_to`); staff with a staff role's location
permissions, moderators and superusers see all of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, Q, QuerySet, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from wagtail.log_actions import log
from wagtail.models import GroupPagePermission, Site
from wagtail.permission_policies import ModelPermissionPolicy

from portal import roles
from portal.email import email_send

from .models import (
    Location,
    OrganisationInvitation,
    OrganisationMembership,
    OrganisationPage,
    OrganisationRequest,
    ServicePage,
)

MEMBER_PAGE_PERMISSIONS = ("add_page", "change_page")
MODERATE_PERMISSION = "directory.moderate_directory"
GROUP_NAME_LENGTH = 150


def _group_name(organisation: OrganisationPage) -> str:
    return f"Organisation {organisation.pk}: {organisation.title}"[:GROUP_NAME_LENGTH]


def organisation_group_sync(*, organisation: OrganisationPage) -> Group:
    """The organisation's editors group, created if missing, with page permissions on the
    organisation's subtree (and nothing else)."""
    with transaction.atomic():
        group = organisation.editors_group
        if group is None:
            group = Group.objects.create(name=_group_name(organisation))
            # An update, not a page save: no new revision or publish for a bookkeeping field.
            OrganisationPage.objects.filter(pk=organisation.pk).update(editors_group=group)
            organisation.editors_group = group
        elif group.name != _group_name(organisation):
            group.name = _group_name(organisation)
            group.save(update_fields=["name"])
        for codename in MEMBER_PAGE_PERMISSIONS:
            GroupPagePermission.objects.get_or_create(
                group=group,
                page_id=organisation.pk,
                permission=Permission.objects.get(
                    content_type__app_label="wagtailcore", codename=codename
                ),
            )
    return group


def membership_add(
    *,
    organisation: OrganisationPage,
    user: AbstractBaseUser,
    is_admin: bool = False,
    added_by: AbstractBaseUser | None = None,
) -> OrganisationMembership:
    """Make someone a member of an organisation (or update their admin flag): they join the
    Providers role and the organisation's group. Returns the membership."""
    with transaction.atomic():
        membership, created = OrganisationMembership.objects.get_or_create(
            organisation=organisation,
            user=user,
            defaults={"is_admin": is_admin, "added_by": added_by},
        )
        if not created and membership.is_admin != is_admin:
            membership.is_admin = is_admin
            membership.save(update_fields=["is_admin"])
        group = organisation_group_sync(organisation=organisation)
        user.groups.add(group, Group.objects.get(name=roles.PROVIDERS))
    return membership


def membership_remove(
    *, membership: OrganisationMembership, removed_by: AbstractBaseUser | None = None
) -> None:
    """End a membership: the person leaves the organisation's group, and the Providers role
    when it was their last organisation."""
    with transaction.atomic():
        user = membership.user
        organisation = membership.organisation
        membership.delete()
        if organisation.editors_group_id:
            user.groups.remove(organisation.editors_group_id)
        if not OrganisationMembership.objects.filter(user=user).exists():
            user.groups.remove(Group.objects.get(name=roles.PROVIDERS))


# --- Reads ----------------------------------------------------------------------------------


def organisations_of(*, user: AbstractBaseUser) -> QuerySet[OrganisationPage]:
    """The organisations someone is a member of (live or not), by name."""
    if not user.is_authenticated:
        return OrganisationPage.objects.none()
    return OrganisationPage.objects.filter(memberships__user=user).order_by("title")


def user_manages_organisation(*, user: AbstractBaseUser, organisation: OrganisationPage) -> bool:
    return (
        user.is_authenticated
        and OrganisationMembership.objects.filter(user=user, organisation=organisation).exists()
    )


def user_is_organisation_admin(*, user: AbstractBaseUser, organisation: OrganisationPage) -> bool:
    return (
        user.is_authenticated
        and OrganisationMembership.objects.filter(
            user=user, organisation=organisation, is_admin=True
        ).exists()
    )


def organisation_of_service(*, service: ServicePage) -> OrganisationPage:
    return OrganisationPage.objects.get(path=service.path[: -ServicePage.steplen])


def user_is_moderator(user: AbstractBaseUser) -> bool:
    """Moderators and Administrators (the `directory.moderate_directory` permission)."""
    return bool(user.is_authenticated and user.has_perm(MODERATE_PERMISSION))


def organisation_editor_emails(*, organisation: OrganisationPage) -> list[str]:
    """Where to write to an organisation's editors: its active members' addresses."""
    return sorted(
        {
            email
            for email in OrganisationMembership.objects.filter(
                organisation=organisation, user__is_active=True
            ).values_list("user__email", flat=True)
            if email
        }
    )


def moderator_emails() -> list[str]:
    """Active users who may moderate the directory (by group or directly), with an address."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    permission = Permission.objects.get(
        content_type__app_label="directory", codename="moderate_directory"
    )
    holders = users.filter(groups__permissions=permission) | users.filter(
        user_permissions=permission
    )
    return sorted(set(holders.values_list("email", flat=True)))


# --- Asking to join or register an organisation (issue 4) ---------------------------------

ACTION_REQUEST_APPROVE = "directory.organisation_request.approve"
ACTION_REQUEST_REJECT = "directory.organisation_request.reject"
ACTION_INVITATION_SEND = "directory.invitation.send"
ACTION_INVITATION_REVOKE = "directory.invitation.revoke"
ACTION_INVITATION_ACCEPT = "directory.invitation.accept"
ACTION_MEMBER_REMOVE = "directory.membership.remove"
ACTION_MEMBER_ADMIN = "directory.membership.admin"

INVITATION_SALT = "directory.providers.invitation"
SEARCH_RESULTS_LIMIT = 50


class ProviderActionError(Exception):
    """A rule refused a provider or moderator action. The message is written for the person
    and is shown to them as it is."""


class InvitationError(ProviderActionError):
    """An invitation link that cannot be used. `reason` is one of INVITATION_ERRORS' keys."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(INVITATION_ERRORS[reason])


INVITATION_ERRORS = {
    "invalid": "This invitation link is not valid. Check you copied the whole link from the email.",
    "revoked": (
        "This invitation has been cancelled. Ask the person who invited you to send another."
    ),
    "used": "This invitation has already been used.",
    "expired": "This invitation has expired. Ask the person who invited you to send another.",
    "wrong-email": (
        "This invitation was sent to a different email address. Sign out, then sign in or "
        "create an account with the address the invitation was sent to."
    ),
    "already-member": "You are already a member of this organisation.",
}


@dataclass(frozen=True)
class OrganisationDetails:
    """A new organisation's details, as a provider gives them when asking to register it."""

    name: str
    description: str
    website: str = ""
    email: str = ""
    phone: str = ""
    charity_number: str = ""
    company_number: str = ""


def user_has_verified_email(*, user: AbstractBaseUser) -> bool:
    from allauth.account.models import EmailAddress

    return bool(
        user.is_authenticated and EmailAddress.objects.filter(user=user, verified=True).exists()
    )


def organisations_search(*, query: str) -> QuerySet[OrganisationPage]:
    """Live organisations whose name contains every word of `query` (ignoring capitals)."""
    organisations = OrganisationPage.objects.live().order_by("title")
    words = query.split()
    if not words:
        return organisations.none()
    for word in words:
        organisations = organisations.filter(title__icontains=word)
    return organisations


def organisation_requests_pending_of(*, user: AbstractBaseUser) -> QuerySet[OrganisationRequest]:
    if not user.is_authenticated:
        return OrganisationRequest.objects.none()
    return OrganisationRequest.objects.filter(
        user=user, status=OrganisationRequest.PENDING
    ).select_related("organisation")


def organisation_requests_for_moderators() -> QuerySet[OrganisationRequest]:
    """Every request, those waiting for a decision first (oldest first), then the decided ones,
    newest first."""
    waiting_first = Case(When(status=OrganisationRequest.PENDING, then=Value(0)), default=Value(1))
    return (
        OrganisationRequest.objects.select_related("user", "organisation", "decided_by")
        .annotate(waiting_first=waiting_first)
        .order_by("waiting_first", "-created_at")
    )


def _require_verified_email(user: AbstractBaseUser) -> None:
    if not user_has_verified_email(user=user):
        raise ProviderActionError(
            "Confirm your email address before you ask to join or register an organisation"
        )


def organisation_request_join(
    *,
    user: AbstractBaseUser,
    organisation: OrganisationPage,
    job_title: str = "",
    message: str = "",
) -> OrganisationRequest:
    """Ask to join a listed organisation. Moderators are told by email."""
    _require_verified_email(user)
    if not OrganisationPage.objects.live().filter(pk=organisation.pk).exists():
        raise ProviderActionError("Choose an organisation from the list")
    if user_manages_organisation(user=user, organisation=organisation):
        raise ProviderActionError(f"You are already a member of {organisation.title}")
    with transaction.atomic():
        if OrganisationRequest.objects.filter(
            user=user,
            kind=OrganisationRequest.JOIN,
            organisation=organisation,
            status=OrganisationRequest.PENDING,
        ).exists():
            raise ProviderActionError(
                f"You have already asked to join {organisation.title}. A moderator will "
                "decide soon, and we will email you"
            )
        request = OrganisationRequest.objects.create(
            user=user,
            kind=OrganisationRequest.JOIN,
            organisation=organisation,
            job_title=job_title.strip(),
            message=message.strip(),
        )
    _email_moderators_new_request(request)
    return request


def organisation_request_register(
    *,
    user: AbstractBaseUser,
    details: OrganisationDetails,
    job_title: str = "",
    message: str = "",
) -> OrganisationRequest:
    """Ask to register a new organisation. Moderators are told by email."""
    _require_verified_email(user)
    name = details.name.strip()
    existing = OrganisationPage.objects.live().filter(title__iexact=name).first()
    if existing is not None:
        raise ProviderActionError(
            f"{existing.title} is already listed. Ask to join it instead of registering it again"
        )
    with transaction.atomic():
        if OrganisationRequest.objects.filter(
            user=user,
            kind=OrganisationRequest.REGISTER,
            name__iexact=name,
            status=OrganisationRequest.PENDING,
        ).exists():
            raise ProviderActionError(
                f"You have already asked to register {name}. A moderator will decide soon, "
                "and we will email you"
            )
        request = OrganisationRequest.objects.create(
            user=user,
            kind=OrganisationRequest.REGISTER,
            job_title=job_title.strip(),
            message=message.strip(),
            name=name,
            description=details.description.strip(),
            website=details.website.strip(),
            email=details.email.strip(),
            phone=details.phone.strip(),
            charity_number=details.charity_number.strip(),
            company_number=details.company_number.strip(),
        )
    _email_moderators_new_request(request)
    return request


def _locked_pending_request(organisation_request: OrganisationRequest) -> OrganisationRequest:
    request = OrganisationRequest.objects.select_for_update().get(pk=organisation_request.pk)
    if request.status != OrganisationRequest.PENDING:
        raise ProviderActionError("This request has already been decided")
    return request


def organisation_request_approve(
    *,
    organisation_request: OrganisationRequest,
    decided_by: AbstractBaseUser,
    comment: str = "",
    make_admin: bool = False,
) -> OrganisationRequest:
    """Approve a request. Joining makes the person a member (an admin with `make_admin`);
    registering publishes the new organisation under /services/ and makes them its admin.
    The requester is emailed, and the decision goes into the audit log."""
    if not user_is_moderator(decided_by):
        raise PermissionDenied
    from .services import organisation_get_or_create, organisation_update

    with transaction.atomic():
        request = _locked_pending_request(organisation_request)
        if request.kind == OrganisationRequest.REGISTER:
            if OrganisationPage.objects.filter(title__iexact=request.name.strip()).exists():
                raise ProviderActionError(
                    f"An organisation called {request.name} is already listed. Reject this "
                    "request and ask them to join it instead"
                )
            organisation, _ = organisation_get_or_create(
                name=request.name,
                description=request.description,
                website=request.website,
                email=request.email,
                phone=request.phone,
                user=decided_by,
            )
            if request.charity_number or request.company_number:
                organisation_update(
                    organisation=organisation,
                    user=decided_by,
                    charity_number=request.charity_number,
                    company_number=request.company_number,
                )
            request.organisation = organisation
            make_admin = True
        organisation = OrganisationPage.objects.get(pk=request.organisation_id)
        existing = OrganisationMembership.objects.filter(
            organisation=organisation, user=request.user
        ).first()
        membership_add(
            organisation=organisation,
            user=request.user,
            is_admin=make_admin or bool(existing and existing.is_admin),
            added_by=decided_by,
        )
        _decide(request, OrganisationRequest.APPROVED, decided_by, comment)
        log(
            instance=request,
            action=ACTION_REQUEST_APPROVE,
            user=decided_by,
            data={"comment": request.decision_comment, "organisation": organisation.title},
        )
    _email_requester(request)
    return request


def organisation_request_reject(
    *,
    organisation_request: OrganisationRequest,
    decided_by: AbstractBaseUser,
    comment: str,
) -> OrganisationRequest:
    """Turn a request down, saying why (the requester is emailed the reason)."""
    if not user_is_moderator(decided_by):
        raise PermissionDenied
    if not comment.strip():
        raise ProviderActionError("Say why you are rejecting this request")
    with transaction.atomic():
        request = _locked_pending_request(organisation_request)
        _decide(request, OrganisationRequest.REJECTED, decided_by, comment)
        log(
            instance=request,
            action=ACTION_REQUEST_REJECT,
            user=decided_by,
            data={"comment": request.decision_comment},
        )
    _email_requester(request)
    return request


def _decide(
    request: OrganisationRequest, status: str, decided_by: AbstractBaseUser, comment: str
) -> None:
    request.status = status
    request.decided_by = decided_by
    request.decided_at = timezone.now()
    request.decision_comment = comment.strip()
    request.save()


# --- Members and invitations ------------------------------------------------------------


def user_can_manage_members(*, user: AbstractBaseUser, organisation: OrganisationPage) -> bool:
    """The organisation's admins, and moderators (who look after every organisation)."""
    return user_is_organisation_admin(user=user, organisation=organisation) or user_is_moderator(
        user
    )


def organisation_members(*, organisation: OrganisationPage) -> QuerySet[OrganisationMembership]:
    return (
        OrganisationMembership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("-is_admin", "user__email")
    )


def _is_last_admin(membership: OrganisationMembership) -> bool:
    return (
        membership.is_admin
        and not OrganisationMembership.objects.filter(
            organisation_id=membership.organisation_id, is_admin=True
        )
        .exclude(pk=membership.pk)
        .exists()
    )


def member_remove(*, membership: OrganisationMembership, removed_by: AbstractBaseUser) -> None:
    """An organisation admin (or a moderator) removes a member. An admin cannot remove
    themselves while nobody else can look after the organisation's members."""
    organisation = membership.organisation
    if not user_can_manage_members(user=removed_by, organisation=organisation):
        raise PermissionDenied
    if membership.user_id == removed_by.pk and _is_last_admin(membership):
        raise ProviderActionError(
            "You are the only admin of this organisation. Make someone else an admin before "
            "you remove yourself"
        )
    log(
        instance=membership,
        action=ACTION_MEMBER_REMOVE,
        user=removed_by,
        data={"organisation": organisation.title, "member": membership.user.email},
    )
    membership_remove(membership=membership, removed_by=removed_by)


def member_admin_set(
    *, membership: OrganisationMembership, is_admin: bool, changed_by: AbstractBaseUser
) -> OrganisationMembership:
    """Make a member an admin (who may invite and remove colleagues), or stop them being one."""
    organisation = membership.organisation
    if not user_can_manage_members(user=changed_by, organisation=organisation):
        raise PermissionDenied
    if not is_admin and membership.user_id == changed_by.pk and _is_last_admin(membership):
        raise ProviderActionError(
            "You are the only admin of this organisation. Make someone else an admin first"
        )
    membership = membership_add(
        organisation=organisation,
        user=membership.user,
        is_admin=is_admin,
        added_by=membership.added_by,
    )
    log(
        instance=membership,
        action=ACTION_MEMBER_ADMIN,
        user=changed_by,
        data={"member": membership.user.email, "is_admin": is_admin},
    )
    return membership


def invitations_pending(*, organisation: OrganisationPage) -> QuerySet[OrganisationInvitation]:
    """Invitations that can still be accepted."""
    return OrganisationInvitation.objects.filter(
        organisation=organisation,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).select_related("invited_by")


def invitation_token(*, invitation: OrganisationInvitation) -> str:
    """The signed value in an invitation's link: which invitation, and to whom."""
    return signing.dumps(
        {"id": invitation.pk, "email": invitation.email.lower()}, salt=INVITATION_SALT
    )


def invitation_send(
    *, organisation: OrganisationPage, email: str, invited_by: AbstractBaseUser
) -> OrganisationInvitation:
    """Invite a colleague by email to help look after the organisation's listings."""
    if not user_can_manage_members(user=invited_by, organisation=organisation):
        raise PermissionDenied
    email = email.strip()
    if OrganisationMembership.objects.filter(
        organisation=organisation, user__email__iexact=email
    ).exists():
        raise ProviderActionError(f"{email} is already a member of {organisation.title}")
    pending = invitations_pending(organisation=organisation).filter(email__iexact=email).first()
    if pending is not None:
        raise ProviderActionError(
            f"You have already invited {email}. The invitation works until "
            f"{date_format(timezone.localtime(pending.expires_at), 'j F Y')}; cancel it to send "
            "another"
        )
    invitation = OrganisationInvitation.objects.create(
        organisation=organisation, email=email, invited_by=invited_by
    )
    log(
        instance=invitation,
        action=ACTION_INVITATION_SEND,
        user=invited_by,
        data={"organisation": organisation.title, "email": email},
    )
    _email(
        "organisation_invitation",
        to=[email],
        context={
            "organisation": organisation,
            "invited_by": invited_by,
            "invitation": invitation,
            "accept_url": _portal_url(
                reverse(
                    "providers:invitation",
                    kwargs={"token": invitation_token(invitation=invitation)},
                )
            ),
        },
    )
    return invitation


def invitation_revoke(
    *, invitation: OrganisationInvitation, revoked_by: AbstractBaseUser
) -> OrganisationInvitation:
    if not user_can_manage_members(user=revoked_by, organisation=invitation.organisation):
        raise PermissionDenied
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        log(
            instance=invitation,
            action=ACTION_INVITATION_REVOKE,
            user=revoked_by,
            data={"organisation": invitation.organisation.title, "email": invitation.email},
        )
    return invitation


def invitation_from_token(*, token: str) -> OrganisationInvitation:
    """The invitation a link names, if it can still be accepted; InvitationError if not."""
    try:
        value = signing.loads(token, salt=INVITATION_SALT)
        invitation = OrganisationInvitation.objects.select_related("organisation").get(
            pk=value["id"]
        )
    except (signing.BadSignature, KeyError, TypeError, OrganisationInvitation.DoesNotExist):
        raise InvitationError("invalid") from None
    if invitation.email.lower() != value.get("email"):
        raise InvitationError("invalid")
    _check_invitation_usable(invitation)
    return invitation


def _check_invitation_usable(invitation: OrganisationInvitation) -> None:
    if invitation.revoked_at is not None:
        raise InvitationError("revoked")
    if invitation.accepted_at is not None:
        raise InvitationError("used")
    if invitation.expires_at <= timezone.now():
        raise InvitationError("expired")


def invitation_matches_user(*, invitation: OrganisationInvitation, user: AbstractBaseUser) -> bool:
    """Whether the invitation was sent to one of the person's confirmed email addresses."""
    from allauth.account.models import EmailAddress

    return bool(
        user.is_authenticated
        and EmailAddress.objects.filter(
            user=user, verified=True, email__iexact=invitation.email
        ).exists()
    )


def invitation_accept(
    *, invitation: OrganisationInvitation, user: AbstractBaseUser
) -> OrganisationMembership:
    """The invited person, signed in with the address the invitation went to, joins the
    organisation. Each invitation works once."""
    with transaction.atomic():
        invitation = OrganisationInvitation.objects.select_for_update().get(pk=invitation.pk)
        _check_invitation_usable(invitation)
        if not invitation_matches_user(invitation=invitation, user=user):
            raise InvitationError("wrong-email")
        organisation = OrganisationPage.objects.get(pk=invitation.organisation_id)
        if user_manages_organisation(user=user, organisation=organisation):
            raise InvitationError("already-member")
        membership = membership_add(
            organisation=organisation, user=user, added_by=invitation.invited_by
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        log(
            instance=invitation,
            action=ACTION_INVITATION_ACCEPT,
            user=user,
            data={"organisation": organisation.title, "email": invitation.email},
        )
    return membership


# --- Email ------------------------------------------------------------------------------


def _portal_url(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def _email(template: str, *, to: list[str], context: dict) -> None:
    if not to:
        return
    from portal.models import SiteSettings

    site = Site.objects.filter(is_default_site=True).first()
    site_settings = SiteSettings.for_site(site) if site else SiteSettings()
    context = {
        "site_name": site_settings.service_name,
        "council_name": site_settings.council_name,
        "providers_url": _portal_url(reverse("providers:dashboard")),
        **context,
    }
    subject = render_to_string(f"directory/emails/{template}_subject.txt", context)
    body = render_to_string(f"directory/emails/{template}.txt", context)
    email_send(to=to, subject=" ".join(subject.split()), body=body)


def _email_moderators_new_request(request: OrganisationRequest) -> None:
    _email(
        "organisation_request_new",
        to=moderator_emails(),
        context={
            "request": request,
            "request_url": _portal_url(reverse("providers:request", args=[request.pk])),
        },
    )


def _email_requester(request: OrganisationRequest) -> None:
    outcome = "approved" if request.status == OrganisationRequest.APPROVED else "rejected"
    _email(
        f"organisation_request_{outcome}",
        to=[request.user.email] if request.user.email else [],
        context={"request": request, "organisation": request.organisation},
    )


# --- Locations: providers see, edit and choose only their organisations' ----------------


def user_sees_all_locations(*, user: AbstractBaseUser) -> bool:
    """Superusers, moderators and staff whose location permissions come from a staff role
    (Editors, Administrators) or are given to them directly. Providers' location permissions
    come from the Providers role and reach only their own organisations' locations."""
    if not (user.is_authenticated and user.is_active):
        return False
    # Asked for every row of the admin's location listing: remember the answer on the user
    # object, which lives for one request (as Django's own permission cache does).
    cached = getattr(user, "_portal_sees_all_locations", None)
    if cached is not None:
        return cached
    if user.is_superuser or user_is_moderator(user):
        answer = True
    else:
        location_type = ContentType.objects.get_for_model(Location)
        answer = (
            user.user_permissions.filter(content_type=location_type).exists()
            or Group.objects.filter(user=user, permissions__content_type=location_type)
            .exclude(name=roles.PROVIDERS)
            .exists()
        )
    user._portal_sees_all_locations = answer
    return answer


def locations_visible_to(*, user: AbstractBaseUser) -> QuerySet[Location]:
    """The locations someone may see and choose in the admin: all of them for staff, their
    organisations' for a provider."""
    if user_sees_all_locations(user=user):
        return Location.objects.all()
    if not user.is_authenticated:
        return Location.objects.none()
    return Location.objects.filter(organisation__memberships__user=user)


def location_organisations_for(*, user: AbstractBaseUser) -> QuerySet[OrganisationPage] | None:
    """The organisations someone may add locations for; None when any (or none) will do."""
    if user_sees_all_locations(user=user):
        return None
    return organisations_of(user=user)


def _staff_location_users(content_type: ContentType) -> QuerySet:
    User = get_user_model()
    staff_groups = Group.objects.filter(permissions__content_type=content_type).exclude(
        name=roles.PROVIDERS
    )
    return User.objects.filter(
        Q(is_superuser=True)
        | Q(groups__in=staff_groups)
        | Q(user_permissions__content_type=content_type)
    )


class LocationPermissionPolicy(ModelPermissionPolicy):
    """Django's model permissions on Location, and, for providers, only on their own
    organisations' locations (the admin's listing, edit, copy, usage and history views, the
    bulk actions and the location chooser all ask this policy)."""

    def user_has_permission_for_instance(self, user, action, instance) -> bool:
        return self.user_has_permission(user, action) and (
            user_sees_all_locations(user=user)
            or (
                instance.organisation_id is not None
                and OrganisationMembership.objects.filter(
                    user=user, organisation_id=instance.organisation_id
                ).exists()
            )
        )

    def instances_user_has_any_permission_for(self, user, actions) -> QuerySet[Location]:
        if not self.user_has_any_permission(user, actions):
            return Location.objects.none()
        return locations_visible_to(user=user)

    def users_with_any_permission_for_instance(self, actions, instance) -> QuerySet:
        users = self.users_with_any_permission(actions)
        staff = _staff_location_users(ContentType.objects.get_for_model(Location))
        members = get_user_model().objects.filter(
            organisation_memberships__organisation_id=instance.organisation_id
        )
        return users.filter(Q(pk__in=staff.values("pk")) | Q(pk__in=members.values("pk")))
