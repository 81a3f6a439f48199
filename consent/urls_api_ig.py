"""IG pipeline API routes under /api/ig/v1/ (consent.api_ig; documented in consent.openapi_ig)."""

from django.urls import path, re_path

from . import api_ig

app_name = "ig_api"

urlpatterns = [
    path("check", api_ig.check, name="check"),
    path("changes", api_ig.changes, name="changes"),
    path("openapi.json", api_ig.openapi, name="openapi"),
    # Anything else under the API is a JSON 404, not the site's HTML page.
    re_path(r"^(?P<rest>.*)$", api_ig.not_found, name="not_found"),
]
