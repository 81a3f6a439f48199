"""Confirming listings are still correct, under /providers/ (portal.urls): the emailed
one-click link and the dashboard's "Confirm still correct" button."""

from django.urls import path

from .views.freshness import listing_confirm_view, still_correct_link_view, still_correct_view

urlpatterns = [
    path("still-correct/", still_correct_view, name="directory_still_correct_confirm"),
    path("still-correct/<str:token>/", still_correct_link_view, name="directory_still_correct"),
    path(
        "listings/<int:service_id>/confirm/",
        listing_confirm_view,
        name="directory_listing_confirm",
    ),
]
