"""The practitioners' queue of self-assessments, at /manage/self-care/ (portal.urls)."""

from django.urls import path

from . import views_staff

app_name = "selfcare_staff"

urlpatterns = [
    path("", views_staff.queue_view, name="queue"),
    path("<str:reference>/", views_staff.case_view, name="case"),
    path("<str:reference>/note/", views_staff.case_note_view, name="note"),
    path("<str:reference>/assign/", views_staff.case_assign_view, name="assign"),
    path("<str:reference>/status/", views_staff.case_status_view, name="status"),
    path("<str:reference>/print/", views_staff.case_print_view, name="print"),
]
