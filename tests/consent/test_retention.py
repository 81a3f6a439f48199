"""Retention (ADR 0015, docs/data-destruction-policy.md): what goes, what is never destroyed
early, the tombstones that keep the chain verifiable, and the command's dry run."""

import datetime as dt
import io
import logging

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from consent.access import access_log_record
from consent.access_models import AccessLogEntry, AccessLogImmutableError
from consent.models import Purpose
from consent.pipeline_models import NationalOptOut, NationalOptOutCheck, PipelineCall
from consent.register import (
    capacity_record,
    chain_verify,
    choice_record,
    identity_verified,
    projection_rebuild,
    state_for,
)
from consent.register_models import (
    ConsentEvent,
    ConsentState,
    ErasedEvent,
    EventImmutableError,
    RetentionRun,
)
from consent.retention import RetentionRefused, retention_apply, retention_plan
from portal.factories import UserFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def nhs_number(stem: int) -> str:
    """A valid NHS number (Modulus 11) outside the 999 test range, from a 9-digit stem."""
    for candidate in range(stem, stem + 20):
        digits = f"{candidate:09d}"
        if len(set(digits)) == 1:
            continue
        total = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        if check == 11:
            check = 0
        if check != 10:
            return digits + str(check)
    raise AssertionError("no valid number near the stem")


NOW = timezone.now()
LONG_AGO = NOW - dt.timedelta(days=365 * 10)  # past the default 8 years
RECENTLY = NOW - dt.timedelta(days=365 * 2)

WITHDRAWN = nhs_number(401023456)  # objected and withdrew, long ago: nothing in force
OBJECTOR = nhs_number(485777300)  # objected long ago and still objects
RECENT = nhs_number(410000370)  # objected recently
PERSONAL_FIELDS = {"nhs_number", "person_name", "date_of_birth", "postcode", "proxy_name"}


@pytest.fixture
def risk() -> Purpose:
    return Purpose.objects.get(code="risk-stratification-commissioning")


@pytest.fixture
def research() -> Purpose:
    return Purpose.objects.get(code="research")


def choose(who, purpose, decision, *, when, verified=True, **kwargs) -> ConsentEvent:
    if verified:
        kwargs.update(identity_method="nhs-login", identity_result="verified")
    return choice_record(
        nhs_number=who, purpose=purpose, decision=decision, channel="online", now=when, **kwargs
    )


def withdrawn_long_ago(risk, research, who=WITHDRAWN) -> list[ConsentEvent]:
    """Objected and consented, then withdrew both, all more than 8 years ago."""
    return [
        choose(who, risk, "object", when=LONG_AGO, person_name="Wendy Withdrawn"),
        choose(who, research, "consent", when=LONG_AGO, postcode="SW1A 1AA"),
        choose(who, risk, "withdraw-objection", when=LONG_AGO + dt.timedelta(days=30)),
        choose(who, research, "withdraw-consent", when=LONG_AGO + dt.timedelta(days=60)),
    ]


def _projection() -> set[tuple]:
    return set(
        ConsentState.objects.values_list(
            "nhs_number",
            "purpose_id",
            "state",
            "effective_from",
            "capacity_default",
            "last_event_id",
            "pending_event_id",
        )
    )


def run_command(*args) -> str:
    out = io.StringIO()
    call_command("consent_apply_retention", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# The register


def test_dry_run_counts_and_changes_nothing(risk, research):
    withdrawn_long_ago(risk, research)
    choose(OBJECTOR, risk, "object", when=LONG_AGO)
    choose(RECENT, risk, "object", when=RECENTLY)
    staff = UserFactory(email="ig@example.org")
    access_log_record(user=staff, action="search", nhs_number=OBJECTOR, at=LONG_AGO)
    before = (ConsentEvent.objects.count(), _projection(), AccessLogEntry.objects.count())

    output = run_command("--dry-run")

    assert "Dry run: nothing was changed" in output
    assert "register: 4 events of 1 person" in output
    assert "kept: 1 person with old events but a choice in force" in output
    assert "access log entries: 1" in output
    assert "receipts: not stored by the register" in output
    for number in (WITHDRAWN, OBJECTOR, RECENT):
        assert number not in output
    assert (ConsentEvent.objects.count(), _projection(), AccessLogEntry.objects.count()) == before
    assert not ErasedEvent.objects.exists()
    assert not RetentionRun.objects.exists()


def test_old_withdrawn_choices_are_erased_and_the_chain_still_verifies(risk, research):
    choose(OBJECTOR, risk, "object", when=LONG_AGO)
    erased = withdrawn_long_ago(risk, research)  # in the middle of the chain
    choose(RECENT, risk, "object", when=RECENTLY)

    report = retention_apply(now=NOW, authorised_by="IG board 2026-12-01 minute 7")

    assert (report.people, report.events, report.state_rows) == (1, 4, 2)
    assert not ConsentEvent.objects.filter(nhs_number=WITHDRAWN).exists()
    assert not ConsentState.objects.filter(nhs_number=WITHDRAWN).exists()
    tombstones = list(ErasedEvent.objects.order_by("sequence"))
    assert [(t.sequence, t.reference, t.previous_hash, t.event_hash) for t in tombstones] == [
        (e.sequence, e.reference, e.previous_hash, e.event_hash) for e in erased
    ]
    assert not PERSONAL_FIELDS & {f.name for f in ErasedEvent._meta.get_fields()}
    assert chain_verify() is None
    out = io.StringIO()
    call_command("consent_verify_chain", stdout=out, stderr=io.StringIO())
    assert "Chain intact" in out.getvalue()
    run = RetentionRun.objects.get()
    assert run.authorised_by == "IG board 2026-12-01 minute 7"
    assert run.counts["events"] == 4
    assert run.finished_at is not None
    assert tombstones[0].run == run


def test_the_rebuilt_projection_still_equals_the_projection_after_erasure(risk, research):
    choose(OBJECTOR, risk, "object", when=LONG_AGO)
    withdrawn_long_ago(risk, research)
    choose(RECENT, research, "consent", when=RECENTLY)
    retention_apply(now=NOW)
    incremental = _projection()

    projection_rebuild()

    assert _projection() == incremental
    assert {row[0] for row in incremental} == {OBJECTOR, RECENT}


def test_a_current_objection_is_never_destroyed_however_old(risk, research):
    objection = choose(OBJECTOR, risk, "object", when=LONG_AGO - dt.timedelta(days=3650))

    report = retention_apply(now=NOW)

    assert report.events == 0
    assert report.people_kept == 1
    assert ConsentEvent.objects.filter(pk=objection.pk).exists()
    assert state_for(nhs_number=OBJECTOR)[risk.code].state == ConsentState.OBJECTED


def test_a_change_waiting_for_identity_keeps_the_person(risk):
    choose(OBJECTOR, risk, "object", when=LONG_AGO)
    choose(OBJECTOR, risk, "withdraw-objection", when=LONG_AGO, verified=False)  # pending

    assert retention_apply(now=NOW).events == 0
    assert ConsentEvent.objects.filter(nhs_number=OBJECTOR).count() == 2
    assert state_for(nhs_number=OBJECTOR)[risk.code].pending


def test_a_capacity_default_is_kept(risk):
    capacity_record(nhs_number=OBJECTOR, evidence_reference="MCA 1", recorded_by=None, now=LONG_AGO)

    assert retention_apply(now=NOW).events == 0
    assert state_for(nhs_number=OBJECTOR)[risk.code].state == ConsentState.OBJECTED


def test_one_recent_event_keeps_all_of_a_persons_events(risk, research):
    old = withdrawn_long_ago(risk, research)
    identity_verified(nhs_number=WITHDRAWN, method="nhs-login", channel="online", now=RECENTLY)

    assert retention_apply(now=NOW).events == 0
    assert ConsentEvent.objects.filter(pk__in=[e.pk for e in old]).count() == len(old)


def test_a_drifted_projection_cannot_cost_an_objection(risk):
    """The projection says "no choice", but the events say the person objects: kept."""
    objection = choose(OBJECTOR, risk, "object", when=LONG_AGO)
    ConsentState.objects.filter(nhs_number=OBJECTOR).update(state=ConsentState.NO_CHOICE)

    assert retention_plan(now=NOW).people == 1  # the projection alone would erase them
    report = retention_apply(now=NOW)
    assert (report.events, report.people_kept) == (0, 1)
    assert ConsentEvent.objects.filter(pk=objection.pk).exists()


def test_running_again_destroys_nothing_more(risk, research):
    withdrawn_long_ago(risk, research)
    retention_apply(now=NOW)

    again = retention_apply(now=NOW)

    assert (again.people, again.events) == (0, 0)
    assert ErasedEvent.objects.count() == 4
    assert chain_verify() is None


def test_small_batches_erase_everyone_due(risk, research):
    people = [nhs_number(420000000 + i * 41) for i in range(5)]
    for who in people:
        withdrawn_long_ago(risk, research, who=who)
    choose(OBJECTOR, risk, "object", when=LONG_AGO)

    report = retention_apply(now=NOW, people_per_batch=2)

    assert (report.people, report.events) == (5, 20)
    assert set(ConsentEvent.objects.values_list("nhs_number", flat=True)) == {OBJECTOR}
    assert chain_verify() is None


def test_erasing_the_last_event_keeps_the_chain_head_verifiable(risk, research):
    withdrawn_long_ago(risk, research)  # the only events, so the head is a tombstone

    retention_apply(now=NOW)

    assert not ConsentEvent.objects.exists()
    assert chain_verify() is None
    after = choose(RECENT, risk, "object", when=NOW)
    assert after.sequence == 5
    assert chain_verify() is None


def test_retention_refuses_a_broken_chain_and_destroys_nothing(risk, research):
    withdrawn_long_ago(risk, research)
    tampered = choose(RECENT, risk, "object", when=RECENTLY)
    tamper(("UPDATE consent_consentevent SET channel = 'post' WHERE id = %s", [tampered.pk]))
    access_log_record(user=UserFactory(), action="search", at=LONG_AGO)

    with pytest.raises(RetentionRefused):
        retention_apply(now=NOW)
    with pytest.raises(CommandError, match="Retention refused"):
        run_command()

    assert ConsentEvent.objects.count() == 5
    assert AccessLogEntry.objects.count() == 1
    assert not ErasedEvent.objects.exists()


def test_a_deleted_event_without_a_tombstone_is_still_reported(risk, research):
    withdrawn_long_ago(risk, research)
    retention_apply(now=NOW)
    first = choose(RECENT, risk, "object", when=NOW)
    after = choose(OBJECTOR, risk, "object", when=NOW)
    tamper(
        ("DELETE FROM consent_consentstate WHERE nhs_number = %s", [RECENT]),
        ("DELETE FROM consent_consentevent WHERE id = %s", [first.pk]),
    )

    broken = chain_verify()

    assert broken is not None
    assert broken.reference == after.reference


def test_events_and_tombstones_still_refuse_ordinary_changes(risk, research):
    withdrawn_long_ago(risk, research)
    kept = choose(OBJECTOR, risk, "object", when=LONG_AGO)
    retention_apply(now=NOW)
    tombstone = ErasedEvent.objects.first()

    with pytest.raises(EventImmutableError):
        kept.delete()
    with pytest.raises(EventImmutableError):
        ConsentEvent.objects.all().delete()
    with pytest.raises(EventImmutableError):
        tombstone.delete()
    with pytest.raises(EventImmutableError):
        ErasedEvent.objects.all().delete()
    with pytest.raises(EventImmutableError):
        ErasedEvent.objects.update(rule="x")
    tombstone.rule = "something else"
    with pytest.raises(EventImmutableError):
        tombstone.save()


def test_the_retention_path_deletes_only_events_with_a_tombstone(risk):
    event = choose(OBJECTOR, risk, "object", when=LONG_AGO)

    assert ConsentEvent.objects.filter(pk=event.pk).retention_delete() == 0
    assert ConsentEvent.objects.filter(pk=event.pk).exists()


def test_nhs_numbers_stay_out_of_logs_and_output(risk, research, caplog):
    caplog.set_level(logging.DEBUG)
    withdrawn_long_ago(risk, research)
    choose(OBJECTOR, risk, "object", when=LONG_AGO)
    caplog.clear()

    output = run_command()

    assert "register: 4 events of 1 person" in output
    assert "Register chain intact after retention" in output
    for number in (WITHDRAWN, OBJECTOR):
        assert number not in output
        assert number not in caplog.text
        assert number not in str(RetentionRun.objects.get().counts)


# ---------------------------------------------------------------------------------------------
# Logs, pipeline records and receipts


def test_access_log_entries_past_their_period_go_and_newer_stay():
    staff = UserFactory(email="ig@example.org")
    old = access_log_record(user=staff, action="view", nhs_number=OBJECTOR, at=LONG_AGO)
    newer = access_log_record(
        user=staff, action="view", nhs_number=OBJECTOR, at=NOW - dt.timedelta(days=365 * 7)
    )

    report = retention_apply(now=NOW, rows_per_batch=1)

    assert report.access_log_entries == 1
    assert not AccessLogEntry.objects.filter(pk=old.pk).exists()
    assert AccessLogEntry.objects.filter(pk=newer.pk).exists()
    with pytest.raises(AccessLogImmutableError):
        newer.delete()
    with pytest.raises(AccessLogImmutableError):
        AccessLogEntry.objects.all().delete()


def test_old_pipeline_calls_and_unused_opt_out_checks_go():
    def call(at):
        return PipelineCall.objects.create(endpoint="check", purpose_code="x", status=200, at=at)

    def check(name, requested_at, completed=True):
        return NationalOptOutCheck.objects.create(
            file_name=name,
            requested_at=requested_at,
            completed_at=requested_at + dt.timedelta(days=1) if completed else None,
        )

    old_call, new_call = call(LONG_AGO), call(NOW - dt.timedelta(days=30))
    superseded = check("superseded", LONG_AGO)
    never_answered = check("never-answered", LONG_AGO, completed=False)
    still_cited = check("still-cited", LONG_AGO)  # an opt-out in the cache came from it
    NationalOptOut.objects.create(nhs_number=OBJECTOR, from_check=still_cited)
    latest = check("latest", LONG_AGO + dt.timedelta(days=10))  # old, but dates the cache

    report = retention_apply(now=NOW)

    assert (report.pipeline_calls, report.opt_out_checks) == (1, 2)
    assert list(PipelineCall.objects.all()) == [new_call]
    assert not PipelineCall.objects.filter(pk=old_call.pk).exists()
    remaining = set(NationalOptOutCheck.objects.values_list("file_name", flat=True))
    assert remaining == {still_cited.file_name, latest.file_name}
    assert superseded.file_name not in remaining
    assert never_answered.file_name not in remaining
    assert NationalOptOut.objects.filter(nhs_number=OBJECTOR).exists()


def test_expired_sessions_holding_receipts_are_cleared():
    expired = SessionStore()
    expired["consent_choose_receipt"] = {"consentReceiptID": "x"}
    expired.set_expiry(1)
    expired.save()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=NOW - dt.timedelta(days=1)
    )
    live = SessionStore()
    live["consent_choose_receipt"] = {"consentReceiptID": "y"}
    live.save()

    assert retention_plan(now=NOW).expired_sessions == 1
    report = retention_apply(now=NOW)

    assert report.expired_sessions == 1
    assert not Session.objects.filter(session_key=expired.session_key).exists()
    assert Session.objects.filter(session_key=live.session_key).exists()


def test_retention_is_not_scheduled_until_it_is_switched_on():
    from portal.scheduling import jobs_registered

    assert "apply-consent-retention" not in {job.name for job in jobs_registered()}


# ---------------------------------------------------------------------------------------------
# PostgreSQL only: the triggers

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: the trigger and row locks exist only there (DATABASE_URL)",
)


def tamper(*statements: tuple[str, list]) -> None:
    """Change rows behind the register's back, as a database owner could (on PostgreSQL,
    by disabling the trigger first)."""
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:  # replica mode skips ordinary triggers (needs a superuser)
            cursor.execute("SET session_replication_role = replica")
        for sql, params in statements:
            cursor.execute(sql, params)
        if postgres:
            cursor.execute("SET session_replication_role = origin")


def refused(sql: str, params: list, *, retention: bool = False) -> None:
    """`sql` fails with the trigger's message, in or (with `retention`) out of retention."""
    with transaction.atomic(), connection.cursor() as cursor:
        if retention:
            cursor.execute("SELECT set_config('consent.retention', 'on', true)")
        with pytest.raises(DatabaseError, match="refused"), transaction.atomic():
            cursor.execute(sql, params)
        cursor.execute("SELECT set_config('consent.retention', 'off', true)")


@pytest.mark.postgres
@postgres_only
def test_the_database_refuses_changes_outside_retention(risk):
    event = choose(OBJECTOR, risk, "object", when=LONG_AGO)
    delete = "DELETE FROM consent_consentevent WHERE id = %s"

    refused(delete, [event.pk])
    refused(delete, [event.pk], retention=True)  # no tombstone: still refused
    refused("UPDATE consent_consentevent SET channel = 'post' WHERE id = %s", [event.pk])
    refused(
        "UPDATE consent_consentevent SET channel = 'post' WHERE id = %s",
        [event.pk],
        retention=True,
    )
    run = RetentionRun.objects.create(started_at=NOW)
    tombstone = (
        "INSERT INTO consent_erasedevent (sequence, reference, previous_hash, event_hash, "
        "erased_at, rule, run_id) VALUES (%s, %s, %s, %s, now(), 'test', %s)"
    )
    values = [event.sequence, event.reference, event.previous_hash, event.event_hash, run.pk]
    refused(tombstone, values)  # outside retention
    refused(tombstone, [*values[:3], "f" * 64, run.pk], retention=True)  # not the event's hash
    assert ConsentEvent.objects.filter(pk=event.pk).exists()
    assert chain_verify() is None


@pytest.mark.postgres
@postgres_only
def test_the_database_lets_retention_delete_and_then_refuses_again(risk, research):
    withdrawn_long_ago(risk, research)
    kept = choose(OBJECTOR, risk, "object", when=LONG_AGO)

    report = retention_apply(now=NOW)

    assert report.events == 4
    assert not ConsentEvent.objects.filter(nhs_number=WITHDRAWN).exists()
    assert chain_verify() is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('consent.retention', true)")
        assert cursor.fetchone()[0] in (None, "", "off")
    refused("DELETE FROM consent_consentevent WHERE id = %s", [kept.pk])
    tombstone = ErasedEvent.objects.first()
    refused("DELETE FROM consent_erasedevent WHERE id = %s", [tombstone.pk], retention=True)
    refused("UPDATE consent_erasedevent SET rule = 'x' WHERE id = %s", [tombstone.pk])
