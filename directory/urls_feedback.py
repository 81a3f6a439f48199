"""Listing feedback for providers and moderators, at /providers/feedback/ (portal.urls)."""

from django.urls import path

from .views.feedback import feedback_detail_view, feedback_list_view

urlpatterns = [
    path("", feedback_list_view, name="directory_feedback_list"),
    path("<int:feedback_id>/", feedback_detail_view, name="directory_feedback_detail"),
]
