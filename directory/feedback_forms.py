"""Forms for listing feedback and its status. Thin: the rules live in directory.feedback."""

from django import forms

from .models import ListingFeedback

DETAILS_MAX_LENGTH = 1200
EMAIL_FORMAT_ERROR = "Enter an email address in the correct format, like name@example.com"
RATE_LIMIT_ERROR = (
    "You have reported too many problems in a short time. Wait {period} and try again, "
    "or contact the service directly."
)


class GovukRadioSelect(forms.RadioSelect):
    """Radios whose error-summary link goes to the first radio, as GOV.UK asks: in
    templates/components/radios.html the first radio's id is the field's id."""

    def id_for_label(self, id_, index=None):
        return id_


class FeedbackForm(forms.Form):
    reason = forms.ChoiceField(
        label="What is wrong with this page?",
        choices=ListingFeedback.REASONS,
        widget=GovukRadioSelect,
        error_messages={"required": "Select what is wrong with this page"},
    )
    details = forms.CharField(
        label="Tell us more",
        help_text=(
            "For example, the new phone number or when the service closed. Do not include "
            "personal or medical information, such as your name or health conditions."
        ),
        required=False,
        max_length=DETAILS_MAX_LENGTH,
        error_messages={
            "max_length": f"Details must be {DETAILS_MAX_LENGTH:,} characters or fewer",
        },
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    email = forms.EmailField(
        label="Email address (optional)",
        help_text=(
            "Only if you would like a reply. We will share it with the organisation that runs "
            "the service and the council's directory team, and use it only to reply to you."
        ),
        required=False,
        max_length=254,
        error_messages={
            "invalid": EMAIL_FORMAT_ERROR,
            "max_length": "Email address must be 254 characters or fewer",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )

    def clean(self):
        cleaned_data = super().clean()
        if (
            cleaned_data.get("reason") == ListingFeedback.OTHER
            and not cleaned_data.get("details", "").strip()
        ):
            self.add_error("details", "Tell us what is wrong with this page")
        return cleaned_data


class FeedbackStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Change the status",
        choices=ListingFeedback.STATUSES,
        widget=GovukRadioSelect,
        error_messages={"required": "Select a status"},
    )
