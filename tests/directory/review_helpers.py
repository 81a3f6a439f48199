"""Builders for the review tests: people in each role, and reviews in each state."""

from __future__ import annotations

import datetime

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone

from directory.models import Review, ReviewReply, ServicePage
from directory.providers import membership_add
from portal import roles
from portal.factories import UserFactory


def resident(**kwargs):
    """A signed-up person with a verified email address."""
    return UserFactory(roles=[roles.RESIDENTS], **kwargs)


def with_totp(user) -> str:
    """Give a user an authenticator app (staff and providers must have one); its secret."""
    secret = generate_totp_secret()
    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
    TOTP.activate(user, secret)
    return secret


def moderator(**kwargs):
    user = UserFactory(roles=[roles.MODERATORS], **kwargs)
    with_totp(user)
    return user


def provider_of(organisation, **kwargs):
    """A member of `organisation` (in the Providers role), with MFA set up."""
    user = UserFactory(**kwargs)
    membership_add(organisation=organisation, user=user)
    with_totp(user)
    return user


def organisation_of(service: ServicePage):
    return service.get_parent().specific


def recent_month(months_ago: int = 1) -> datetime.date:
    """The first day of a month `months_ago` before this one."""
    day = timezone.localdate().replace(day=1)
    for _ in range(months_ago):
        day = (day - datetime.timedelta(days=1)).replace(day=1)
    return day


def make_review(
    service: ServicePage,
    *,
    author=None,
    status: str = Review.PENDING,
    rating: int = 4,
    text: str = "Friendly and helpful.",
    experienced_on: datetime.date | None = None,
    **fields,
) -> Review:
    now = timezone.now()
    if status == Review.PUBLISHED:
        fields.setdefault("published_at", now)
    return Review.objects.create(
        service=service,
        author=author or resident(),
        rating=rating,
        text=text,
        experienced_on=experienced_on or recent_month(),
        confirmed_own_experience=True,
        status=status,
        **fields,
    )


def make_reply(review: Review, *, author, status: str = ReviewReply.PENDING, text="Thank you!"):
    return ReviewReply.objects.create(
        review=review,
        organisation=organisation_of(review.service),
        author=author,
        text=text,
        status=status,
    )
