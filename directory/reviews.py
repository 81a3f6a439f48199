"""Ratings and reviews: writing, screening, moderating, replying, reporting and expiry.

Writes are services (`review_submit`, `review_approve`...), reads are selectors
(`service_rating_summary`, `reviews_published`...); the views in `directory.views.reviews` and
`directory.views.review_moderation` only translate requests. The rules (issue 4):

- Anyone signed in with a verified email address may review a service, except members of the
  organisation that runs it; one review per person per service in any 12 months.
- Nothing is public until a moderator approves it. Automatic screening (directory.screening)
  flags text for the moderator but never blocks it.
- A review is shown only while its experience is less than 2 years old; `reviews_expire`
  (the daily `expire_reviews` job) then marks it expired.
- Anyone may report a published review: it is held, hidden, until a moderator upholds the
  report (the review is rejected) or dismisses it (the review is published again).
- A member of the service's organisation may reply once to a published review; replies are
  moderated too.

Every decision is written to Wagtail's audit log (Reports → Site history) with who, when and
why, and `service_ratings_changed` is sent whenever a review starts or stops being public.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings as django_settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import Site

from portal.email import email_send
from portal.models import SiteSettings

from . import providers
from .models import (
    OrganisationPage,
    Review,
    ReviewReply,
    ReviewReport,
    ScreeningWord,
    ServicePage,
)
from .models.reviews import REVIEW_LIFETIME_DAYS, REVIEW_MAX_CHARACTERS
from .screening import text_screen
from .signals import service_ratings_changed

logger = logging.getLogger(__name__)

REVIEW_INTERVAL_DAYS = 365  # one review per person per service in any 12 months
STARS = (5, 4, 3, 2, 1)

# Audit log actions (labels and messages are registered in directory.wagtail_hooks).
ACTION_APPROVE = "directory.review.approve"
ACTION_REJECT = "directory.review.reject"
ACTION_REPORT = "directory.review.report"
ACTION_REPORT_UPHOLD = "directory.review.report_uphold"
ACTION_REPORT_DISMISS = "directory.review.report_dismiss"
ACTION_EXPIRE = "directory.review.expire"
ACTION_REPLY_APPROVE = "directory.review_reply.approve"
ACTION_REPLY_REJECT = "directory.review_reply.reject"


class ReviewStateError(Exception):
    """The review or reply is not in a state that allows this (already decided, not public)."""


@dataclass(frozen=True)
class ReviewRefusal:
    """Why someone cannot review a service now. `code` is one of the constants below."""

    SIGN_IN = "sign-in"
    VERIFY_EMAIL = "verify-email"
    MEMBER = "member"
    ALREADY_REVIEWED = "already-reviewed"

    code: str
    reviewed_on: datetime.date | None = None
    next_review_on: datetime.date | None = None


class ReviewNotAllowed(Exception):
    def __init__(self, refusal: ReviewRefusal) -> None:
        super().__init__(refusal.code)
        self.refusal = refusal


@dataclass(frozen=True)
class RatingSummary:
    """A service's published ratings: the average to one decimal place (None with no
    ratings), how many, and how many of each star from 5 down to 1."""

    average: Decimal | None
    count: int
    distribution: dict[int, int]

    @classmethod
    def from_counts(cls, counts: dict[int, int]) -> RatingSummary:
        distribution = {stars: counts.get(stars, 0) for stars in STARS}
        count = sum(distribution.values())
        if not count:
            return cls(average=None, count=0, distribution=distribution)
        total = sum(stars * number for stars, number in distribution.items())
        average = (Decimal(total) / Decimal(count)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        return cls(average=average, count=count, distribution=distribution)

    @property
    def rows(self) -> list[dict]:
        """One row per star, 5 first, with its share of all ratings as a whole percentage."""
        return [
            {
                "stars": stars,
                "count": number,
                "percent": round(100 * number / self.count) if self.count else 0,
            }
            for stars, number in self.distribution.items()
        ]


# --- Dates ------------------------------------------------------------------------------------


def _today() -> datetime.date:
    return timezone.localdate()


def review_expiry_cutoff(*, today: datetime.date | None = None) -> datetime.date:
    """Experiences on or before this date are too old to show (2 years)."""
    return (today or _today()) - datetime.timedelta(days=REVIEW_LIFETIME_DAYS)


def experience_months_allowed(
    *, today: datetime.date | None = None
) -> tuple[datetime.date, datetime.date]:
    """The first and last month (as their first days) someone may say they used a service:
    months whose review would still be shown today, up to this month."""
    today = today or _today()
    cutoff = review_expiry_cutoff(today=today)
    earliest = cutoff.replace(day=1)
    if earliest <= cutoff:  # that month's review would already have expired
        earliest = (earliest + datetime.timedelta(days=32)).replace(day=1)
    return earliest, today.replace(day=1)


def review_experience_error(
    *, experienced_on: datetime.date, today: datetime.date | None = None
) -> str | None:
    """The error message for a month of experience outside the last 2 years, else None."""
    earliest, latest = experience_months_allowed(today=today)
    if experienced_on > latest:
        return "The date you used the service must be this month or in the past"
    if experienced_on < earliest:
        return (
            f"The date you used the service must be in the last 2 years, {earliest:%B %Y} or later"
        )
    return None


# --- Writing a review ---------------------------------------------------------------------------


def user_has_verified_email(*, user: AbstractBaseUser) -> bool:
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, verified=True).exists()


def organisation_of(*, service: ServicePage) -> OrganisationPage:
    return providers.organisation_of_service(service=service)


def review_refusal(
    *, user: AbstractBaseUser, service: ServicePage, now: datetime.datetime | None = None
) -> ReviewRefusal | None:
    """Why `user` may not review `service` now, or None if they may."""
    if not user.is_authenticated:
        return ReviewRefusal(code=ReviewRefusal.SIGN_IN)
    if not user_has_verified_email(user=user):
        return ReviewRefusal(code=ReviewRefusal.VERIFY_EMAIL)
    organisation = organisation_of(service=service)
    if providers.user_manages_organisation(user=user, organisation=organisation):
        return ReviewRefusal(code=ReviewRefusal.MEMBER)
    now = now or timezone.now()
    latest = (
        Review.objects.filter(
            author=user,
            service=service,
            submitted_at__gt=now - datetime.timedelta(days=REVIEW_INTERVAL_DAYS),
        )
        .order_by("-submitted_at")
        .first()
    )
    if latest is not None:
        reviewed_on = timezone.localdate(latest.submitted_at)
        return ReviewRefusal(
            code=ReviewRefusal.ALREADY_REVIEWED,
            reviewed_on=reviewed_on,
            next_review_on=timezone.localdate(
                latest.submitted_at + datetime.timedelta(days=REVIEW_INTERVAL_DAYS)
            ),
        )
    return None


def screening_words() -> list[str]:
    return list(ScreeningWord.objects.values_list("word", flat=True))


def screening_flags(text: str) -> list[dict[str, str]]:
    """What automatic screening notices in `text`, as stored on a review."""
    return [flag.as_dict() for flag in text_screen(text, screening_words=screening_words())]


def review_submit(
    *,
    user: AbstractBaseUser,
    service: ServicePage,
    rating: int,
    text: str,
    experienced_on: datetime.date,
    confirmed: bool,
) -> Review:
    """Record a review, waiting for moderation, with what screening noticed.

    Raises ReviewNotAllowed when the person may not review the service, ValueError when the
    review breaks a rule the form should already have checked.
    """
    refusal = review_refusal(user=user, service=service)
    if refusal is not None:
        raise ReviewNotAllowed(refusal)
    text = text.strip()
    if rating not in STARS:
        raise ValueError("A rating is 1 to 5 stars")
    if not text or len(text) > REVIEW_MAX_CHARACTERS:
        raise ValueError(f"A review has 1 to {REVIEW_MAX_CHARACTERS} characters")
    if not confirmed:
        raise ValueError("The reviewer must confirm it is about their own experience")
    experienced_on = experienced_on.replace(day=1)
    if error := review_experience_error(experienced_on=experienced_on):
        raise ValueError(error)
    return Review.objects.create(
        service=service,
        author=user,
        rating=rating,
        text=text,
        experienced_on=experienced_on,
        confirmed_own_experience=True,
        flags=screening_flags(text),
    )


# --- Reporting a review -------------------------------------------------------------------------


def review_report(
    *, review: Review, reason: str, details: str = "", email: str = ""
) -> ReviewReport:
    """Anyone reports a published review: it is hidden until a moderator decides."""
    if reason not in dict(Review.REJECT_REASONS):
        raise ValueError(f"Unknown report reason {reason!r}")
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        if review.status != Review.PUBLISHED:
            raise ReviewStateError("Only published reviews can be reported")
        report = ReviewReport.objects.create(
            review=review, reason=reason, details=details.strip(), email=email.strip()
        )
        review.status = Review.HELD
        review.save(update_fields=["status"])
        log(
            instance=review,
            action=ACTION_REPORT,
            title=_log_title(review),
            data={"reason": reason, "report": report.pk},
        )
    _ratings_changed([review.service_id])
    return report


# --- Moderating reviews -------------------------------------------------------------------------


def _check_moderator(*, moderator: AbstractBaseUser, author_id: int | None) -> None:
    if not providers.user_is_moderator(moderator):
        raise PermissionDenied("Only moderators may decide on reviews and replies")
    if author_id is not None and moderator.pk == author_id:
        raise PermissionDenied("Moderators may not decide on their own reviews or replies")


def _log_title(review: Review) -> str:
    return f"Review {review.pk} of {review.service.title}"


def _open_reports(review: Review) -> list[ReviewReport]:
    return list(review.reports.filter(status=ReviewReport.OPEN))


def _close_reports(
    reports: list[ReviewReport], *, status: str, moderator: AbstractBaseUser, now
) -> None:
    ReviewReport.objects.filter(pk__in=[report.pk for report in reports]).update(
        status=status, decided_at=now, decided_by=moderator
    )


def review_approve(*, review: Review, moderator: AbstractBaseUser, comment: str = "") -> Review:
    """Publish a review waiting for moderation, or one held after a report (dismissing the
    reports) or for safeguarding. Emails the author when it is published the first time."""
    _check_moderator(moderator=moderator, author_id=review.author_id)
    now = timezone.now()
    with transaction.atomic():
        review = (
            Review.objects.select_for_update(of=("self",))
            .select_related("service")
            .get(pk=review.pk)
        )
        if review.status not in (Review.PENDING, Review.HELD):
            raise ReviewStateError("This review has already been decided")
        reports = _open_reports(review)
        first_time = review.published_at is None
        review.status = Review.PUBLISHED
        review.published_at = review.published_at or now
        review.decided_at = now
        review.decided_by = moderator
        review.reject_reason = ""
        review.moderator_note = comment.strip()
        review.save()
        _close_reports(reports, status=ReviewReport.DISMISSED, moderator=moderator, now=now)
        log(
            instance=review,
            action=ACTION_REPORT_DISMISS if reports else ACTION_APPROVE,
            user=moderator,
            title=_log_title(review),
            data={"reason": "", "comment": review.moderator_note},
        )
    if first_time:
        _email_author(review, "approved")
    _email_reporters(review, reports, upheld=False)
    _ratings_changed([review.service_id])
    return review


def review_reject(
    *, review: Review, moderator: AbstractBaseUser, reason: str, comment: str = ""
) -> Review:
    """Reject a review for one of Review.REJECT_REASONS, upholding any open reports.

    A safeguarding concern holds the review instead (status held) and emails it to the
    safeguarding contact in the site settings.
    """
    _check_moderator(moderator=moderator, author_id=review.author_id)
    if reason not in dict(Review.REJECT_REASONS):
        raise ValueError(f"Unknown reason {reason!r}")
    now = timezone.now()
    settings = _site_settings()
    with transaction.atomic():
        review = (
            Review.objects.select_for_update(of=("self",))
            .select_related("service")
            .get(pk=review.pk)
        )
        if review.status not in (Review.PENDING, Review.HELD):
            raise ReviewStateError("This review has already been decided")
        reports = _open_reports(review)
        review.status = Review.HELD if reason == Review.SAFEGUARDING else Review.REJECTED
        review.reject_reason = reason
        review.decided_at = now
        review.decided_by = moderator
        review.moderator_note = comment.strip()
        escalated_to = ""
        if reason == Review.SAFEGUARDING and settings.safeguarding_contact_email:
            review.safeguarding_escalated_at = now
            escalated_to = settings.safeguarding_contact_email
        review.save()
        _close_reports(reports, status=ReviewReport.UPHELD, moderator=moderator, now=now)
        log(
            instance=review,
            action=ACTION_REPORT_UPHOLD if reports else ACTION_REJECT,
            user=moderator,
            title=_log_title(review),
            data={
                "reason": reason,
                "comment": review.moderator_note,
                "escalated_to": escalated_to,
            },
        )
    if escalated_to:
        _email_safeguarding(review, reports, settings=settings, moderator=moderator)
    elif reason == Review.SAFEGUARDING:
        logger.error("Review %s held for safeguarding, but no contact is set", review.pk)
    _email_author(review, "rejected")
    _email_reporters(review, reports, upheld=True)
    return review  # it was not public (pending or held), so no ratings changed


# --- Replies ------------------------------------------------------------------------------------


def reply_refusal(*, user: AbstractBaseUser, review: Review) -> str | None:
    """Why `user` may not reply to `review` now (a message for them), or None if they may.
    Raises PermissionDenied when they are not a member of the service's organisation."""
    organisation = organisation_of(service=review.service)
    if not providers.user_manages_organisation(user=user, organisation=organisation):
        raise PermissionDenied("Only the service's organisation may reply")
    if review.status != Review.PUBLISHED:
        return "You can only reply to a review that is published."
    reply = ReviewReply.objects.filter(review=review).first()
    if reply is not None and reply.status == ReviewReply.PENDING:
        return "Your reply to this review is waiting for a moderator to check it."
    if reply is not None and reply.status == ReviewReply.PUBLISHED:
        return "You have already replied to this review. You can reply once to each review."
    return None


def reply_submit(*, user: AbstractBaseUser, review: Review, text: str) -> ReviewReply:
    """The organisation's one reply to a review, waiting for moderation. A rejected reply may
    be written again."""
    text = text.strip()
    if not text or len(text) > REVIEW_MAX_CHARACTERS:
        raise ValueError(f"A reply has 1 to {REVIEW_MAX_CHARACTERS} characters")
    with transaction.atomic():
        review = (
            Review.objects.select_for_update(of=("self",))
            .select_related("service")
            .get(pk=review.pk)
        )
        if message := reply_refusal(user=user, review=review):
            raise ReviewStateError(message)
        reply, _ = ReviewReply.objects.update_or_create(
            review=review,
            defaults={
                "organisation": organisation_of(service=review.service),
                "author": user,
                "text": text,
                "status": ReviewReply.PENDING,
                "submitted_at": timezone.now(),
                "decided_at": None,
                "decided_by": None,
                "moderator_comment": "",
            },
        )
    return reply


def _reply_decide(
    *, reply: ReviewReply, moderator: AbstractBaseUser, status: str, comment: str
) -> ReviewReply:
    _check_moderator(moderator=moderator, author_id=reply.author_id)
    with transaction.atomic():
        reply = (
            # Lock only the reply: PostgreSQL refuses FOR UPDATE on the outer-joined author.
            ReviewReply.objects.select_for_update(of=("self",))
            .select_related("review__service", "organisation", "author")
            .get(pk=reply.pk)
        )
        if reply.status != ReviewReply.PENDING:
            raise ReviewStateError("This reply has already been decided")
        reply.status = status
        reply.decided_at = timezone.now()
        reply.decided_by = moderator
        reply.moderator_comment = comment.strip()
        reply.save()
        log(
            instance=reply,
            action=ACTION_REPLY_APPROVE if status == ReviewReply.PUBLISHED else ACTION_REPLY_REJECT,
            user=moderator,
            title=f"Reply to review {reply.review_id} of {reply.review.service.title}",
            data={"reason": "", "comment": reply.moderator_comment},
        )
    _email_reply_author(reply)
    return reply


def reply_approve(
    *, reply: ReviewReply, moderator: AbstractBaseUser, comment: str = ""
) -> ReviewReply:
    return _reply_decide(
        reply=reply, moderator=moderator, status=ReviewReply.PUBLISHED, comment=comment
    )


def reply_reject(*, reply: ReviewReply, moderator: AbstractBaseUser, comment: str) -> ReviewReply:
    """Reject a reply; the comment tells its author why, so they can write it again."""
    if not comment.strip():
        raise ValueError("Say why the reply is rejected")
    return _reply_decide(
        reply=reply, moderator=moderator, status=ReviewReply.REJECTED, comment=comment
    )


# --- Expiry -------------------------------------------------------------------------------------


def reviews_expire(*, today: datetime.date | None = None) -> int:
    """Mark reviews whose experience is 2 years old as expired (published ones are taken down;
    pending ones no longer need a moderator). Returns how many. Safe to run again."""
    cutoff = review_expiry_cutoff(today=today)
    due = list(
        Review.objects.filter(
            status__in=[Review.PUBLISHED, Review.PENDING], experienced_on__lte=cutoff
        ).select_related("service")
    )
    if not due:
        return 0
    with transaction.atomic():
        Review.objects.filter(pk__in=[review.pk for review in due]).update(status=Review.EXPIRED)
        for review in due:
            log(
                instance=review,
                action=ACTION_EXPIRE,
                title=_log_title(review),
                data={"reason": "", "comment": "", "previous_status": review.status},
            )
    _ratings_changed([review.service_id for review in due if review.status == Review.PUBLISHED])
    return len(due)


# --- Reads --------------------------------------------------------------------------------------


def _shown(today: datetime.date | None = None) -> Q:
    # Also hides reviews past their 2 years if the daily expiry job has not yet run.
    return Q(status=Review.PUBLISHED, experienced_on__gt=review_expiry_cutoff(today=today))


def rating_summaries(
    *, service_ids: Iterable[int], today: datetime.date | None = None
) -> dict[int, RatingSummary]:
    """The rating summary of each service in `service_ids` (those with no reviews included),
    in one query."""
    ids = list(service_ids)
    counts: dict[int, dict[int, int]] = {service_id: {} for service_id in ids}
    rows = (
        Review.objects.filter(_shown(today), service_id__in=ids)
        .values_list("service_id", "rating")
        .annotate(number=Count("id"))
        .order_by()
    )
    for service_id, rating, number in rows:
        counts[service_id][rating] = number
    return {service_id: RatingSummary.from_counts(c) for service_id, c in counts.items()}


def service_rating_summary(*, service: ServicePage) -> RatingSummary:
    return rating_summaries(service_ids=[service.pk])[service.pk]


def reviews_published(*, service: ServicePage) -> QuerySet[Review]:
    """The reviews shown on a service's page, newest first, with their replies."""
    return (
        Review.objects.filter(_shown(), service=service)
        .select_related("reply", "reply__organisation")
        .order_by("-published_at", "-pk")
    )


def review_published_get(*, service: ServicePage, review_id: int) -> Review:
    """A review shown on this service's page; Review.DoesNotExist otherwise."""
    return Review.objects.filter(_shown(), service=service).get(pk=review_id)


def reviews_pending() -> QuerySet[Review]:
    """Reviews waiting for a moderator, oldest first."""
    return (
        Review.objects.filter(status=Review.PENDING)
        .select_related("service")
        .order_by("submitted_at", "pk")
    )


def reviews_reported() -> QuerySet[Review]:
    """Reviews hidden after a report, waiting for a moderator, oldest report first."""
    return (
        Review.objects.filter(status=Review.HELD, reports__status=ReviewReport.OPEN)
        .select_related("service")
        .prefetch_related("reports")
        .distinct()
        .order_by("submitted_at", "pk")
    )


def reviews_held_for_safeguarding() -> QuerySet[Review]:
    """Reviews held for a safeguarding concern (no open report), which a moderator may later
    publish or reject."""
    return (
        Review.objects.filter(status=Review.HELD, reject_reason=Review.SAFEGUARDING)
        .exclude(reports__status=ReviewReport.OPEN)
        .select_related("service")
        .order_by("decided_at", "pk")
    )


def replies_pending() -> QuerySet[ReviewReply]:
    return (
        ReviewReply.objects.filter(status=ReviewReply.PENDING)
        .select_related("review__service", "organisation")
        .order_by("submitted_at", "pk")
    )


def review_for_moderation_get(*, review_id: int) -> Review:
    return Review.objects.select_related("service", "author").get(pk=review_id)


def reviews_of_organisations(*, user: AbstractBaseUser) -> QuerySet[Review]:
    """Published reviews of the services run by the organisations `user` is a member of,
    newest first."""
    paths = [org.path for org in providers.organisations_of(user=user)]
    if not paths:
        return Review.objects.none()
    under = Q()
    for path in paths:
        under |= Q(service__path__startswith=path)
    return (
        Review.objects.filter(_shown(), under)
        .select_related("service", "reply")
        .order_by("-published_at", "-pk")
    )


def review_of_organisations_get(*, user: AbstractBaseUser, review_id: int) -> Review:
    """One published review of a service run by one of `user`'s organisations; Review.DoesNotExist
    for anything else, so other organisations' reviews look the same as missing ones."""
    return reviews_of_organisations(user=user).get(pk=review_id)


# --- Notifications ------------------------------------------------------------------------------


def _ratings_changed(service_ids: list[int]) -> None:
    if service_ids:
        service_ratings_changed.send(sender=Review, service_ids=sorted(set(service_ids)))


def _site_settings() -> SiteSettings:
    site = Site.objects.filter(is_default_site=True).first()
    return SiteSettings.for_site(site) if site else SiteSettings()


def _service_url(service: ServicePage) -> str:
    try:
        return service.get_full_url() or ""
    except Exception:  # no Site serves the page
        return ""


def _email(template: str, *, to: list[str], context: dict) -> None:
    if not to:
        return
    settings = _site_settings()
    context = {"site_name": settings.service_name, "council_name": settings.council_name, **context}
    subject = render_to_string(f"directory/emails/{template}_subject.txt", context)
    body = render_to_string(f"directory/emails/{template}.txt", context)
    email_send(to=to, subject=" ".join(subject.split()), body=body)


def _email_author(review: Review, outcome: str) -> None:
    settings = _site_settings()
    _email(
        f"review_{outcome}",
        to=[review.author.email] if review.author.email else [],
        context={
            "review": review,
            "service": review.service,
            "service_url": _service_url(review.service),
            "complaints_url": settings.complaints_url,
            "safeguarding_contact_name": settings.safeguarding_contact_name,
        },
    )


def _email_reporters(review: Review, reports: list[ReviewReport], *, upheld: bool) -> None:
    for email in sorted({report.email for report in reports if report.email}):
        _email(
            "review_report_outcome",
            to=[email],
            context={"review": review, "service": review.service, "upheld": upheld},
        )


def _email_safeguarding(
    review: Review,
    reports: list[ReviewReport],
    *,
    settings: SiteSettings,
    moderator: AbstractBaseUser,
) -> None:
    _email(
        "review_safeguarding",
        to=[settings.safeguarding_contact_email],
        context={
            "review": review,
            "service": review.service,
            "organisation": organisation_of(service=review.service),
            "service_url": _service_url(review.service),
            "reports": reports,
            "contact_name": settings.safeguarding_contact_name,
            "moderator": moderator,
        },
    )


def _email_reply_author(reply: ReviewReply) -> None:
    author = reply.author
    _email(
        f"reply_{'approved' if reply.status == ReviewReply.PUBLISHED else 'rejected'}",
        to=[author.email] if author is not None and author.email else [],
        context={
            "reply": reply,
            "review": reply.review,
            "service": reply.review.service,
            "service_url": _service_url(reply.review.service),
            "reply_url": _portal_url(reverse("provider_reviews:reply", args=[reply.review_id])),
        },
    )


def _portal_url(path: str) -> str:
    return django_settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path
