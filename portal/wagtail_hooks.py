"""Admin-wide changes to the Wagtail admin: a 403 when permission is denied, and the
accessibility patch for parts of Wagtail's own markup (ADR 0008)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin import auth as wagtail_admin_auth


def admin_permission_denied(request):
    """Wagtail's `permission_denied`, but a 403 page instead of a redirect to the dashboard:
    the status says what happened (to people, browsers and tests), and nothing of the object
    asked for is shown. Wagtail looks the function up in `wagtail.admin.auth` each time."""
    if request.headers.get("x-requested-with") == "XMLHttpRequest":
        raise PermissionDenied
    return render(request, "portal/admin_permission_denied.html", status=403)


wagtail_admin_auth.permission_denied = admin_permission_denied


@hooks.register("insert_global_admin_js")
def admin_accessibility_patch():
    # One file for every admin accessibility fix, whoever needs one (ADR 0008).
    return format_html('<script src="{}" defer></script>', static("portal/admin-a11y.js"))


@hooks.register("before_move_page")
def refuse_move_confirmation_without_permission(request, page_to_move, destination):
    """Wagtail checks the permission to move a page only when the move is posted; its
    confirmation page would show anyone in the admin another organisation's page titles."""
    if not page_to_move.permissions_for_user(request.user).can_move_to(destination):
        raise PermissionDenied
