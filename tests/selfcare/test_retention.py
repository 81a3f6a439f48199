"""Closed self-assessment cases are deleted after the retention period; open ones never."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from selfcare.models import CaseActivity, Submission, SubmissionNote

from .test_staff_queue import make_submission

pytestmark = pytest.mark.django_db


def _age(submission: Submission, days: int) -> None:
    Submission.objects.filter(pk=submission.pk).update(
        updated_at=timezone.now() - dt.timedelta(days=days)
    )


def test_closed_cases_go_after_a_year_with_their_notes_and_log(settings):
    settings.SELFCARE_CLOSED_CASE_RETENTION_DAYS = 365
    old_closed = make_submission(status=Submission.CLOSED)
    SubmissionNote.objects.create(submission=old_closed, text="Called back")
    CaseActivity.objects.create(submission=old_closed, action=CaseActivity.VIEWED)
    recent_closed = make_submission(status=Submission.CLOSED)
    old_open = make_submission(status=Submission.IN_PROGRESS)
    _age(old_closed, 366)
    _age(recent_closed, 300)
    _age(old_open, 900)

    out = StringIO()
    call_command("selfcare_apply_retention", "--dry-run", stdout=out)
    assert "1 closed cases older than 365 days would be deleted" in out.getvalue()
    assert Submission.objects.count() == 3

    call_command("selfcare_apply_retention", stdout=StringIO())
    assert set(Submission.objects.values_list("pk", flat=True)) == {recent_closed.pk, old_open.pk}
    assert not SubmissionNote.objects.exists()
    assert not CaseActivity.objects.filter(submission_id=old_closed.pk).exists()


def test_retention_runs_daily_from_the_scheduler():
    from portal.scheduling import jobs_registered

    job = next(job for job in jobs_registered() if job.name == "selfcare-apply-retention")
    assert job.command == "selfcare_apply_retention"
    assert job.every == dt.timedelta(days=1)
