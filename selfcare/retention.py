"""How long the portal keeps sent self-assessments (docs/data-destruction-policy.md).

The council's case system holds the record once a case is worked; the portal's copy is for the
queue. A closed case is deleted, with its notes, activity log and webhook deliveries, once
nothing has happened to it for `SELFCARE_CLOSED_CASE_RETENTION_DAYS` (default 365). Open cases
are never deleted. `manage.py selfcare_apply_retention` runs daily.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Submission

logger = logging.getLogger(__name__)


def closed_case_retention() -> dt.timedelta:
    return dt.timedelta(days=max(int(settings.SELFCARE_CLOSED_CASE_RETENTION_DAYS), 1))


def cases_due_for_deletion(*, now: dt.datetime | None = None):
    cutoff = (now or timezone.now()) - closed_case_retention()
    return Submission.objects.filter(status=Submission.CLOSED, updated_at__lt=cutoff)


def cases_apply_retention(*, now: dt.datetime | None = None, dry_run: bool = False) -> int:
    """Delete closed cases past their retention; returns how many (or would be, dry run)."""
    due = cases_due_for_deletion(now=now)
    if dry_run:
        return due.count()
    with transaction.atomic():
        ids = list(due.values_list("pk", flat=True))
        Submission.objects.filter(pk__in=ids).delete()
    if ids:
        logger.info("Self-care retention: %s closed cases deleted", len(ids))
    return len(ids)
