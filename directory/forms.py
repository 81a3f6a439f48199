"""Forms for the directory's public pages. Thin: the shortlist's rules live in shortlist.py."""

from django import forms

from .shortlist import MESSAGE_MAX_LENGTH

EMAIL_FORMAT_ERROR = "Enter an email address in the correct format, like name@example.com"
EMPTY_LIST_ERROR = "Your list is empty"
RATE_LIMIT_ERROR = (
    "You have sent too many lists by email. Wait {period} and try again, "
    "or print your list instead."
)


class ShortlistEmailForm(forms.Form):
    """Email my list. Only signposting staff get the message field."""

    email = forms.EmailField(
        label="Email address",
        help_text="We will only use this to send your list.",
        max_length=254,
        error_messages={
            "required": "Enter an email address",
            "invalid": EMAIL_FORMAT_ERROR,
            "max_length": "Email address must be 254 characters or fewer",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    message = forms.CharField(
        label="Message (optional)",
        help_text=(
            f"Add a short note for the person, up to {MESSAGE_MAX_LENGTH} characters. "
            "Do not include personal or medical details."
        ),
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        error_messages={"max_length": f"Message must be {MESSAGE_MAX_LENGTH} characters or fewer"},
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, allow_message: bool, list_is_empty: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.list_is_empty = list_is_empty
        if not allow_message:
            del self.fields["message"]

    def clean(self):
        cleaned_data = super().clean()
        if self.list_is_empty:
            raise forms.ValidationError(EMPTY_LIST_ERROR)
        return cleaned_data
