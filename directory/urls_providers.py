"""Providers' self-service pages under /providers/ (portal.urls; views in
directory.views.providers). Listing feedback, freshness and reviews have their own URL modules
under the same prefix."""

from django.urls import path

from .views import providers as views

app_name = "providers"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("join/", views.join_view, name="join"),
    path("join/<int:organisation_id>/", views.join_organisation_view, name="join_organisation"),
    path("register/", views.register_view, name="register"),
    path("requests/", views.requests_view, name="requests"),
    path("requests/<int:request_id>/", views.request_detail_view, name="request"),
    path("organisations/<int:organisation_id>/members/", views.members_view, name="members"),
    path(
        "organisations/<int:organisation_id>/members/<int:membership_id>/remove/",
        views.member_remove_view,
        name="member_remove",
    ),
    path(
        "organisations/<int:organisation_id>/members/<int:membership_id>/admin/",
        views.member_admin_view,
        name="member_admin",
    ),
    path(
        "organisations/<int:organisation_id>/invitations/<int:invitation_id>/cancel/",
        views.invitation_cancel_view,
        name="invitation_cancel",
    ),
    path("invitations/<str:token>/", views.invitation_view, name="invitation"),
]
