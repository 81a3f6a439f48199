"""Writes for the portal shell: accounts and roles."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, Group

from . import roles


def user_assign_default_role(*, user: AbstractBaseUser) -> None:
    """Put a newly signed-up person in the Residents group (least privilege)."""
    group, _ = Group.objects.get_or_create(name=roles.DEFAULT_ROLE)
    user.groups.add(group)


def user_requires_mfa(*, user: AbstractBaseUser) -> bool:
    """Staff and providers must use a second factor; residents may choose to."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    required = settings.PORTAL_MFA_REQUIRED_GROUPS
    return user.groups.filter(name__in=required).exists()
