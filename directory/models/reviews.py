"""Ratings and reviews by residents, pre-moderated like the NHS website's (ADR 0009)."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

REVIEW_MAX_CHARACTERS = 1000
REVIEW_LIFETIME_DAYS = 730  # unpublished 2 years after the experience


class Review(models.Model):
    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"
    HELD = "held"  # reported, or a safeguarding concern: hidden until a moderator decides
    EXPIRED = "expired"
    STATUSES = [
        (PENDING, "Waiting for moderation"),
        (PUBLISHED, "Published"),
        (REJECTED, "Rejected"),
        (HELD, "Held"),
        (EXPIRED, "Expired"),
    ]
    IDENTIFIES_PERSON = "identifies-person"
    COMPLAINT = "complaint"
    SAFEGUARDING = "safeguarding"
    NOT_ABOUT_SERVICE = "not-about-service"
    OFFENSIVE = "offensive"
    REJECT_REASONS = [
        (IDENTIFIES_PERSON, "It identifies a person"),
        (COMPLAINT, "It is a complaint"),
        (SAFEGUARDING, "It raises a safeguarding concern"),
        (NOT_ABOUT_SERVICE, "It is not about this service"),
        (OFFENSIVE, "It is offensive"),
    ]

    service = models.ForeignKey(
        "directory.ServicePage", on_delete=models.CASCADE, related_name="reviews"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews"
    )
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    text = models.TextField(max_length=REVIEW_MAX_CHARACTERS)
    experienced_on = models.DateField(
        help_text="When the experience happened (the first of the month given)."
    )
    confirmed_own_experience = models.BooleanField(default=False)
    flags = models.JSONField(
        default=list, blank=True, help_text="What automatic screening noticed, for moderators."
    )

    status = models.CharField(max_length=10, choices=STATUSES, default=PENDING)
    submitted_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reject_reason = models.CharField(max_length=20, choices=REJECT_REASONS, blank=True)
    moderator_note = models.TextField(blank=True)
    safeguarding_escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["service", "status"], name="review_service_status")]

    def __str__(self) -> str:
        return f"{self.rating} stars for {self.service_id} by {self.author_id}"

    @property
    def expires_on(self) -> datetime.date:
        return self.experienced_on + datetime.timedelta(days=REVIEW_LIFETIME_DAYS)


class ReviewReply(models.Model):
    """The provider's one reply to a review, moderated like the review."""

    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"
    STATUSES = [
        (PENDING, "Waiting for moderation"),
        (PUBLISHED, "Published"),
        (REJECTED, "Rejected"),
    ]

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="reply")
    organisation = models.ForeignKey(
        "directory.OrganisationPage", on_delete=models.CASCADE, related_name="review_replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(max_length=REVIEW_MAX_CHARACTERS)
    status = models.CharField(max_length=10, choices=STATUSES, default=PENDING)
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderator_comment = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Reply to review {self.review_id}"


class ReviewReport(models.Model):
    """Anyone can report a published review; it is hidden until a moderator decides."""

    OPEN = "open"
    UPHELD = "upheld"  # the review stays hidden (rejected)
    DISMISSED = "dismissed"  # the review is published again
    STATUSES = [(OPEN, "Open"), (UPHELD, "Upheld"), (DISMISSED, "Dismissed")]

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(max_length=20, choices=Review.REJECT_REASONS)
    details = models.TextField(max_length=1000, blank=True)
    email = models.EmailField(blank=True, help_text="Optional, for a reply.")
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=STATUSES, default=OPEN)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Report on review {self.review_id}: {self.reason}"


class ScreeningWord(models.Model):
    """A word or phrase that flags a review or reply for a moderator's attention."""

    word = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["word"]

    def __str__(self) -> str:
        return self.word
