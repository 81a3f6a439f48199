"""People for the providers' tests: members of an organisation, moderators, residents, each
with an authenticator so the MFA middleware lets them through."""

from __future__ import annotations

from allauth.mfa.models import Authenticator

from directory.providers import membership_add
from portal import roles
from portal.factories import UserFactory


def with_mfa(user):
    Authenticator.objects.get_or_create(user=user, type=Authenticator.Type.TOTP, data={})
    return user


def provider_of(organisation, *, is_admin: bool = False, **fields):
    user = with_mfa(UserFactory(**fields))
    membership_add(organisation=organisation, user=user, is_admin=is_admin)
    return type(user).objects.get(pk=user.pk)


def moderator(**fields):
    return with_mfa(UserFactory(roles=[roles.MODERATORS], **fields))


def resident(**fields):
    return UserFactory(roles=[roles.RESIDENTS], **fields)
