"""Residents' reviews of a service: write one, report one (issue 4; being built)."""

from django.http import Http404, HttpRequest, HttpResponse


def review_submit_view(request: HttpRequest, *, service) -> HttpResponse:
    raise Http404("Reviews are not open yet")


def review_report_view(request: HttpRequest, *, service, review_id: int) -> HttpResponse:
    raise Http404("Reviews are not open yet")
