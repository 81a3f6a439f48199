"""Accounts verified as a person (`VerifiedIdentity`): staff link a portal account to an NHS
number once they have checked who holds it; the holder can then see and change their own
choices online (`consent.citizen`). Linking also records an identity-verified event, so any
change the person made that was waiting for verification takes effect."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .pipeline_models import VerifiedIdentity
from .register import RegisterError, identity_verified
from .register_models import ConsentEvent

STAFF_METHODS = ["documents-checked", "known-to-staff", "gp-record"]


def identity_link_account(
    *,
    user,
    nhs_number: str,
    method: str,
    verified_by,
    evidence_reference: str = "",
    channel: str = "in-person",
) -> tuple[VerifiedIdentity, ConsentEvent]:
    """Link `user`'s account to the person with `nhs_number` (replacing any earlier link for
    that account) and record the verification in the register."""
    if method not in STAFF_METHODS:
        raise RegisterError("Choose how identity was checked.")
    with transaction.atomic():
        event = identity_verified(
            nhs_number=nhs_number,
            method=method,
            channel=channel,
            evidence_reference=evidence_reference,
            recorded_by=verified_by,
        )
        link, _created = VerifiedIdentity.objects.update_or_create(
            user=user,
            defaults={
                "nhs_number": event.nhs_number,
                "method": method,
                "verified_at": timezone.now(),
                "verified_by": verified_by,
                "evidence_reference": evidence_reference.strip(),
            },
        )
    return link, event


def verified_nhs_number(*, user) -> str | None:
    """The NHS number `user` is verified as, or None."""
    if not user.is_authenticated:
        return None
    link = VerifiedIdentity.objects.filter(user=user).only("nhs_number").first()
    return link.nhs_number if link else None
