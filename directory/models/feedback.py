"""Listing feedback ("Report a problem with this page") and freshness reminders."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class ListingFeedback(models.Model):
    OUT_OF_DATE = "out-of-date"
    CLOSED = "closed"
    WRONG_CONTACT = "wrong-contact"
    OTHER = "other"
    REASONS = [
        (OUT_OF_DATE, "The information is out of date"),
        (CLOSED, "The service has closed"),
        (WRONG_CONTACT, "The contact details are wrong"),
        (OTHER, "Something else"),
    ]
    NEW = "new"
    ACTIONED = "actioned"
    DISMISSED = "dismissed"
    STATUSES = [(NEW, "New"), (ACTIONED, "Actioned"), (DISMISSED, "Dismissed")]

    service = models.ForeignKey(
        "directory.ServicePage", on_delete=models.CASCADE, related_name="feedback"
    )
    reason = models.CharField(max_length=20, choices=REASONS)
    details = models.TextField(max_length=1200, blank=True)
    email = models.EmailField(blank=True, help_text="Optional, for a reply.")
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=STATUSES, default=NEW)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "listing feedback"

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.service_id})"


class FreshnessReminder(models.Model):
    """A reminder that a listing needs confirming, with its one-click "still correct" link.

    The link carries a signed token naming `token`; it works once (`used_at`) until
    `expires_at`."""

    REMINDER = "reminder"  # 6 months: to the organisation's editors
    ESCALATION = "escalation"  # 12 months: to moderators
    KINDS = [(REMINDER, "Reminder to the provider"), (ESCALATION, "Escalation to moderators")]

    service = models.ForeignKey(
        "directory.ServicePage", on_delete=models.CASCADE, related_name="freshness_reminders"
    )
    kind = models.CharField(max_length=12, choices=KINDS)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    assured_date_when_sent = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.service_id} ({self.sent_at:%Y-%m-%d})"
