"""The moderators' queue of listing changes in the Wagtail admin (ADR 0010). Thin: the rules and
decisions live in directory.moderation. Only moderators get in; everyone else gets 403."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import TaskState

from directory.moderation import (
    listing_change_approve,
    listing_change_diff,
    listing_change_of,
    listing_change_reject,
    listing_changes_approve,
    listing_task_states_waiting,
    moderation_digest_chosen,
    moderation_preference_set,
)
from directory.providers import user_is_moderator

QUEUE_PAGE_SIZE = 50


class ModeratorsOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if not user_is_moderator(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _queue_breadcrumbs() -> list[dict]:
    return [
        *WagtailAdminTemplateMixin.breadcrumbs_items,
        {"url": reverse("directory_listing_changes"), "label": "Listing changes"},
    ]


class ListingChangesView(ModeratorsOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    """Edits waiting for a moderator, oldest first; tick several to approve them together."""

    template_name = "directory/admin/listing_changes.html"
    page_title = "Listing changes"
    header_icon = "tasks"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(listing_task_states_waiting(), QUEUE_PAGE_SIZE).get_page(
            self.request.GET.get("p")
        )
        context.update(
            page_obj=page,
            changes=[listing_change_of(task_state) for task_state in page],
            digest_chosen=moderation_digest_chosen(user=self.request.user),
        )
        return context

    def post(self, request, *args, **kwargs):
        ids = [value for value in request.POST.getlist("task_state") if value.isdigit()]
        if not ids:
            messages.error(request, "Select the changes to approve")
            return redirect("directory_listing_changes")
        approved = listing_changes_approve(task_state_ids=map(int, ids), user=request.user)
        if approved:
            count = len(approved)
            messages.success(
                request, f"Approved and published {count} change{'s' if count != 1 else ''}"
            )
        if len(approved) < len(ids):
            messages.warning(
                request,
                "Some changes were no longer waiting (another moderator decided first)",
            )
        return redirect("directory_listing_changes")


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label="Comment",
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 4}),
        help_text="Needed to reject: say what the provider should change. They get it by email.",
    )


class ListingChangeView(ModeratorsOnlyMixin, WagtailAdminTemplateMixin, FormView):
    """One waiting edit as a diff against the live version, with Approve and Reject."""

    template_name = "directory/admin/listing_change.html"
    form_class = DecisionForm
    page_title = "Review listing change"
    header_icon = "tasks"

    def setup(self, request, *args, task_state_id: int, **kwargs):
        super().setup(request, *args, **kwargs)
        self.task_state_id = task_state_id

    def get_change(self):
        try:
            task_state = listing_task_states_waiting().get(pk=self.task_state_id)
        except TaskState.DoesNotExist:
            raise Http404("This change is not waiting for a moderator") from None
        return listing_change_of(task_state)

    def get(self, request, *args, **kwargs):
        self.change = self.get_change()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.change = self.get_change()
        return super().post(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.change.page.get_admin_display_title()

    def get_breadcrumbs_items(self):
        return [*_queue_breadcrumbs(), {"url": "", "label": self.get_page_subtitle()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            change=self.change,
            comparison=listing_change_diff(change=self.change, request=self.request),
        )
        return context

    def form_valid(self, form):
        title = self.change.page.get_admin_display_title()
        comment = form.cleaned_data["comment"]
        try:
            if "reject" in self.request.POST:
                listing_change_reject(
                    task_state_id=self.task_state_id, user=self.request.user, comment=comment
                )
                messages.success(self.request, f"‘{title}’ sent back to the provider")
            else:
                listing_change_approve(
                    task_state_id=self.task_state_id, user=self.request.user, comment=comment
                )
                messages.success(self.request, f"‘{title}’ approved and published")
        except ValidationError as error:
            form.add_error("comment", error)
            return self.form_invalid(form)
        except TaskState.DoesNotExist:
            messages.warning(self.request, f"‘{title}’ is no longer waiting for a moderator")
        return redirect("directory_listing_changes")


class DigestForm(forms.Form):
    daily_digest = forms.TypedChoiceField(
        label="When should we email you about new listing changes?",
        choices=[
            ("", "An email for each change, as it is submitted"),
            ("on", "One email a day listing the day's changes, at 7am"),
        ],
        coerce=bool,
        empty_value=False,
        required=False,
        widget=forms.RadioSelect,
    )


class ModerationPreferencesView(ModeratorsOnlyMixin, WagtailAdminTemplateMixin, FormView):
    """A moderator chooses an email per listing change or a daily digest."""

    template_name = "directory/admin/moderation_preferences.html"
    form_class = DigestForm
    page_title = "Listing change emails"
    header_icon = "mail"

    def get_breadcrumbs_items(self):
        return [*_queue_breadcrumbs(), {"url": "", "label": self.page_title}]

    def get_initial(self):
        return {"daily_digest": "on" if moderation_digest_chosen(user=self.request.user) else ""}

    def form_valid(self, form):
        moderation_preference_set(
            user=self.request.user, daily_digest=form.cleaned_data["daily_digest"]
        )
        messages.success(self.request, "Your email choice has been saved")
        return redirect("directory_listing_changes")
