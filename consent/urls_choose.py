"""The citizen "make your choice" journey, at /data-sharing/choose/ (consent.views_choose)."""

from django.urls import path

from . import views_choose as views

app_name = "consent"

urlpatterns = [
    path("", views.who, name="choose"),
    path("relationship/", views.relationship, name="choose_relationship"),
    path("details/", views.details, name="choose_details"),
    path("question/<slug:code>/", views.purpose, name="choose_purpose"),
    path("check-your-answers/", views.check, name="choose_check"),
    path("confirmation/", views.confirmation, name="choose_confirmation"),
    path("receipt/", views.receipt_print, name="choose_receipt"),
    path("receipt.json", views.receipt_json, name="choose_receipt_json"),
]
