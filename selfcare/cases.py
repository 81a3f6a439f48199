"""The practitioners' queue of submitted self-assessments (issue 6): selectors that list
cases, and services that assign them, change their status and add notes.

Every service writes a CaseActivity row: staff access to a person's answers is logged, and the
log is shown on the case. A row's detail is short and plain ("Assigned to sam@..."), and never
repeats the person's answers or a note's text, so the log is safe to show to every
practitioner.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q, QuerySet

from .models import CaseActivity, Submission, SubmissionNote

PERMISSION = "selfcare.work_on_submission"
OPEN_STATUSES = [Submission.NEW, Submission.IN_PROGRESS, Submission.WAITING]
_STATUS_LABELS = dict(Submission.STATUSES)


def user_can_work_on_cases(*, user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(PERMISSION))


def practitioners() -> QuerySet:
    """Active users who hold the permission, directly, through a group, or as superusers."""
    app_label, codename = PERMISSION.split(".")
    permission = Permission.objects.filter(
        content_type__app_label=app_label, codename=codename
    ).first()
    holds = Q(is_superuser=True)
    if permission is not None:
        holds |= Q(user_permissions=permission) | Q(groups__permissions=permission)
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(holds)
        .distinct()
        .order_by("email", "username")
    )


def user_label(user) -> str:
    """How staff are named on case pages: their email, as in the consent register."""
    if user is None:
        return "Nobody"
    return user.email or user.get_username()


def cases_for(
    *,
    user,
    status: str | None = None,
    assigned: str | None = None,
    tool: str | None = None,
    urgent_only: bool = False,
) -> QuerySet[Submission]:
    """Cases for the queue, urgent first then oldest submitted first.

    Open cases (new, in progress, waiting) unless `status` names one; closed cases are listed
    only when asked for. `assigned` is "me" (assigned to `user`), "unassigned" or None (anyone).
    `tool` is a definition title, as shown in the list.
    """
    cases = Submission.objects.select_related("assigned_to")
    cases = cases.filter(status=status) if status else cases.filter(status__in=OPEN_STATUSES)
    if assigned == "me":
        cases = cases.filter(assigned_to=user)
    elif assigned == "unassigned":
        cases = cases.filter(assigned_to__isnull=True)
    if tool:
        cases = cases.filter(definition_title=tool)
    if urgent_only:
        cases = cases.filter(urgent=True)
    return cases.order_by("-urgent", "submitted_at", "pk")


def case_tools() -> list[str]:
    """The titles of the tools that have sent cases, for the list's filter."""
    return list(
        Submission.objects.order_by("definition_title")
        .values_list("definition_title", flat=True)
        .distinct()
    )


def case_get(*, reference: str) -> Submission:
    """One case by its reference; raises Submission.DoesNotExist."""
    return Submission.objects.select_related("assigned_to").get(reference=reference)


def _log(*, submission: Submission, by, action: str, detail: str = "") -> CaseActivity:
    return CaseActivity.objects.create(
        submission=submission, user=by, action=action, detail=detail[:200]
    )


def case_viewed(*, submission: Submission, by) -> CaseActivity:
    return _log(submission=submission, by=by, action=CaseActivity.VIEWED)


def case_printed(*, submission: Submission, by) -> CaseActivity:
    return _log(submission=submission, by=by, action=CaseActivity.PRINTED)


@transaction.atomic
def case_assign(*, submission: Submission, to_user, by) -> Submission:
    """Give the case to `to_user` (None: nobody). Raises ValueError when `to_user` cannot work
    on cases, so a case is never left with someone who cannot open it."""
    if to_user is not None and not (to_user.is_active and to_user.has_perm(PERMISSION)):
        raise ValueError(
            f"{user_label(to_user)} cannot be assigned cases: they are not a social care "
            "practitioner"
        )
    submission.assigned_to = to_user
    submission.save(update_fields=["assigned_to", "updated_at"])
    if to_user is None:
        detail = "Unassigned"
    elif by is not None and to_user.pk == by.pk:
        detail = "Assigned to themselves"
    else:
        detail = f"Assigned to {user_label(to_user)}"
    _log(submission=submission, by=by, action=CaseActivity.ASSIGNED, detail=detail)
    return submission


@transaction.atomic
def case_set_status(*, submission: Submission, status: str, by) -> Submission:
    """Move the case to `status` (one of Submission.STATUSES); raises ValueError otherwise."""
    if status not in _STATUS_LABELS:
        raise ValueError(f"Unknown status: {status}")
    previous = submission.status
    submission.status = status
    submission.save(update_fields=["status", "updated_at"])
    _log(
        submission=submission,
        by=by,
        action=CaseActivity.STATUS,
        detail=f"{_STATUS_LABELS.get(previous, previous)} to {_STATUS_LABELS[status]}",
    )
    return submission


@transaction.atomic
def case_add_note(*, submission: Submission, text: str, by) -> SubmissionNote:
    """Add a practitioner's note. The activity log says a note was added, not what it says."""
    text = text.strip()
    if not text:
        raise ValueError("Enter a note")
    note = SubmissionNote.objects.create(submission=submission, author=by, text=text)
    submission.save(update_fields=["updated_at"])
    _log(submission=submission, by=by, action=CaseActivity.NOTE, detail="Added a note")
    return note
