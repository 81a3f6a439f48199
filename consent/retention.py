"""Retention: destroying what the register and its logs no longer need (ADR 0015,
docs/data-destruction-policy.md). `retention_plan` counts, `retention_apply` destroys.

Register events are erased a person at a time, and only when nothing about them is still in
force: the person's last event is older than `CONSENT_RETENTION_EVENTS_YEARS`, and every
purpose is back to "no choice" with no change waiting. An objection or consent that is still
current is never destroyed, however old. Each erased event leaves a tombstone
(`ErasedEvent`: sequence, reference, hashes; nothing about the person), so
`consent.register.chain_verify` still walks an unbroken chain.

Access log entries, the IG pipeline's call log and national opt-out checks no longer in use go
after their own periods. Receipts are not stored by the register: they live in the visitor's
session, so expired sessions are cleared here too.

NHS numbers never leave this module in messages or reports: only counts do.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from importlib import import_module

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from .access_models import AccessLogEntry
from .pipeline_models import NationalOptOutCheck, PipelineCall
from .register import ChainBreak, _lock_chain, chain_verify, events_fold
from .register_models import ConsentEvent, ConsentState, ErasedEvent, RetentionRun

PEOPLE_PER_BATCH = 200
ROWS_PER_BATCH = 5000
_DATABASE_SESSION_ENGINES = {
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
}

Advance = Callable[[int], None]


class RetentionRefused(Exception):
    """Retention will not run: the register's chain is broken. Destroying events now could
    destroy the evidence; investigate with `manage.py consent_verify_chain` first."""

    def __init__(self, broken: ChainBreak) -> None:
        self.broken = broken
        super().__init__(
            f"The register's chain is broken at event {broken.reference} (sequence "
            f"{broken.sequence}): {broken.problem}. Nothing was destroyed."
        )


@dataclass(frozen=True)
class RetentionLimits:
    """The cut-offs: what is older than these (and otherwise eligible) goes."""

    now: dt.datetime
    events_before: dt.datetime
    access_log_before: dt.datetime
    pipeline_calls_before: dt.datetime
    opt_out_checks_before: dt.datetime

    @property
    def event_rule(self) -> str:
        return (
            f"{settings.CONSENT_RETENTION_EVENTS_YEARS} years after the person's last event, "
            "no choice in force"
        )

    def as_json(self) -> dict[str, str]:
        return {name: value.isoformat() for name, value in asdict(self).items()}


@dataclass(frozen=True)
class RetentionReport:
    """Counts only: what would go (a plan) or what went (after `retention_apply`)."""

    people: int = 0
    events: int = 0
    state_rows: int = 0
    people_kept: int = 0
    access_log_entries: int = 0
    pipeline_calls: int = 0
    opt_out_checks: int = 0
    expired_sessions: int | None = None  # None: sessions are not kept in the database

    @property
    def total(self) -> int:
        """The units of work: people, entries, calls and checks (for a progress bar)."""
        return self.people + self.access_log_entries + self.pipeline_calls + self.opt_out_checks

    def as_json(self) -> dict[str, int | None]:
        return asdict(self)


def _years_before(moment: dt.datetime, years: int) -> dt.datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


def retention_limits(*, now: dt.datetime | None = None) -> RetentionLimits:
    now = now or timezone.now()
    return RetentionLimits(
        now=now,
        events_before=_years_before(now, settings.CONSENT_RETENTION_EVENTS_YEARS),
        access_log_before=_years_before(now, settings.CONSENT_RETENTION_ACCESS_LOG_YEARS),
        pipeline_calls_before=now
        - dt.timedelta(days=settings.CONSENT_RETENTION_PIPELINE_CALLS_DAYS),
        opt_out_checks_before=now
        - dt.timedelta(days=settings.CONSENT_RETENTION_OPT_OUT_CHECKS_DAYS),
    )


# ---------------------------------------------------------------------------------------------
# Selecting


def _in_force() -> Q:
    """Projection rows that keep a person: a choice in force, or a change waiting."""
    return ~Q(state=ConsentState.NO_CHOICE) | Q(pending_event__isnull=False)


def _people_old(before: dt.datetime):
    return (
        ConsentEvent.objects.order_by()
        .values("nhs_number")
        .annotate(last=Max("recorded_at"))
        .filter(last__lt=before)
    )


def _people_due(before: dt.datetime):
    """NHS numbers whose events may all go (by the projection; rechecked under the lock)."""
    in_force = ConsentState.objects.filter(_in_force()).values("nhs_number")
    return (
        _people_old(before)
        .exclude(nhs_number__in=in_force)
        .order_by("nhs_number")
        .values_list("nhs_number", flat=True)
    )


def _people_kept(before: dt.datetime) -> int:
    in_force = ConsentState.objects.filter(_in_force()).values("nhs_number")
    return _people_old(before).filter(nhs_number__in=in_force).count()


def _opt_out_checks_due(before: dt.datetime):
    """Checks nobody relies on: not the latest completed one (it dates the cache), no cached
    opt-out from them, and requested before the cut-off."""
    latest = (
        NationalOptOutCheck.objects.filter(completed_at__isnull=False)
        .order_by("-completed_at")
        .values_list("pk", flat=True)
        .first()
    )
    checks = NationalOptOutCheck.objects.filter(requested_at__lt=before, opt_outs__isnull=True)
    if latest is not None:
        checks = checks.exclude(pk=latest)
    return checks


def _session_store():
    if settings.SESSION_ENGINE not in _DATABASE_SESSION_ENGINES:
        return None
    return import_module(settings.SESSION_ENGINE).SessionStore


def _expired_sessions(now: dt.datetime) -> int | None:
    store = _session_store()
    if store is None:
        return None
    return store.get_model_class().objects.filter(expire_date__lt=now).count()


def retention_plan(*, now: dt.datetime | None = None) -> RetentionReport:
    """What `retention_apply` would destroy now (a dry run: nothing changes)."""
    limits = retention_limits(now=now)
    due = _people_due(limits.events_before)
    return RetentionReport(
        people=due.count(),
        events=ConsentEvent.objects.filter(nhs_number__in=due).count(),
        state_rows=ConsentState.objects.filter(nhs_number__in=due).count(),
        people_kept=_people_kept(limits.events_before),
        access_log_entries=AccessLogEntry.objects.filter(at__lt=limits.access_log_before).count(),
        pipeline_calls=PipelineCall.objects.filter(at__lt=limits.pipeline_calls_before).count(),
        opt_out_checks=_opt_out_checks_due(limits.opt_out_checks_before).count(),
        expired_sessions=_expired_sessions(limits.now),
    )


# ---------------------------------------------------------------------------------------------
# Destroying


def retention_apply(
    *,
    now: dt.datetime | None = None,
    authorised_by: str | None = None,
    advance: Advance | None = None,
    people_per_batch: int = PEOPLE_PER_BATCH,
    rows_per_batch: int = ROWS_PER_BATCH,
) -> RetentionReport:
    """Destroy what is past its retention period, one transaction per batch, and record the
    run (`RetentionRun`). Refuses (`RetentionRefused`) if the chain is already broken.
    Safe to run again: a second run finds nothing more until time passes."""
    limits = retention_limits(now=now)
    advance = advance or (lambda n: None)
    broken = chain_verify()
    if broken:
        raise RetentionRefused(broken)
    if authorised_by is None:
        authorised_by = settings.CONSENT_RETENTION_AUTHORITY
    run = RetentionRun.objects.create(
        started_at=timezone.now(), authorised_by=authorised_by, limits=limits.as_json()
    )
    counts: dict[str, int] = defaultdict(int)
    counts["people_kept"] = _people_kept(limits.events_before)
    for batch in _people_batches(limits.events_before, people_per_batch):
        people, events, state_rows = _erase_people(batch, limits=limits, run=run)
        counts["people"] += people
        counts["events"] += events
        counts["state_rows"] += state_rows
        counts["people_kept"] += len(batch) - people  # the replay found something in force
        advance(len(batch))
    counts["access_log_entries"] = _delete_in_batches(
        AccessLogEntry.objects.filter(at__lt=limits.access_log_before),
        lambda rows: rows.retention_delete(),
        rows_per_batch,
        advance,
    )
    counts["pipeline_calls"] = _delete_in_batches(
        PipelineCall.objects.filter(at__lt=limits.pipeline_calls_before),
        lambda rows: rows.delete()[0],
        rows_per_batch,
        advance,
    )
    counts["opt_out_checks"] = _delete_in_batches(
        _opt_out_checks_due(limits.opt_out_checks_before),
        lambda rows: rows.delete()[0],
        rows_per_batch,
        advance,
    )
    expired_sessions = _expired_sessions(limits.now)
    if expired_sessions is not None:
        _session_store().clear_expired()
    report = RetentionReport(**counts, expired_sessions=expired_sessions)
    run.finished_at = timezone.now()
    run.counts = report.as_json()
    run.save(update_fields=["finished_at", "counts"])
    return report


def _people_batches(before: dt.datetime, size: int) -> Iterator[list[str]]:
    """The people due, a batch at a time, in NHS number order: each batch is read afresh
    after the one before is committed (no cursor stays open across the deletes)."""
    after = ""
    while batch := list(_people_due(before).filter(nhs_number__gt=after)[:size]):
        yield batch
        after = batch[-1]


def _erase_people(
    nhs_numbers: list[str], *, limits: RetentionLimits, run: RetentionRun
) -> tuple[int, int, int]:
    """Erase every event of these people, if (checked again under the chain's lock) nothing
    of theirs is still in force. Returns (people, events, state rows) erased."""
    with transaction.atomic():
        _lock_chain()  # no new event for these people can slip in until we commit
        events_by_person: dict[str, list[ConsentEvent]] = defaultdict(list)
        for event in ConsentEvent.objects.filter(nhs_number__in=nhs_numbers).order_by("sequence"):
            events_by_person[event.nhs_number].append(event)
        in_force = set(
            ConsentState.objects.filter(_in_force(), nhs_number__in=nhs_numbers).values_list(
                "nhs_number", flat=True
            )
        )
        erasable = [
            person
            for person, events in events_by_person.items()
            if person not in in_force and _nothing_in_force(events, limits.events_before)
        ]
        if not erasable:
            return 0, 0, 0
        doomed = [event for person in erasable for event in events_by_person[person]]
        _retention_mode(on=True)
        ErasedEvent.objects.bulk_create(
            [
                ErasedEvent(
                    sequence=event.sequence,
                    reference=event.reference,
                    previous_hash=event.previous_hash,
                    event_hash=event.event_hash,
                    erased_at=limits.now,
                    rule=limits.event_rule,
                    run=run,
                )
                for event in doomed
            ],
            batch_size=1000,
        )
        state_rows, _ = ConsentState.objects.filter(nhs_number__in=erasable).delete()
        deleted = ConsentEvent.objects.filter(pk__in=[e.pk for e in doomed]).retention_delete()
        if deleted != len(doomed):  # pragma: no cover - the tombstones were written just now
            raise RuntimeError("Retention could not delete every tombstoned event; rolled back.")
        _retention_mode(on=False)
    return len(erasable), deleted, state_rows


def _nothing_in_force(events: list[ConsentEvent], before: dt.datetime) -> bool:
    """The person's own events, replayed: all old, every purpose "no choice", nothing waiting.
    A second opinion on the projection, so a drifted projection cannot cost an objection."""
    if max(event.recorded_at for event in events) >= before:
        return False
    return all(
        state.state == ConsentState.NO_CHOICE and not state.pending
        for state in events_fold(events).values()
    )


def _retention_mode(*, on: bool) -> None:
    """On PostgreSQL, let the trigger pass this transaction's deletes of tombstoned events
    (ADR 0015). Local to the transaction; switched off again before it commits."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('consent.retention', %s, true)", ["on" if on else "off"])


def _delete_in_batches(queryset, delete: Callable, size: int, advance: Advance) -> int:
    total = 0
    model = queryset.model
    while True:
        pks = list(queryset.order_by("pk").values_list("pk", flat=True)[:size])
        if not pks:
            return total
        with transaction.atomic():
            total += delete(model.objects.filter(pk__in=pks))
        advance(len(pks))
