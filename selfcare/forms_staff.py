"""Forms for the practitioners' queue (selfcare.views_staff). Choices come from the services
in selfcare.cases, so a form never offers someone who cannot work on cases."""

from __future__ import annotations

from django import forms

from . import cases
from .models import Submission

ASSIGNED_CHOICES = [("", "Anyone"), ("me", "Assigned to me"), ("unassigned", "Not assigned")]
NOTE_MAX_LENGTH = 5000


class QueueFilterForm(forms.Form):
    """The list's filters, sent as GET so a filtered list can be bookmarked."""

    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "All open cases"), *Submission.STATUSES],
    )
    assigned = forms.ChoiceField(label="Assigned to", required=False, choices=ASSIGNED_CHOICES)
    tool = forms.ChoiceField(label="Self-assessment", required=False)
    urgent = forms.BooleanField(label="Urgent cases only", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tool"].choices = [("", "All self-assessments")] + [
            (title, title) for title in cases.case_tools()
        ]

    def filters(self) -> dict:
        """The valid filters; a value edited into the address to something unknown is ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "status": data.get("status") or None,
            "assigned": data.get("assigned") or None,
            "tool": data.get("tool") or None,
            "urgent_only": bool(data.get("urgent")),
        }


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Add a note",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea,
        help_text="Notes are seen by other practitioners working on self-assessments.",
        error_messages={
            "required": "Enter a note",
            "max_length": f"The note must be {NOTE_MAX_LENGTH:,} characters or fewer",
        },
    )


class AssignForm(forms.Form):
    """ "Assign" with the chosen practitioner, or the separate "Assign to me" button."""

    assigned_to = forms.ChoiceField(
        label="Assign to",
        required=False,
        error_messages={"invalid_choice": "Select a social care practitioner from the list"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(user.pk): user for user in cases.practitioners()}
        self.fields["assigned_to"].choices = [("", "Nobody (unassigned)")] + [
            (pk, cases.user_label(user)) for pk, user in self.people.items()
        ]

    def chosen_user(self):
        return self.people.get(self.cleaned_data["assigned_to"])


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=Submission.STATUSES,
        error_messages={"required": "Select a status", "invalid_choice": "Select a status"},
    )
