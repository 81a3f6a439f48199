"""Forms for the staff register pages (consent.views_staff)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from .access import GP_CODES, STAFF_CHANNELS
from .bulk_import import MAX_UPLOAD_BYTES, ImportFileError, import_read
from .forms import NHSNumberField
from .identity import STAFF_METHODS, verified_nhs_number
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


class ImportUploadForm(forms.Form):
    """A CSV file of choices (consent.bulk_import checks its contents)."""

    file = forms.FileField(
        label="Upload a CSV file",
        help_text="A CSV file saved as UTF-8, smaller than 5 MB, with the columns in the guide.",
        error_messages={
            "required": "Select a CSV file",
            "empty": "The selected file is empty",
            "invalid": "Select a CSV file",
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("The selected file must be a CSV")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 5 MB")
        data = upload.read()
        try:
            self.check = import_read(data)
        except ImportFileError as error:
            raise forms.ValidationError(str(error)) from error
        self.data_bytes = data
        return upload


class ImportConfirmForm(forms.Form):
    import_again = forms.BooleanField(
        label="Import this file again",
        help_text="Every good row will be recorded again as a new event.",
        required=False,
    )

    def __init__(self, *args, already_imported: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.already_imported = already_imported

    def clean(self):
        data = super().clean()
        if self.already_imported and not data.get("import_again"):
            self.add_error(
                "import_again", "This file was imported before: confirm to import it again"
            )
        return data


class PendingFindForm(forms.Form):
    reference = forms.CharField(max_length=16)


class VerifyIdentityForm(forms.Form):
    method = forms.ChoiceField(
        label="How did you check their identity?",
        choices=[
            (code, label) for code, label in ConsentEvent.IDENTITY_METHODS if code in STAFF_METHODS
        ],
        error_messages={"required": "Select how you checked their identity"},
    )
    evidence_reference = forms.CharField(
        label="Evidence reference",
        max_length=200,
        help_text="For example the call log number, the documents seen or the GP record entry.",
        error_messages={"required": "Enter the evidence reference"},
    )
    channel = forms.ChoiceField(
        label="How were you in touch?",
        choices=[(code, _CHANNEL_LABELS[code]) for code in STAFF_CHANNELS],
        initial="in-person",
        error_messages={"required": "Select how you were in touch"},
    )
    account_email = forms.EmailField(
        label="Link their portal account (optional)",
        help_text=(
            "The email address of the person's account on this website. Linking lets them see "
            "and change their choices online. Leave blank not to link an account."
        ),
        required=False,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )

    def __init__(self, *args, staff_user=None, nhs_number: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.staff_user = staff_user
        self.nhs_number = nhs_number
        self.account = None

    def clean_account_email(self):
        email = (self.cleaned_data.get("account_email") or "").strip()
        if not email:
            return ""
        accounts = list(get_user_model().objects.filter(email__iexact=email, is_active=True)[:2])
        if not accounts:
            raise forms.ValidationError("There is no account with that email address")
        if len(accounts) > 1:
            raise forms.ValidationError(
                "More than one account has that email address: ask an administrator"
            )
        account = accounts[0]
        if self.staff_user is not None and account.pk == self.staff_user.pk:
            raise forms.ValidationError("You cannot link your own account")
        linked = verified_nhs_number(user=account)
        if linked and linked != self.nhs_number:
            raise forms.ValidationError(
                "That account is already linked to a different person: ask an IG officer"
            )
        self.account = account
        return email
