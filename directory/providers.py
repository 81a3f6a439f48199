"""Providers and their organisations: memberships and the page permissions that follow them
(ADR 0008).

Each organisation has its own Wagtail group with "add" and "change" page permissions on the
organisation's page, which Wagtail applies to the whole subtree: members edit their own
organisation and its services, and nothing else. They have no "publish" permission, so every
edit goes through the listing moderation workflow. Memberships are the source of truth; the
groups follow them through the functions here.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.db import transaction
from django.db.models import QuerySet
from wagtail.models import GroupPagePermission

from portal import roles

from .models import OrganisationMembership, OrganisationPage, ServicePage

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
