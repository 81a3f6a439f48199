"""The generated register for load tests (`manage.py create_synthetic_register`): real,
chained events that the register's own checks accept, test numbers only, and idempotent."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from consent.models import Purpose
from consent.pipeline import use_policy
from consent.register import chain_verify, choice_record, projection_rebuild
from consent.register_models import ConsentEvent, ConsentState
from consent.synthetic import synthetic_nhs_numbers, synthetic_register_create

pytestmark = pytest.mark.django_db


def _states() -> set[tuple]:
    return set(
        ConsentState.objects.values_list(
            "nhs_number", "purpose_id", "state", "last_event_id", "pending_event_id"
        )
    )


def test_synthetic_numbers_are_distinct_valid_test_numbers():
    numbers = synthetic_nhs_numbers(3000, seed=3)
    assert len(set(numbers)) == 3000
    assert all(n.startswith("999") and len(n) == 10 for n in numbers)
    assert numbers == synthetic_nhs_numbers(3000, seed=3)
    assert numbers != synthetic_nhs_numbers(3000, seed=4)


def test_synthetic_events_extend_the_chain_after_existing_choices(monkeypatch):
    purpose = Purpose.objects.get(code="direct-care-sharing")
    before = choice_record(
        nhs_number="9434765919", purpose=purpose, decision="object", channel="online"
    )
    monkeypatch.setattr("consent.synthetic.BATCH", 700)  # several batches, one chain
    created, unchanged = synthetic_register_create(entries=2000, seed=11)

    assert (created, unchanged) == (2000, 0)
    assert ConsentEvent.objects.count() == 2001
    assert ConsentEvent.objects.order_by("sequence").first().pk == before.pk
    assert chain_verify() is None
    # The projection written beside the events is the one the register would rebuild.
    written = _states()
    projection_rebuild()
    assert _states() == written
    assert ConsentState.objects.filter(state=ConsentState.OBJECTED).count() > 1000
    assert ConsentState.objects.filter(state=ConsentState.CONSENTED).exists()


def test_an_ordinary_choice_after_the_synthetic_register_keeps_the_chain_whole():
    synthetic_register_create(entries=300, seed=12)
    choice_record(
        nhs_number="9434765919",
        purpose=Purpose.objects.get(code="research"),
        decision="object",
        channel="online",
    )
    assert chain_verify() is None


def test_the_bulk_check_leaves_out_synthetic_objectors():
    synthetic_register_create(entries=1000, seed=13)
    purpose = Purpose.objects.get(code="risk-stratification-case-finding")
    objectors = set(
        ConsentState.objects.filter(purpose=purpose, state=ConsentState.OBJECTED).values_list(
            "nhs_number", flat=True
        )
    )
    assert objectors
    policy = use_policy(purpose)
    assert not any(policy.allows(n) for n in objectors)


def test_running_again_creates_nothing():
    synthetic_register_create(entries=500, seed=14)
    events = ConsentEvent.objects.count()
    assert synthetic_register_create(entries=500, seed=14) == (0, 500)
    assert ConsentEvent.objects.count() == events
    # Growing the register adds only the new people.
    assert synthetic_register_create(entries=800, seed=14) == (300, 500)
    assert chain_verify() is None


def test_refused_where_test_numbers_are_refused(settings):
    settings.CONSENT_ALLOW_TEST_NHS_NUMBERS = False
    with pytest.raises(CommandError, match="CONSENT_ALLOW_TEST_NHS_NUMBERS"):
        call_command(
            "create_synthetic_register", entries=10, stdout=io.StringIO(), stderr=io.StringIO()
        )
    assert not ConsentEvent.objects.exists()


def test_command_reports_what_it_made():
    out = io.StringIO()
    call_command("create_synthetic_register", entries=50, stdout=out, stderr=io.StringIO())
    assert "50 created, 0 already there" in out.getvalue()
    assert ConsentEvent.objects.filter(nhs_number__startswith="999").count() == 50
