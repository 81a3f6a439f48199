"""Forms for the citizen "make your choice" journey (consent.views_choose). Each form checks
one page's answers and says what is wrong in GOV.UK words; the rules live in consent.choose."""

import datetime as dt
import re

from django import forms

from .forms import NHSNumberField
from .register_models import ConsentEvent

SELF = "self"
SOMEONE_ELSE = "someone-else"

# Outward code, a space (optional), inward code: the shape of every UK postcode.
_POSTCODE = re.compile(r"^(GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})$")


class WhoForm(forms.Form):
    who = forms.ChoiceField(
        label="Who are you making a choice for?",
        choices=[(SELF, "Myself"), (SOMEONE_ELSE, "Someone else")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select who you are making a choice for"},
    )


class RelationshipForm(forms.Form):
    relationship = forms.ChoiceField(
        label="What is your relationship to the person?",
        choices=[
            (ConsentEvent.PARENT, "I am the parent of a child under 16"),
            (
                ConsentEvent.LPA_HEALTH_WELFARE,
                "I have lasting power of attorney for their health and welfare",
            ),
            (ConsentEvent.COURT_DEPUTY, "I am their court-appointed deputy"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select your relationship to the person"},
    )
    proxy_name = forms.CharField(
        label="Your full name",
        max_length=200,
        error_messages={
            "required": "Enter your full name",
            "max_length": "Your full name must be 200 characters or fewer",
        },
    )


class DetailsForm(forms.Form):
    """The person's details. `for_self` only changes the words ("your" or "their")."""

    nhs_number = NHSNumberField()
    person_name = forms.CharField(label="Full name", max_length=200)
    dob_day = forms.CharField(label="Day", max_length=2, required=False)
    dob_month = forms.CharField(label="Month", max_length=2, required=False)
    dob_year = forms.CharField(label="Year", max_length=4, required=False)
    postcode = forms.CharField(label="Postcode", max_length=10)

    def __init__(self, *args, for_self: bool = True, today: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or dt.date.today()
        whose = "your" if for_self else "their"
        self.fields["nhs_number"].label = f"{whose.capitalize()} NHS number"
        self.fields["person_name"].label = f"{whose.capitalize()} full name"
        self.fields["person_name"].error_messages.update(
            required=f"Enter {whose} full name",
            max_length="Full name must be 200 characters or fewer",
        )
        self.fields["postcode"].label = f"{whose.capitalize()} postcode"
        self.fields["postcode"].error_messages.update(
            required=f"Enter {whose} postcode", max_length="Enter a real postcode"
        )
        for name in ("dob_day", "dob_month", "dob_year"):
            self.fields[name].error_messages["max_length"] = "Date of birth must be a real date"
        self.dob_legend = f"What is {whose} date of birth?"
        self.dob_error_in = ""

    def clean_postcode(self) -> str:
        postcode = " ".join(self.cleaned_data["postcode"].upper().split())
        if not _POSTCODE.match(postcode):
            raise forms.ValidationError("Enter a real postcode")
        if " " not in postcode:
            postcode = f"{postcode[:-3]} {postcode[-3:]}"
        return postcode

    def _dob_error(self, message: str, where: str) -> None:
        self.dob_error_in = where
        field = {"month": "dob_month", "year": "dob_year"}.get(where, "dob_day")
        self.add_error(field, message)

    def clean(self):
        data = super().clean()
        if any(self.has_error(f) for f in ("dob_day", "dob_month", "dob_year")):
            self.dob_error_in = "all"
            return data
        parts = {k: (data.get(f"dob_{k}") or "").strip() for k in ("day", "month", "year")}
        missing = [k for k, v in parts.items() if not v]
        if len(missing) == 3:
            self._dob_error("Enter date of birth", "all")
            return data
        if missing:
            words = " and a ".join(missing)
            self._dob_error(f"Date of birth must include a {words}", missing[0])
            return data
        if not all(v.isdigit() for v in parts.values()) or len(parts["year"]) != 4:
            self._dob_error("Date of birth must be a real date", "all")
            return data
        try:
            born = dt.date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
        except ValueError:
            self._dob_error("Date of birth must be a real date", "all")
            return data
        if born > self.today:
            self._dob_error("Date of birth must be in the past", "all")
        elif born.year < 1890:
            self._dob_error("Date of birth must be after 1890", "year")
        else:
            data["date_of_birth"] = born
        return data

    @property
    def dob_error(self) -> str:
        for name in ("dob_day", "dob_month", "dob_year"):
            if self.errors.get(name):
                return self.errors[name][0]
        return ""


class PurposeForm(forms.Form):
    """One purpose's question: "yes" loosens (withdraw an objection, or consent), "no" is the
    safe direction (object, or withdraw consent)."""

    answer = forms.ChoiceField(widget=forms.RadioSelect)

    def __init__(self, *args, purpose, for_self: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["answer"]
        field.label = purpose.name
        field.help_text = purpose.description
        whose = "your" if for_self else "their"
        if purpose.legal_basis == purpose.CONSENT:
            field.choices = [("yes", "I agree"), ("no", "I do not agree")]
            field.error_messages["required"] = "Select if you agree or do not agree"
        else:
            field.choices = [
                ("yes", f"Yes, you can use {'my' if for_self else whose} information for this"),
                ("no", "No, I object"),
            ]
            field.error_messages["required"] = (
                f"Select yes if we can use {whose} information for this, or no if you object"
            )
