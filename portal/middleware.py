from dataclasses import replace as replace_parts

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from .selectors import user_has_mfa
from .services import user_requires_mfa

# Paths a person who must set up MFA can still reach: the set-up itself (which allauth guards
# with a password re-check) and signing out.
_MFA_SETUP_ALLOWED_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/reauthenticate/",
    "/accounts/logout/",
    "/healthz",
    "/static/",
)


class RequireMFAMiddleware:
    """Members of staff and provider roles set up an authenticator before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_MFA_SETUP_ALLOWED_PREFIXES)
            and not request.path.startswith(settings.MEDIA_URL)
            and user_requires_mfa(user=user)
            and not user_has_mfa(user=user)
        ):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Django sets the other security headers; this adds Permissions-Policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy, with one exception: Wagtail's admin runs inline scripts of its own
    (its page editor, choosers and dashboard), so under the admin's path scripts may be inline.
    Everywhere else scripts need the per-request nonce. The admin is for signed-in staff and
    providers, all with MFA."""

    ADMIN_SCRIPT_SRC = ["'self'", "'unsafe-inline'"]

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if request.path.startswith(_admin_prefix()):
            replace = dict(parts.replace or {})
            replace["script-src"] = self.ADMIN_SCRIPT_SRC
            parts = replace_parts(parts, replace=replace, nonce=None)
        return parts


def _admin_prefix() -> str:
    return reverse("wagtailadmin_home")
