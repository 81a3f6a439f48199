"""Self-care in the Wagtail admin: the care-cost estimator's figures each April
(docs/care-cost-estimator.md), the signposting rules Editors keep (selfcare.signposting) and,
for Administrators, the log of submissions sent to the case system (docs/selfcare-webhook.md).
"""

import re

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin import messages as admin_messages
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from portal import roles

from .models import ChargingYear, SignpostRule, WebhookDelivery


class ChargingYearViewSet(SnippetViewSet):
    model = ChargingYear
    icon = "table"
    menu_label = "Care charging years"
    add_to_admin_menu = True
    menu_order = 910
    list_display = ["label", "starts_on", "confirmed"]


register_snippet(ChargingYearViewSet)


# --- Signposting rules (selfcare.signposting.signpost_categories_for) ------------------------

SIGNPOST_KEY_PATTERN = re.compile(
    r"(always|eligible|not-eligible|outcome:[\w-]+|band:[\w-]+:[\w-]+|flag:[\w-]+)", re.ASCII
)
SIGNPOST_KEY_ERROR = (
    'Enter a key like "outcome:nutrition", "band:severity:moderate", "flag:urgent", '
    '"eligible", "not-eligible" or "always"'
)


class SignpostRuleForm(WagtailAdminModelForm):
    """The tool is chosen from those offered; a key no result could ever match is refused, so
    a typo does not silently offer nothing."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .catalogue import offered_all

        tools = {slug: offer.definition.title for slug, offer in offered_all().items()}
        current = self.instance.definition_slug
        if current and current not in tools:  # a tool since withdrawn: keep the rule editable
            tools[current] = f"{current} (no longer offered)"
        self.fields["definition_slug"].widget = forms.Select(
            choices=[("", "Choose a tool"), *sorted(tools.items(), key=lambda item: item[1])]
        )
        self._tools = tools

    def clean_definition_slug(self) -> str:
        slug = self.cleaned_data.get("definition_slug", "")
        if slug not in self._tools:
            raise forms.ValidationError("Choose a self-care tool from the list")
        return slug

    def clean_key(self) -> str:
        key = "".join(self.cleaned_data.get("key", "").split())
        if not SIGNPOST_KEY_PATTERN.fullmatch(key):
            raise forms.ValidationError(SIGNPOST_KEY_ERROR)
        return key


def _categories(rule: SignpostRule) -> str:
    return ", ".join(sorted(term.name for term in rule.categories.all())) or "None"


class SignpostRuleViewSet(SnippetViewSet):
    model = SignpostRule
    icon = "link"
    menu_label = "Signposting rules"
    menu_name = "signposting-rules"
    add_to_admin_menu = True
    menu_order = 911
    list_display = [
        "definition_slug",
        "key",
        Column("categories", label="Categories", accessor=_categories),
    ]
    list_filter = ["definition_slug"]
    search_fields = ["definition_slug", "key", "note"]
    edit_handler = ObjectList(
        [
            FieldPanel("definition_slug", heading="Tool"),
            FieldPanel("key"),
            FieldPanel("categories", widget=forms.CheckboxSelectMultiple),
            FieldPanel("note"),
        ],
        base_form_class=SignpostRuleForm,
    )

    def get_queryset(self, request):
        return SignpostRule.objects.prefetch_related("categories")


register_snippet(SignpostRuleViewSet)


# --- Case system deliveries (selfcare.webhooks) -------------------------------------------------
# Read-only, for Administrators: the body is personal data and is never shown here; the log
# shows when each attempt was made and what the case system answered.


def _is_administrator(user) -> bool:
    return bool(
        user.is_active
        and (user.is_superuser or user.groups.filter(name=roles.ADMINISTRATORS).exists())
    )


class DeliveryPermissionPolicy(BasePermissionPolicy):
    """Administrators (and superusers) may view deliveries and retry them; nobody adds, edits
    or deletes one here (deliveries go with their case, selfcare.retention)."""

    ACTIONS = ("view", "retry")

    def user_has_permission(self, user, action):
        return action in self.ACTIONS and _is_administrator(user)

    def users_with_any_permission(self, actions):
        users = get_user_model().objects.filter(is_active=True)
        if not set(actions) & set(self.ACTIONS):
            return users.none()
        return users.filter(Q(is_superuser=True) | Q(groups__name=roles.ADMINISTRATORS)).distinct()


delivery_permission_policy = DeliveryPermissionPolicy(WebhookDelivery)
register_permission_policy(WebhookDelivery, delivery_permission_policy)


class DeliveryInspectView(InspectView):
    def get_field_label(self, field_name, field):
        if field_name == "attempt_log":
            return "Attempt log"
        if field_name == "submission":
            return "Case reference"
        return super().get_field_label(field_name, field)

    def get_submission_display_value(self):
        return self.object.submission.reference

    def get_attempt_log_display_value(self):
        attempts = list(self.object.attempt_log.all())
        if not attempts:
            return format_html("<p>No attempts yet.</p>{}", self._retry_form())
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} ms</td></tr>",
            (
                (
                    n,
                    f"{attempt.at:%d %B %Y %H:%M:%S}",
                    attempt.status_code or attempt.error or "No answer",
                    attempt.duration_ms,
                )
                for n, attempt in enumerate(attempts, start=1)
            ),
        )
        return format_html(
            '<table class="listing"><caption class="w-sr-only">Attempts, oldest first</caption>'
            '<thead><tr><th scope="col">Attempt</th><th scope="col">At (UTC)</th>'
            '<th scope="col">Answer</th><th scope="col">Took</th></tr></thead>'
            "<tbody>{}</tbody></table>{}",
            rows,
            self._retry_form(),
        )

    @property
    def header_more_buttons(self):
        return []

    def _retry_form(self):
        """A POST form (no template of our own needed): retrying sends personal data, so it is
        never a link that a prefetch could follow."""
        delivery = self.object
        if delivery.status == WebhookDelivery.DELIVERED or not (
            delivery_permission_policy.user_has_permission(self.request.user, "retry")
        ):
            return ""
        return format_html(
            '<form method="post" action="{}"><input type="hidden" name="csrfmiddlewaretoken" '
            'value="{}"><button type="submit" class="button">Retry now</button></form>',
            reverse("selfcare_delivery_retry", args=[delivery.pk]),
            get_token(self.request),
        )


class DeliveryViewSet(ModelViewSet):
    model = WebhookDelivery
    name = "case-system-deliveries"
    icon = "mail"
    menu_label = "Case system deliveries"
    add_to_admin_menu = True
    menu_order = 912
    inspect_view_enabled = True
    inspect_view_class = DeliveryInspectView
    inspect_view_fields = [
        "submission",
        "event",
        "url",
        "status",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "created_at",
        "attempt_log",
    ]
    copy_view_enabled = False
    list_display = [
        "submission__reference",
        "event",
        "status",
        "attempts",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status"]
    form_fields = ["status"]  # never shown: the policy refuses add and change

    def get_queryset(self, request):
        return WebhookDelivery.objects.select_related("submission")

    def get_permissions_to_register(self):
        # The policy above decides, by role: no per-group delivery permissions to tick.
        return Permission.objects.none()

    def get_urlpatterns(self):
        # Read-only: only the list and the inspect view exist, whatever a policy says.
        keep = {"index", "index_results", "inspect"}
        return [pattern for pattern in super().get_urlpatterns() if pattern.name in keep]


@hooks.register("register_admin_viewset")
def register_delivery_viewset():
    return DeliveryViewSet()


@require_POST
def delivery_retry(request, pk: int):
    """Make a delivery due now and attempt it at once (in this request, as on the immediate
    backend the task would): Administrators use it after the case system was mended."""
    from .webhooks import webhook_attempt, webhook_retry_now

    if not delivery_permission_policy.user_has_permission(request.user, "retry"):
        raise PermissionDenied
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("submission"), pk=pk)
    if not webhook_retry_now(delivery=delivery):
        admin_messages.warning(request, f"{delivery.submission.reference} is already delivered.")
    elif webhook_attempt(delivery=delivery):
        admin_messages.success(request, f"{delivery.submission.reference} was delivered.")
    else:
        admin_messages.error(
            request,
            f"The case system did not accept {delivery.submission.reference}: see the attempt log.",
        )
    return redirect("case-system-deliveries:inspect", pk)


@hooks.register("register_admin_urls")
def register_delivery_retry_url():
    return [
        path(
            "case-system-deliveries/<int:pk>/retry/",
            delivery_retry,
            name="selfcare_delivery_retry",
        )
    ]


# Council-authored definitions register themselves there.
from . import admin_definitions  # noqa: E402, F401
