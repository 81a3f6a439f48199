"""Self-care tools at /self-care/: any assessment definition runs through these views."""

from django.urls import path

from . import views

app_name = "selfcare"

urlpatterns = [
    path("", views.index, name="index"),
    path("saved-results/", views.saved_results, name="saved_results"),
    path("<slug:slug>/", views.start, name="start"),
    path("<slug:slug>/tasks/", views.tasks, name="tasks"),
    path("<slug:slug>/q/<slug:page_id>/", views.question_page, name="page"),
    path("<slug:slug>/check/", views.check, name="check"),
    path("<slug:slug>/important/<slug:interrupt_id>/", views.interrupt, name="interrupt"),
    path("<slug:slug>/result/", views.result, name="result"),
    path("<slug:slug>/summary/", views.summary, name="summary"),
    path("<slug:slug>/save-result/", views.save_result, name="save_result"),
    path("<slug:slug>/start-again/", views.start_again, name="start_again"),
]
