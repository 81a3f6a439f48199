"""Freshness: listings nobody has confirmed for a while (issue 4).

A listing's age counts from its "last checked" date (`assured_date`) or, when it has none, the
day it was first published. At 6 months its organisation's editors get an email with a
one-click "still correct" link for each listing due; at 12 months the listing is escalated to
moderators and its page warns residents; with DIRECTORY_HIDE_STALE_AFTER_MONTHS set, it leaves
search and the Open Referral UK API after that many months (it keeps its own page).

The link names a FreshnessReminder by a signed token (`signing.dumps` of its UUID, with a salt
of its own). It works once, until the reminder's `expires_at` (30 days). Confirming publishes
a new revision so search, the API's `modified_after` and the audit log all see it; see
`listing_assured_date_set` for the one exception.
"""

from __future__ import annotations

import datetime
from calendar import monthrange
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import groupby
from typing import Literal
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import Page, Revision

from portal.email import email_send

from .models import FreshnessReminder, OrganisationPage, ServicePage
from .providers import (
    moderator_emails,
    organisation_editor_emails,
    organisation_of_service,
    user_manages_organisation,
)
from .signals import services_bulk_published

REMIND_AFTER_MONTHS = 6
ESCALATE_AFTER_MONTHS = 12
LINK_VALID_DAYS = 30
TOKEN_SALT = "directory.freshness.still-correct"

CONFIRM_ACTION = "directory.listing.confirm"

State = Literal["fresh", "due", "overdue", "hidden"]
STATE_LABELS: dict[str, str] = {
    "fresh": "Up to date",
    "due": "Check due",
    "overdue": "Overdue",
    "hidden": "Hidden from search",
}


# --- Dates ------------------------------------------------------------------------------------


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months earlier (the month's last day if it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, monthrange(year, month)[1]))


def months_since(earlier: datetime.date, today: datetime.date) -> int:
    """Whole calendar months from `earlier` to `today`: `earlier <= months_before(today, n)`
    exactly when the result is at least n."""
    months = (today.year - earlier.year) * 12 + today.month - earlier.month
    if today.day < earlier.day:
        months -= 1
    return max(months, 0)


def last_checked_on(service: ServicePage) -> datetime.date | None:
    """The date a listing's age counts from: its assured date, else when first published."""
    if service.assured_date is not None:
        return service.assured_date
    if service.first_published_at is not None:
        return timezone.localdate(service.first_published_at)
    return None


def last_checked_on_or_before(cutoff: datetime.date) -> Q:
    """ServicePages whose listing was last checked on `cutoff` or earlier (as SQL)."""
    next_midnight = timezone.make_aware(
        datetime.datetime.combine(cutoff + datetime.timedelta(days=1), datetime.time.min)
    )
    return Q(assured_date__lte=cutoff) | Q(
        assured_date__isnull=True, first_published_at__lt=next_midnight
    )


def hide_after_months() -> int | None:
    return getattr(settings, "DIRECTORY_HIDE_STALE_AFTER_MONTHS", None)


def hidden_cutoff(*, today: datetime.date | None = None) -> datetime.date | None:
    """Listings last checked on this date or earlier are hidden from search and the API; None
    when nothing is hidden (the setting is unset)."""
    months = hide_after_months()
    if months is None:
        return None
    return months_before(today or timezone.localdate(), months)


def hidden_listings_filter(*, today: datetime.date | None = None) -> Q:
    """What to exclude from search and the API today (an empty Q matches nothing to exclude:
    use with `.exclude()` only when `hidden_cutoff` is not None)."""
    cutoff = hidden_cutoff(today=today)
    return last_checked_on_or_before(cutoff) if cutoff is not None else Q(pk__in=[])


def freshness_state(*, checked_on: datetime.date | None, today: datetime.date) -> State:
    """fresh (under 6 months), due (6 months), overdue (12 months), or hidden (the setting's
    months). A listing that was never checked or published counts as overdue."""
    if checked_on is None:
        return "overdue"
    months = months_since(checked_on, today)
    hide = hide_after_months()
    if hide is not None and months >= hide:
        return "hidden"
    if months >= ESCALATE_AFTER_MONTHS:
        return "overdue"
    if months >= REMIND_AFTER_MONTHS:
        return "due"
    return "fresh"


# --- The providers' dashboard -----------------------------------------------------------------


@dataclass(frozen=True)
class ListingFreshness:
    service: ServicePage
    assured_date: datetime.date | None  # the listing's own "last checked" date
    checked_on: datetime.date | None  # what its age counts from (assured or first published)
    months_since: int | None
    state: State

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def organisation(self) -> OrganisationPage | None:
        return getattr(self.service, "_organisation", None)


def _services_under(organisations: Iterable[OrganisationPage]):
    paths = [organisation.path for organisation in organisations]
    if not paths:
        return ServicePage.objects.none()
    under = Q()
    for path in paths:
        under |= Q(path__startswith=path, depth=len(path) // Page.steplen + 1)
    return ServicePage.objects.filter(under)


def listings_freshness(
    *, organisations: Iterable[OrganisationPage], today: datetime.date | None = None
) -> list[ListingFreshness]:
    """The published services of these organisations with how fresh each listing is, the
    stalest first. Two queries, however many services."""
    today = today or timezone.localdate()
    organisations = list(organisations)
    by_path = {organisation.path: organisation for organisation in organisations}
    rows = []
    for service in _services_under(organisations).live().order_by("title", "pk"):
        service._organisation = by_path.get(service.path[: -Page.steplen])
        checked_on = last_checked_on(service)
        rows.append(
            ListingFreshness(
                service=service,
                assured_date=service.assured_date,
                checked_on=checked_on,
                months_since=months_since(checked_on, today) if checked_on else None,
                state=freshness_state(checked_on=checked_on, today=today),
            )
        )
    rows.sort(key=lambda row: row.checked_on or datetime.date.min)  # stable: then by name
    return rows


# --- Confirming a listing ---------------------------------------------------------------------


class StillCorrectLinkError(Exception):
    """A "still correct" link that cannot be used; `reason` names why for the page shown, and
    `reminder` is the link's reminder when the link itself was genuine."""

    reason = "invalid"

    def __init__(self, reminder: FreshnessReminder | None = None) -> None:
        super().__init__(self.reason)
        self.reminder = reminder


class StillCorrectLinkInvalid(StillCorrectLinkError):
    reason = "invalid"  # tampered with, cut short, or for no reminder we know


class StillCorrectLinkUsed(StillCorrectLinkError):
    reason = "used"


class StillCorrectLinkExpired(StillCorrectLinkError):
    reason = "expired"


class StillCorrectListingUnavailable(StillCorrectLinkError):
    reason = "unavailable"  # the listing is no longer published


def reminder_token(*, reminder: FreshnessReminder) -> str:
    """The signed token for a reminder's one-click link."""
    return signing.dumps(reminder.token.hex, salt=TOKEN_SALT)


def still_correct_path(*, reminder: FreshnessReminder) -> str:
    return reverse("directory_still_correct", kwargs={"token": reminder_token(reminder=reminder)})


def reminder_for_token(*, token: str, now: datetime.datetime | None = None) -> FreshnessReminder:
    """The reminder a link names, if the link can still be used; raises StillCorrectLinkError
    (invalid, used, expired or unavailable) otherwise. Changes nothing."""
    now = now or timezone.now()
    try:
        value = signing.loads(token, salt=TOKEN_SALT)
        reminder_uuid = UUID(hex=value)
    except (signing.BadSignature, TypeError, ValueError) as error:
        raise StillCorrectLinkInvalid from error
    reminder = (
        FreshnessReminder.objects.filter(token=reminder_uuid, kind=FreshnessReminder.REMINDER)
        .select_related("service")
        .first()
    )
    if reminder is None:
        raise StillCorrectLinkInvalid
    if reminder.used_at is not None:
        raise StillCorrectLinkUsed(reminder)
    if reminder.expires_at <= now:
        raise StillCorrectLinkExpired(reminder)
    if not reminder.service.live:
        raise StillCorrectListingUnavailable(reminder)
    return reminder


def listing_confirm(*, token: str, now: datetime.datetime | None = None) -> ServicePage:
    """Confirm a listing from its one-click link: the link is used up and the listing's last
    checked date becomes today. Raises StillCorrectLinkError when the link cannot be used."""
    now = now or timezone.now()
    with transaction.atomic():
        reminder = reminder_for_token(token=token, now=now)
        # Claimed with a conditional UPDATE: two clicks at once confirm only once.
        claimed = FreshnessReminder.objects.filter(pk=reminder.pk, used_at__isnull=True).update(
            used_at=now
        )
        if not claimed:
            raise StillCorrectLinkUsed(reminder)
        return listing_assured_date_set(
            service=reminder.service, day=timezone.localdate(now), user=None, via="email link"
        )


def user_can_confirm_listing(
    *, user: AbstractBaseUser | AnonymousUser, service: ServicePage
) -> bool:
    """Members of the service's organisation may confirm it from their dashboard."""
    return user.is_authenticated and user_manages_organisation(
        user=user, organisation=organisation_of_service(service=service)
    )


def listing_confirm_by_member(
    *, service: ServicePage, user: AbstractBaseUser, now: datetime.datetime | None = None
) -> ServicePage:
    """A signed-in member confirms their organisation's listing ("Confirm still correct").
    Raises PermissionError for anyone else."""
    if not service.live or not user_can_confirm_listing(user=user, service=service):
        raise PermissionError("Only the organisation's members may confirm this listing")
    now = now or timezone.now()
    return listing_assured_date_set(
        service=service, day=timezone.localdate(now), user=user, via="dashboard"
    )


def listing_assured_date_set(
    *, service: ServicePage, day: datetime.date, user: AbstractBaseUser | None, via: str
) -> ServicePage:
    """Set a live listing's last checked date and publish it.

    Usually this saves a new revision of the live page with the new date and publishes it:
    search documents, the API (`last_modified`, `modified_after`) and the audit log follow, as
    for any published edit. But when an edit is waiting for moderation, publishing would cancel
    its workflow (Wagtail's WAGTAIL_WORKFLOW_CANCEL_ON_PUBLISH) and bury the provider's draft
    under a copy of the live page. Then the date goes straight onto the live page and into the
    live and pending revisions' content (so approving the edit later keeps it), and search is
    told through `services_bulk_published`.
    """
    with transaction.atomic():
        service = ServicePage.objects.select_for_update().get(pk=service.pk)
        service.assured_date = day
        pending = service.has_unpublished_changes or service.workflow_in_progress
        if pending:
            ServicePage.objects.filter(pk=service.pk).update(assured_date=day)
            revisions = Revision.objects.for_instance(service)
            if service.live_revision_id:
                revisions = revisions.filter(pk__gte=service.live_revision_id)
            for revision in revisions:
                revision.content["assured_date"] = day.isoformat()
                revision.save(update_fields=["content"])
        else:
            # clean=False: only the date changes, and the live content was valid when published.
            # A provider may not publish edits (they are moderated), but confirming the live
            # content changes nothing else, so their membership is the permission here.
            revision = service.save_revision(user=user, log_action=True, clean=False)
            revision.publish(user=user, skip_permission_checks=True)
        log(
            instance=service,
            action=CONFIRM_ACTION,
            user=user,
            data={"assured_date": day.isoformat(), "via": via},
        )
    if pending:
        # Not published, so nothing else tells search (its documents carry the date).
        services_bulk_published.send(sender=ServicePage, service_ids=[service.pk])
    service.refresh_from_db()
    return service


# --- Reminders --------------------------------------------------------------------------------


@dataclass
class RemindReport:
    checked: int = 0  # services 6 months or more since last checked
    reminded: int = 0  # new one-click links sent to editors
    escalated: int = 0  # listings newly escalated to moderators
    emails: int = 0
    without_editors: list[str] = field(default_factory=list)  # organisations nobody to email
    no_moderators: bool = False

    def summary(self) -> str:
        parts = [
            f"{self.checked} listing{'s' if self.checked != 1 else ''} due a check",
            f"{self.reminded} reminder{'s' if self.reminded != 1 else ''} sent",
            f"{self.escalated} escalated to moderators",
            f"{self.emails} email{'s' if self.emails != 1 else ''} queued",
        ]
        if self.without_editors:
            parts.append(f"{len(self.without_editors)} organisation(s) with no editors to remind")
        if self.no_moderators:
            parts.append("no moderators to escalate to")
        return ", ".join(parts)


def _portal_url(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def _page_url(page: Page) -> str:
    parts = page.get_url_parts()
    return _portal_url(parts[2]) if parts else ""


def _same_period(service: ServicePage) -> Q:
    if service.assured_date is None:
        return Q(assured_date_when_sent__isnull=True)
    return Q(assured_date_when_sent=service.assured_date)


def stale_services(*, today: datetime.date):
    """Published services (hidden ones included) last checked 6 or more months before today."""
    from .selectors import services_live

    return services_live().filter(
        last_checked_on_or_before(months_before(today, REMIND_AFTER_MONTHS))
    )


def stale_listings_remind(
    *,
    now: datetime.datetime | None = None,
    on_start: Callable[[int], None] | None = None,
    on_service: Callable[[], None] | None = None,
) -> RemindReport:
    """Email reminders and escalations for listings due a check. Safe to run again: a listing
    gets a new link only once its last one has expired unused (every 30 days until someone
    confirms it), and is escalated once for each last-checked date.

    Editors get one email per organisation, with a link per listing; moderators get one email
    listing everything newly escalated. Each email is queued in the same transaction as the
    reminders it announces. `on_start(total)` and `on_service()` report progress.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    report = RemindReport()
    services = list(stale_services(today=today).order_by("path"))
    organisations = {
        organisation.path: organisation
        for organisation in OrganisationPage.objects.filter(
            path__in={service.path[: -Page.steplen] for service in services}
        )
    }
    moderators = moderator_emails()
    report.checked = len(services)
    if on_start:
        on_start(len(services))

    to_escalate: list[ServicePage] = []
    for path, group in groupby(services, key=lambda service: service.path[: -Page.steplen]):
        group = list(group)
        organisation = organisations[path]
        editors = organisation_editor_emails(organisation=organisation)
        to_remind = []
        for service in group:
            existing = FreshnessReminder.objects.filter(_same_period(service), service=service)
            if (
                editors
                and not existing.filter(
                    kind=FreshnessReminder.REMINDER, used_at__isnull=True, expires_at__gt=now
                ).exists()
            ):
                to_remind.append(service)
            checked_on = last_checked_on(service)
            months = months_since(checked_on, today) if checked_on else ESCALATE_AFTER_MONTHS
            if (
                months >= ESCALATE_AFTER_MONTHS
                and not existing.filter(kind=FreshnessReminder.ESCALATION).exists()
            ):
                to_escalate.append(service)
        if not editors:
            report.without_editors.append(organisation.title)
        if to_remind:
            with transaction.atomic():
                reminders = [
                    _reminder_create(service=service, kind=FreshnessReminder.REMINDER, now=now)
                    for service in to_remind
                ]
                _reminders_email(
                    organisation=organisation, reminders=reminders, to=editors, today=today
                )
            report.reminded += len(reminders)
            report.emails += 1
        if on_service:
            for _service in group:
                on_service()

    if to_escalate and not moderators:
        report.no_moderators = True
    elif to_escalate:
        with transaction.atomic():
            escalations = [
                _reminder_create(service=service, kind=FreshnessReminder.ESCALATION, now=now)
                for service in to_escalate
            ]
            _escalations_email(
                escalations=escalations, organisations=organisations, to=moderators, today=today
            )
        report.escalated = len(escalations)
        report.emails += 1
    return report


def _reminder_create(
    *, service: ServicePage, kind: str, now: datetime.datetime
) -> FreshnessReminder:
    reminder = FreshnessReminder.objects.create(
        service=service,
        kind=kind,
        sent_at=now,
        expires_at=now + datetime.timedelta(days=LINK_VALID_DAYS),
        assured_date_when_sent=service.assured_date,
    )
    reminder.service = service
    return reminder


def _listing_lines(reminder: FreshnessReminder, *, today: datetime.date) -> dict:
    service = reminder.service
    checked_on = last_checked_on(service)
    return {
        "service": service,
        "checked_on": checked_on,
        "state": freshness_state(checked_on=checked_on, today=today),
        "page_url": _page_url(service),
        "admin_url": _portal_url(reverse("wagtailadmin_pages:edit", args=[service.pk])),
        "confirm_url": _portal_url(still_correct_path(reminder=reminder))
        if reminder.kind == FreshnessReminder.REMINDER
        else "",
    }


def _reminders_email(
    *,
    organisation: OrganisationPage,
    reminders: list[FreshnessReminder],
    to: list[str],
    today: datetime.date,
) -> None:
    context = {
        "organisation": organisation,
        "listings": [_listing_lines(reminder, today=today) for reminder in reminders],
        "expires_on": timezone.localdate(reminders[0].expires_at),
        "sign_in_url": _portal_url(f"{reverse('account_login')}?next=/providers/"),
        "hide_after_months": hide_after_months(),
    }
    count = len(reminders)
    subject = (
        f"Is your listing still correct? {reminders[0].service.title}"
        if count == 1
        else f"Are your {count} listings still correct? {organisation.title}"
    )
    email_send(
        to=to,
        subject=subject,
        body=render_to_string("directory/emails/freshness_reminder.txt", context),
    )


def _escalations_email(
    *,
    escalations: list[FreshnessReminder],
    organisations: dict[str, OrganisationPage],
    to: list[str],
    today: datetime.date,
) -> None:
    listings = []
    for reminder in escalations:
        lines = _listing_lines(reminder, today=today)
        lines["organisation"] = organisations.get(reminder.service.path[: -Page.steplen])
        listings.append(lines)
    count = len(escalations)
    email_send(
        to=to,
        subject=f"{count} listing{'s' if count != 1 else ''} not checked for 12 months",
        body=render_to_string(
            "directory/emails/freshness_escalation.txt",
            {"listings": listings, "hide_after_months": hide_after_months()},
        ),
    )
