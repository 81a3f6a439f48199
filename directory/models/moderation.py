"""The moderation step every provider edit passes through (ADR 0008, ADR 0010), and the low-risk
field groups a trusted organisation may publish without waiting."""

import json

from django import forms
from wagtail.models import AbstractGroupApprovalTask

# Low-risk field groups (ADR 0010): the page fields and inline rows in each. Any other change to
# a listing counts as OTHER_FIELD_GROUP and always waits for a moderator.
FIELD_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "opening_times": (
        "opening times",
        ("regular_schedules", "schedule_exceptions", "closed_on_bank_holidays"),
    ),
    # `phones` are a service's numbers, `phone` an organisation's.
    "phone": ("phone numbers", ("phones", "phone")),
    "email": ("email address", ("email",)),
}
OTHER_FIELD_GROUP = "other"
FIELD_GROUP_CHOICES = [(name, label.capitalize()) for name, (label, _) in FIELD_GROUPS.items()]
REJECT_COMMENT_REQUIRED = "Say what needs to change, so the provider can put it right"


class FieldGroupsWidget(forms.CheckboxSelectMultiple):
    """Tick boxes for a JSONField holding a list of field group names. Django's JSON form
    field reads and writes JSON text, so the widget translates to and from it."""

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs, choices or FIELD_GROUP_CHOICES)

    def format_value(self, value):
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                value = []
        return super().format_value(value)

    def value_from_datadict(self, data, files, name):
        return json.dumps(super().value_from_datadict(data, files, name))


class RejectionForm(forms.Form):
    """Wagtail's "Request changes" dialogue, with the comment required: the provider is told
    what to change."""

    comment = forms.CharField(
        label="Comment",
        widget=forms.Textarea({"rows": 3}),
        error_messages={"required": REJECT_COMMENT_REQUIRED},
    )


class ListingModerationTask(AbstractGroupApprovalTask):
    """A moderator in the task's groups approves or rejects a listing edit. A trusted
    organisation's edit that only touches its trusted low-risk field groups is approved at
    once (`directory.moderation`)."""

    class Meta:
        verbose_name = "listing moderation task"
        verbose_name_plural = "listing moderation tasks"

    def start(self, workflow_state, user=None):
        task_state = super().start(workflow_state, user=user)
        from directory.moderation import auto_approve_if_trusted, moderators_notify_of_submission

        # Approved here (inside Wagtail's workflow, so the audit log records it), Wagtail's
        # WorkflowState.update sees a finished task and publishes the revision.
        if not auto_approve_if_trusted(task_state=task_state, user=user):
            moderators_notify_of_submission(task_state=task_state)
        return task_state

    def get_form_for_action(self, action):
        if action == "reject":
            return RejectionForm
        return super().get_form_for_action(action)
