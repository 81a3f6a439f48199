"""A signed-in person's own choices, at /data-sharing/your-choices/ (consent.views_citizen)."""

from django.urls import path

from . import views_citizen as views

app_name = "consent_citizen"

urlpatterns = [
    path("", views.overview_view, name="overview"),
    path("history.json", views.history_json_view, name="history_json"),
    path("<slug:code>/", views.change_view, name="change"),
    path("<slug:code>/done/", views.done_view, name="done"),
]
