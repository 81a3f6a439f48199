"""The log check itself (tests/log_privacy.py): it must catch what it is there to catch, or a
green suite would prove nothing."""

import logging

import pytest

from consent.models import Purpose
from consent.register import choice_record
from consent.register_models import ConsentEvent
from tests.log_privacy import collector, mask, nhs_numbers_in

VALID = "9434765919"  # passes Modulus 11


@pytest.mark.parametrize(
    "text",
    [
        f"checked {VALID}",
        "checked 943 476 5919",
        "checked 943-476-5919",
        f"id={VALID}.",
        f"task 8c002536-0485-4dfd-9b5c-9feca77a4725 checked {VALID}",
        f"abcdef-{VALID}",  # a hex-looking word does not hide what follows a hyphen
    ],
)
def test_an_nhs_number_however_spaced_is_found(text):
    assert nhs_numbers_in(text) == [VALID]


@pytest.mark.parametrize(
    "text",
    [
        "checked 9434765918",  # wrong check digit: not an NHS number
        f"order 1{VALID}",  # part of a longer number
        "took 1732370000.123 s",  # a timestamp with decimals
        "no digits here",
        # Ten digits inside a task's UUID (002 536 0485 passes Modulus 11): not a number.
        "Task id=8c002536-0485-4dfd-9b5c-9feca77a4725 state=RUNNING",
        "digest a1b2c3d40025360485e9f0",
    ],
)
def test_other_numbers_are_not_taken_for_nhs_numbers(text):
    assert nhs_numbers_in(text) == []


def test_a_logged_nhs_number_is_caught_through_the_real_logging_chain(request):
    logging.getLogger("consent.somewhere").warning("Could not check %s", "943 476 5919")

    findings = collector.take(request.node.nodeid)  # taken, so this test itself passes

    assert len(findings) == 1
    assert findings[0].logger == "consent.somewhere"
    assert VALID not in str(findings[0])
    assert mask(VALID) in str(findings[0])


@pytest.mark.django_db
def test_an_email_of_someone_who_recorded_a_consent_event_is_caught(request, django_user_model):
    staff = django_user_model.objects.create_user("clerk", "Clerk@Example.org", "x")
    choice_record(
        nhs_number=VALID,
        purpose=Purpose.objects.order_by("sort_order").first(),
        decision=ConsentEvent.OBJECT,
        channel="phone",
        recorded_by=staff,
    )
    assert ConsentEvent.objects.filter(recorded_by=staff).exists()

    logging.getLogger("portal.email").error("Could not send to clerk@example.org")
    findings = collector.take(request.node.nodeid)

    assert [finding.logger for finding in findings] == ["portal.email"]
    assert "clerk@example.org" not in str(findings[0])
