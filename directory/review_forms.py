"""Forms for writing, reporting, replying to and moderating reviews. Thin: the rules live in
directory.reviews; these only check and word the input, in GOV.UK style."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.text import normalize_newlines

from .models import Review
from .models.reviews import REVIEW_MAX_CHARACTERS
from .reviews import review_experience_error

RATE_LIMIT_ERROR = "You have sent too many {things}. Wait {period} and try again."

RATING_CHOICES = [
    ("5", "5 stars: excellent"),
    ("4", "4 stars: good"),
    ("3", "3 stars: OK"),
    ("2", "2 stars: poor"),
    ("1", "1 star: very poor"),
]
# What a visitor reports, worded for them; the codes are the moderators' reject reasons.
REPORT_REASON_CHOICES = [
    (Review.IDENTIFIES_PERSON, "It names someone or gives their personal details"),
    (Review.OFFENSIVE, "It is offensive or abusive"),
    (Review.SAFEGUARDING, "It suggests someone may be at risk of harm"),
    (Review.COMPLAINT, "It is a complaint, not a review"),
    (Review.NOT_ABOUT_SERVICE, "It is not about this service"),
]
APPROVE = "approve"
REJECT = "reject"


class GovukRadioSelect(forms.RadioSelect):
    """Radios whose group links (from the error summary) to the first radio, as GOV.UK does:
    the first radio's id is the field's id."""

    def id_for_label(self, id_, index=None):
        return id_


def _text_field(*, label: str, required_error: str, hint: str):
    return forms.CharField(
        label=label,
        error_messages={"required": required_error},
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=hint,
    )


def _clean_text(value: str, *, name: str) -> str:
    # Browsers send line breaks as two characters; count them as one, as the counter does.
    value = normalize_newlines(value or "").strip()
    if len(value) > REVIEW_MAX_CHARACTERS:
        raise forms.ValidationError(f"{name} must be {REVIEW_MAX_CHARACTERS:,} characters or fewer")
    return value


class ReviewForm(forms.Form):
    rating = forms.ChoiceField(
        label="How would you rate this service?",
        choices=RATING_CHOICES,
        widget=GovukRadioSelect,
        error_messages={"required": "Select a rating from 1 to 5 stars"},
    )
    text = _text_field(
        label="Your review",
        required_error="Enter your review",
        hint=(
            "Tell other people what using the service was like. Do not name anyone or include "
            "anyone's personal or medical details, including your own."
        ),
    )
    experienced_month = forms.CharField(label="Month", required=False, max_length=2)
    experienced_year = forms.CharField(label="Year", required=False, max_length=4)
    confirmed = forms.BooleanField(
        label=("This review is about my own experience of this service in the last 2 years"),
        error_messages={
            "required": "Confirm that your review is about your own experience of this service"
        },
    )

    def __init__(self, *args, today: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.date_error_in = ""

    def clean_text(self) -> str:
        return _clean_text(self.cleaned_data.get("text", ""), name="Your review")

    def clean(self):
        cleaned = super().clean()
        month_text = (cleaned.get("experienced_month") or "").strip()
        year_text = (cleaned.get("experienced_year") or "").strip()
        if not month_text and not year_text:
            return self._date_error("both", "Enter the month and year you used the service")
        if not month_text:
            return self._date_error("month", "The date you used the service must include a month")
        if not year_text:
            return self._date_error("year", "The date you used the service must include a year")
        if not month_text.isdigit() or not 1 <= int(month_text) <= 12:
            return self._date_error("month", "The date you used the service must be a real date")
        if not year_text.isdigit() or len(year_text) != 4:
            return self._date_error("year", "Year must include 4 numbers")
        experienced_on = datetime.date(int(year_text), int(month_text), 1)
        if error := review_experience_error(experienced_on=experienced_on, today=self.today):
            return self._date_error("both", error)
        cleaned["experienced_on"] = experienced_on
        return cleaned

    def _date_error(self, boxes: str, message: str) -> dict:
        """One message for the date, on the first box it is about (the error summary links
        there)."""
        self.date_error_in = boxes
        self.add_error("experienced_year" if boxes == "year" else "experienced_month", message)
        return self.cleaned_data

    @property
    def date_error(self) -> str:
        errors = self.errors.get("experienced_month") or self.errors.get("experienced_year")
        return errors[0] if errors else ""


class ReviewReportForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why are you reporting this review?",
        choices=REPORT_REASON_CHOICES,
        widget=GovukRadioSelect,
        error_messages={"required": "Select why you are reporting this review"},
    )
    details = forms.CharField(
        label="Tell us more (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Do not include your own personal or medical details.",
    )
    email = forms.EmailField(
        label="Email address (optional)",
        required=False,
        max_length=254,
        help_text="If you want us to tell you what we decide.",
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )

    def clean_details(self) -> str:
        return _clean_text(self.cleaned_data.get("details", ""), name="Details")


class ReplyForm(forms.Form):
    text = _text_field(
        label="Your reply",
        required_error="Enter your reply",
        hint="Your reply is shown under the review, with your organisation's name. Do not "
        "include anyone's personal details.",
    )

    def clean_text(self) -> str:
        return _clean_text(self.cleaned_data.get("text", ""), name="Your reply")


class ReviewDecisionForm(forms.Form):
    """A moderator's decision on a review: publish it, or reject it for a reason."""

    decision = forms.ChoiceField(
        label="Your decision",
        choices=[],
        widget=GovukRadioSelect,
        error_messages={"required": "Select your decision"},
    )
    comment = forms.CharField(
        label="Note for the audit log (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why you decided this. Moderators see it in the site history; the reviewer "
        "does not.",
    )

    def __init__(self, *args, reported: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if reported:
            approve = "Dismiss the report: publish the review again"
            reject = "Uphold the report and reject the review: {reason}"
        else:
            approve = "Publish the review"
            reject = "Reject the review: {reason}"
        self.fields["decision"].choices = [
            (APPROVE, approve),
            *[
                (code, reject.format(reason=label[0].lower() + label[1:]))
                for code, label in Review.REJECT_REASONS
            ],
        ]

    def clean_comment(self) -> str:
        return _clean_text(self.cleaned_data.get("comment", ""), name="Note")


class ReplyDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[(APPROVE, "Publish the reply"), (REJECT, "Reject the reply")],
        widget=GovukRadioSelect,
        error_messages={"required": "Select your decision"},
    )
    comment = forms.CharField(
        label="Comment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed if you reject the reply: the provider is told this, so they can "
        "write it again.",
    )

    def clean_comment(self) -> str:
        return _clean_text(self.cleaned_data.get("comment", ""), name="Comment")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == REJECT and not cleaned.get("comment"):
            self.add_error("comment", "Tell the provider why their reply is not published")
        return cleaned
