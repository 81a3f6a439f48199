"""A large generated register for load tests and benchmarks (`manage.py create_synthetic_register`).

The events are real register events: hash-chained in sequence after whatever the register
already holds, with their projection rows, so `consent_verify_chain` and
`projection_rebuild` agree with them. They are appended in batches of a few thousand under the
chain's lock (one `bulk_create` each) instead of one transaction per choice, which would take
minutes for 100,000 and measure nothing a load test is about.

Only NHS test numbers (the 999 range) are used, and only where the configuration accepts them
(`CONSENT_ALLOW_TEST_NHS_NUMBERS`): a generated objection must never land on a real person.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Purpose
from .nhs_number import TEST_RANGE_PREFIX, is_valid_nhs_number
from .notices import current_notice_version
from .register import (
    PurposeState,
    _lock_chain,  # the register's own lock: no choice can be appended between two batches
    event_apply,
    event_hash,
)
from .register_models import ConsentEvent, ConsentState

SYNTHETIC_DEFAULT_SEED = 20261201
SYNTHETIC_EVIDENCE = "synthetic register (manage.py create_synthetic_register)"
BATCH = 5000
_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# 999 000 000 0 to 999 999 999 9: about 909,000 valid test numbers.
MAX_ENTRIES = 900_000


class SyntheticRegisterError(ValueError):
    """The synthetic register cannot be made here (the message says why)."""


def synthetic_nhs_numbers(count: int, *, seed: int = SYNTHETIC_DEFAULT_SEED) -> list[str]:
    """`count` distinct valid NHS test numbers (999...), in an order fixed by `seed`."""
    if not 0 <= count <= MAX_ENTRIES:
        raise SyntheticRegisterError(f"Between 0 and {MAX_ENTRIES:,} entries can be made.")
    numbers: list[str] = []
    for stem in random.Random(seed).sample(range(1_000_000), min(1_000_000, count + count // 8)):
        digits = f"{TEST_RANGE_PREFIX}{stem:06d}"
        total = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True))
        check = (11 - total % 11) % 11
        if check == 10:
            continue
        number = digits + str(check)
        if is_valid_nhs_number(number, allow_test_range=True):
            numbers.append(number)
            if len(numbers) == count:
                break
    return numbers


def _choices(purposes: list[Purpose], rng: random.Random) -> Iterator[tuple[Purpose, str]]:
    """(purpose, decision) per entry: mostly objections, some consent where consent is the
    basis, so every purpose has people it must leave out and consent purposes people it may use."""
    objectable = [p for p in purposes if p.objection_honoured]
    consentable = [p for p in purposes if p.legal_basis == Purpose.CONSENT]
    while True:
        if consentable and rng.random() < 0.25:
            yield rng.choice(consentable), ConsentEvent.CONSENT
        elif objectable:
            yield rng.choice(objectable), ConsentEvent.OBJECT
        else:
            raise SyntheticRegisterError("No active purpose takes objections or consent.")


def _reference(taken: set[str]) -> str:
    while True:
        reference = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
        if reference not in taken:
            taken.add(reference)
            return reference


def synthetic_register_create(
    *,
    entries: int,
    seed: int = SYNTHETIC_DEFAULT_SEED,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, int]:
    """Give `entries` generated people one recorded choice each (objections, and verified
    consent for consent-based purposes). Returns (created, already there); running it again
    creates nothing. Numbers that already have any register event are left alone."""
    if not settings.CONSENT_ALLOW_TEST_NHS_NUMBERS:
        raise SyntheticRegisterError(
            "The synthetic register uses NHS test numbers (999...), which this configuration "
            "refuses (CONSENT_ALLOW_TEST_NHS_NUMBERS is off). It is for throwaway databases only."
        )
    purposes = list(Purpose.objects.filter(is_active=True).order_by("pk"))
    numbers = synthetic_nhs_numbers(entries, seed=seed)
    rng = random.Random(seed + 1)
    choices = _choices(purposes, rng)
    notice_version = current_notice_version()
    created = unchanged = 0
    for start in range(0, len(numbers), BATCH):
        batch = numbers[start : start + BATCH]
        planned = [(number, *next(choices), rng.randint(0, 3 * 365)) for number in batch]
        with transaction.atomic():
            head = _lock_chain()
            existing = set(
                ConsentEvent.objects.filter(nhs_number__in=batch).values_list(
                    "nhs_number", flat=True
                )
            )
            taken: set[str] = set()
            now = timezone.now()
            events: list[ConsentEvent] = []
            for number, purpose, decision, days_ago in planned:
                if number in existing:
                    continue
                verified = decision == ConsentEvent.CONSENT
                event = ConsentEvent(
                    sequence=head.last_sequence + 1,
                    reference=_reference(taken),
                    nhs_number=number,
                    purpose=purpose,
                    decision=decision,
                    channel="imported",
                    actor=ConsentEvent.SELF,
                    evidence_reference=SYNTHETIC_EVIDENCE,
                    identity_method="gp-record" if verified else "self-declared",
                    identity_result=ConsentEvent.VERIFIED if verified else ConsentEvent.UNVERIFIED,
                    notice_version=notice_version,
                    occurred_at=now - dt.timedelta(days=days_ago),
                    recorded_at=now,
                    previous_hash=head.last_hash,
                )
                event.event_hash = event_hash(event)
                head.last_sequence = event.sequence
                head.last_hash = event.event_hash
                events.append(event)
            if events and _avoid_reference_clashes(events):
                head.last_hash = events[-1].event_hash
            ConsentEvent.objects.bulk_create(events)
            ConsentState.objects.bulk_create(_states(events))
            head.save(update_fields=["last_sequence", "last_hash"])
        created += len(events)
        unchanged += len(batch) - len(events)
        if progress:
            progress(len(batch))
    return created, unchanged


def _avoid_reference_clashes(events: list[ConsentEvent]) -> bool:
    """References are unique across the register; with 32^8 of them a clash with an older event
    is rare, but a retry inside the batch would break the chain, so clashes are refused up front
    by re-drawing and re-hashing (hashes after the re-drawn one are recomputed too). Returns
    whether anything changed."""
    references = [event.reference for event in events]
    clashes = set(
        ConsentEvent.objects.filter(reference__in=references).values_list("reference", flat=True)
    )
    if not clashes:
        return False
    taken = set(references) | clashes
    previous = events[0].previous_hash
    for event in events:
        if event.reference in clashes:
            event.reference = _reference(taken)
        event.previous_hash = previous
        event.event_hash = event_hash(event)
        previous = event.event_hash
    return True


def _states(events: list[ConsentEvent]) -> Iterator[ConsentState]:
    for event in events:
        view = event_apply(PurposeState(purpose_id=event.purpose_id), event)
        yield ConsentState(
            nhs_number=event.nhs_number,
            purpose_id=event.purpose_id,
            state=view.state,
            effective_from=view.effective_from,
            capacity_default=view.capacity_default,
            last_event_id=event.pk,
            pending_event_id=view.pending_event_id,
        )
