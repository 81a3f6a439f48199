"""Directory data that is not a page, managed in the Wagtail admin as snippets."""

from django.contrib import messages as django_messages
from django.urls import include, path, reverse_lazy
from wagtail import hooks
from wagtail.admin import messages as admin_messages
from wagtail.admin.menu import MenuItem
from wagtail.log_actions import LogFormatter
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_views, moderation, providers, reviews
from .models import Location, Review, ScreeningWord, Taxonomy, TaxonomyTerm

# Providers see, edit and choose only their own organisations' locations (ADR 0008). The
# policy must be registered before the viewset below asks for one.
register_permission_policy(Location, providers.LocationPermissionPolicy(Location))


class LocationViewSet(SnippetViewSet):
    model = Location
    icon = "site"
    menu_label = "Locations"
    list_display = ["name", "postal_code", "organisation", "hide_address"]
    list_filter = ["location_type", "hide_address"]
    search_fields = ["name", "postal_code", "city"]
    edit_view_class = admin_views.LocationEditView
    copy_view_class = admin_views.LocationCopyView
    delete_view_class = admin_views.LocationDeleteView
    usage_view_class = admin_views.LocationUsageView
    history_view_class = admin_views.LocationHistoryView
    inspect_view_class = admin_views.LocationInspectView
    chooser_viewset_class = admin_views.LocationChooserViewSet

    def get_queryset(self, request):
        return providers.locations_visible_to(user=request.user)


class TaxonomyViewSet(SnippetViewSet):
    model = Taxonomy
    icon = "list-ul"
    menu_label = "Vocabularies"
    list_display = ["name", "version", "is_browsable"]


class TaxonomyTermViewSet(SnippetViewSet):
    model = TaxonomyTerm
    icon = "tag"
    menu_label = "Categories and terms"
    list_display = ["name", "code", "taxonomy", "parent"]
    list_filter = ["taxonomy"]
    search_fields = ["name", "code"]


class DirectoryViewSetGroup(SnippetViewSetGroup):
    items = (LocationViewSet, TaxonomyTermViewSet, TaxonomyViewSet)
    menu_icon = "folder-open-inverse"
    menu_label = "Directory"
    menu_name = "directory"


register_snippet(DirectoryViewSetGroup)


@hooks.register("register_log_actions")
def register_feedback_and_freshness_log_actions(actions):
    # Listing feedback status decisions (directory.feedback) and listings confirmed as still
    # correct (directory.freshness), with who did it in the audit log.
    actions.register_action(
        "directory.feedback.status", "Set feedback status", "Set the listing feedback's status"
    )
    actions.register_action(
        "directory.listing.confirm", "Confirm still correct", "Confirmed the listing is correct"
    )


# --- Ratings and reviews (directory.reviews, ADR 0009) ----------------------------------------


class ScreeningWordViewSet(SnippetViewSet):
    """Words and phrases that flag a review or reply for a moderator's attention."""

    model = ScreeningWord
    icon = "warning"
    menu_label = "Review screening words"
    add_to_admin_menu = True
    menu_order = 310
    list_display = ["word"]


register_snippet(ScreeningWordViewSet)


class ReviewModerationMenuItem(MenuItem):
    def is_shown(self, request):
        return providers.user_is_moderator(request.user)


class ProviderReviewsMenuItem(MenuItem):
    def is_shown(self, request):
        return providers.organisations_of(user=request.user).exists()


@hooks.register("register_admin_menu_item")
def register_review_moderation_menu_item():
    # The moderation pages are GOV.UK pages on the public site (ADR 0009); this links to them.
    return ReviewModerationMenuItem(
        "Moderate reviews",
        reverse_lazy("review_moderation:queue"),
        icon_name="comment",
        order=300,
    )


@hooks.register("register_admin_menu_item")
def register_provider_reviews_menu_item():
    return ProviderReviewsMenuItem(
        "Reviews of your services",
        reverse_lazy("provider_reviews:list"),
        icon_name="comment",
        order=301,
    )


class ReviewDecisionFormatter(LogFormatter):
    """Messages like `Rejected the review; reason: ...; note: ...` in the site history."""

    reasons = dict(Review.REJECT_REASONS)

    def format_message(self, log_entry):
        data = log_entry.data or {}
        parts = [self.message]
        if data.get("reason"):
            parts.append(f"reason: {self.reasons.get(data['reason'], data['reason'])}")
        if data.get("escalated_to"):
            parts.append(f"sent to {data['escalated_to']}")
        if data.get("comment"):
            parts.append(f"note: {data['comment']}")
        return "; ".join(parts)

    def format_comment(self, log_entry):
        return (log_entry.data or {}).get("comment", "")


REVIEW_LOG_ACTIONS = [
    (reviews.ACTION_APPROVE, "Approve review", "Approved the review"),
    (reviews.ACTION_REJECT, "Reject review", "Rejected the review"),
    (reviews.ACTION_REPORT, "Report review", "Reported by a visitor and hidden"),
    (
        reviews.ACTION_REPORT_UPHOLD,
        "Uphold review report",
        "Upheld the report and rejected the review",
    ),
    (
        reviews.ACTION_REPORT_DISMISS,
        "Dismiss review report",
        "Dismissed the report and published the review again",
    ),
    (reviews.ACTION_EXPIRE, "Expire review", "Expired 2 years after the experience"),
    (reviews.ACTION_REPLY_APPROVE, "Approve reply to review", "Approved the provider's reply"),
    (reviews.ACTION_REPLY_REJECT, "Reject reply to review", "Rejected the provider's reply"),
]


@hooks.register("register_log_actions")
def register_review_log_actions(actions):
    for action, label, message in REVIEW_LOG_ACTIONS:
        formatter = type(
            "ReviewLogFormatter", (ReviewDecisionFormatter,), {"label": label, "message": message}
        )
        actions.register_action(action)(formatter)


# --- Listing moderation (directory.moderation, ADR 0010) --------------------------------------


class ListingChangesMenuItem(MenuItem):
    def is_shown(self, request):
        return providers.user_is_moderator(request.user)


@hooks.register("register_admin_urls")
def register_listing_changes_urls():
    return [path("listing-changes/", include("directory.urls_moderation"))]


@hooks.register("register_admin_menu_item")
def register_listing_changes_menu_item():
    return ListingChangesMenuItem(
        "Listing changes",
        reverse_lazy("directory_listing_changes"),
        icon_name="tasks",
        order=290,
    )


# Wagtail's own words for these ("submitted for moderation", "workflow restarted") do not say
# what a provider needs to know: nothing is public until a moderator approves.
WAGTAIL_SUBMISSION_MESSAGES = ("submitted for moderation", "has been restarted")


def _tell_provider_about_moderation(request, page):
    if not (request.POST.get("action-submit") or request.POST.get("action-restart-workflow")):
        return
    message = moderation.listing_submission_message(page=page)
    if message is None:
        return
    # Iterating the storage consumes its messages; put back all but Wagtail's own.
    kept = [
        existing
        for existing in django_messages.get_messages(request)
        if not any(text in str(existing.message) for text in WAGTAIL_SUBMISSION_MESSAGES)
    ]
    for existing in kept:
        django_messages.add_message(
            request, existing.level, existing.message, extra_tags=existing.extra_tags
        )
    admin_messages.success(request, message)


@hooks.register("after_edit_page")
def tell_provider_edit_awaits_approval(request, page):
    _tell_provider_about_moderation(request, page)


@hooks.register("after_create_page")
def tell_provider_new_page_awaits_approval(request, page):
    _tell_provider_about_moderation(request, page)


# --- Providers' self-service (directory.providers, ADR 0008) ----------------------------------


@hooks.register("register_admin_viewset")
def register_directory_page_viewsets():
    # Exploring another organisation's pages is a 403 (admin_views.DirectoryExplorableIndexView).
    return [
        admin_views.OrganisationPageViewSet("directory_organisation_pages"),
        admin_views.ServicePageViewSet("directory_service_pages"),
    ]


@hooks.register("construct_page_chooser_queryset")
def page_chooser_shows_only_pages_people_may_see(pages, request):
    return admin_views.page_chooser_queryset(pages, request)


class ProviderOrganisationsMenuItem(MenuItem):
    def is_shown(self, request):
        return providers.organisations_of(
            user=request.user
        ).exists() or providers.user_is_moderator(request.user)


@hooks.register("register_admin_menu_item")
def register_provider_organisations_menu_item():
    # Joining, members and invitations are GOV.UK pages on the public site; this links to them.
    return ProviderOrganisationsMenuItem(
        "Your organisations", reverse_lazy("providers:dashboard"), icon_name="group", order=299
    )


PROVIDER_LOG_ACTIONS = [
    (providers.ACTION_REQUEST_APPROVE, "Approve organisation request", "Approved the request"),
    (providers.ACTION_REQUEST_REJECT, "Reject organisation request", "Rejected the request"),
    (providers.ACTION_INVITATION_SEND, "Invite to organisation", "Invited a colleague"),
    (providers.ACTION_INVITATION_REVOKE, "Cancel invitation", "Cancelled the invitation"),
    (providers.ACTION_INVITATION_ACCEPT, "Accept invitation", "Accepted the invitation"),
    (providers.ACTION_MEMBER_REMOVE, "Remove organisation member", "Removed a member"),
    (providers.ACTION_MEMBER_ADMIN, "Change organisation admin", "Changed who is an admin"),
]


class ProviderLogFormatter(LogFormatter):
    """Messages like `Rejected the request; comment: ...` in the site history."""

    def format_message(self, log_entry):
        data = log_entry.data or {}
        parts = [self.message]
        for key in ("organisation", "email", "member"):
            if data.get(key):
                parts.append(f"{key}: {data[key]}")
        if "is_admin" in data:
            parts.append("now an admin" if data["is_admin"] else "no longer an admin")
        if data.get("comment"):
            parts.append(f"comment: {data['comment']}")
        return "; ".join(parts)

    def format_comment(self, log_entry):
        return (log_entry.data or {}).get("comment", "")


@hooks.register("register_log_actions")
def register_provider_log_actions(actions):
    for action, label, message in PROVIDER_LOG_ACTIONS:
        formatter = type(
            "ProviderLogFormatter", (ProviderLogFormatter,), {"label": label, "message": message}
        )
        actions.register_action(action)(formatter)
