"""Staff use of the register (issue 5, "Staff"): who may, GP codes, and the access log.

Every staff search, view, recording and export is written to `AccessLogEntry`. The person is
named there by a keyed hash of their NHS number (HMAC-SHA256 under `CONSENT_ACCESS_LOG_KEY`),
so the log can answer "who has looked at this record" without holding NHS numbers. Nothing
here logs or raises with an NHS number in the message.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .access_models import AccessLogEntry
from .identity import STAFF_METHODS as STAFF_IDENTITY_METHODS
from .identity import identity_link_account
from .models import Purpose
from .register import (
    RegisterError,
    capacity_record,
    choice_record,
    identity_verified,
    pending_changes,
)
from .register_models import ConsentEvent, ConsentState

REGISTER_PERMISSION = "consent.view_register"
AUDIT_PERMISSION = "consent.audit_access_log"
STAFF_CHANNELS = ["phone", "post", "in-person", "gp-recorded"]


@dataclass(frozen=True)
class GPCode:
    code: str
    display: str
    decision: str
    purpose_codes: tuple[str, ...]


# SNOMED CT codes a GP practice records for data-sharing choices, and what each means here.
GP_CODES: dict[str, GPCode] = {
    "827241000000103": GPCode(
        code="827241000000103",
        display="Dissent from secondary use of GP patient identifiable data",
        decision=ConsentEvent.OBJECT,
        purpose_codes=("risk-stratification-commissioning", "pathway-analysis", "research"),
    ),
}


def user_can_use_register(*, user) -> bool:
    return bool(user.is_authenticated and user.has_perm(REGISTER_PERMISSION))


def user_can_audit_access(*, user) -> bool:
    return bool(user.is_authenticated and user.has_perm(AUDIT_PERMISSION))


def user_can_manage_register(*, user) -> bool:
    """Bulk import and the register-wide pending list: IG officers and Administrators, the
    holders of the audit permission (practitioners work one person at a time)."""
    return user_can_audit_access(user=user)


def nhs_number_hash(nhs_number: str) -> str:
    """The keyed hash that stands for a (normalised) NHS number in the access log."""
    key = settings.CONSENT_ACCESS_LOG_KEY.encode()
    return hmac.new(key, nhs_number.encode(), hashlib.sha256).hexdigest()


def access_log_record(
    *,
    user,
    action: str,
    nhs_number: str = "",
    found: bool | None = None,
    event_reference: str = "",
    at: dt.datetime | None = None,
) -> AccessLogEntry:
    if action not in {code for code, _label in AccessLogEntry.ACTIONS}:
        raise ValueError(f"Unknown access log action: {action!r}")
    return AccessLogEntry.objects.create(
        user=user,
        action=action,
        nhs_number_hash=nhs_number_hash(nhs_number) if nhs_number else "",
        found=found,
        event_reference=event_reference,
        at=at or timezone.now(),
    )


# --- Reads ------------------------------------------------------------------------------------


def person_events(*, nhs_number: str) -> QuerySet[ConsentEvent]:
    """A person's full history, oldest first."""
    return ConsentEvent.objects.filter(nhs_number=nhs_number).select_related(
        "purpose", "recorded_by"
    )


def person_search(*, user, nhs_number: str) -> bool:
    """A staff search by exact NHS number; logged hit or miss. True if anything is recorded."""
    found = ConsentEvent.objects.filter(nhs_number=nhs_number).exists()
    access_log_record(user=user, action=AccessLogEntry.SEARCH, nhs_number=nhs_number, found=found)
    return found


def person_view(*, user, nhs_number: str) -> QuerySet[ConsentEvent]:
    """Open a person's record (logged); returns their history."""
    access_log_record(user=user, action=AccessLogEntry.VIEW, nhs_number=nhs_number)
    return person_events(nhs_number=nhs_number)


def access_log_for_person(*, nhs_number: str) -> QuerySet[AccessLogEntry]:
    """Who has looked at this person's record, newest first."""
    return (
        AccessLogEntry.objects.filter(nhs_number_hash=nhs_number_hash(nhs_number))
        .select_related("user")
        .order_by("-at", "-pk")
    )


def access_log_between(
    *, start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet[AccessLogEntry]:
    """Entries from the start of `start` to the end of `end` (both optional, inclusive)."""
    entries = AccessLogEntry.objects.select_related("user").order_by("at", "pk")
    tz = timezone.get_current_timezone()
    if start is not None:
        entries = entries.filter(at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz))
    if end is not None:
        after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        entries = entries.filter(at__lt=after)
    return entries


def pending_list() -> QuerySet[ConsentState]:
    """Changes waiting for identity verification across the register, oldest first. Callers
    show purpose, decision, channel and reference only, never who (no browsing people)."""
    return pending_changes()


def pending_person(*, user, reference: str) -> str | None:
    """The NHS number of the person whose change `reference` is waiting, logged as a search
    (found or not); None if no change with that reference is waiting."""
    event = (
        ConsentState.objects.filter(pending_event__reference=reference.strip().upper())
        .values_list("nhs_number", flat=True)
        .first()
    )
    if event is None:
        return None
    access_log_record(user=user, action=AccessLogEntry.SEARCH, nhs_number=event, found=True)
    return event


# --- Writes -----------------------------------------------------------------------------------


def staff_choice_record(
    *,
    user,
    nhs_number: str,
    purpose: Purpose,
    decision: str,
    channel: str,
    evidence_reference: str,
    identity_method: str,
    identity_result: str,
    actor: str = ConsentEvent.SELF,
    proxy_role: str = "",
    proxy_name: str = "",
) -> ConsentEvent:
    """A choice received by phone, post, in person or from the GP, recorded by staff."""
    if channel not in STAFF_CHANNELS:
        raise RegisterError(f"Staff do not record choices received by {channel!r}.")
    with transaction.atomic():
        event = choice_record(
            nhs_number=nhs_number,
            purpose=purpose,
            decision=decision,
            channel=channel,
            actor=actor,
            proxy_role=proxy_role,
            proxy_name=proxy_name,
            evidence_reference=evidence_reference,
            identity_method=identity_method,
            identity_result=identity_result,
            recorded_by=user,
        )
        access_log_record(
            user=user,
            action=AccessLogEntry.RECORD,
            nhs_number=event.nhs_number,
            event_reference=event.reference,
        )
    return event


def gp_code_record(
    *,
    user,
    nhs_number: str,
    code: str,
    evidence_reference: str,
    identity_method: str = "gp-record",
    identity_result: str = ConsentEvent.VERIFIED,
) -> list[ConsentEvent]:
    """A choice coded in the GP record: one event per purpose the code maps to."""
    gp_code = GP_CODES.get(code)
    if gp_code is None:
        raise RegisterError(f"Unknown GP code: {code!r}.")
    purposes = {p.code: p for p in Purpose.objects.filter(code__in=gp_code.purpose_codes)}
    missing = [c for c in gp_code.purpose_codes if c not in purposes]
    if missing:
        raise RegisterError(f"Purposes missing from the register: {', '.join(missing)}.")
    with transaction.atomic():
        return [
            staff_choice_record(
                user=user,
                nhs_number=nhs_number,
                purpose=purposes[purpose_code],
                decision=gp_code.decision,
                channel="gp-recorded",
                evidence_reference=evidence_reference or f"SNOMED CT {code}",
                identity_method=identity_method,
                identity_result=identity_result,
            )
            for purpose_code in gp_code.purpose_codes
        ]


def staff_capacity_record(
    *, user, nhs_number: str, evidence_reference: str, channel: str = "social-care-recorded"
) -> list[ConsentEvent]:
    """ "Lacks capacity, no representative": the local default applies (consent.register)."""
    with transaction.atomic():
        events = capacity_record(
            nhs_number=nhs_number,
            channel=channel,
            evidence_reference=evidence_reference,
            recorded_by=user,
        )
        for event in events:
            access_log_record(
                user=user,
                action=AccessLogEntry.RECORD,
                nhs_number=event.nhs_number,
                event_reference=event.reference,
            )
    return events


def staff_identity_verify(
    *,
    user,
    nhs_number: str,
    method: str,
    channel: str,
    evidence_reference: str,
    account=None,
) -> tuple[ConsentEvent, int]:
    """Staff have checked who the person is: every change waiting for that takes effect. With
    `account`, that portal account is linked to the person too (consent.identity). Returns the
    identity-verified event and how many waiting changes took effect."""
    if method not in STAFF_IDENTITY_METHODS:
        raise RegisterError("Choose how identity was checked.")
    if not evidence_reference.strip():
        raise RegisterError("Identity verification needs an evidence reference.")
    with transaction.atomic():
        waiting = ConsentState.objects.filter(
            nhs_number=nhs_number, pending_event__isnull=False
        ).count()
        if account is not None:
            _link, event = identity_link_account(
                user=account,
                nhs_number=nhs_number,
                method=method,
                verified_by=user,
                evidence_reference=evidence_reference,
                channel=channel,
            )
        else:
            event = identity_verified(
                nhs_number=nhs_number,
                method=method,
                channel=channel,
                evidence_reference=evidence_reference,
                recorded_by=user,
            )
        access_log_record(
            user=user,
            action=AccessLogEntry.RECORD,
            nhs_number=event.nhs_number,
            event_reference=event.reference,
        )
    return event, waiting


def access_log_export(*, user, start: dt.date | None, end: dt.date | None):
    """The entries for an audit, with the export itself logged first."""
    access_log_record(user=user, action=AccessLogEntry.EXPORT)
    return access_log_between(start=start, end=end)
