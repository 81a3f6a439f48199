"""Forms for the staff register pages (consent.views_staff)."""

from __future__ import annotations

from django import forms

from .access import GP_CODES, STAFF_CHANNELS
from .forms import NHSNumberField
from .models import Purpose
from .register_models import ConsentEvent

_CHANNEL_LABELS = dict(ConsentEvent.CHANNELS)
_STAFF_IDENTITY_METHODS = [
    (code, label) for code, label in ConsentEvent.IDENTITY_METHODS if code != "none"
]


class FindPersonForm(forms.Form):
    nhs_number = NHSNumberField(help_text="Enter the exact 10 digit NHS number.")


class IdentityMixin(forms.Form):
    evidence_reference = forms.CharField(
        label="Evidence reference",
        max_length=200,
        help_text="For example the call log number, letter reference or GP record entry.",
        error_messages={"required": "Enter the evidence reference"},
    )
    identity_method = forms.ChoiceField(
        label="How was their identity checked?",
        choices=_STAFF_IDENTITY_METHODS,
        error_messages={"required": "Select how their identity was checked"},
    )
    identity_result = forms.ChoiceField(
        label="Result of the identity check",
        choices=ConsentEvent.IDENTITY_RESULTS,
        error_messages={"required": "Select the result of the identity check"},
    )


class RecordChoiceForm(IdentityMixin):
    purpose = forms.ModelChoiceField(
        label="Purpose",
        queryset=Purpose.objects.none(),
        empty_label=None,
        error_messages={"required": "Select the purpose"},
    )
    decision = forms.ChoiceField(
        label="Decision",
        choices=[
            (code, label)
            for code, label in ConsentEvent.DECISIONS
            if code not in (ConsentEvent.LACKS_CAPACITY, ConsentEvent.IDENTITY_VERIFIED)
        ],
        error_messages={"required": "Select the decision"},
    )
    channel = forms.ChoiceField(
        label="How was the choice received?",
        choices=[(code, _CHANNEL_LABELS[code]) for code in STAFF_CHANNELS],
        error_messages={"required": "Select how the choice was received"},
    )
    actor = forms.ChoiceField(
        label="Who made the choice?",
        choices=[
            (ConsentEvent.SELF, "The person themselves"),
            (ConsentEvent.PROXY, "Their representative"),
        ],
        initial=ConsentEvent.SELF,
        error_messages={"required": "Select who made the choice"},
    )
    proxy_role = forms.ChoiceField(
        label="Representative's role (if a representative chose)",
        choices=[("", "Not a representative"), *ConsentEvent.PROXY_ROLES],
        required=False,
    )
    proxy_name = forms.CharField(
        label="Representative's full name (if a representative chose)",
        max_length=200,
        required=False,
    )

    field_order = [
        "purpose",
        "decision",
        "channel",
        "actor",
        "proxy_role",
        "proxy_name",
        "evidence_reference",
        "identity_method",
        "identity_result",
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["purpose"].queryset = Purpose.objects.filter(is_active=True).order_by("pk")
        self.fields["purpose"].label_from_instance = lambda purpose: purpose.name

    def clean(self):
        data = super().clean()
        if data.get("actor") == ConsentEvent.PROXY:
            if not data.get("proxy_role"):
                self.add_error("proxy_role", "Select the representative's role")
            if not (data.get("proxy_name") or "").strip():
                self.add_error("proxy_name", "Enter the representative's full name")
        elif data.get("proxy_role"):
            self.add_error("proxy_role", "Only give a role when a representative made the choice")
        return data


class GPCodeForm(IdentityMixin):
    code = forms.ChoiceField(
        label="GP code (SNOMED CT)",
        choices=[(c.code, f"{c.code} {c.display}") for c in GP_CODES.values()],
        error_messages={"required": "Select the GP code"},
    )
    field_order = ["code", "evidence_reference", "identity_method", "identity_result"]

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault(
            "initial", {"identity_method": "gp-record", "identity_result": ConsentEvent.VERIFIED}
        )
        super().__init__(*args, **kwargs)


class CapacityForm(forms.Form):
    evidence_reference = forms.CharField(
        label="Evidence reference",
        max_length=200,
        help_text="The reference of the recorded capacity assessment.",
        error_messages={"required": "Enter the reference of the capacity assessment"},
    )
    confirm = forms.BooleanField(
        label="This person lacks capacity to decide and has no representative",
        error_messages={"required": "Confirm the person lacks capacity and has no representative"},
    )
