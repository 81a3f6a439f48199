"""Signal receivers for listing moderation, connected by DirectoryConfig.ready (ADR 0010).

Wagtail emails moderators and submitters itself, inside the request, with links into its own
admin. For the listing moderation workflow `directory.moderation` sends its own emails through
the task queue instead, so Wagtail's notifiers are replaced here by ones that skip this
workflow and behave as before for any other.
"""

from __future__ import annotations

from wagtail.admin import signal_handlers as wagtail_notifiers
from wagtail.models import TaskState, WorkflowState
from wagtail.signals import task_submitted, workflow_approved, workflow_rejected, workflow_submitted

# Wagtail's receivers, by the dispatch_uid it connects each with (wagtail.admin.signal_handlers).
WAGTAIL_NOTIFIERS = [
    (
        task_submitted,
        TaskState,
        "group_approval_task_submitted_email_notification",
        wagtail_notifiers.task_submission_email_notifier,
    ),
    (
        workflow_submitted,
        WorkflowState,
        "workflow_state_submitted_email_notification",
        wagtail_notifiers.workflow_submission_email_notifier,
    ),
    (
        workflow_rejected,
        WorkflowState,
        "workflow_state_rejected_email_notification",
        wagtail_notifiers.workflow_rejection_email_notifier,
    ),
    (
        workflow_approved,
        WorkflowState,
        "workflow_state_approved_email_notification",
        wagtail_notifiers.workflow_approval_email_notifier,
    ),
]


def _is_listing_moderation(instance) -> bool:
    from .models import ListingModerationTask
    from .moderation import workflow_is_listing_moderation

    if isinstance(instance, TaskState):
        return isinstance(instance.task.specific, ListingModerationTask)
    return workflow_is_listing_moderation(workflow_id=instance.workflow_id)


def _except_listing_moderation(notifier):
    def receiver(sender, instance, **kwargs):
        if _is_listing_moderation(instance):
            return None
        return notifier(instance=instance, sender=sender, **kwargs)

    return receiver


def listing_decision_receiver(sender, instance: WorkflowState, user=None, **kwargs) -> None:
    from .moderation import listing_decision_notify

    listing_decision_notify(workflow_state=instance, user=user)


def connect() -> None:
    # Directory comes before wagtail.admin in INSTALLED_APPS, so this runs first: connecting
    # under Wagtail's own dispatch_uid makes its later connect a no-op. Disconnecting first
    # covers the other order.
    for signal, sender, dispatch_uid, notifier in WAGTAIL_NOTIFIERS:
        signal.disconnect(sender=sender, dispatch_uid=dispatch_uid)
        signal.connect(
            _except_listing_moderation(notifier),
            sender=sender,
            dispatch_uid=dispatch_uid,
            weak=False,
        )
    for signal in (workflow_approved, workflow_rejected):
        signal.connect(
            listing_decision_receiver,
            sender=WorkflowState,
            dispatch_uid=f"directory_listing_decision_{signal is workflow_approved}",
        )
