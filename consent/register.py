"""The register's services (writes) and selectors (reads) (ADR 0013).

Every write appends a hash-chained `ConsentEvent` and updates the `ConsentState` projection in
the same transaction. The rules ("safe direction first", capacity) live in `event_apply`, one pure
function used for the incremental projection, the full rebuild and the state on a past date,
so the three cannot disagree.

NHS numbers never go into exception messages or logs here: events are named by reference.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import importlib
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Purpose
from .register_models import ChainHead, ConsentEvent, ConsentState, ErasedEvent

Event = ConsentEvent
GENESIS_HASH = "0" * 64
CHAIN_HEAD_ID = 1
CHILD_REVIEW_AGE = 13

# Crockford's base32 without look-alikes (no I, L, O, U): easy to read out on the phone.
_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_REFERENCE_LENGTH = 8

# Decisions that make data use less likely take effect at once, whoever asks ("safe direction").
_SAFE_DECISIONS = {Event.OBJECT, Event.WITHDRAW_CONSENT}
_LOOSENING_DECISIONS = {Event.WITHDRAW_OBJECTION, Event.CONSENT}
_CHOICE_DECISIONS = _SAFE_DECISIONS | _LOOSENING_DECISIONS


class RegisterError(ValueError):
    """A choice the register cannot record as asked. Messages never contain NHS numbers."""


# ---------------------------------------------------------------------------------------------
# Hashing


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return value.isoformat()


def event_canonical(event: ConsentEvent) -> bytes:
    """The bytes an event's hash covers: its fields and the previous hash, as sorted,
    compact JSON. Adding a field to the event means adding it here (and a chain version)."""
    fields = {
        "sequence": event.sequence,
        "reference": event.reference,
        "nhs_number": event.nhs_number,
        "person_name": event.person_name,
        "date_of_birth": _iso(event.date_of_birth),
        "postcode": event.postcode,
        "purpose_id": event.purpose_id,
        "decision": event.decision,
        "channel": event.channel,
        "actor": event.actor,
        "proxy_role": event.proxy_role,
        "proxy_name": event.proxy_name,
        "evidence_reference": event.evidence_reference,
        "identity_method": event.identity_method,
        "identity_result": event.identity_result,
        "notice_version": event.notice_version,
        "occurred_at": _iso(event.occurred_at),
        "recorded_at": _iso(event.recorded_at),
        "recorded_by_id": event.recorded_by_id,
        "previous_hash": event.previous_hash,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(event: ConsentEvent) -> str:
    return hashlib.sha256(event_canonical(event)).hexdigest()


# ---------------------------------------------------------------------------------------------
# The rules, as a pure function over events


@dataclass(frozen=True)
class PurposeState:
    """One person's state for one purpose, from the projection or replayed from events."""

    purpose_id: int
    state: str = ConsentState.NO_CHOICE
    effective_from: dt.datetime | None = None
    capacity_default: bool = False
    last_event_id: int | None = None
    pending_event_id: int | None = None

    @property
    def pending(self) -> bool:
        return self.pending_event_id is not None


def _decided(state: PurposeState, event: ConsentEvent, *, at: dt.datetime) -> PurposeState:
    new = {
        Event.OBJECT: ConsentState.OBJECTED,
        Event.WITHDRAW_OBJECTION: ConsentState.NO_CHOICE,
        Event.CONSENT: ConsentState.CONSENTED,
        Event.WITHDRAW_CONSENT: ConsentState.NO_CHOICE,
    }[event.decision]
    # A representative's (or the person's own) decision ends the capacity default.
    return replace(
        state, state=new, effective_from=at, capacity_default=False, pending_event_id=None
    )


def event_apply(
    state: PurposeState, event: ConsentEvent, pending: ConsentEvent | None = None
) -> PurposeState:
    """The state after `event`. `pending` is the waiting event, needed for identity-verified."""
    state = replace(state, last_event_id=event.pk)
    if event.decision == Event.LACKS_CAPACITY:
        return replace(
            state,
            state=ConsentState.OBJECTED,
            effective_from=event.recorded_at,
            capacity_default=True,
            pending_event_id=None,
        )
    if event.decision == Event.IDENTITY_VERIFIED:
        if pending is None:
            return state
        return _decided(state, pending, at=event.recorded_at)
    if event.decision in _SAFE_DECISIONS or event.identity_result == Event.VERIFIED:
        return _decided(state, event, at=event.recorded_at)
    # Safe direction first: a loosening change waits for identity verification.
    return replace(state, pending_event_id=event.pk)


# ---------------------------------------------------------------------------------------------
# Appending


def _new_reference() -> str:
    return "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(_REFERENCE_LENGTH))


def _normalise_nhs_number(text: str) -> str:
    from .nhs_number import validate_nhs_number

    return validate_nhs_number(text)


def _notice_version() -> int | None:
    try:
        notices = importlib.import_module("consent.notices")
    except ImportError:
        return None
    return notices.current_notice_version()


def _lock_chain() -> ChainHead:
    """Take the chain's lock for this transaction and return the head.

    An UPDATE first, rather than SELECT ... FOR UPDATE alone, so that SQLite takes its write
    lock here too (a deferred transaction that read first could not upgrade under contention);
    on PostgreSQL the UPDATE holds the row lock until commit, so appends queue one at a time."""
    updated = ChainHead.objects.filter(pk=CHAIN_HEAD_ID).update(
        last_sequence=F("last_sequence") + 0
    )
    if not updated:
        ChainHead.objects.get_or_create(pk=CHAIN_HEAD_ID)
    return ChainHead.objects.select_for_update().get(pk=CHAIN_HEAD_ID)


def _state_row(nhs_number: str, purpose_id: int) -> ConsentState | None:
    return ConsentState.objects.filter(nhs_number=nhs_number, purpose_id=purpose_id).first()


def _as_view(row: ConsentState | None, purpose_id: int) -> PurposeState:
    if row is None:
        return PurposeState(purpose_id=purpose_id)
    return PurposeState(
        purpose_id=purpose_id,
        state=row.state,
        effective_from=row.effective_from,
        capacity_default=row.capacity_default,
        last_event_id=row.last_event_id,
        pending_event_id=row.pending_event_id,
    )


def _save_state(nhs_number: str, view: PurposeState, row: ConsentState | None) -> None:
    row = row or ConsentState(nhs_number=nhs_number, purpose_id=view.purpose_id)
    row.state = view.state
    row.effective_from = view.effective_from
    row.capacity_default = view.capacity_default
    row.last_event_id = view.last_event_id
    row.pending_event_id = view.pending_event_id
    row.save()


def _append(head: ChainHead, event: ConsentEvent) -> ConsentEvent:
    """Chain and insert one event; the caller holds the chain lock."""
    # Timed under the lock, so recorded_at follows the chain's order.
    event.recorded_at = event.recorded_at or timezone.now()
    event.occurred_at = event.occurred_at or event.recorded_at
    event.sequence = head.last_sequence + 1
    event.previous_hash = head.last_hash
    while True:
        event.reference = _new_reference()
        if not ConsentEvent.objects.filter(reference=event.reference).exists():
            break
    event.event_hash = event_hash(event)
    event.save(force_insert=True)
    head.last_sequence = event.sequence
    head.last_hash = event.event_hash
    head.save(update_fields=["last_sequence", "last_hash"])
    return event


def _event(
    *,
    nhs_number: str,
    purpose: Purpose | None,
    decision: str,
    channel: str,
    actor: str,
    proxy_role: str,
    proxy_name: str,
    person_name: str,
    date_of_birth: dt.date | None,
    postcode: str,
    evidence_reference: str,
    identity_method: str,
    identity_result: str,
    notice_version: int | None,
    occurred_at: dt.datetime | None,
    recorded_by,
    now: dt.datetime | None,
) -> ConsentEvent:
    _check_choice(ConsentEvent.CHANNELS, channel, "channel")
    _check_choice(ConsentEvent.ACTORS, actor, "actor")
    _check_choice(ConsentEvent.IDENTITY_METHODS, identity_method, "identity method")
    _check_choice(ConsentEvent.IDENTITY_RESULTS, identity_result, "identity result")
    if actor == Event.PROXY:
        _check_choice(ConsentEvent.PROXY_ROLES, proxy_role, "proxy role")
    elif proxy_role:
        raise RegisterError("A proxy role is only given when a representative chooses.")
    return ConsentEvent(
        nhs_number=nhs_number,
        person_name=person_name.strip(),
        date_of_birth=date_of_birth,
        postcode=" ".join(postcode.upper().split()),
        purpose=purpose,
        decision=decision,
        channel=channel,
        actor=actor,
        proxy_role=proxy_role,
        proxy_name=proxy_name.strip(),
        evidence_reference=evidence_reference.strip(),
        identity_method=identity_method,
        identity_result=identity_result,
        notice_version=_notice_version() if notice_version is None else notice_version,
        occurred_at=occurred_at,
        recorded_at=now,  # None: the time the chain lock is taken (_append)
        recorded_by=recorded_by,
    )


def _check_choice(choices: Iterable[tuple[str, str]], value: str, what: str) -> None:
    if value not in {code for code, _label in choices}:
        raise RegisterError(f"Unknown {what}: {value!r}.")


def choice_record(
    *,
    nhs_number: str,
    purpose: Purpose,
    decision: str,
    channel: str,
    actor: str = ConsentEvent.SELF,
    proxy_role: str = "",
    proxy_name: str = "",
    person_name: str = "",
    date_of_birth: dt.date | None = None,
    postcode: str = "",
    evidence_reference: str = "",
    identity_method: str = "self-declared",
    identity_result: str = ConsentEvent.UNVERIFIED,
    notice_version: int | None = None,
    occurred_at: dt.datetime | None = None,
    recorded_by=None,
    now: dt.datetime | None = None,
) -> ConsentEvent:
    """Record one choice for one purpose. Objections and withdrawals of consent take effect at
    once; withdrawing an objection or consenting waits (pending) until identity is verified.

    Raises `RegisterError` (and the NHS number validator's error) for choices it cannot
    record; `now` is for imports and tests (the default is the current time)."""
    if decision not in _CHOICE_DECISIONS:
        raise RegisterError(f"Unknown decision: {decision!r}.")
    if decision == Event.CONSENT and purpose.legal_basis != Purpose.CONSENT:
        raise RegisterError(f"{purpose.code} does not rely on consent; consent cannot be given.")
    if decision == Event.OBJECT and not purpose.objection_honoured:
        raise RegisterError(f"Objections to {purpose.code} are not honoured.")
    if actor == Event.STAFF:
        raise RegisterError("Staff record capacity decisions; choices come from a person.")
    digits = _normalise_nhs_number(nhs_number)
    event = _event(
        nhs_number=digits,
        purpose=purpose,
        decision=decision,
        channel=channel,
        actor=actor,
        proxy_role=proxy_role,
        proxy_name=proxy_name,
        person_name=person_name,
        date_of_birth=date_of_birth,
        postcode=postcode,
        evidence_reference=evidence_reference,
        identity_method=identity_method,
        identity_result=identity_result,
        notice_version=notice_version,
        occurred_at=occurred_at,
        recorded_by=recorded_by,
        now=now,
    )
    with transaction.atomic():
        head = _lock_chain()
        row = _state_row(digits, purpose.pk)
        before = _as_view(row, purpose.pk)
        if before.capacity_default and actor == Event.SELF and decision in _LOOSENING_DECISIONS:
            raise RegisterError(
                "This person has been assessed as lacking capacity: a representative must decide."
            )
        _append(head, event)
        _save_state(digits, event_apply(before, event), row)
    return event


def capacity_record(
    *,
    nhs_number: str,
    channel: str = "social-care-recorded",
    person_name: str = "",
    date_of_birth: dt.date | None = None,
    postcode: str = "",
    evidence_reference: str,
    recorded_by,
    occurred_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> list[ConsentEvent]:
    """Staff record "lacks capacity, no representative": the local default, an objection to
    every active purpose where objections are honoured, applies until a representative
    decides. One event per purpose, so each purpose's history reads on its own."""
    if not evidence_reference.strip():
        raise RegisterError("A capacity decision needs an evidence reference.")
    digits = _normalise_nhs_number(nhs_number)
    purposes = list(Purpose.objects.filter(is_active=True, objection_honoured=True))
    events = []
    with transaction.atomic():
        head = _lock_chain()
        for purpose in purposes:
            event = _event(
                nhs_number=digits,
                purpose=purpose,
                decision=Event.LACKS_CAPACITY,
                channel=channel,
                actor=Event.STAFF,
                proxy_role="",
                proxy_name="",
                person_name=person_name,
                date_of_birth=date_of_birth,
                postcode=postcode,
                evidence_reference=evidence_reference,
                identity_method="known-to-staff",
                identity_result=Event.VERIFIED,
                notice_version=None,
                occurred_at=occurred_at,
                recorded_by=recorded_by,
                now=now,
            )
            row = _state_row(digits, purpose.pk)
            _append(head, event)
            _save_state(digits, event_apply(_as_view(row, purpose.pk), event), row)
            events.append(event)
    return events


def identity_verified(
    *,
    nhs_number: str,
    method: str,
    channel: str,
    evidence_reference: str = "",
    recorded_by=None,
    occurred_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> ConsentEvent:
    """Record that the person's (or their representative's) identity is now verified; every
    change waiting for it takes effect."""
    digits = _normalise_nhs_number(nhs_number)
    event = _event(
        nhs_number=digits,
        purpose=None,
        decision=Event.IDENTITY_VERIFIED,
        channel=channel,
        actor=Event.SELF,
        proxy_role="",
        proxy_name="",
        person_name="",
        date_of_birth=None,
        postcode="",
        evidence_reference=evidence_reference,
        identity_method=method,
        identity_result=Event.VERIFIED,
        notice_version=None,
        occurred_at=occurred_at,
        recorded_by=recorded_by,
        now=now,
    )
    if method in ("none", "self-declared"):
        raise RegisterError("Identity cannot be verified by self-declaration.")
    with transaction.atomic():
        head = _lock_chain()
        _append(head, event)
        rows = ConsentState.objects.filter(
            nhs_number=digits, pending_event__isnull=False
        ).select_related("pending_event")
        for row in rows:
            view = event_apply(_as_view(row, row.purpose_id), event, pending=row.pending_event)
            _save_state(digits, view, row)
    return event


# ---------------------------------------------------------------------------------------------
# Replaying


def events_fold(events: Iterable[ConsentEvent]) -> dict[tuple[str, int], PurposeState]:
    """Replay events in sequence order into state per (NHS number, purpose id)."""
    states: dict[tuple[str, int], PurposeState] = {}
    waiting: dict[str, dict[tuple[str, int], ConsentEvent]] = {}
    for event in events:
        if event.decision == Event.IDENTITY_VERIFIED:
            for key, pending in waiting.pop(event.nhs_number, {}).items():
                states[key] = event_apply(states[key], event, pending=pending)
            continue
        key = (event.nhs_number, event.purpose_id)
        view = event_apply(states.get(key) or PurposeState(purpose_id=event.purpose_id), event)
        states[key] = view
        person_waiting = waiting.setdefault(event.nhs_number, {})
        if view.pending_event_id == event.pk:
            person_waiting[key] = event
        elif view.pending_event_id is None:
            person_waiting.pop(key, None)
    return states


def projection_rebuild() -> int:
    """Recompute the whole projection from the events; returns the number of state rows."""
    with transaction.atomic():
        _lock_chain()  # no append may slip in between reading events and writing state
        states = events_fold(ConsentEvent.objects.order_by("sequence").iterator(chunk_size=2000))
        ConsentState.objects.all().delete()
        ConsentState.objects.bulk_create(
            [
                ConsentState(
                    nhs_number=nhs_number,
                    purpose_id=purpose_id,
                    state=view.state,
                    effective_from=view.effective_from,
                    capacity_default=view.capacity_default,
                    last_event_id=view.last_event_id,
                    pending_event_id=view.pending_event_id,
                )
                for (nhs_number, purpose_id), view in states.items()
            ],
            batch_size=1000,
        )
    return len(states)


# ---------------------------------------------------------------------------------------------
# Selectors


def state_on(*, nhs_number: str, purpose: Purpose, when: dt.datetime) -> PurposeState:
    """The state for one purpose as the register stood at `when` (events recorded by then)."""
    digits = _normalise_nhs_number(nhs_number)
    events = ConsentEvent.objects.filter(nhs_number=digits, recorded_at__lte=when).order_by(
        "sequence"
    )
    states = events_fold(e for e in events if e.purpose_id in (None, purpose.pk))
    return states.get((digits, purpose.pk)) or PurposeState(purpose_id=purpose.pk)


def state_for(
    *, nhs_number: str, purpose: Purpose | None = None, on: dt.datetime | None = None
) -> dict[str, PurposeState]:
    """The state per purpose code, now (from the projection) or `on` a past moment (from the
    events). Purposes without a choice show "no-choice"."""
    digits = _normalise_nhs_number(nhs_number)
    purposes = [purpose] if purpose else list(Purpose.objects.filter(is_active=True))
    if on is not None:
        events = list(
            ConsentEvent.objects.filter(nhs_number=digits, recorded_at__lte=on).order_by("sequence")
        )
        states = events_fold(events)
        return {
            p.code: states.get((digits, p.pk)) or PurposeState(purpose_id=p.pk) for p in purposes
        }
    rows = {
        row.purpose_id: row
        for row in ConsentState.objects.filter(
            nhs_number=digits, purpose__in=[p.pk for p in purposes]
        )
    }
    return {p.code: _as_view(rows.get(p.pk), p.pk) for p in purposes}


def pending_changes():
    """Changes waiting for identity verification, oldest first (for IG officers)."""
    return (
        ConsentState.objects.filter(pending_event__isnull=False)
        .select_related("pending_event", "purpose")
        .order_by("pending_event__sequence")
    )


def thirteenth_birthday(date_of_birth: dt.date) -> dt.date:
    try:
        return date_of_birth.replace(year=date_of_birth.year + CHILD_REVIEW_AGE)
    except ValueError:  # 29 February: in England the birthday falls on 1 March that year
        return dt.date(date_of_birth.year + CHILD_REVIEW_AGE, 3, 1)


@dataclass(frozen=True)
class DueReview:
    reference: str
    purpose_code: str
    due_on: dt.date
    nhs_number: str


def due_reviews(*, on: dt.date) -> list[DueReview]:
    """Current choices a parent made for a child who is 13 on or before `on`: the child may
    now take part in the decision. A new event for that purpose ends the review."""
    rows = ConsentState.objects.filter(
        last_event__actor=Event.PROXY,
        last_event__proxy_role=Event.PARENT,
        last_event__date_of_birth__isnull=False,
    ).select_related("last_event", "purpose")
    due = []
    for row in rows:
        event = row.last_event
        review_on = thirteenth_birthday(event.date_of_birth)
        if review_on <= on and event.occurred_at.date() < review_on:
            due.append(DueReview(event.reference, row.purpose.code, review_on, row.nhs_number))
    return sorted(due, key=lambda d: (d.due_on, d.reference))


# ---------------------------------------------------------------------------------------------
# Verifying the chain


@dataclass(frozen=True)
class ChainBreak:
    sequence: int
    reference: str
    problem: str
    expected: str
    found: str


def chain_verify(*, events: Iterable[ConsentEvent] | None = None) -> ChainBreak | None:
    """Walk the chain from the start; return the first break, or None if it is whole.

    Events destroyed under the retention policy (ADR 0015) are read from their tombstones
    (`ErasedEvent`) and take their place: a tombstone's hashes still link the chain, though
    its content is gone and cannot be rehashed. `events`, when given, are the live events in
    sequence order; the tombstones always come from the database."""
    if events is None:
        events = ConsentEvent.objects.order_by("sequence").iterator(chunk_size=2000)
    erased = ErasedEvent.objects.order_by("sequence").iterator(chunk_size=2000)
    links: Iterable[ConsentEvent | ErasedEvent] = heapq.merge(
        events, erased, key=lambda link: link.sequence
    )
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    last: ConsentEvent | ErasedEvent | None = None
    for event in links:
        if event.sequence < expected_sequence:
            return ChainBreak(
                event.sequence,
                event.reference,
                "an erased event is still present, or a sequence number repeats",
                f"sequence {expected_sequence}",
                f"sequence {event.sequence}",
            )
        if event.sequence != expected_sequence:
            return ChainBreak(
                event.sequence,
                event.reference,
                "missing events before this one",
                f"sequence {expected_sequence}",
                f"sequence {event.sequence}",
            )
        if event.previous_hash != expected_previous:
            return ChainBreak(
                event.sequence,
                event.reference,
                "previous hash does not match",
                expected_previous,
                event.previous_hash,
            )
        if isinstance(event, ConsentEvent):
            computed = event_hash(event)
            if computed != event.event_hash:
                return ChainBreak(
                    event.sequence, event.reference, "event changed", computed, event.event_hash
                )
        expected_previous = event.event_hash
        expected_sequence += 1
        last = event
    head = ChainHead.objects.filter(pk=CHAIN_HEAD_ID).first()
    if head and head.last_sequence != expected_sequence - 1:
        return ChainBreak(
            head.last_sequence,
            last.reference if last else "-",
            "events missing at the end of the chain",
            f"sequence {head.last_sequence}",
            f"sequence {expected_sequence - 1}",
        )
    if head and head.last_sequence and head.last_hash != expected_previous:
        return ChainBreak(
            head.last_sequence,
            last.reference if last else "-",
            "chain head does not match the last event",
            expected_previous,
            head.last_hash,
        )
    return None
