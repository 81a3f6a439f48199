"""Staff pages for the register, at /manage/consent/ (portal.urls)."""

from django.urls import path

from . import views_staff

app_name = "consent_staff"

urlpatterns = [
    path("", views_staff.find_view, name="find"),
    path("person/<str:lookup_id>/", views_staff.person_view, name="person"),
    path("person/<str:lookup_id>/record/", views_staff.record_choice_view, name="record"),
    path("person/<str:lookup_id>/gp-code/", views_staff.record_gp_code_view, name="gp_code"),
    path("person/<str:lookup_id>/capacity/", views_staff.record_capacity_view, name="capacity"),
    path("access-log.csv", views_staff.access_log_csv_view, name="access_log_csv"),
]
