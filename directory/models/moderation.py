"""The moderation step every provider edit passes through (ADR 0008)."""

from wagtail.models import AbstractGroupApprovalTask


class ListingModerationTask(AbstractGroupApprovalTask):
    """A moderator in the task's groups approves or rejects a listing edit. A trusted
    organisation's edit that only touches its trusted low-risk field groups is approved at
    once (`directory.moderation`)."""

    class Meta:
        verbose_name = "listing moderation task"
        verbose_name_plural = "listing moderation tasks"

    def start(self, workflow_state, user=None):
        task_state = super().start(workflow_state, user=user)
        from directory.moderation import auto_approve_if_trusted

        auto_approve_if_trusted(task_state=task_state, user=user)
        return task_state
