"""Reads for the portal shell."""

from django.contrib.auth.models import AbstractBaseUser


def user_has_mfa(*, user: AbstractBaseUser) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
