"""The event-sourced register (ADR 0013): appending, the hash chain, the rules, the projection."""

import datetime as dt
import io
import logging
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from consent.models import Purpose
from consent.register import (
    RegisterError,
    capacity_record,
    chain_verify,
    choice_record,
    identity_verified,
    pending_changes,
    projection_rebuild,
    state_for,
    state_on,
)
from consent.register_models import ConsentEvent, ConsentState, EventImmutableError
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


ALICE = nhs_number(401023456)
BOB = nhs_number(485777300)


@pytest.fixture
def risk() -> Purpose:
    return Purpose.objects.get(code="risk-stratification-commissioning")


@pytest.fixture
def research() -> Purpose:
    return Purpose.objects.get(code="research")


def object_to(purpose, who=ALICE, **kwargs) -> ConsentEvent:
    kwargs.setdefault("channel", "online")
    return choice_record(nhs_number=who, purpose=purpose, decision="object", **kwargs)


def test_choice_is_appended_to_the_chain_with_a_reference(risk):
    first = object_to(risk, person_name="Alice Example", postcode="sw1a  1aa")
    second = object_to(risk, who=f"{BOB[:3]} {BOB[3:6]} {BOB[6:]}")

    assert first.sequence == 1
    assert first.previous_hash == "0" * 64
    assert second.previous_hash == first.event_hash
    assert second.nhs_number == BOB  # normalised
    assert first.postcode == "SW1A 1AA"
    assert len(first.reference) == 8
    assert first.reference != second.reference
    assert chain_verify() is None


def test_event_str_shows_the_reference_not_the_nhs_number(risk):
    event = object_to(risk)

    assert event.reference in str(event)
    assert ALICE not in str(event)


def test_events_cannot_be_changed_or_deleted_through_the_model_layer(risk):
    event = object_to(risk)
    event.person_name = "Someone else"

    with pytest.raises(EventImmutableError, match=event.reference):
        event.save()
    with pytest.raises(EventImmutableError):
        event.delete()
    with pytest.raises(EventImmutableError):
        ConsentEvent.objects.filter(pk=event.pk).update(person_name="x")
    with pytest.raises(EventImmutableError):
        ConsentEvent.objects.all().delete()
    assert ConsentEvent.objects.get().person_name == ""


def test_verify_chain_passes_on_an_intact_chain(risk):
    object_to(risk)
    object_to(risk, who=BOB)
    out = io.StringIO()

    call_command("consent_verify_chain", stdout=out, stderr=io.StringIO())

    assert "Chain intact: 2 events" in out.getvalue()


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


def test_verify_chain_reports_the_first_tampered_event(risk):
    object_to(risk)
    tampered = object_to(risk, who=BOB)
    object_to(risk, who=ALICE, channel="phone")
    tamper(("UPDATE consent_consentevent SET channel = 'post' WHERE id = %s", [tampered.pk]))

    with pytest.raises(CommandError) as failure:
        call_command("consent_verify_chain", stdout=io.StringIO(), stderr=io.StringIO())

    message = str(failure.value)
    assert tampered.reference in message
    assert f"found {tampered.event_hash}" in message
    assert BOB not in message


def test_verify_chain_reports_a_deleted_event(risk):
    object_to(risk)
    deleted = object_to(risk, who=BOB)
    after = object_to(risk, channel="post")
    tamper(
        ("DELETE FROM consent_consentstate", []),
        ("DELETE FROM consent_consentevent WHERE id = %s", [deleted.pk]),
    )

    broken = chain_verify()

    assert broken is not None
    assert broken.reference == after.reference


def test_objection_takes_effect_at_once_even_if_self_declared(risk):
    event = object_to(risk, identity_method="self-declared", identity_result="unverified")

    state = state_for(nhs_number=ALICE)[risk.code]
    assert state.state == ConsentState.OBJECTED
    assert state.effective_from == event.recorded_at
    assert not state.pending


def test_withdrawing_an_objection_waits_for_identity_verification(risk):
    object_to(risk)
    withdrawal = choice_record(
        nhs_number=ALICE, purpose=risk, decision="withdraw-objection", channel="online"
    )

    assert state_for(nhs_number=ALICE)[risk.code].state == ConsentState.OBJECTED
    waiting = list(pending_changes())
    assert [row.pending_event for row in waiting] == [withdrawal]

    identity_verified(nhs_number=ALICE, method="nhs-login", channel="online")

    state = state_for(nhs_number=ALICE)[risk.code]
    assert state.state == ConsentState.NO_CHOICE
    assert not state.pending
    assert list(pending_changes()) == []


def test_a_new_objection_cancels_a_waiting_withdrawal(risk):
    object_to(risk)
    choice_record(nhs_number=ALICE, purpose=risk, decision="withdraw-objection", channel="post")
    object_to(risk, channel="phone")

    identity_verified(nhs_number=ALICE, method="documents-checked", channel="in-person")

    assert state_for(nhs_number=ALICE)[risk.code].state == ConsentState.OBJECTED


def test_verified_consent_for_a_consent_purpose_takes_effect(research):
    choice_record(
        nhs_number=ALICE,
        purpose=research,
        decision="consent",
        channel="online",
        identity_method="nhs-login",
        identity_result="verified",
    )

    assert state_for(nhs_number=ALICE)[research.code].state == ConsentState.CONSENTED

    choice_record(nhs_number=ALICE, purpose=research, decision="withdraw-consent", channel="post")

    assert state_for(nhs_number=ALICE)[research.code].state == ConsentState.NO_CHOICE


def test_unverified_consent_is_pending(research):
    choice_record(nhs_number=ALICE, purpose=research, decision="consent", channel="online")

    state = state_for(nhs_number=ALICE)[research.code]
    assert state.state == ConsentState.NO_CHOICE
    assert state.pending


def test_consent_is_refused_for_a_purpose_that_does_not_rely_on_it(risk):
    with pytest.raises(RegisterError, match="does not rely on consent"):
        choice_record(nhs_number=ALICE, purpose=risk, decision="consent", channel="online")
    assert not ConsentEvent.objects.exists()


def test_lacking_capacity_applies_the_local_default_until_a_representative_decides(risk):
    officer = UserFactory()
    events = capacity_record(
        nhs_number=ALICE, evidence_reference="MCA assessment 2026-114", recorded_by=officer
    )

    honoured = Purpose.objects.filter(is_active=True, objection_honoured=True)
    assert {e.purpose_id for e in events} == set(honoured.values_list("pk", flat=True))
    states = state_for(nhs_number=ALICE)
    for purpose in honoured:
        assert states[purpose.code].state == ConsentState.OBJECTED
        assert states[purpose.code].capacity_default

    with pytest.raises(RegisterError, match="representative must decide") as refused:
        choice_record(
            nhs_number=ALICE, purpose=risk, decision="withdraw-objection", channel="phone"
        )
    assert ALICE not in str(refused.value)

    choice_record(
        nhs_number=ALICE,
        purpose=risk,
        decision="withdraw-objection",
        channel="in-person",
        actor="proxy",
        proxy_role="lpa-health-welfare",
        proxy_name="Carol Example",
        evidence_reference="LPA registration 7000-1234-5678",
        identity_method="documents-checked",
        identity_result="verified",
    )

    state = state_for(nhs_number=ALICE)[risk.code]
    assert state.state == ConsentState.NO_CHOICE
    assert not state.capacity_default


def test_state_on_a_past_date_comes_from_the_events(risk):
    object_to(risk, now=dt.datetime(2026, 3, 1, 9, tzinfo=UTC))
    choice_record(
        nhs_number=ALICE,
        purpose=risk,
        decision="withdraw-objection",
        channel="online",
        now=dt.datetime(2026, 6, 1, 9, tzinfo=UTC),
    )
    identity_verified(
        nhs_number=ALICE,
        method="nhs-login",
        channel="online",
        now=dt.datetime(2026, 7, 1, 9, tzinfo=UTC),
    )

    def on(day):
        return state_on(nhs_number=ALICE, purpose=risk, when=day)

    assert on(dt.datetime(2026, 2, 1, tzinfo=UTC)).state == ConsentState.NO_CHOICE
    assert on(dt.datetime(2026, 4, 1, tzinfo=UTC)).state == ConsentState.OBJECTED
    in_june = on(dt.datetime(2026, 6, 15, tzinfo=UTC))
    assert in_june.state == ConsentState.OBJECTED
    assert in_june.pending
    assert on(dt.datetime(2026, 8, 1, tzinfo=UTC)).state == ConsentState.NO_CHOICE
    past = state_for(nhs_number=ALICE, on=dt.datetime(2026, 4, 1, tzinfo=UTC))
    assert past[risk.code].state == ConsentState.OBJECTED


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


def test_projection_rebuild_equals_the_incremental_projection(risk, research):
    object_to(risk)
    choice_record(nhs_number=ALICE, purpose=risk, decision="withdraw-objection", channel="post")
    choice_record(nhs_number=BOB, purpose=research, decision="consent", channel="online")
    capacity_record(nhs_number=BOB, evidence_reference="MCA 1", recorded_by=None)
    identity_verified(nhs_number=ALICE, method="known-to-staff", channel="phone")
    choice_record(nhs_number=ALICE, purpose=research, decision="consent", channel="online")
    incremental = _projection()

    rebuilt_rows = projection_rebuild()

    assert rebuilt_rows == len(incremental)
    assert _projection() == incremental


def test_parent_choices_for_a_child_are_due_for_review_at_13(risk):
    child = object_to(
        risk,
        who=BOB,
        actor="proxy",
        proxy_role="parent",
        date_of_birth=dt.date(2014, 3, 10),
        now=dt.datetime(2026, 1, 5, tzinfo=UTC),
    )
    object_to(risk, date_of_birth=dt.date(1980, 1, 1))  # an adult, for themselves

    def run(*args):
        out = io.StringIO()
        call_command("consent_due_reviews", *args, stdout=out, stderr=io.StringIO())
        return out.getvalue()

    assert run("--on", "2027-03-09") == ""
    listed = run("--on", "2027-03-10")
    assert child.reference in listed
    assert "2027-03-10" in listed
    assert BOB not in listed
    assert BOB in run("--on", "2027-03-10", "--show-nhs-numbers")


def test_nhs_numbers_stay_out_of_logs(risk, caplog):
    caplog.set_level(logging.DEBUG)
    object_to(risk)
    choice_record(nhs_number=ALICE, purpose=risk, decision="withdraw-objection", channel="post")
    identity_verified(nhs_number=ALICE, method="nhs-login", channel="online")

    assert ALICE not in caplog.text


# ---------------------------------------------------------------------------------------------
# PostgreSQL only

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: the trigger and row locks exist only there (DATABASE_URL)",
)


@pytest.mark.postgres
@postgres_only
def test_the_database_refuses_update_and_delete_of_events(risk):
    event = object_to(risk)

    for sql in (
        "UPDATE consent_consentevent SET channel = 'post' WHERE id = %s",
        "DELETE FROM consent_consentevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    assert chain_verify() is None


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_submissions_keep_the_chain_whole():
    from django.db import connections

    purpose = Purpose.objects.get(code="risk-stratification-commissioning")
    people = [nhs_number(410000000 + i * 37) for i in range(200)]

    def submit(who: str) -> str:
        try:
            return choice_record(
                nhs_number=who, purpose=purpose, decision="object", channel="online"
            ).reference
        finally:
            connections.close_all()  # each thread has its own connection

    with ThreadPoolExecutor(max_workers=16) as pool:
        references = list(pool.map(submit, people))

    assert len(set(references)) == 200
    assert ConsentEvent.objects.count() == 200
    assert list(ConsentEvent.objects.values_list("sequence", flat=True)) == list(range(1, 201))
    assert chain_verify() is None
    assert ConsentState.objects.filter(state=ConsentState.OBJECTED).count() == len(set(people))
    incremental = _projection()
    projection_rebuild()
    assert _projection() == incremental
