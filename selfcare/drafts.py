"""Save and return (issue 6): a signed-in person's self-assessment follows them to another
device. Progress always lives in the session (selfcare.journey); for a signed-in person each
saved page is also written to a SavedDraft, which is loaded into a session that has nothing
newer. Wellbeing checks are never saved: they are anonymous.

Drafts expire 60 days after the last save; `manage.py selfcare_expire_drafts` (a daily
scheduled job) emails a reminder 7 days before and deletes expired drafts.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from portal.email import email_send

from . import journey
from .engine import Definition
from .models import DRAFT_LIFETIME, DRAFT_REMINDER_BEFORE, SavedDraft

logger = logging.getLogger(__name__)


def drafts_apply(definition: Definition) -> bool:
    """Only self-assessments that are sent to the council are saved for later."""
    return definition.kind == "self-assessment" and definition.submission is not None


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def draft_save(*, user, session: SessionBase, definition: Definition) -> SavedDraft | None:
    """Copy this session's progress to the person's saved draft (when signed in)."""
    if not (_signed_in(user) and drafts_apply(definition)):
        return None
    now = timezone.now()
    answers, saved_pages = journey.journey_progress(session=session, definition=definition)
    draft, _created = SavedDraft.objects.update_or_create(
        user=user,
        definition_slug=definition.slug,
        defaults={
            "definition_version": definition.version,
            "answers": answers,
            "saved_pages": saved_pages,
            "updated_at": now,
            "expires_at": now + DRAFT_LIFETIME,
            "reminder_sent_at": None,
        },
    )
    journey.journey_touch(session=session, definition=definition, when=now.isoformat())
    return draft


def draft_get(*, user, definition: Definition) -> SavedDraft | None:
    if not (_signed_in(user) and drafts_apply(definition)):
        return None
    return SavedDraft.objects.filter(
        user=user, definition_slug=definition.slug, expires_at__gt=timezone.now()
    ).first()


def draft_restore(*, user, session: SessionBase, definition: Definition) -> SavedDraft | None:
    """Load the person's saved draft into this session when it is newer than what the
    session holds (or the session holds nothing, or was already sent). Returns the draft."""
    draft = draft_get(user=user, definition=definition)
    if draft is None:
        return None
    if journey.journey_submitted(session=session, definition=definition):
        return None  # sent from this browser: any draft is stale
    saved_at = journey.journey_saved_at(session=session, definition=definition)
    started = journey.journey_started(session=session, definition=definition)
    newer = not saved_at or dt.datetime.fromisoformat(saved_at) < draft.updated_at
    if not started or newer:
        journey.journey_load(
            session=session,
            definition=definition,
            version=draft.definition_version,
            answers=draft.answers,
            saved_pages=draft.saved_pages,
            saved_at=draft.updated_at.isoformat(),
        )
    return draft


def draft_delete(*, user, definition: Definition) -> None:
    if _signed_in(user):
        SavedDraft.objects.filter(user=user, definition_slug=definition.slug).delete()


def _start_url(slug: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("selfcare:start", args=[slug])


def drafts_expire(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Send the 7-day reminders and delete expired drafts. Returns (reminded, deleted). Safe
    to run again: a reminder is claimed by setting reminder_sent_at before it is sent."""
    from .catalogue import offered_get

    now = now or timezone.now()
    deleted, _ = SavedDraft.objects.filter(expires_at__lte=now).delete()
    reminded = 0
    due = SavedDraft.objects.filter(
        expires_at__gt=now,
        expires_at__lte=now + DRAFT_REMINDER_BEFORE,
        reminder_sent_at__isnull=True,
    ).select_related("user")
    for draft in due.iterator():
        with transaction.atomic():
            claimed = SavedDraft.objects.filter(pk=draft.pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            )
        if not claimed or not draft.user.email:
            continue
        offered = offered_get(draft.definition_slug)
        title = offered.definition.title if offered else "self-assessment"
        email_send(
            to=[draft.user.email],
            subject=f"Your saved {title.lower()} will be deleted on "
            f"{timezone.localtime(draft.expires_at):%-d %B %Y}",
            body="\n".join(
                [
                    f"You started a {title.lower()} and saved your answers.",
                    "",
                    "We will delete your saved answers on "
                    f"{timezone.localtime(draft.expires_at):%-d %B %Y} unless you carry on "
                    "before then. Saving any answer keeps them for another 60 days.",
                    "",
                    "Carry on where you left off (sign in first): "
                    + _start_url(draft.definition_slug),
                    "",
                    "If you do not want to carry on, you do not need to do anything.",
                ]
            ),
        )
        reminded += 1
    if reminded or deleted:
        logger.info("Self-care drafts: %s reminded, %s deleted", reminded, deleted)
    return reminded, deleted
