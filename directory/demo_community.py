"""Demo reviews and, in development, demo provider and moderator accounts.

Like the demo directory, everything comes from a seed and a fixed reference date, so two loads
give the same reviews, and a second load creates nothing. Reviewers are fictional accounts
that cannot sign in (no usable password).
"""

from __future__ import annotations

import datetime
import random

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from portal import roles

from .demo import DEMO_REFERENCE_DATE, DEMO_SEED
from .models import OrganisationPage, Review, ServicePage
from .providers import membership_add
from .signals import service_ratings_changed

DEMO_REVIEWERS = 40
DEMO_REVIEWED_SERVICES = 160
DEMO_PROVIDER_EMAIL = "provider@example.com"
DEMO_PROVIDER_PASSWORD = "demo-provider-password"  # dev only, like the demo administrator
DEMO_MODERATOR_EMAIL = "moderator@example.com"
DEMO_MODERATOR_PASSWORD = "demo-moderator-password"

_REVIEW_TEXTS = {
    5: [
        "The staff were kind and patient, and explained everything clearly.",
        "A warm welcome every week. My mum looks forward to it.",
        "They sorted out my benefits claim when I had given up. Thank you.",
    ],
    4: [
        "Helpful and friendly, though it took a while to get a call back.",
        "Good advice and easy to get to on the bus.",
        "Very useful session. I would like it to run more often.",
    ],
    3: [
        "Fine once I got there, but the building was hard to find.",
        "Useful information, but the session felt rushed.",
    ],
    2: ["I waited three weeks for a reply to my first message."],
    1: ["The session I went to was cancelled without notice."],
}
_RATINGS = [5, 5, 5, 4, 4, 4, 3, 2, 1]


def _reviewers() -> list:
    User = get_user_model()
    reviewers = []
    for number in range(1, DEMO_REVIEWERS + 1):
        email = f"demo.reviewer{number}@example.org"
        user, created = User.objects.get_or_create(username=f"demo-reviewer-{number}")
        if created:
            user.email = email
            user.set_unusable_password()
            user.save()
            user.groups.add(Group.objects.get(name=roles.RESIDENTS))
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        reviewers.append(user)
    return reviewers


def load_demo_reviews(*, reference_date: datetime.date = DEMO_REFERENCE_DATE) -> tuple[int, int]:
    """Published reviews for some demo services. Returns (created, unchanged)."""
    rng = random.Random(DEMO_SEED)
    services = list(ServicePage.objects.live().order_by("uuid").values_list("id", flat=True))
    chosen = sorted(rng.sample(services, min(DEMO_REVIEWED_SERVICES, len(services))))
    created = unchanged = 0
    touched = []
    with transaction.atomic():
        reviewers = _reviewers()
        for service_id in chosen:
            for author in rng.sample(reviewers, rng.randint(1, 5)):
                rating = rng.choice(_RATINGS)
                experienced = reference_date - datetime.timedelta(days=rng.randint(20, 500))
                _, was_created = Review.objects.get_or_create(
                    service_id=service_id,
                    author=author,
                    defaults={
                        "rating": rating,
                        "text": rng.choice(_REVIEW_TEXTS[rating]),
                        "experienced_on": experienced.replace(day=1),
                        "confirmed_own_experience": True,
                        "status": Review.PUBLISHED,
                        "published_at": datetime.datetime.combine(
                            experienced, datetime.time(12), tzinfo=datetime.UTC
                        ),
                    },
                )
                created += was_created
                unchanged += not was_created
                if was_created:
                    touched.append(service_id)
    if touched:
        service_ratings_changed.send(sender=Review, service_ids=sorted(set(touched)))
    return created, unchanged


def _account(email: str, password: str, role: str) -> bool:
    User = get_user_model()
    user, created = User.objects.get_or_create(username=email, defaults={"email": email})
    if created:
        user.set_password(password)
        user.save()
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    user.groups.add(Group.objects.get(name=role))
    return created


def load_demo_accounts() -> list[tuple[str, str, str]]:
    """A provider (admin of the first demo organisation) and a moderator, for trying the
    moderation journeys. Development only: the caller checks DEBUG."""
    _account(DEMO_MODERATOR_EMAIL, DEMO_MODERATOR_PASSWORD, roles.MODERATORS)
    _account(DEMO_PROVIDER_EMAIL, DEMO_PROVIDER_PASSWORD, roles.PROVIDERS)
    organisation = OrganisationPage.objects.live().order_by("title").first()
    if organisation is not None:
        provider = get_user_model().objects.get(username=DEMO_PROVIDER_EMAIL)
        membership_add(organisation=organisation, user=provider, is_admin=True)
    name = organisation.title if organisation else "no organisation"
    return [
        ("provider", DEMO_PROVIDER_EMAIL, f"{DEMO_PROVIDER_PASSWORD} (admin of {name})"),
        ("moderator", DEMO_MODERATOR_EMAIL, DEMO_MODERATOR_PASSWORD),
    ]
