"""Scheduled jobs: management commands queued once a period by `manage.py run_scheduled_jobs`.

Apps register their jobs when they load (in `AppConfig.ready`):

    job_register(name="remind-stale-listings", command="remind_stale_listings",
                 every=timedelta(days=1), at=timedelta(hours=7))

A cron entry or the compose file's `scheduler` service runs `manage.py run_scheduled_jobs`
every few minutes. Time is cut into periods of `every`, starting `at` after local midnight
(Europe/London, so a daily 07:00 job stays at 07:00 across the clock changes). Each job is
queued once per period, at the first run in it: the task queue's worker then runs the command.
A new job is queued at the first run after it is registered. After the scheduler has been down
for several periods a job runs once, not once for each period missed. Two schedulers at once
queue a job only once (see ScheduledJobRun).

Jobs get no retries of their own: a command that fails is logged by the queue and runs again in
the next period, so commands must be safe to run again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from .models import ScheduledJobRun

logger = logging.getLogger(__name__)

# Periods count from a Monday's local midnight, so weekly jobs start on Mondays.
EPOCH = datetime(2000, 1, 3)


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    command: str
    args: tuple[str, ...] = ()
    every: timedelta = timedelta(days=1)
    at: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        if self.every <= timedelta(0):
            raise ValueError(f"Scheduled job {self.name!r}: every must be positive")
        if not timedelta(0) <= self.at < self.every:
            raise ValueError(f"Scheduled job {self.name!r}: at must be within one period")

    def period_start(self, now: datetime) -> datetime:
        """The start of the period that `now` falls in, as an aware datetime."""
        local = timezone.localtime(now).replace(tzinfo=None)
        periods = (local - EPOCH - self.at) // self.every
        return timezone.make_aware(EPOCH + self.at + periods * self.every)


_registry: dict[str, ScheduledJob] = {}


def job_register(
    *,
    name: str,
    command: str,
    args: tuple[str, ...] = (),
    every: timedelta = timedelta(days=1),
    at: timedelta = timedelta(0),
) -> ScheduledJob:
    """Add a job to the schedule. Registering the same job again changes nothing."""
    job = ScheduledJob(name=name, command=command, args=tuple(args), every=every, at=at)
    if _registry.get(name, job) != job:
        raise ValueError(f"A different scheduled job is already registered as {name!r}")
    _registry[name] = job
    return job


def jobs_registered() -> list[ScheduledJob]:
    return sorted(_registry.values(), key=lambda job: job.name)


def scheduled_jobs_enqueue(*, now: datetime | None = None) -> list[str]:
    """Queue every job whose current period has not been queued yet; returns their names."""
    now = now or timezone.now()
    queued = []
    for job in jobs_registered():
        period_start = job.period_start(now)
        if not _claim(name=job.name, period_start=period_start, now=now):
            continue
        try:
            scheduled_job_run.enqueue(name=job.name)
        except Exception as exc:
            # Give the period back, so the next run tries again.
            ScheduledJobRun.objects.filter(name=job.name, period_start=period_start).delete()
            logger.error("Scheduled job %s could not be queued (%s)", job.name, type(exc).__name__)
            continue
        queued.append(job.name)
    return queued


def _claim(*, name: str, period_start: datetime, now: datetime) -> bool:
    """Take the period for this run; False when it was already taken (by any scheduler)."""
    claimed = ScheduledJobRun.objects.filter(name=name, period_start__lt=period_start).update(
        period_start=period_start, enqueued_at=now
    )
    if claimed:
        return True
    try:
        with transaction.atomic():
            ScheduledJobRun.objects.create(name=name, period_start=period_start, enqueued_at=now)
    except IntegrityError:  # the row exists, so this period was already taken
        return False
    return True


@task()
def scheduled_job_run(*, name: str) -> None:
    """Run one registered job's command (on the task worker)."""
    job = _registry.get(name)
    if job is None:  # removed from the code since it was queued
        logger.warning("Scheduled job %s is no longer registered; skipped", name)
        return
    logger.info("Scheduled job %s: running %s", name, job.command)
    call_command(job.command, *job.args)
