"""Listing feedback: "Report a problem with this page" (issue 4).

Anyone may report a problem with a service's page, without signing in. The report goes by
email to the organisation's editors and to the directory's moderators, who set its status
(new, actioned, dismissed). Providers see and decide only their own organisations' reports;
moderators see all of them. Every status decision is in Wagtail's audit log.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import Page

from portal.email import email_send

from .models import ListingFeedback, OrganisationPage, ServicePage
from .providers import (
    moderator_emails,
    organisation_editor_emails,
    organisation_of_service,
    organisations_of,
    user_is_moderator,
)

STATUS_ACTION = "directory.feedback.status"
REASONS = dict(ListingFeedback.REASONS)
STATUSES = dict(ListingFeedback.STATUSES)


def _portal_url(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def feedback_submit(
    *, service: ServicePage, reason: str, details: str = "", email: str = ""
) -> ListingFeedback:
    """Record a report about a live service's page and email it to the organisation's editors
    and to moderators. The reporter's address, if given, is the emails' reply-to."""
    if reason not in REASONS:
        raise ValueError(f"Unknown reason {reason!r}")
    if not service.live:
        raise ValueError("Problems can only be reported with published services")
    organisation = organisation_of_service(service=service)
    with transaction.atomic():
        feedback = ListingFeedback.objects.create(
            service=service, reason=reason, details=details.strip(), email=email.strip()
        )
        _feedback_emails(feedback=feedback, organisation=organisation)
    return feedback


def _feedback_emails(*, feedback: ListingFeedback, organisation: OrganisationPage) -> None:
    service = feedback.service
    parts = service.get_url_parts()
    context = {
        "feedback": feedback,
        "service": service,
        "organisation": organisation,
        "page_url": _portal_url(parts[2]) if parts else "",
        "feedback_url": _portal_url(reverse("directory_feedback_detail", args=[feedback.pk])),
    }
    subject = f"Problem reported: {service.title}"
    reply_to = [feedback.email] if feedback.email else None
    editors = organisation_editor_emails(organisation=organisation)
    # Two emails, so editors and moderators do not see each other's addresses.
    if editors:
        email_send(
            to=editors,
            subject=subject,
            body=render_to_string(
                "directory/emails/feedback_received.txt", {**context, "for_editors": True}
            ),
            reply_to=reply_to,
        )
    moderators = [address for address in moderator_emails() if address not in editors]
    if moderators:
        email_send(
            to=moderators,
            subject=subject,
            body=render_to_string(
                "directory/emails/feedback_received.txt",
                {**context, "for_editors": False, "has_editors": bool(editors)},
            ),
            reply_to=reply_to,
        )


# --- Who sees what ----------------------------------------------------------------------------


def feedback_visible_to(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[ListingFeedback]:
    """Moderators see every report; providers see reports about their organisations' services;
    everyone else sees none."""
    feedback = ListingFeedback.objects.select_related("service", "status_changed_by")
    if not user.is_authenticated:
        return feedback.none()
    if user_is_moderator(user):
        return feedback
    paths = list(organisations_of(user=user).values_list("path", flat=True))
    if not paths:
        return feedback.none()
    under = Q()
    for path in paths:
        under |= Q(service__path__startswith=path, service__depth=len(path) // Page.steplen + 1)
    return feedback.filter(under)


def user_can_see_feedback_pages(*, user: AbstractBaseUser | AnonymousUser) -> bool:
    """Moderators, and providers who belong to at least one organisation."""
    return user.is_authenticated and (
        user_is_moderator(user) or organisations_of(user=user).exists()
    )


def feedback_status_counts(*, feedback: QuerySet[ListingFeedback]) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for row in feedback.order_by().values("status").annotate(count=Count("pk")):
        counts[row["status"]] = row["count"]
    return counts


def feedback_set_status(
    *, feedback: ListingFeedback, status: str, user: AbstractBaseUser
) -> ListingFeedback:
    """Set a report's status, as one of the organisation's providers or a moderator (anyone
    else gets PermissionDenied). A change is recorded in the audit log with who and when."""
    if status not in STATUSES:
        raise ValueError(f"Unknown status {status!r}")
    if not feedback_visible_to(user=user).filter(pk=feedback.pk).exists():
        raise PermissionDenied("You cannot change this report")
    previous = feedback.status
    if previous == status:
        return feedback
    with transaction.atomic():
        feedback.status = status
        feedback.status_changed_at = timezone.now()
        feedback.status_changed_by = user
        feedback.save(update_fields=["status", "status_changed_at", "status_changed_by"])
        log(
            instance=feedback,
            action=STATUS_ACTION,
            user=user,
            data={
                "from": previous,
                "to": status,
                "service": feedback.service.title,
                "service_id": feedback.service_id,
            },
        )
    return feedback
