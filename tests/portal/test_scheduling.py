"""Scheduled jobs (portal.scheduling): periods, queuing once a period, the worker running them."""

import logging
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from portal import scheduling
from portal.models import ScheduledJobRun

from .tasks import DATABASE_TASKS, run_worker

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# `clearsessions` deletes expired sessions: a real command whose effect a test can see.
JOB = {"name": "clear-sessions", "command": "clearsessions", "at": timedelta(hours=7)}


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def registry(monkeypatch):
    """An empty schedule, so the portal's own jobs stay out of these tests."""
    monkeypatch.setattr(scheduling, "_registry", {})


def expired_session() -> str:
    store = SessionStore()
    store.set_expiry(-60)
    store.create()
    return store.session_key


def exists(session_key: str) -> bool:
    return Session.objects.filter(session_key=session_key).exists()


def test_a_daily_job_at_seven_belongs_to_the_latest_seven_oclock():
    job = scheduling.ScheduledJob(name="j", command="c", at=timedelta(hours=7))

    assert job.period_start(london(2026, 3, 10, 10, 0)) == london(2026, 3, 10, 7, 0)
    assert job.period_start(london(2026, 3, 10, 7, 0)) == london(2026, 3, 10, 7, 0)
    assert job.period_start(london(2026, 3, 10, 6, 59)) == london(2026, 3, 9, 7, 0)


def test_daily_periods_follow_local_time_across_the_clock_change():
    job = scheduling.ScheduledJob(name="j", command="c", at=timedelta(hours=7))

    # British Summer Time: 07:00 in London is 06:00 UTC.
    start = job.period_start(datetime(2026, 7, 1, 6, 30, tzinfo=ZoneInfo("UTC")))

    assert start == london(2026, 7, 1, 7, 0)
    assert start.astimezone(ZoneInfo("UTC")).hour == 6


def test_hourly_periods():
    job = scheduling.ScheduledJob(name="j", command="c", every=timedelta(hours=1))

    assert job.period_start(london(2026, 3, 10, 10, 59)) == london(2026, 3, 10, 10, 0)


@pytest.mark.parametrize(
    ("every", "at"),
    [(timedelta(0), timedelta(0)), (timedelta(hours=1), timedelta(hours=2))],
)
def test_a_job_needs_a_positive_period_and_a_time_within_it(every, at):
    with pytest.raises(ValueError, match="Scheduled job 'j'"):
        scheduling.ScheduledJob(name="j", command="c", every=every, at=at)


def test_registering_the_same_job_twice_is_harmless_but_a_clash_is_refused():
    scheduling.job_register(**JOB)
    scheduling.job_register(**JOB)

    with pytest.raises(ValueError, match="already registered"):
        scheduling.job_register(**{**JOB, "command": "something_else"})
    assert [job.name for job in scheduling.jobs_registered()] == ["clear-sessions"]


def test_a_due_job_is_queued_once_a_period():
    scheduling.job_register(**JOB)
    first = expired_session()

    # The immediate backend runs the job as soon as it is queued.
    assert scheduling.scheduled_jobs_enqueue(now=london(2026, 3, 10, 7, 5)) == ["clear-sessions"]
    assert not exists(first)

    second = expired_session()
    assert scheduling.scheduled_jobs_enqueue(now=london(2026, 3, 10, 18, 0)) == []
    assert scheduling.scheduled_jobs_enqueue(now=london(2026, 3, 11, 6, 59)) == []
    assert exists(second)

    assert scheduling.scheduled_jobs_enqueue(now=london(2026, 3, 11, 7, 0)) == ["clear-sessions"]
    assert not exists(second)
    run = ScheduledJobRun.objects.get(name="clear-sessions")
    assert run.period_start == london(2026, 3, 11, 7, 0)


def test_after_days_without_a_scheduler_a_job_runs_once():
    scheduling.job_register(**JOB)
    scheduling.scheduled_jobs_enqueue(now=london(2026, 3, 1, 8, 0))

    assert scheduling.scheduled_jobs_enqueue(now=london(2026, 3, 10, 8, 0)) == ["clear-sessions"]
    assert scheduling.scheduled_jobs_enqueue(now=london(2026, 3, 10, 8, 5)) == []


def test_a_period_another_scheduler_took_is_not_queued_again():
    scheduling.job_register(**JOB)
    ScheduledJobRun.objects.create(
        name="clear-sessions",
        period_start=london(2026, 3, 10, 7, 0),
        enqueued_at=london(2026, 3, 10, 7, 1),
    )
    session_key = expired_session()

    assert scheduling.scheduled_jobs_enqueue(now=london(2026, 3, 10, 7, 5)) == []
    assert exists(session_key)


def test_a_job_the_queue_refuses_is_tried_again_at_the_next_run(settings, caplog):
    scheduling.job_register(**JOB)
    settings.TASKS = {**DATABASE_TASKS, "default": {**DATABASE_TASKS["default"], "QUEUES": ["x"]}}

    assert scheduling.scheduled_jobs_enqueue(now=london(2026, 3, 10, 7, 5)) == []
    assert "Scheduled job clear-sessions could not be queued (InvalidTaskError)" in caplog.text
    assert not ScheduledJobRun.objects.exists()

    settings.TASKS = DATABASE_TASKS
    assert scheduling.scheduled_jobs_enqueue(now=london(2026, 3, 10, 7, 10)) == ["clear-sessions"]


# The worker reopens database connections, so the test commits (see test_email.py).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_runs_a_queued_job(settings):
    settings.TASKS = DATABASE_TASKS
    scheduling.job_register(**JOB)
    session_key = expired_session()
    output = StringIO()

    call_command("run_scheduled_jobs", stdout=output)

    assert output.getvalue() == "Queued clear-sessions\n"
    assert exists(session_key)  # queued, not yet run
    run_worker()
    assert not exists(session_key)
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    output = StringIO()
    call_command("run_scheduled_jobs", verbosity=2, stdout=output)
    assert output.getvalue() == "0 of 1 scheduled jobs were due.\n"


def test_a_job_removed_from_the_code_is_skipped(caplog):
    caplog.set_level(logging.INFO)

    result = scheduling.scheduled_job_run.enqueue(name="gone")

    assert result.status == "SUCCESSFUL"
    assert "Scheduled job gone is no longer registered; skipped" in caplog.text
