"""URLs of the Open Referral UK API, included at /api/oruk/.

Collection and item paths work with or without a trailing slash; the OpenAPI document lists
them without one, as the ORUK specification does.
"""

from django.urls import path, re_path

from . import api

app_name = "oruk"

_ID = r"(?P<id>[^/]+)"

urlpatterns = [
    path("", api.api_root, name="root"),
    path("openapi.json", api.openapi_json, name="openapi"),
    re_path(r"^services/?$", api.service_list, name="services"),
    re_path(rf"^services/{_ID}/?$", api.service_detail, name="service"),
    re_path(r"^service_at_locations/?$", api.service_at_location_list, name="service_at_locations"),
    re_path(
        rf"^service_at_locations/{_ID}/?$",
        api.service_at_location_detail,
        name="service_at_location",
    ),
    re_path(r"^taxonomies/?$", api.taxonomy_list, name="taxonomies"),
    re_path(rf"^taxonomies/{_ID}/?$", api.taxonomy_detail, name="taxonomy"),
    re_path(r"^taxonomy_terms/?$", api.taxonomy_term_list, name="taxonomy_terms"),
    re_path(rf"^taxonomy_terms/{_ID}/?$", api.taxonomy_term_detail, name="taxonomy_term"),
    # Anything else under /api/oruk/ is a JSON 404, not the site's HTML one.
    re_path(r"^(?P<rest>.*)$", api.not_found, name="not_found"),
]
