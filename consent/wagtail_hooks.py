"""Data-sharing purposes, IG pipeline systems and their API tokens in the Wagtail admin, for IG
officers (docs/permissions.md, docs/ig-pipeline.md)."""

import datetime as dt

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse, reverse_lazy
from django.utils import timezone
from django.views.generic import FormView, TemplateView
from wagtail import hooks
from wagtail.admin import messages as admin_messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import pipeline
from .models import Purpose
from .pipeline_models import PipelineSystem, PipelineToken


class PurposeViewSet(SnippetViewSet):
    model = Purpose
    icon = "list-ul"
    menu_label = "Data-sharing purposes"
    menu_name = "data-sharing-purposes"
    menu_order = 700
    add_to_admin_menu = True
    list_display = ["name", "code", "legal_basis", "objection_honoured", "is_active"]
    list_filter = ["legal_basis", "is_active"]
    search_fields = ["name", "code"]
    form_fields = [
        "code",
        "name",
        "description",
        "legal_basis",
        "objection_honoured",
        "national_opt_out_applies",
        "data_categories",
        "recipients",
        "is_active",
        "sort_order",
    ]


register_snippet(PurposeViewSet)


# --- The IG pipeline: systems and their API tokens (ADR 0014, docs/ig-pipeline.md) ----------
# IG officers and Administrators hold the permissions (migration 0010); Wagtail's admin access
# check applies to every URL registered below.


class PipelineSystemViewSet(SnippetViewSet):
    model = PipelineSystem
    icon = "cogs"
    menu_label = "IG pipeline systems"
    menu_name = "ig-pipeline-systems"
    menu_order = 710
    add_to_admin_menu = True
    list_display = ["name", "entitled_to_nhs_numbers", "is_active", "created_at"]
    list_filter = ["entitled_to_nhs_numbers", "is_active"]
    search_fields = ["name"]
    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("purposes", widget=forms.CheckboxSelectMultiple),
        FieldPanel("entitled_to_nhs_numbers"),
        FieldPanel("is_active"),
    ]


register_snippet(PipelineSystemViewSet)

ISSUE_PERMISSION = "consent.add_pipelinetoken"
REVOKE_PERMISSION = "consent.change_pipelinetoken"


class _TokenPermissionMixin:
    permission_required: str = ISSUE_PERMISSION

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission_required):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _tokens_breadcrumbs(*more: dict) -> list[dict]:
    return [
        *WagtailAdminTemplateMixin.breadcrumbs_items,
        {"url": reverse("consent_pipeline_tokens"), "label": "IG pipeline tokens"},
        *more,
    ]


class PipelineTokensView(_TokenPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    """Every system with its tokens (prefix, label, dates), to issue and revoke them."""

    template_name = "consent/admin/pipeline_tokens.html"
    page_title = "IG pipeline tokens"
    header_icon = "key"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["systems"] = PipelineSystem.objects.prefetch_related("tokens", "purposes")
        context["can_revoke"] = self.request.user.has_perm(REVOKE_PERMISSION)
        context["now"] = timezone.now()
        return context


class TokenIssueForm(forms.Form):
    label = forms.CharField(
        label="Label",
        max_length=120,
        required=False,
        help_text="Where the token will be used, e.g. 'landing area, production'.",
    )
    expires_on = forms.DateField(
        label="Expires on (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The token stops working at the start of this day (UTC). Leave empty for "
        "no expiry; revoke it when it is no longer needed.",
    )

    def clean_expires_on(self):
        value = self.cleaned_data["expires_on"]
        if value is not None and value <= timezone.now().date():
            raise forms.ValidationError("The expiry date must be in the future.")
        return value


class PipelineTokenIssueView(_TokenPermissionMixin, WagtailAdminTemplateMixin, FormView):
    """Issue a token for one system. The raw token is shown on the answer to the POST, once:
    it is not stored, put in a URL or kept in the session."""

    template_name = "consent/admin/pipeline_token_issue.html"
    form_class = TokenIssueForm
    page_title = "Issue an API token"
    header_icon = "key"

    def setup(self, request, *args, system_id: int, **kwargs):
        super().setup(request, *args, **kwargs)
        self.system = get_object_or_404(PipelineSystem, pk=system_id)

    def get_breadcrumbs_items(self):
        return _tokens_breadcrumbs({"url": "", "label": f"Issue a token for {self.system}"})

    def get_context_data(self, **kwargs):
        return super().get_context_data(system=self.system, **kwargs)

    def form_valid(self, form):
        expires_on = form.cleaned_data["expires_on"]
        expires_at = (
            dt.datetime.combine(expires_on, dt.time.min, tzinfo=dt.UTC) if expires_on else None
        )
        token, raw = pipeline.token_issue(
            system=self.system,
            label=form.cleaned_data["label"],
            created_by=self.request.user,
            expires_at=expires_at,
        )
        response = TemplateResponse(
            self.request,
            "consent/admin/pipeline_token_issued.html",
            self.get_context_data(form=form, token=token, raw_token=raw),
        )
        response["Cache-Control"] = "no-store"
        return response


class PipelineTokenRevokeView(_TokenPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    """Confirm, then revoke a token: calls with it are refused (401) from then on."""

    permission_required = REVOKE_PERMISSION
    template_name = "consent/admin/pipeline_token_revoke.html"
    page_title = "Revoke an API token"
    header_icon = "key"

    def setup(self, request, *args, token_id: int, **kwargs):
        super().setup(request, *args, **kwargs)
        self.token = get_object_or_404(PipelineToken.objects.select_related("system"), pk=token_id)

    def get_breadcrumbs_items(self):
        return _tokens_breadcrumbs({"url": "", "label": self.page_title})

    def get_context_data(self, **kwargs):
        return super().get_context_data(token=self.token, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.token.revoked_at is None:
            pipeline.token_revoke(token=self.token)
            admin_messages.success(
                request, f"Revoked token {self.token.prefix}… for {self.token.system}."
            )
        return redirect("consent_pipeline_tokens")


@hooks.register("register_admin_urls")
def register_pipeline_token_urls():
    return [
        path("ig-pipeline/tokens/", PipelineTokensView.as_view(), name="consent_pipeline_tokens"),
        path(
            "ig-pipeline/systems/<int:system_id>/tokens/new/",
            PipelineTokenIssueView.as_view(),
            name="consent_pipeline_token_issue",
        ),
        path(
            "ig-pipeline/tokens/<int:token_id>/revoke/",
            PipelineTokenRevokeView.as_view(),
            name="consent_pipeline_token_revoke",
        ),
    ]


class PipelineTokensMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(ISSUE_PERMISSION) or request.user.has_perm(REVOKE_PERMISSION)


@hooks.register("register_admin_menu_item")
def register_pipeline_tokens_menu_item():
    return PipelineTokensMenuItem(
        "IG pipeline tokens", reverse_lazy("consent_pipeline_tokens"), icon_name="key", order=711
    )
