"""Moderating listing edits (issue 4, ADR 0010): which field groups an edit changes, publishing a
trusted organisation's low-risk edits at once, the moderators' queue and their decisions, and the
emails about them.

Every decision goes through Wagtail's task API (`Task.on_action`, `TaskState.approve`), so
Wagtail publishes approved revisions and its audit log records who decided, when, and their
comment. Wagtail's own workflow emails are switched off for this workflow (`directory.receivers`);
the emails here replace them.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from modelcluster.models import get_all_child_relations
from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter
from wagtail.fields import RichTextField
from wagtail.models import (
    COMMENTS_RELATION_NAME,
    Page,
    Revision,
    Site,
    TaskState,
    WorkflowState,
)
from wagtail.rich_text import features as feature_registry

from portal.email import email_send
from portal.models import SiteSettings

from .models import ListingModerationTask, ModerationPreference, OrganisationPage, ServicePage
from .models.moderation import FIELD_GROUPS, OTHER_FIELD_GROUP, REJECT_COMMENT_REQUIRED
from .providers import moderator_emails, organisation_editor_emails, user_is_moderator

AUTO_APPROVAL_PREFIX = "Published without moderation"
AUTO_APPROVAL_COMMENT = AUTO_APPROVAL_PREFIX + ": trusted organisation, low-risk change ({groups})"
# The daily digest covers the 24 hours up to this time of day (local time); the scheduled job
# runs then (directory.apps).
DIGEST_AT = datetime.timedelta(hours=7)
# Page fields Wagtail keeps for the page as a whole (tree position, ownership, first publication),
# never part of an edit.
PAGE_BOOKKEEPING_FIELDS = frozenset(
    {"id", "page_ptr", "path", "depth", "numchild", "content_type", "owner", "first_published_at"}
)
OTHER_FIELD_GROUP_LABEL = "other details"
_BLOCK_KEY = re.compile(r'\sdata-block-key="[^"]*"')


# --- Field groups -----------------------------------------------------------------------------


def field_group_of(field_name: str) -> str:
    """The low-risk group a page field or child relation belongs to, or OTHER_FIELD_GROUP."""
    for group, (_label, fields) in FIELD_GROUPS.items():
        if field_name in fields:
            return group
    return OTHER_FIELD_GROUP


def field_groups_text(groups: Iterable[str]) -> str:
    """Groups in words, in their own order ("opening times and phone numbers"); "no changes"
    when there are none."""
    groups = set(groups)
    labels = [label for name, (label, _fields) in FIELD_GROUPS.items() if name in groups]
    if OTHER_FIELD_GROUP in groups:
        labels.append(OTHER_FIELD_GROUP_LABEL)
    if not labels:
        return "no changes"
    if len(labels) == 1:
        return labels[0]
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def _rich_text_normalised(html: str, features: list[str] | None) -> str:
    """Rich text as the editor would save it, without Draftail's random block keys or empty
    paragraphs: saving a page in the editor rewrites its rich text (`<p>` becomes
    `<p data-block-key="x1y2z">`) even when nobody touched it."""
    converter = ContentstateConverter(features or feature_registry.get_default_features())
    html = converter.to_database_format(converter.from_database_format(html))
    # An empty editor saves an empty paragraph.
    return _BLOCK_KEY.sub("", html).replace("<p></p>", "")


def field_values_differ(field, a, b) -> bool:
    """Whether two values of a model field differ in a way a reader could see."""
    if a == b:
        return False
    if isinstance(field, RichTextField) and isinstance(a, str) and isinstance(b, str):
        return _rich_text_normalised(a, field.features) != _rich_text_normalised(b, field.features)
    return True


def _edited_fields(model: type[Model]) -> list:
    return [
        field
        for field in model._meta.concrete_fields
        if field.editable and field.name not in PAGE_BOOKKEEPING_FIELDS
    ]


def _child_rows(instance: Model, relation) -> list[tuple]:
    """A child relation's rows as comparable values, in their order; row ids, the parent link,
    sort order values and generated fields (uuid) are left out."""
    model = relation.related_model
    fields = [
        field
        for field in _edited_fields(model)
        if field.name not in ("sort_order", relation.field.name) and not field.primary_key
    ]
    rows = list(getattr(instance, relation.get_accessor_name()).all())
    rows.sort(key=lambda row: getattr(row, "sort_order", None) or 0)
    return [tuple(field.value_from_object(row) for field in fields) for row in rows]


def changed_field_groups(*, page: Page, revision: Revision) -> set[str]:
    """The field groups in which `revision` differs from the page's live version (its database
    row and child rows): page fields, inline rows (child relations) and many-to-many choices.
    A change outside the low-risk groups adds OTHER_FIELD_GROUP, and so does any revision of a
    page that is not live (a new listing is all new)."""
    live = page.specific_class.objects.get(pk=page.pk)
    if not live.live:
        return {OTHER_FIELD_GROUP}
    draft = revision.as_object()
    if type(draft) is not type(live):
        return {OTHER_FIELD_GROUP}
    model = type(live)
    groups = set()
    for field in _edited_fields(model):
        before, after = field.value_from_object(live), field.value_from_object(draft)
        if field_values_differ(field, before, after):
            groups.add(field_group_of(field.name))
    for relation in get_all_child_relations(model):
        name = relation.get_accessor_name()
        if name == COMMENTS_RELATION_NAME:
            continue
        if _child_rows(live, relation) != _child_rows(draft, relation):
            groups.add(field_group_of(name))
    for field in model._meta.many_to_many:
        live_ids = {item.pk for item in getattr(live, field.name).all()}
        draft_ids = {item.pk for item in getattr(draft, field.name).all()}
        if live_ids != draft_ids:
            groups.add(field_group_of(field.name))
    return groups


def workflow_is_listing_moderation(*, workflow_id: int) -> bool:
    """Whether a workflow moderates listings (has the listing moderation task)."""
    return ListingModerationTask.objects.filter(workflow_tasks__workflow_id=workflow_id).exists()


def listing_organisation(*, page: Page) -> OrganisationPage | None:
    """The organisation a directory page belongs to, as published (None outside the directory)."""
    page = page.specific
    if isinstance(page, OrganisationPage):
        return OrganisationPage.objects.get(pk=page.pk)
    if isinstance(page, ServicePage):
        return OrganisationPage.objects.filter(path=page.path[: -ServicePage.steplen]).first()
    return None


# --- Automatic approval ---------------------------------------------------------------------


def auto_approve_if_trusted(*, task_state: TaskState, user: AbstractBaseUser | None = None) -> bool:
    """Approve at once an edit from a trusted organisation that only changes field groups it is
    trusted with. Returns whether it did.

    Called by ListingModerationTask.start, before the workflow moves on: the approval is
    recorded against no user (Wagtail shows "system") with a comment saying why, and Wagtail
    then publishes the revision on behalf of `user`, the person who submitted it."""
    page = task_state.workflow_state.content_object
    organisation = listing_organisation(page=page)
    if organisation is None or not organisation.is_trusted:
        return False
    groups = changed_field_groups(page=page, revision=task_state.revision)
    trusted = {group for group in organisation.trusted_field_groups or [] if group in FIELD_GROUPS}
    if not groups or not groups <= trusted:
        return False
    # update=False: WorkflowState.update, which is starting this task, sees the task finished
    # and completes the workflow itself (Wagtail's path for tasks that approve on start).
    task_state.approve(
        user=None,
        update=False,
        comment=AUTO_APPROVAL_COMMENT.format(groups=field_groups_text(groups)),
    )
    return True


def task_state_is_automatic(task_state: TaskState) -> bool:
    """Whether this task state was approved by `auto_approve_if_trusted`, not by a person."""
    return (
        task_state.status == TaskState.STATUS_APPROVED
        and task_state.finished_by_id is None
        and task_state.comment.startswith(AUTO_APPROVAL_PREFIX)
    )


# --- The queue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListingChange:
    """An edit waiting for a moderator, as the queue and the review page show it."""

    task_state: TaskState
    page: Page
    organisation: OrganisationPage | None
    revision: Revision
    submitted_by: AbstractBaseUser | None
    submitted_at: datetime.datetime
    field_groups: frozenset[str]

    @property
    def service(self) -> ServicePage | None:
        return self.page if isinstance(self.page, ServicePage) else None

    @property
    def field_groups_text(self) -> str:
        return field_groups_text(self.field_groups)

    @property
    def is_new_listing(self) -> bool:
        return not self.page.live


def listing_task_states_waiting() -> QuerySet[TaskState]:
    """Listing edits waiting for a moderator, oldest first."""
    return (
        TaskState.objects.filter(
            status=TaskState.STATUS_IN_PROGRESS,
            task__in=ListingModerationTask.objects.all(),
            workflow_state__status=WorkflowState.STATUS_IN_PROGRESS,
        )
        .select_related("workflow_state__requested_by", "task")
        .order_by("started_at", "pk")
    )


def listing_change_of(task_state: TaskState) -> ListingChange:
    """What a waiting edit changes. The revision compared is the page's latest, which is the
    one approval publishes."""
    page = Page.objects.get(pk=task_state.workflow_state.object_id).specific
    revision = page.get_latest_revision() or task_state.revision
    return ListingChange(
        task_state=task_state,
        page=page,
        organisation=listing_organisation(page=page),
        revision=revision,
        submitted_by=revision.user or task_state.workflow_state.requested_by,
        submitted_at=task_state.started_at,
        field_groups=frozenset(changed_field_groups(page=page, revision=revision)),
    )


def listing_change_diff(*, change: ListingChange, request: HttpRequest) -> list:
    """Wagtail's field-by-field comparisons of the live page with the revision approval would
    publish, made as its revisions compare view makes them (from the page's edit handler, so
    panels the moderator may not see are left out). Only real changes are kept."""
    page = change.page
    panel = page.get_edit_handler().get_bound_panel(instance=page, request=request, form=None)
    draft = change.revision.as_object()
    comparisons = [compare(page, draft) for compare in panel.get_comparison()]
    return [
        comparison
        for comparison in comparisons
        if comparison.has_changed()
        and (
            not getattr(comparison, "is_field", False)
            or field_values_differ(comparison.field, comparison.val_a, comparison.val_b)
        )
    ]


# --- Decisions ------------------------------------------------------------------------------


def _decide(*, task_state_id: int, user: AbstractBaseUser, action: str, comment: str) -> TaskState:
    if not user_is_moderator(user):
        raise PermissionDenied("Only moderators decide on listing changes")
    with transaction.atomic():
        task_state = (
            listing_task_states_waiting().select_for_update(of=("self",)).get(pk=task_state_id)
        ).specific
        task_state.task.specific.on_action(task_state, user, action, comment=comment)
    return task_state


def listing_change_approve(
    *, task_state_id: int, user: AbstractBaseUser, comment: str = ""
) -> TaskState:
    """Approve a waiting edit, which publishes it. Raises TaskState.DoesNotExist when it is no
    longer waiting (someone else decided first)."""
    return _decide(
        task_state_id=task_state_id, user=user, action="approve", comment=comment.strip()
    )


def listing_change_reject(*, task_state_id: int, user: AbstractBaseUser, comment: str) -> TaskState:
    """Send a waiting edit back to the provider with a comment (required) saying what to
    change. The live listing stays as it is."""
    comment = comment.strip()
    if not comment:
        raise ValidationError(REJECT_COMMENT_REQUIRED, code="required")
    return _decide(task_state_id=task_state_id, user=user, action="reject", comment=comment)


def listing_changes_approve(
    *, task_state_ids: Iterable[int], user: AbstractBaseUser
) -> list[TaskState]:
    """Approve several waiting edits, each on its own (its own audit log entry and publish).
    Edits no longer waiting are skipped; returns the ones approved."""
    approved = []
    for task_state_id in task_state_ids:
        try:
            approved.append(listing_change_approve(task_state_id=task_state_id, user=user))
        except TaskState.DoesNotExist:
            continue
    return approved


# --- What a provider sees -------------------------------------------------------------------


def listing_submission_message(*, page: Page) -> str | None:
    """What to tell the person who has just submitted `page`: awaiting approval, or published
    at once. None when the page is not in the listing moderation workflow."""
    workflow_state = (
        WorkflowState.objects.for_instance(page)
        .select_related("current_task_state")
        .order_by("created_at", "pk")
        .last()
    )
    if workflow_state is None or workflow_state.current_task_state is None:
        return None
    task_state = workflow_state.current_task_state.specific
    if not isinstance(task_state.task.specific, ListingModerationTask):
        return None
    title = page.get_admin_display_title()
    if workflow_state.status == WorkflowState.STATUS_IN_PROGRESS:
        return (
            f"Your changes to ‘{title}’ are awaiting approval. They will be published once a "
            "moderator approves them. Until then, the public listing shows the current version."
        )
    if task_state_is_automatic(task_state):
        return (
            f"Your changes to ‘{title}’ have been published. Your organisation is trusted to "
            "change these details without waiting for approval."
        )
    return None


# --- Emails ---------------------------------------------------------------------------------


def _absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def _public_url(page: Page) -> str:
    try:
        return page.get_full_url() or ""
    except Exception:  # no Site serves the page
        return ""


def _email(template: str, *, to: Iterable[str], context: dict) -> None:
    """One email per address, so recipients never see each other's addresses."""
    recipients = sorted(set(to) - {""})
    if not recipients:
        return
    site = Site.objects.filter(is_default_site=True).first()
    site_settings = SiteSettings.for_site(site) if site else SiteSettings()
    context = {
        "site_name": site_settings.service_name,
        "council_name": site_settings.council_name,
        **context,
    }
    subject = " ".join(
        render_to_string(f"directory/emails/{template}_subject.txt", context).split()
    )
    body = render_to_string(f"directory/emails/{template}.txt", context)
    for address in recipients:
        email_send(to=[address], subject=subject, body=body)


def _digest_emails() -> set[str]:
    return set(
        ModerationPreference.objects.filter(daily_digest=True).values_list("user__email", flat=True)
    )


def moderators_notify_of_submission(*, task_state: TaskState) -> None:
    """Email each moderator about an edit waiting for them, except those who chose the daily
    digest and the person who submitted it."""
    change = listing_change_of(task_state)
    submitter_email = change.submitted_by.email if change.submitted_by else ""
    recipients = set(moderator_emails()) - _digest_emails() - {submitter_email}
    _email(
        "listing_submitted",
        to=recipients,
        context={
            "change": change,
            "review_url": _absolute(reverse("directory_listing_change", args=[task_state.pk])),
            "queue_url": _absolute(reverse("directory_listing_changes")),
        },
    )


def listing_decision_notify(
    *, workflow_state: WorkflowState, user: AbstractBaseUser | None
) -> None:
    """Tell the person who submitted an edit, and their organisation's editors, that a moderator
    approved or rejected it (with the moderator's comment). Automatic approvals send nothing:
    the provider saw the change published."""
    if workflow_state.current_task_state is None:
        return
    task_state = workflow_state.current_task_state.specific
    if not isinstance(task_state.task.specific, ListingModerationTask):
        return
    if task_state_is_automatic(task_state):
        return
    page = Page.objects.get(pk=workflow_state.object_id).specific
    organisation = listing_organisation(page=page)
    recipients = set()
    if organisation is not None:
        recipients.update(organisation_editor_emails(organisation=organisation))
    for person in (workflow_state.requested_by, task_state.revision.user):
        if person is not None and person.is_active and person.email:
            recipients.add(person.email)
    if user is not None and user.email:
        recipients.discard(user.email)
    approved = task_state.status == TaskState.STATUS_APPROVED
    _email(
        "listing_approved" if approved else "listing_rejected",
        to=recipients,
        context={
            "page": page,
            "organisation": organisation,
            "comment": task_state.comment,
            "public_url": _public_url(page),
            "edit_url": _absolute(reverse("wagtailadmin_pages:edit", args=[page.pk])),
        },
    )


def digest_window(
    *, now: datetime.datetime | None = None
) -> tuple[datetime.datetime, datetime.datetime]:
    """The day the digest sent at `now` covers: from the DIGEST_AT (local time) before last up
    to the latest one, so a late run still lists each edit once."""
    local = timezone.localtime(now or timezone.now()).replace(tzinfo=None)
    until = datetime.datetime.combine(local.date(), datetime.time()) + DIGEST_AT
    if until > local:
        until -= datetime.timedelta(days=1)
    since = until - datetime.timedelta(days=1)
    return timezone.make_aware(since), timezone.make_aware(until)


def moderation_digest_send(*, now: datetime.datetime | None = None) -> int:
    """Email moderators who chose the daily digest one list of the edits submitted in the past
    day (`digest_window`) that are still waiting. Sends nothing when there are none. Returns the
    number of edits listed."""
    since, until = digest_window(now=now)
    waiting = listing_task_states_waiting()
    new = [
        listing_change_of(task_state)
        for task_state in waiting.filter(started_at__gte=since, started_at__lt=until)
    ]
    if not new:
        return 0
    recipients = set(moderator_emails()) & _digest_emails()
    _email(
        "listing_digest",
        to=recipients,
        context={
            "changes": new,
            "waiting_count": waiting.count(),
            "since": since,
            "until": until,
            "queue_url": _absolute(reverse("directory_listing_changes")),
            "items": [
                {
                    "change": change,
                    "review_url": _absolute(
                        reverse("directory_listing_change", args=[change.task_state.pk])
                    ),
                }
                for change in new
            ],
        },
    )
    return len(new)


# --- Preferences ----------------------------------------------------------------------------


def moderation_digest_chosen(*, user: AbstractBaseUser) -> bool:
    return ModerationPreference.objects.filter(user=user, daily_digest=True).exists()


def moderation_preference_set(*, user: AbstractBaseUser, daily_digest: bool) -> None:
    """Choose between an email for each new listing change and one daily digest."""
    ModerationPreference.objects.update_or_create(
        user=user, defaults={"daily_digest": daily_digest}
    )
