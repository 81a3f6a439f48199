"""Forms for providers' self-service pages: joining or registering an organisation, inviting
colleagues, and moderators' decisions. Thin: the rules live in directory.providers; these only
check and word the input, in GOV.UK style."""

from __future__ import annotations

import re

from django import forms
from django.utils.text import normalize_newlines

from .models import OrganisationRequest
from .providers import OrganisationDetails

APPROVE = "approve"
REJECT = "reject"
EMAIL_FORMAT_ERROR = "Enter an email address in the correct format, like name@example.com"
RATE_LIMIT_ERROR = "You have sent too many {things}. Wait {period} and try again."
MESSAGE_MAX = OrganisationRequest._meta.get_field("message").max_length
DESCRIPTION_MAX = OrganisationRequest._meta.get_field("description").max_length

_PHONE_ALLOWED = re.compile(r"^[0-9 +()\-]+$")
# England and Wales charities: 6 to 8 digits, sometimes with a "-1" style suffix for a linked
# charity; Scotland's start SC and Northern Ireland's NIC.
_CHARITY_NUMBER = re.compile(r"^(?:\d{6,8}(?:-\d{1,2})?|SC\d{6}|NIC\d{6})$")
# Companies House: 8 characters, digits or a two-letter prefix (SC, NI, OC...) and 6 digits.
_COMPANY_NUMBER = re.compile(r"^(?:\d{8}|[A-Z]{2}\d{6})$")


class GovukRadioSelect(forms.RadioSelect):
    """Radios whose group links (from the error summary) to the first radio, as GOV.UK does."""

    def id_for_label(self, id_, index=None):
        return id_


def _clean_text(value: str, *, name: str, max_length: int) -> str:
    # Browsers send line breaks as two characters; count them as one, as the counter does.
    value = normalize_newlines(value or "").strip()
    if len(value) > max_length:
        raise forms.ValidationError(f"{name} must be {max_length:,} characters or fewer")
    return value


class OrganisationSearchForm(forms.Form):
    q = forms.CharField(
        label="Organisation name",
        required=False,
        max_length=100,
        help_text="Enter all or part of the name.",
        error_messages={"max_length": "Organisation name must be 100 characters or fewer"},
        widget=forms.TextInput(attrs={"spellcheck": "false", "type": "search"}),
    )


class _AboutYouForm(forms.Form):
    job_title = forms.CharField(
        label="Your role in the organisation",
        max_length=120,
        help_text="For example, volunteer coordinator or service manager.",
        error_messages={
            "required": "Enter your role in the organisation",
            "max_length": "Your role must be 120 characters or fewer",
        },
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    message = forms.CharField(
        label="Anything the moderator should know (optional)",
        required=False,
        help_text="For example, who in the organisation can confirm you work there.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_message(self) -> str:
        return _clean_text(
            self.cleaned_data.get("message", ""), name="Message", max_length=MESSAGE_MAX
        )


class JoinRequestForm(_AboutYouForm):
    pass


class RegisterRequestForm(_AboutYouForm):
    name = forms.CharField(
        label="Organisation name",
        max_length=255,
        error_messages={
            "required": "Enter the organisation's name",
            "max_length": "Organisation name must be 255 characters or fewer",
        },
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    description = forms.CharField(
        label="What the organisation does",
        help_text="One or two sentences for residents, in plain English.",
        error_messages={"required": "Enter what the organisation does"},
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    website = forms.URLField(
        label="Website (optional)",
        required=False,
        max_length=200,
        assume_scheme="https",
        error_messages={
            "invalid": "Enter a website address in the correct format, like www.example.org.uk",
            "max_length": "Website address must be 200 characters or fewer",
        },
        widget=forms.TextInput(attrs={"autocomplete": "url", "spellcheck": "false"}),
    )
    email = forms.EmailField(
        label="Email address for the public (optional)",
        required=False,
        max_length=254,
        error_messages={"invalid": EMAIL_FORMAT_ERROR},
        widget=forms.EmailInput(attrs={"spellcheck": "false"}),
    )
    phone = forms.CharField(
        label="Phone number for the public (optional)",
        required=False,
        max_length=40,
        error_messages={"max_length": "Phone number must be 40 characters or fewer"},
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    charity_number = forms.CharField(
        label="Registered charity number (optional)",
        required=False,
        max_length=20,
        help_text="For example, 1123456 or SC012345.",
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    company_number = forms.CharField(
        label="Company number (optional)",
        required=False,
        max_length=20,
        help_text="8 characters, for example 01234567 or SC123456.",
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )

    field_order = [
        "name",
        "description",
        "website",
        "email",
        "phone",
        "charity_number",
        "company_number",
        "job_title",
        "message",
    ]

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_description(self) -> str:
        return _clean_text(
            self.cleaned_data.get("description", ""),
            name="What the organisation does",
            max_length=DESCRIPTION_MAX,
        )

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone", "").strip()
        if not phone:
            return phone
        digits = re.sub(r"\D", "", phone)
        if not _PHONE_ALLOWED.match(phone) or not 10 <= len(digits) <= 13:
            raise forms.ValidationError(
                "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"
            )
        return phone

    def clean_charity_number(self) -> str:
        number = self.cleaned_data.get("charity_number", "").replace(" ", "").upper()
        if number and not _CHARITY_NUMBER.match(number):
            raise forms.ValidationError(
                "Enter a charity number in the correct format, like 1123456 or SC012345"
            )
        return number

    def clean_company_number(self) -> str:
        number = self.cleaned_data.get("company_number", "").replace(" ", "").upper()
        if number and not _COMPANY_NUMBER.match(number):
            raise forms.ValidationError(
                "Enter a company number in the correct format, like 01234567 or SC123456"
            )
        return number

    def details(self) -> OrganisationDetails:
        data = self.cleaned_data
        return OrganisationDetails(
            name=data["name"],
            description=data["description"],
            website=data.get("website", ""),
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            charity_number=data.get("charity_number", ""),
            company_number=data.get("company_number", ""),
        )


class RequestDecisionForm(forms.Form):
    """A moderator approves or rejects a request to join or register an organisation."""

    decision = forms.ChoiceField(
        label="Your decision",
        choices=[],
        widget=GovukRadioSelect,
        error_messages={"required": "Select your decision"},
    )
    make_admin = forms.BooleanField(
        label="Let them invite and remove colleagues (make them an admin of the organisation)",
        required=False,
    )
    comment = forms.CharField(
        label="Comment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed if you reject the request: we email it to the person who asked. It is "
        "also kept in the audit log.",
    )

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        if kind == OrganisationRequest.REGISTER:
            approve = "Approve: publish the organisation and make them its admin"
            del self.fields["make_admin"]
        else:
            approve = "Approve: make them a member of the organisation"
        self.fields["decision"].choices = [(APPROVE, approve), (REJECT, "Reject the request")]

    def clean_comment(self) -> str:
        return _clean_text(self.cleaned_data.get("comment", ""), name="Comment", max_length=1000)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == REJECT and not cleaned.get("comment"):
            self.add_error("comment", "Say why you are rejecting the request")
        return cleaned


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We will email them a link to join. It works once, for 14 days.",
        error_messages={
            "required": "Enter your colleague's email address",
            "invalid": EMAIL_FORMAT_ERROR,
            "max_length": "Email address must be 254 characters or fewer",
        },
        widget=forms.EmailInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
