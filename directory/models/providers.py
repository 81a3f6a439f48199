"""Who may look after an organisation's listings, and how people ask to (ADR 0008).

A membership is the source of truth; each organisation's Wagtail group (page permissions on
the organisation's subtree) follows it, kept in step by `directory.providers`.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

INVITATION_DAYS = 14


class OrganisationMembership(models.Model):
    """A person who looks after an organisation's listings. Admins also invite and remove
    colleagues."""

    organisation = models.ForeignKey(
        "directory.OrganisationPage", on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_memberships"
    )
    is_admin = models.BooleanField(
        default=False, help_text="Can invite colleagues and remove them."
    )
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="unique_membership"),
        ]
        ordering = ["organisation__title", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} at {self.organisation}"


class OrganisationRequest(models.Model):
    """A provider asks to join an organisation, or to register a new one. A moderator decides."""

    JOIN = "join"
    REGISTER = "register"
    KINDS = [(JOIN, "Join an organisation"), (REGISTER, "Register a new organisation")]
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    STATUSES = [(PENDING, "Waiting for a decision"), (APPROVED, "Approved"), (REJECTED, "Rejected")]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_requests"
    )
    kind = models.CharField(max_length=10, choices=KINDS)
    organisation = models.ForeignKey(
        "directory.OrganisationPage",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="requests",
        help_text="The organisation to join; for a registration, the one created on approval.",
    )
    job_title = models.CharField("your role", max_length=120, blank=True)
    message = models.TextField("anything the moderator should know", max_length=1000, blank=True)
    # A new organisation's details (registrations only).
    name = models.CharField(max_length=255, blank=True)
    description = models.TextField(max_length=2000, blank=True)
    website = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    charity_number = models.CharField(max_length=20, blank=True)
    company_number = models.CharField(max_length=20, blank=True)

    status = models.CharField(max_length=10, choices=STATUSES, default=PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        target = self.organisation or self.name
        return f"{self.get_kind_display()}: {target} ({self.user})"


def _invitation_expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=INVITATION_DAYS)


class OrganisationInvitation(models.Model):
    """An organisation admin invites a colleague by email. The emailed link is signed and works
    once, until it expires."""

    organisation = models.ForeignKey(
        "directory.OrganisationPage", on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} to {self.organisation}"


class ModerationPreference(models.Model):
    """How a moderator hears about new submissions: an email each, or one daily digest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderation_preference"
    )
    daily_digest = models.BooleanField(
        default=False, help_text="One email a day listing new submissions, instead of one each."
    )

    def __str__(self) -> str:
        return f"{self.user}: {'daily digest' if self.daily_digest else 'each submission'}"
