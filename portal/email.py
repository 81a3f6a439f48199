"""Email through the task queue: a slow or failing mail server never fails a person's action.

    email_send(to=["someone@example.com"], subject="...", body="...")

`email_send` queues the `email_deliver` task and returns; it never raises because of the queue
or the mail server. The task sends with Django's mail API. When a send fails:

- with the database backend (`TASK_BACKEND=database`, production), the task queues itself again
  with `run_after` set EMAIL_RETRY_DELAY seconds ahead, five times longer after each failure
  (1, 5, 25, 125 minutes by default), for the worker to pick up; after EMAIL_MAX_ATTEMPTS
  failed attempts it gives up.
- with the immediate backend (development, tests), the task runs inside the request and there is
  no worker to run a later retry; waiting in the request would hang the person's page, so the
  first failure gives up at once.

Giving up logs an error and raises EmailNotDelivered, so the queue records the task as failed.

Addresses and message text are personal data: logs carry an id for the email (the same across
its retries), the number of recipients and the exception's class, never an address, a subject,
a body or the exception's message (SMTP errors quote addresses). The queue's rows do hold them
until `prune_db_task_results` deletes finished tasks (a scheduled job, see portal.scheduling).
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import NoReturn

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django_tasks import task

logger = logging.getLogger(__name__)

BACKOFF_FACTOR = 5
SENT = "sent"
RETRY_SCHEDULED = "retry scheduled"


class EmailNotDelivered(Exception):
    """Raised by the task when it gives up; its message names no recipient."""


def email_send(
    *,
    to: list[str],
    subject: str,
    body: str,
    html_body: str | None = None,
    reply_to: list[str] | None = None,
    from_email: str | None = None,
) -> None:
    """Queue an email (plain text, with an optional HTML alternative) for delivery.

    Never raises for a queue or mail failure: the person's action has already succeeded, so a
    failure here is logged and the email is dropped. Passing a string as `to` or `reply_to` is a
    programming error and raises TypeError (Django would send to each character).
    """
    if isinstance(to, str) or isinstance(reply_to, str):
        raise TypeError("to and reply_to must be lists of addresses, not strings")
    email_id = uuid.uuid4().hex[:12]
    try:
        # A savepoint: a failed insert must not break the caller's own transaction.
        with transaction.atomic():
            email_deliver.enqueue(
                email_id=email_id,
                to=list(to),
                subject=subject,
                body=body,
                html_body=html_body,
                reply_to=list(reply_to) if reply_to else None,
                from_email=from_email,
                attempt=1,
            )
    except Exception as exc:
        logger.error(
            "Email %s to %d recipient(s) could not be queued (%s); it will not be sent",
            email_id,
            len(to),
            type(exc).__name__,
        )


def email_message_send(*, message: EmailMessage) -> None:
    """Queue a message that a library built (allauth renders its own), as email_send does.

    Keeps the recipients, subject, text, HTML alternative, sender and reply-to. Copies, blind
    copies, attachments and extra headers are not carried over, so a message that has any is
    refused (ValueError): that is a programming error, not a mail failure.
    """
    if message.cc or message.bcc or message.attachments or message.extra_headers:
        raise ValueError("email_message_send carries no cc, bcc, attachments or extra headers")
    alternatives = getattr(message, "alternatives", [])
    html_body = next((content for content, kind in alternatives if kind == "text/html"), None)
    body = message.body
    if message.content_subtype == "html":  # an HTML-only message: add a plain text part
        html_body, body = body, strip_tags(body)
    email_send(
        to=list(message.to),
        subject=message.subject,
        body=body,
        html_body=html_body,
        reply_to=list(message.reply_to) or None,
        from_email=message.from_email,
    )


def email_retry_delay(*, attempt: int) -> timedelta:
    """How long to wait after failed attempt number `attempt` (1 for the first)."""
    return timedelta(seconds=settings.EMAIL_RETRY_DELAY * BACKOFF_FACTOR ** (attempt - 1))


@task()
def email_deliver(
    *,
    email_id: str,
    to: list[str],
    subject: str,
    body: str,
    html_body: str | None,
    reply_to: list[str] | None,
    from_email: str | None,
    attempt: int,
) -> str:
    """Send one email; on failure queue the next attempt or give up. Returns what happened."""
    message = EmailMultiAlternatives(
        subject=subject, body=body, from_email=from_email, to=to, reply_to=reply_to
    )
    if html_body:
        message.attach_alternative(html_body, "text/html")
    try:
        message.send()
    except Exception as exc:
        reason = type(exc).__name__
    else:
        logger.info("Email %s sent to %d recipient(s), attempt %d", email_id, len(to), attempt)
        return SENT

    max_attempts = settings.EMAIL_MAX_ATTEMPTS
    if attempt >= max_attempts:
        _give_up(email_id, to, attempt, reason, f"no attempts left of {max_attempts}")
    backend = email_deliver.get_backend()
    if not backend.supports_defer:
        _give_up(email_id, to, attempt, reason, f"{type(backend).__name__} cannot retry later")

    delay = email_retry_delay(attempt=attempt)
    try:
        email_deliver.using(run_after=timezone.now() + delay).enqueue(
            email_id=email_id,
            to=to,
            subject=subject,
            body=body,
            html_body=html_body,
            reply_to=reply_to,
            from_email=from_email,
            attempt=attempt + 1,
        )
    except Exception as enqueue_exc:
        why = f"the retry could not be queued ({type(enqueue_exc).__name__})"
        _give_up(email_id, to, attempt, reason, why)
    logger.warning(
        "Email %s to %d recipient(s): attempt %d of %d failed (%s); trying again in %d seconds",
        email_id,
        len(to),
        attempt,
        max_attempts,
        reason,
        delay.total_seconds(),
    )
    return RETRY_SCHEDULED


def _give_up(email_id: str, to: list[str], attempt: int, reason: str, why: str) -> NoReturn:
    logger.error(
        "Email %s to %d recipient(s) not delivered: attempt %d failed (%s) and %s; giving up",
        email_id,
        len(to),
        attempt,
        reason,
        why,
    )
    # `from None`: the mail error's own message (which may quote addresses) stays out of the
    # traceback that the queue logs and stores.
    raise EmailNotDelivered(
        f"Email {email_id} not delivered after {attempt} attempt(s) ({reason})"
    ) from None
