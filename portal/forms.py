"""allauth's forms with GOV.UK labels and hints."""

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm


class LoginForm(AllauthLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Email address"
        self.fields["login"].widget.attrs["autocomplete"] = "email"
        # The page has its own "I have forgotten my password" link.
        self.fields["password"].help_text = ""
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"


class SignupForm(AllauthSignupForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.fields["email"].help_text = "We will use this to send you a link to confirm it."
        self.fields["password1"].label = "Create a password"
        self.fields[
            "password1"
        ].help_text = "Use at least 10 characters. Avoid common passwords and your email address."
        self.fields["password2"].label = "Confirm your password"
