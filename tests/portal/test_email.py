"""Email through the task queue (portal.email): delivery, retries, giving up, privacy."""

import logging
from datetime import timedelta

import pytest
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from portal.email import (
    RETRY_SCHEDULED,
    SENT,
    email_message_send,
    email_retry_delay,
    email_send,
)

from .tasks import DATABASE_TASKS, FAILING_EMAIL_BACKEND, run_worker

pytestmark = pytest.mark.django_db
# The worker closes and reopens database connections as a long-lived process must; inside a
# test's transaction that would lose the test's data on PostgreSQL, so these tests commit.
# serialized_rollback puts back what migrations created, for the tests that follow.
with_worker = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ADDRESS = "private.person@example.com"


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_TASKS


@pytest.fixture
def failing_mail(settings):
    settings.EMAIL_BACKEND = FAILING_EMAIL_BACKEND


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def send(**overrides):
    email_send(**{"to": [ADDRESS], "subject": "Your list", "body": "Plain text", **overrides})


def make_due(result: DBTaskResult) -> None:
    """Move a deferred retry's run_after into the past, as if the wait had passed."""
    DBTaskResult.objects.filter(pk=result.pk).update(run_after=timezone.now())


def test_email_arrives_at_once_with_the_immediate_backend(mailoutbox):
    send(html_body="<p>HTML</p>", reply_to=["team@council.example"], from_email="a@b.example")

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [ADDRESS]
    assert message.subject == "Your list"
    assert message.body == "Plain text"
    assert message.alternatives[0][0] == "<p>HTML</p>"
    assert message.reply_to == ["team@council.example"]
    assert message.from_email == "a@b.example"
    assert DBTaskResult.objects.count() == 0


@with_worker
def test_database_backend_queues_the_email_until_the_worker_runs(database_tasks, mailoutbox):
    send()

    assert mailoutbox == []
    queued = DBTaskResult.objects.get()
    assert queued.status == "READY"
    assert queued.task_path == "portal.email.email_deliver"

    run_worker()

    assert [message.to for message in mailoutbox] == [[ADDRESS]]
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert queued.return_value == SENT


@with_worker
def test_failed_send_is_retried_later_with_growing_waits(
    database_tasks, failing_mail, settings, mailoutbox, logs
):
    send()
    first = DBTaskResult.objects.get()

    started = timezone.now()
    run_worker()

    first.refresh_from_db()
    assert first.return_value == RETRY_SCHEDULED
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    wait = retry.run_after - started
    assert timedelta(seconds=59) < wait < timedelta(seconds=70)
    assert "attempt 1 of 5 failed (SMTPRecipientsRefused); trying again in 60 seconds" in logs.text

    run_worker()  # not yet due: nothing happens
    assert DBTaskResult.objects.get(pk=retry.pk).status == "READY"

    make_due(retry)
    started = timezone.now()
    run_worker()

    third = DBTaskResult.objects.get(status="READY")
    assert timedelta(seconds=299) < third.run_after - started < timedelta(seconds=310)
    assert third.args_kwargs["kwargs"]["attempt"] == 3

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    make_due(third)
    run_worker()

    assert [message.to for message in mailoutbox] == [[ADDRESS]]
    assert DBTaskResult.objects.get(pk=third.pk).return_value == SENT
    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert ADDRESS not in logs.text


def test_retry_waits_grow_fivefold_from_the_configured_delay(settings):
    assert [email_retry_delay(attempt=n).total_seconds() for n in (1, 2, 3, 4)] == [
        60,
        300,
        1500,
        7500,
    ]
    settings.EMAIL_RETRY_DELAY = 10

    assert email_retry_delay(attempt=2) == timedelta(seconds=50)


@with_worker
def test_gives_up_after_the_last_attempt_and_names_no_recipient(
    database_tasks, failing_mail, settings, mailoutbox, logs
):
    settings.EMAIL_MAX_ATTEMPTS = 2
    send()
    run_worker()
    make_due(DBTaskResult.objects.get(status="READY"))

    run_worker()

    assert mailoutbox == []
    assert not DBTaskResult.objects.filter(status="READY").exists()
    last = DBTaskResult.objects.get(status="FAILED")
    assert last.exception_class_path == "portal.email.EmailNotDelivered"
    assert ADDRESS not in last.traceback  # the SMTP error quoting it stays out
    errors = [r for r in logs.records if r.levelno == logging.ERROR and r.name == "portal.email"]
    assert len(errors) == 1
    assert "attempt 2 failed (SMTPRecipientsRefused)" in errors[0].getMessage()
    assert "giving up" in errors[0].getMessage()
    assert ADDRESS not in logs.text
    assert "Plain text" not in logs.text
    assert "Your list" not in logs.text


def test_immediate_backend_gives_up_at_once_without_raising(failing_mail, mailoutbox, logs):
    send()  # no exception reaches the caller

    assert mailoutbox == []
    errors = [r for r in logs.records if r.levelno == logging.ERROR and r.name == "portal.email"]
    assert len(errors) == 1
    assert "ImmediateBackend cannot retry later; giving up" in errors[0].getMessage()
    assert "trying again" not in logs.text
    assert ADDRESS not in logs.text


def test_a_queue_that_refuses_the_task_does_not_reach_the_caller(settings, mailoutbox, logs):
    settings.TASKS = {**DATABASE_TASKS, "default": {**DATABASE_TASKS["default"], "QUEUES": ["x"]}}

    with transaction.atomic():
        send()
        # The caller's own transaction is still usable.
        assert DBTaskResult.objects.count() == 0

    assert mailoutbox == []
    assert "could not be queued (InvalidTaskError); it will not be sent" in logs.text
    assert ADDRESS not in logs.text


def test_a_string_address_is_a_programming_error():
    with pytest.raises(TypeError):
        email_send(to=ADDRESS, subject="s", body="b")


def test_a_built_message_keeps_its_text_html_sender_and_reply_to(mailoutbox):
    message = EmailMultiAlternatives(
        "Subject", "Text", "from@council.example", [ADDRESS], reply_to=["help@council.example"]
    )
    message.attach_alternative("<p>HTML</p>", "text/html")

    email_message_send(message=message)

    sent = mailoutbox[0]
    assert (sent.subject, sent.body, sent.from_email) == ("Subject", "Text", "from@council.example")
    assert sent.to == [ADDRESS]
    assert sent.reply_to == ["help@council.example"]
    assert sent.alternatives[0][0] == "<p>HTML</p>"


def test_an_html_only_message_gains_a_plain_text_part(mailoutbox):
    message = EmailMessage("Subject", "<p>Hello <b>there</b></p>", to=[ADDRESS])
    message.content_subtype = "html"

    email_message_send(message=message)

    assert mailoutbox[0].body == "Hello there"
    assert mailoutbox[0].alternatives[0][0] == "<p>Hello <b>there</b></p>"


def test_a_built_message_with_copies_is_refused(mailoutbox):
    with pytest.raises(ValueError, match="no cc, bcc"):
        email_message_send(message=EmailMessage("S", "B", to=[ADDRESS], cc=["x@example.com"]))
    assert mailoutbox == []
