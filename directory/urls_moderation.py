"""The moderators' listing changes queue, under /admin/listing-changes/ (registered by
directory.wagtail_hooks, so Wagtail's admin access check applies)."""

from django.urls import path

from .views.moderation import ListingChangesView, ListingChangeView, ModerationPreferencesView

urlpatterns = [
    path("", ListingChangesView.as_view(), name="directory_listing_changes"),
    path("<int:task_state_id>/", ListingChangeView.as_view(), name="directory_listing_change"),
    path("emails/", ModerationPreferencesView.as_view(), name="directory_moderation_preferences"),
]
