from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site

from .email import email_message_send
from .services import user_assign_default_role


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up puts people in the Residents role; messages follow GOV.UK style; email is queued."""

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

    def send_mail(self, template_prefix, email, context):
        # As allauth's own, but through the task queue: a failing mail server never fails
        # sign-up, password reset or an MFA notification, and the send is retried.
        request = allauth_context.request
        context = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            **context,
        }
        email_message_send(message=self.render_mail(template_prefix, email, context))
