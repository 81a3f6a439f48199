"""A signed-in person's own choices (issue 5): what they are now, the full history, and
changing them online. Only accounts that staff have linked to an NHS number
(`consent.identity`, a `VerifiedIdentity`) get here, so their changes are recorded as
identity-verified and take effect at once, loosening ones included.

Views (`consent.views_citizen`) stay thin. NHS numbers never go into logs, URLs or exception
messages; what a person sees of their own number is masked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from . import register
from .choose import mask_nhs_number
from .models import Purpose
from .pipeline_models import VerifiedIdentity
from .register import RegisterError
from .register_models import ConsentEvent, ConsentState

EXPORT_VERSION = 1
SAFE_DECISIONS = {ConsentEvent.OBJECT, ConsentEvent.WITHDRAW_CONSENT}

# History statuses, in the words people see.
IN_EFFECT = "in-effect"
WAITING = "waiting"
REPLACED = "replaced"
NOT_APPLIED = "not-applied"
RECORDED = "recorded"
STATUS_LABELS = {
    IN_EFFECT: "In effect",
    WAITING: "Waiting for an identity check",
    REPLACED: "Replaced by a later choice",
    NOT_APPLIED: "Did not take effect",
    RECORDED: "Recorded",
}

CAPACITY_REFUSAL = (
    "We cannot make this change online. Our records say a decision was made that you could "
    "not decide this yourself, so a representative must make it. Contact the data protection "
    "officer named in our notice to talk about it."
)
NOT_HONOURED = (
    "You cannot object to this use. The law requires us to use information for it, so an "
    "objection would not be followed."
)


class ChoiceRefused(ValueError):
    """A change we cannot make online, with a message the person can read (no NHS number)."""


# ---------------------------------------------------------------------------------------------
# Who the person is


def identity_for(*, user) -> VerifiedIdentity | None:
    """The verified link for `user`'s account, or None (anonymous or not verified)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return VerifiedIdentity.objects.filter(user=user).first()


def nhs_number_masked(nhs_number: str) -> str:
    """All but the last 3 digits hidden, as on receipts (consent.choose)."""
    return mask_nhs_number(nhs_number)


# ---------------------------------------------------------------------------------------------
# Current choices


def can_change(purpose: Purpose) -> bool:
    """People can choose about a purpose if objections are honoured or it rests on consent."""
    return purpose.objection_honoured or purpose.legal_basis == Purpose.CONSENT


def state_words(purpose: Purpose, state: str) -> str:
    """The current choice in plain English."""
    if purpose.legal_basis == Purpose.CONSENT:
        if state == ConsentState.CONSENTED:
            return "You agreed: we can use your information for this"
        if state == ConsentState.OBJECTED:
            return "You objected: we will not use your information for this"
        return "You have not agreed: we will not use your information for this"
    if state == ConsentState.OBJECTED:
        return "You objected: we will not use your information for this"
    if not purpose.objection_honoured:
        return "We use your information for this: the law requires it"
    return "No objection: we can use your information for this"


@dataclass(frozen=True)
class CurrentChoice:
    purpose: Purpose
    state: str
    words: str
    since: dt.datetime | None
    capacity_default: bool
    pending_decision: str  # label of a change waiting for an identity check, or ""
    pending_reference: str
    changeable: bool


def choices_current(*, nhs_number: str) -> list[CurrentChoice]:
    """The person's current choice for every active purpose, in the notice's order."""
    purposes = list(Purpose.objects.filter(is_active=True))
    states = {
        row.purpose_id: row
        for row in ConsentState.objects.filter(
            nhs_number=nhs_number, purpose__in=purposes
        ).select_related("pending_event")
    }
    labels = dict(ConsentEvent.DECISIONS)
    rows = []
    for purpose in purposes:
        row = states.get(purpose.pk)
        state = row.state if row else ConsentState.NO_CHOICE
        pending = row.pending_event if row else None
        rows.append(
            CurrentChoice(
                purpose=purpose,
                state=state,
                words=state_words(purpose, state),
                since=row.effective_from if row else None,
                capacity_default=bool(row and row.capacity_default),
                pending_decision=labels[pending.decision] if pending else "",
                pending_reference=pending.reference if pending else "",
                changeable=can_change(purpose),
            )
        )
    return rows


# ---------------------------------------------------------------------------------------------
# History


@dataclass(frozen=True)
class HistoryEntry:
    reference: str
    purpose_code: str
    purpose_name: str
    decision: str
    decision_label: str
    channel: str
    channel_label: str
    who: str
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    status: str
    notice_version: int | None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def who_chose(event: ConsentEvent) -> str:
    """Who made the choice, as the person would say it."""
    if event.decision == ConsentEvent.IDENTITY_VERIFIED:
        return "Staff checked your identity"
    if event.actor == ConsentEvent.STAFF:
        return "Staff, after a decision about capacity"
    if event.actor == ConsentEvent.PROXY:
        role = dict(ConsentEvent.PROXY_ROLES).get(event.proxy_role, "Representative")
        name = f" ({event.proxy_name})" if event.proxy_name else ""
        return f"A representative: {role.lower()}{name}"
    return "You"


def _statuses(events: list[ConsentEvent]) -> dict[int, str]:
    """Each event's status, replaying the register's own rule (`consent.register.event_apply`, so
    the two cannot disagree): an event is applied when it is not left waiting, a waiting event
    is applied by a later identity-verified event, and the last applied event per purpose is in
    effect."""
    states: dict[int, register.PurposeState] = {}
    effective: dict[int, int] = {}  # purpose id -> event in effect
    waiting: dict[int, ConsentEvent] = {}  # purpose id -> event waiting for verification
    applied: set[int] = set()
    for event in events:
        if event.decision == ConsentEvent.IDENTITY_VERIFIED:
            for purpose_id, pending in list(waiting.items()):
                states[purpose_id] = register.event_apply(
                    states[purpose_id], event, pending=pending
                )
                if states[purpose_id].pending_event_id is None:
                    effective[purpose_id] = pending.pk
                    applied.add(pending.pk)
                    del waiting[purpose_id]
            continue
        before = states.get(event.purpose_id) or register.PurposeState(purpose_id=event.purpose_id)
        after = register.event_apply(before, event)
        states[event.purpose_id] = after
        if after.pending_event_id == event.pk:
            waiting[event.purpose_id] = event
        else:
            effective[event.purpose_id] = event.pk
            applied.add(event.pk)
            waiting.pop(event.purpose_id, None)
    still_waiting = {event.pk for event in waiting.values()}
    in_effect = set(effective.values())
    statuses = {}
    for event in events:
        if event.decision == ConsentEvent.IDENTITY_VERIFIED:
            statuses[event.pk] = RECORDED
        elif event.pk in in_effect:
            statuses[event.pk] = IN_EFFECT
        elif event.pk in still_waiting:
            statuses[event.pk] = WAITING
        elif event.pk in applied:
            statuses[event.pk] = REPLACED
        else:
            statuses[event.pk] = NOT_APPLIED
    return statuses


def history_for(*, nhs_number: str) -> list[HistoryEntry]:
    """Every event recorded for this NHS number, newest first, and whether it is in effect."""
    events = list(
        ConsentEvent.objects.filter(nhs_number=nhs_number)
        .select_related("purpose")
        .order_by("sequence")
    )
    statuses = _statuses(events)
    decisions = dict(ConsentEvent.DECISIONS)
    channels = dict(ConsentEvent.CHANNELS)
    return [
        HistoryEntry(
            reference=event.reference,
            purpose_code=event.purpose.code if event.purpose else "",
            purpose_name=event.purpose.name if event.purpose else "All purposes",
            decision=event.decision,
            decision_label=decisions.get(event.decision, event.decision),
            channel=event.channel,
            channel_label=channels.get(event.channel, event.channel),
            who=who_chose(event),
            occurred_at=event.occurred_at,
            recorded_at=event.recorded_at,
            status=statuses[event.pk],
            notice_version=event.notice_version,
        )
        for event in reversed(events)
    ]


def history_export(*, nhs_number: str, at: dt.datetime | None = None) -> dict:
    """The person's current choices and history as JSON-safe data for download. Their NHS
    number appears masked only; staff names and other people's data never."""
    at = at or timezone.now()

    def iso(value: dt.datetime | None) -> str | None:
        return value.astimezone(dt.UTC).isoformat(timespec="seconds") if value else None

    return {
        "exportVersion": EXPORT_VERSION,
        "generatedAt": iso(at),
        "nhsNumber": nhs_number_masked(nhs_number),
        "nhsNumberType": "NHS number (last 3 digits)",
        "currentChoices": [
            {
                "purposeCode": choice.purpose.code,
                "purpose": choice.purpose.name,
                "state": choice.state,
                "description": choice.words,
                "since": iso(choice.since),
                "capacityDefault": choice.capacity_default,
                "waitingForIdentityCheck": choice.pending_reference or None,
            }
            for choice in choices_current(nhs_number=nhs_number)
        ],
        "history": [
            {
                "reference": entry.reference,
                "purposeCode": entry.purpose_code or None,
                "purpose": entry.purpose_name,
                "decision": entry.decision,
                "decisionLabel": entry.decision_label,
                "channel": entry.channel,
                "who": entry.who,
                "occurredAt": iso(entry.occurred_at),
                "recordedAt": iso(entry.recorded_at),
                "status": entry.status,
                "statusLabel": entry.status_label,
                "noticeVersion": entry.notice_version,
            }
            for entry in history_for(nhs_number=nhs_number)
        ],
    }


# ---------------------------------------------------------------------------------------------
# Changing a choice


def answers_for(purpose: Purpose) -> list[tuple[str, str]]:
    """The register decisions a person can ask for about `purpose`, with their labels."""
    if purpose.legal_basis == Purpose.CONSENT:
        return [
            (ConsentEvent.CONSENT, "Yes, I agree to my information being used for this"),
            (ConsentEvent.WITHDRAW_CONSENT, "No, I do not agree"),
        ]
    if purpose.objection_honoured:
        return [
            (ConsentEvent.WITHDRAW_OBJECTION, "Yes, you can use my information for this"),
            (ConsentEvent.OBJECT, "No, I object"),
        ]
    return []


def _unchanged(decision: str, state: register.PurposeState) -> bool:
    """Asking for what is already in effect (with nothing waiting) changes nothing."""
    if state.pending:
        return False  # a verified choice settles whatever was waiting
    return {
        ConsentEvent.OBJECT: state.state == ConsentState.OBJECTED,
        ConsentEvent.CONSENT: state.state == ConsentState.CONSENTED,
        ConsentEvent.WITHDRAW_OBJECTION: state.state == ConsentState.NO_CHOICE,
        ConsentEvent.WITHDRAW_CONSENT: state.state != ConsentState.CONSENTED,
    }[decision]


@dataclass(frozen=True)
class ChangeResult:
    purpose: Purpose
    decision: str
    changed: bool
    event: ConsentEvent | None
    state: register.PurposeState


def choice_change(*, identity: VerifiedIdentity, purpose: Purpose, decision: str) -> ChangeResult:
    """Record the verified person's own choice online. Nothing is recorded if it is what is
    already in effect. Raises `ChoiceRefused` (a readable message) when it cannot be made."""
    if not purpose.is_active:
        raise ChoiceRefused("This use of information is no longer active.")
    if not can_change(purpose):
        raise ChoiceRefused(NOT_HONOURED)
    if decision not in {code for code, _label in answers_for(purpose)}:
        raise ChoiceRefused("Choose one of the options.")
    nhs_number = identity.nhs_number
    with transaction.atomic():
        before = register.state_for(nhs_number=nhs_number, purpose=purpose)[purpose.code]
        if _unchanged(decision, before):
            return ChangeResult(purpose, decision, changed=False, event=None, state=before)
        if before.capacity_default and decision not in SAFE_DECISIONS:
            raise ChoiceRefused(CAPACITY_REFUSAL)
        try:
            event = register.choice_record(
                nhs_number=nhs_number,
                purpose=purpose,
                decision=decision,
                channel="online",
                actor=ConsentEvent.SELF,
                # Not recorded_by: that FK protects the account from deletion; the account is
                # named in the evidence instead.
                evidence_reference=f"Portal account {identity.user_id} (identity verified)",
                identity_method=identity.method,
                identity_result=ConsentEvent.VERIFIED,
            )
        except RegisterError as refused:
            if "capacity" in str(refused):
                raise ChoiceRefused(CAPACITY_REFUSAL) from None
            raise ChoiceRefused(
                "We could not record this choice. Try again, or contact us."
            ) from None
        after = register.state_for(nhs_number=nhs_number, purpose=purpose)[purpose.code]
    return ChangeResult(purpose, decision, changed=True, event=event, state=after)
