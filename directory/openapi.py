"""Our OpenAPI 3 document for the Open Referral UK API, served at /api/oruk/openapi.json.

Written for this API: our endpoints, parameters, limits and errors. Record shapes point at
the Open Referral UK profile's published schemas by URL and list our `x_` extensions.
"""

from __future__ import annotations

from typing import Any

from .oruk import ORUK_SCHEMA_BASE, ORUK_VERSION, PROFILE_URL

# The API's limits, here so the document and the views can't disagree.
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
MAX_PAGE = 999_999_999
MAX_AGE = 150
MAX_IDS = 50  # in one comma-separated id parameter
MAX_SEARCH_LENGTH = 500
MAX_PROXIMITY_METRES = 1_000_000


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


PARAMETERS: dict[str, dict[str, Any]] = {
    "page": _query(
        "page",
        f"Page number, from 1 to {MAX_PAGE:,}. A page after the last one is empty.",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
    ),
    "per_page": _query(
        "per_page",
        f"Results per page: {DEFAULT_PER_PAGE} unless given, at most {MAX_PER_PAGE}.",
        {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE},
    ),
    "search": _query(
        "search",
        "Text to look for in the service's name, summary or description (case-insensitive "
        f"substring; no operators). At most {MAX_SEARCH_LENGTH} characters.",
        {"type": "string", "maxLength": MAX_SEARCH_LENGTH},
    ),
    "taxonomy_term_id": _query(
        "taxonomy_term_id",
        f"Services linked to this taxonomy term id, or to any of several (at most {MAX_IDS}) "
        "separated by commas.",
        {"type": "string"},
    ),
    "taxonomy_id": _query(
        "taxonomy_id",
        "Services linked to any term of this taxonomy (or of any of several, comma-separated).",
        {"type": "string"},
    ),
    "organization_id": _query(
        "organization_id",
        "Services of this organization (or any of several, comma-separated).",
        {"type": "string"},
    ),
    "minimum_age": _query(
        "minimum_age",
        "With maximum_age, an age range: services whose age range overlaps it. Alone: services "
        "open to someone of this age or older. A service with no age limits matches any range.",
        {"type": "integer", "minimum": 0, "maximum": MAX_AGE},
    ),
    "maximum_age": _query(
        "maximum_age",
        "The top of the age range (see minimum_age); not less than minimum_age.",
        {"type": "integer", "minimum": 0, "maximum": MAX_AGE},
    ),
    "day": _query(
        "day",
        "Open on this day of the week: MO, TU, WE, TH, FR, SA, SU, or the English day name.",
        {"type": "string", "example": "MO"},
    ),
    "start_time": _query(
        "start_time",
        "Open at this time (HH:MM, 24-hour clock, UK local time), on `day` when given. With "
        "end_time: open for the whole period from start_time to end_time.",
        {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9](:[0-5][0-9])?$", "example": "09:30"},
    ),
    "end_time": _query(
        "end_time",
        "Open until at least this time (HH:MM); later than start_time.",
        {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9](:[0-5][0-9])?$", "example": "17:00"},
    ),
    "modified_after": _query(
        "modified_after",
        "Services published on or after this ISO 8601 date or datetime (UK local time when it "
        "has no offset). Encode a `+` offset as %2B.",
        {"type": "string", "format": "date-time", "example": "2024-05-01T09:00:00Z"},
    ),
    "postcode": _query(
        "postcode",
        "A full UK postcode. Results are sorted nearest first (places with no coordinates, "
        "or a hidden address, last) and carry x_distance_metres. An unknown postcode is a 400.",
        {"type": "string", "example": "SS2 6ER"},
    ),
    "proximity": _query(
        "proximity",
        "With postcode: only places within this many metres of the postcode (at most "
        f"{MAX_PROXIMITY_METRES:,}).",
        {"type": "number", "exclusiveMinimum": True, "minimum": 0, "maximum": MAX_PROXIMITY_METRES},
    ),
}

SERVICE_FILTERS = [
    "search",
    "page",
    "per_page",
    "taxonomy_term_id",
    "taxonomy_id",
    "organization_id",
    "minimum_age",
    "maximum_age",
    "day",
    "start_time",
    "end_time",
    "modified_after",
]


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _oruk(path: str) -> dict[str, str]:
    return {"$ref": f"{ORUK_SCHEMA_BASE}{path}"}


def _extended(path: str, extensions: dict[str, Any]) -> dict[str, Any]:
    return {"allOf": [_oruk(path), {"type": "object", "properties": extensions}]}


def _page_of(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "allOf": [
            _ref("schemas", "Page"),
            {
                "type": "object",
                "required": ["contents"],
                "properties": {"contents": {"type": "array", "items": item}},
            },
        ]
    }


def _json_response(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    descriptions = {
        400: "A parameter was not understood; `parameter` names it.",
        404: "No such record (or the id is not a UUID, or the record is not published).",
    }
    responses: dict[str, Any] = {}
    for status in statuses:
        responses[str(status)] = {
            "description": descriptions[status],
            "content": {"application/json": {"schema": _ref("schemas", "Error")}},
        }
    responses["405"] = _ref("responses", "MethodNotAllowed")
    responses["429"] = _ref("responses", "TooManyRequests")
    return responses


def _list_operation(
    operation_id: str, summary: str, parameters: list[str], item: dict[str, Any]
) -> dict[str, Any]:
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": [_ref("parameters", name) for name in parameters],
            "responses": {
                "200": _json_response(summary, _page_of(item)),
                **_errors(400),
            },
        }
    }


def _item_operation(operation_id: str, summary: str, what: str, schema: dict) -> dict[str, Any]:
    return {
        "parameters": [
            {
                "name": "id",
                "in": "path",
                "required": True,
                "description": f"The {what}'s id (a UUID).",
                "schema": {"type": "string", "format": "uuid"},
            }
        ],
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "responses": {"200": _json_response(summary, schema), **_errors(404)},
        },
    }


SERVICE_EXTENSIONS = {
    "x_summary": {"type": "string", "description": "One or two sentences for result lists."},
    "x_page_url": {
        "type": "string",
        "format": "uri",
        "description": "The service's page on this portal.",
    },
    "x_attending": {
        "type": "array",
        "items": {"type": "string", "enum": ["in_person", "online", "phone"]},
        "description": "How people can use the service.",
    },
    "x_is_free": {"type": "boolean", "description": "Free to use."},
    "x_referral_required": {"type": "boolean", "description": "Needs a referral."},
    "x_closed_on_bank_holidays": {"type": "boolean"},
    "x_extra_information": {"type": "string", "description": "HTML (bold, links, lists)."},
    "x_slug": {"type": "string", "description": "The page's slug, for lossless round trips."},
    "phones": {"type": "array", "description": "HSDS 3.0 phones: id, number, description."},
    "eligibility_description": {"type": "string"},
    "application_process": {"type": "string", "description": "How to access the service."},
}

LOCATION_EXTENSIONS = {
    "x_hide_address": {
        "type": "boolean",
        "description": "The address is private: no addresses, latitude or longitude are sent.",
    },
    "x_area_description": {"type": "string", "description": "Shown instead of the address."},
    "x_organisation_id": {"type": "string", "format": "uuid"},
    "x_distance_metres": {"type": "integer", "description": "From the postcode searched for."},
}


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.0 description of this API as a plain dict."""
    service_full = _extended("compiled/service.json", SERVICE_EXTENSIONS)
    service_list_item = _extended(
        "compiled/service_list.json",
        {key: SERVICE_EXTENSIONS[key] for key in ("x_summary", "x_page_url")},
    )
    site_list_item = _extended("compiled/service_at_location_list.json", LOCATION_EXTENSIONS)
    site_full = _extended(
        "compiled/service_at_location.json",
        {"service": service_full, "schedules": {"type": "array"}, **LOCATION_EXTENSIONS},
    )
    term = _extended(
        "taxonomy_term.json",
        {
            "x_slug": {"type": "string"},
            "taxonomy_detail": {"type": "object", "description": "In service records only."},
            "x_parent": {"type": "object", "description": "The parent term, in service records."},
        },
    )
    taxonomy = _extended("taxonomy.json", {"x_is_browsable": {"type": "boolean"}})
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Open Referral UK API",
            "version": ORUK_VERSION,
            "description": (
                "Read-only, anonymous access to the published services in this directory, "
                f"following Open Referral UK {ORUK_VERSION} ({PROFILE_URL}). Every response "
                "has `Access-Control-Allow-Origin: *`. Requests are throttled per client; "
                "over the limit you get 429 with Retry-After. Paths also work with a "
                "trailing slash. Local extension properties start with `x_`."
            ),
        },
        "servers": [{"url": "/api/oruk"}],
        "paths": {
            "/": {
                "get": {
                    "operationId": "getAPIMetaInformation",
                    "summary": "About this API: HSDS version, profile and OpenAPI document.",
                    "responses": {
                        "200": _json_response("About this API.", _ref("schemas", "ApiInfo")),
                        **_errors(),
                    },
                }
            },
            "/services": _list_operation(
                "getPaginatedListOfServices",
                "Published services, one-to-one fields and organization, by name.",
                SERVICE_FILTERS,
                service_list_item,
            ),
            "/services/{id}": _item_operation(
                "getFullyNestedServiceById", "A fully nested service.", "service", service_full
            ),
            "/service_at_locations": _list_operation(
                "getPaginatedListOfServiceAtLocation",
                "Where published services are delivered: the location and the service summary.",
                [*SERVICE_FILTERS, "postcode", "proximity"],
                site_list_item,
            ),
            "/service_at_locations/{id}": _item_operation(
                "getServiceAtLocationWithNestedDataById",
                "One service at location, with its location and the fully nested service.",
                "service_at_location",
                site_full,
            ),
            "/taxonomies": _list_operation(
                "getPaginatedListOfTaxonomies",
                "Taxonomies, by name.",
                ["page", "per_page"],
                taxonomy,
            ),
            "/taxonomies/{id}": _item_operation(
                "getTaxonomyById", "A taxonomy and all its terms.", "taxonomy", taxonomy
            ),
            "/taxonomy_terms": _list_operation(
                "getPaginatedListOfTaxonomyTerms",
                "Taxonomy terms, by taxonomy then name; taxonomy_id narrows to taxonomies.",
                ["page", "per_page", "taxonomy_id"],
                term,
            ),
            "/taxonomy_terms/{id}": _item_operation(
                "getTaxonomyTermById", "A taxonomy term.", "taxonomy term", term
            ),
            "/openapi.json": {
                "get": {
                    "operationId": "getOpenAPIDocument",
                    "summary": "This document.",
                    "responses": {
                        "200": _json_response("This OpenAPI document.", {"type": "object"}),
                        **_errors(),
                    },
                }
            },
        },
        "components": {
            "parameters": PARAMETERS,
            "schemas": {
                "ApiInfo": {
                    "type": "object",
                    "required": ["version", "profile", "openapi_url"],
                    "properties": {
                        "version": {"type": "string", "example": ORUK_VERSION},
                        "profile": {"type": "string", "format": "uri"},
                        "openapi_url": {"type": "string", "format": "uri"},
                    },
                },
                "Page": {
                    "type": "object",
                    "required": [
                        "total_items",
                        "total_pages",
                        "page_number",
                        "size",
                        "first_page",
                        "last_page",
                        "empty",
                    ],
                    "properties": {
                        "total_items": {"type": "integer", "description": "Matches in all."},
                        "total_pages": {
                            "type": "integer",
                            "description": "Pages at this per_page; 0 when nothing matched.",
                        },
                        "page_number": {"type": "integer", "description": "This page, from 1."},
                        "size": {"type": "integer", "description": "Items on this page."},
                        "first_page": {"type": "boolean"},
                        "last_page": {"type": "boolean"},
                        "empty": {"type": "boolean", "description": "This page has no items."},
                    },
                },
                "Error": {
                    "type": "object",
                    "required": ["error", "detail"],
                    "properties": {
                        "error": {
                            "type": "string",
                            "enum": [
                                "bad_request",
                                "not_found",
                                "method_not_allowed",
                                "too_many_requests",
                            ],
                        },
                        "detail": {"type": "string", "description": "What went wrong, in words."},
                        "parameter": {
                            "type": "string",
                            "description": "The query parameter at fault (400 only).",
                        },
                    },
                },
            },
            "responses": {
                "MethodNotAllowed": {
                    "description": "Only GET, HEAD and OPTIONS are allowed.",
                    "content": {"application/json": {"schema": _ref("schemas", "Error")}},
                },
                "TooManyRequests": {
                    "description": "Over the rate limit; wait Retry-After seconds.",
                    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                    "content": {"application/json": {"schema": _ref("schemas", "Error")}},
                },
            },
        },
    }
