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
    path("person/<str:lookup_id>/verify/", views_staff.verify_identity_view, name="verify"),
    path("pending/", views_staff.pending_view, name="pending"),
    path("pending/find/", views_staff.pending_find_view, name="pending_find"),
    path("import/", views_staff.import_view, name="import"),
    path("import/<str:token>/", views_staff.import_check_view, name="import_check"),
    path("import/<str:token>/done/", views_staff.import_done_view, name="import_done"),
    path("access-log.csv", views_staff.access_log_csv_view, name="access_log_csv"),
]
