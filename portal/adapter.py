from allauth.account.adapter import DefaultAccountAdapter

from .services import user_assign_default_role


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up puts people in the Residents role; messages follow GOV.UK style."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": "The email address or password you entered is not correct",
        "too_many_login_attempts": (
            "You have tried to sign in too many times. Wait 5 minutes, then try again"
        ),
        "incorrect_code": "The code is not correct. Enter the 6-digit code from your app",
        "email_taken": "An account already exists with this email address. Sign in instead",
    }

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            user_assign_default_role(user=user)
        return user
