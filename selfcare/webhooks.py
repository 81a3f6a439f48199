"""Sending each submitted self-assessment to the council's case system (docs/selfcare-webhook.md).

    webhook_queue_for(submission=submission)   # inside submission_create's transaction

When SELFCARE_WEBHOOK_URL is set, a WebhookDelivery keeps the exact JSON body, so every retry
sends the same bytes. After the transaction commits, the `webhook_deliver` task makes the first
attempt: an HTTPS POST signed with HMAC-SHA256 (`X-Selfcare-Signature`). A 2xx answer is the
acknowledgement; anything else (another status, a timeout, a refused connection) is logged as a
WebhookAttempt and tried again later, 4 times longer after each failure (1, 4, 16, 64 minutes...
by default, never more than 6 hours apart), until SELFCARE_WEBHOOK_MAX_ATTEMPTS have failed.

Who makes the later attempts:
- `manage.py selfcare_webhook_retry`, scheduled every 5 minutes, attempts every delivery that
  is due. It is the safety net for every backend (a worker that was down, a queue insert that
  failed) and the only retry on the immediate backend (development, tests), where waiting
  inside the person's request is not an option.
- with the database backend, the task also queues itself again with `run_after` at the next
  attempt's time, so a retry does not wait for the next 5-minute run.

Both may reach the same delivery at once, so an attempt first claims it with a conditional
UPDATE (only a pending delivery whose next attempt is due, moving that time past the attempt's
timeout). Only the claimant sends: two workers never send the same delivery at the same time.

The body is personal data. It goes only to the configured URL: logs carry the delivery id and
the case reference; an attempt records the status code or the error's class and a short
network message, never the body or the answer's content.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .models import Submission, WebhookAttempt, WebhookDelivery

logger = logging.getLogger(__name__)

EVENT_SUBMISSION_CREATED = "submission.created"
BACKOFF_FACTOR = 4
BACKOFF_CAP = timedelta(hours=6)
USER_AGENT = "council-portal-selfcare-webhook/1"
# A claim holds a delivery for the timeout plus this, so a crashed attempt is tried again later.
CLAIM_MARGIN = timedelta(seconds=60)

DELIVERED = "delivered"
RETRY_SCHEDULED = "retry scheduled"
GAVE_UP = "gave up"
NOT_DUE = "not due"

# The payload's documented top-level fields (docs/selfcare-webhook.md); nothing else is sent.
PAYLOAD_FIELDS = (
    "event",
    "id",
    "reference",
    "submitted_at",
    "definition",
    "urgent",
    "urgent_reasons",
    "contact",
    "completed_by_proxy",
    "consent_to_share",
    "outcome",
    "answers",
    "summary",
)


def webhook_payload(submission: Submission, *, delivery_id: int | str = "") -> dict[str, Any]:
    """What the case system receives for a new submission. `id` is the delivery's id, the same
    on every retry, so the receiver can ignore a repeat it has already stored."""
    return {
        "event": EVENT_SUBMISSION_CREATED,
        "id": str(delivery_id),
        "reference": submission.reference,
        "submitted_at": submission.submitted_at.isoformat(),
        "definition": {
            "slug": submission.definition_slug,
            "title": submission.definition_title,
            "version": submission.definition_version,
            "scoring_version": submission.scoring_version,
        },
        "urgent": submission.urgent,
        "urgent_reasons": list(submission.urgent_reasons),
        "contact": {
            "name": submission.contact_name,
            "email": submission.contact_email,
            "phone": submission.contact_phone,
        },
        "completed_by_proxy": submission.completed_by_proxy,
        "consent_to_share": list(submission.consent_to_share),
        "outcome": submission.outcome,
        "answers": submission.answers,
        "summary": submission.summary,
    }


def webhook_body(payload: dict[str, Any]) -> str:
    """Compact JSON with sorted keys: the stored, sent and signed text."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>", as the X-Selfcare-Signature header carries it."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def webhook_retry_delay(*, attempt: int) -> timedelta:
    """How long to wait after failed attempt number `attempt` (1 for the first)."""
    delay = timedelta(seconds=settings.SELFCARE_WEBHOOK_RETRY_DELAY)
    # Compare before multiplying: 4**attempt grows past what timedelta can hold.
    for _ in range(attempt - 1):
        delay *= BACKOFF_FACTOR
        if delay >= BACKOFF_CAP:
            return BACKOFF_CAP
    return min(delay, BACKOFF_CAP)


def webhook_queue_for(*, submission: Submission) -> None:
    """Keep the submission's body for the case system and, once the caller's transaction
    commits, queue its first attempt. Does nothing while no URL is configured. Never raises:
    the person's submission is recorded whatever happens here, and the retry command picks up
    a delivery whose task could not be queued."""
    url = settings.SELFCARE_WEBHOOK_URL
    if not url:
        return
    try:
        # A savepoint: a failed insert must not break submission_create's transaction.
        with transaction.atomic():
            delivery = WebhookDelivery.objects.create(
                submission=submission,
                event=EVENT_SUBMISSION_CREATED,
                url=url,
                body="",
                next_attempt_at=timezone.now(),
            )
            delivery.body = webhook_body(webhook_payload(submission, delivery_id=delivery.pk))
            delivery.save(update_fields=["body"])
    except Exception as exc:
        logger.error(
            "Case system delivery for %s could not be recorded (%s); it will not be sent",
            submission.reference,
            type(exc).__name__,
        )
        return
    delivery_id = delivery.pk
    transaction.on_commit(lambda: _enqueue(delivery_id))


def _enqueue(delivery_id: int, *, run_after=None) -> None:
    try:
        deliver = webhook_deliver.using(run_after=run_after) if run_after else webhook_deliver
        deliver.enqueue(delivery_id=delivery_id)
    except Exception as exc:
        logger.warning(
            "Case system delivery %s could not be queued (%s); the retry command will send it",
            delivery_id,
            type(exc).__name__,
        )


@task()
def webhook_deliver(delivery_id: int) -> str:
    """One attempt at a delivery (on the worker, or inside the request on the immediate
    backend). With a backend that can defer, a failure queues the next attempt at its time."""
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None:  # deleted since (retention)
        return NOT_DUE
    result = _attempt(delivery)
    if result == RETRY_SCHEDULED and webhook_deliver.get_backend().supports_defer:
        _enqueue(delivery.pk, run_after=delivery.next_attempt_at)
    return result


def webhook_attempt(*, delivery: WebhookDelivery) -> bool:
    """Send a pending delivery whose next attempt is due; True once it is acknowledged.

    Does nothing (False) when the delivery is not pending, not due yet, or claimed by another
    process at this moment. `delivery` is refreshed with the result."""
    return _attempt(delivery) == DELIVERED


def webhook_retry_due(*, now=None, limit: int = 500) -> dict[str, int]:
    """Attempt every pending delivery that is due, oldest first (the retry command). Safe to
    run in several processes at once: each delivery is claimed before it is sent."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.PENDING, next_attempt_at__lte=now
        ).order_by("created_at", "pk")[:limit]
    )
    counts = {DELIVERED: 0, RETRY_SCHEDULED: 0, GAVE_UP: 0, NOT_DUE: 0}
    for delivery in due:
        counts[_attempt(delivery)] += 1
    return counts


def webhook_retry_now(*, delivery: WebhookDelivery) -> bool:
    """Make a pending or given-up delivery due at once (the admin's "Retry now"). A delivery
    that gave up gets one more attempt. False for one already delivered."""
    updated = WebhookDelivery.objects.filter(
        pk=delivery.pk, status__in=[WebhookDelivery.PENDING, WebhookDelivery.FAILED]
    ).update(status=WebhookDelivery.PENDING, next_attempt_at=timezone.now())
    delivery.refresh_from_db()
    return bool(updated)


def _claim(delivery: WebhookDelivery) -> bool:
    now = timezone.now()
    lease = timedelta(seconds=settings.SELFCARE_WEBHOOK_TIMEOUT) + CLAIM_MARGIN
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery.pk, status=WebhookDelivery.PENDING, next_attempt_at__lte=now
        ).update(next_attempt_at=now + lease)
    )


def _attempt(delivery: WebhookDelivery) -> str:
    if not _claim(delivery):
        delivery.refresh_from_db()
        return NOT_DUE
    delivery.refresh_from_db()
    status_code, error, duration_ms = _post(delivery)
    acknowledged = status_code is not None and 200 <= status_code < 300
    now = timezone.now()
    WebhookAttempt.objects.create(
        delivery=delivery, status_code=status_code, error=error, duration_ms=duration_ms
    )
    delivery.attempts += 1
    if acknowledged:
        delivery.status = WebhookDelivery.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
        result = DELIVERED
        logger.info(
            "Case system delivery %s (%s) acknowledged on attempt %d",
            delivery.pk,
            delivery.submission.reference,
            delivery.attempts,
        )
    elif delivery.attempts >= settings.SELFCARE_WEBHOOK_MAX_ATTEMPTS:
        delivery.status = WebhookDelivery.FAILED
        delivery.next_attempt_at = None
        result = GAVE_UP
        logger.error(
            "Case system delivery %s (%s) not delivered after %d attempts (last: %s); giving up",
            delivery.pk,
            delivery.submission.reference,
            delivery.attempts,
            status_code or error,
        )
    else:
        delivery.next_attempt_at = now + webhook_retry_delay(attempt=delivery.attempts)
        result = RETRY_SCHEDULED
        logger.warning(
            "Case system delivery %s (%s): attempt %d failed (%s); next at %s",
            delivery.pk,
            delivery.submission.reference,
            delivery.attempts,
            status_code or error,
            delivery.next_attempt_at.isoformat(),
        )
    delivery.save(update_fields=["status", "attempts", "next_attempt_at", "delivered_at"])
    return result


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is not an acknowledgement, and following one would resend personal data
    somewhere else (urllib would also turn the POST into a GET)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _post(delivery: WebhookDelivery) -> tuple[int | None, str, int]:
    """POST the stored body once: (status code or None, error or "", duration in ms)."""
    body = delivery.body.encode()
    timestamp = int(timezone.now().timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Selfcare-Delivery": str(delivery.pk),
        "X-Selfcare-Timestamp": str(timestamp),
    }
    if settings.SELFCARE_WEBHOOK_SECRET:
        headers["X-Selfcare-Signature"] = webhook_signature(
            secret=settings.SELFCARE_WEBHOOK_SECRET, timestamp=timestamp, body=body
        )
    request = urllib.request.Request(delivery.url, data=body, headers=headers, method="POST")
    started = time.monotonic()
    status_code: int | None = None
    error = ""
    try:
        with _opener.open(request, timeout=settings.SELFCARE_WEBHOOK_TIMEOUT) as response:
            status_code = response.status
            response.read(65536)  # drained, never stored: the answer may echo the body
    except urllib.error.HTTPError as exc:
        status_code = exc.code
        exc.close()
    except Exception as exc:
        error = _error_text(exc)
    duration_ms = int((time.monotonic() - started) * 1000)
    return status_code, error, duration_ms


def _error_text(exc: Exception) -> str:
    """The error's class and the operating system's short message ("Connection refused",
    "timed out"): never str() of an arbitrary exception, which could quote what was sent."""
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, OSError) and reason.strerror:
        text = f"{type(reason).__name__}: {reason.strerror}"
    elif isinstance(reason, TimeoutError):
        text = f"{type(reason).__name__}: timed out"
    else:
        text = type(reason).__name__ if isinstance(reason, BaseException) else type(exc).__name__
    return text[:200]
