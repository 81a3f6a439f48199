"""Listing feedback: "Report a problem with this page" (issue 4; being built)."""

from django.http import Http404, HttpRequest, HttpResponse


def feedback_submit_view(request: HttpRequest, *, service) -> HttpResponse:
    raise Http404("Feedback is not open yet")
