"""Our OpenAPI 3.1 document for the IG pipeline API, served at /api/ig/v1/openapi.json.

It covers the bulk check and the change feed (`consent.api_ig`) and summarises the FHIR
Consent search (`consent.api_fhir`). Schemas are JSON Schema 2020-12 (OpenAPI 3.1), so tests
validate real responses against them. docs/ig-pipeline.md is the operators' guide.
"""

from __future__ import annotations

import copy
from typing import Any

from .bulk_check import MAX_REPORTED_INVALID
from .feed import DEFAULT_LIMIT, MAX_LIMIT

IG_PREFIX = "/api/ig/v1"
FHIR_SEARCH_PATH = "/api/fhir/Consent/_search"

ERROR_STATUSES = {
    "400": "Bad request: a missing or malformed parameter, an empty body, malformed JSON or "
    "CSV, or input that is not UTF-8.",
    "401": "No API token, or one that is unknown, revoked or expired. "
    "`WWW-Authenticate: Bearer` is sent.",
    "403": "The purpose is not in this system's scope.",
    "404": "There is no active purpose with that code.",
    "405": "Wrong HTTP method for this path.",
    "413": "The body is larger than the server's limit (`IG_CHECK_MAX_BYTES`, 64 MiB by "
    "default). Split the input.",
    "415": "The body's content type is not text/plain, text/csv or application/json (and "
    "no `format` was given).",
    "422": "Some items are not valid NHS numbers and `invalid=skip` was not sent; nothing "
    f"was checked. The first {MAX_REPORTED_INVALID} are listed by line.",
    "503": "The national data opt-out applies to this purpose and its cache is older than "
    "its maximum age (or was never filled), or a pseudonymisation key is missing. The API "
    "fails closed: try again after the opt-out check has run.",
}


def _error(status: str) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": ERROR_STATUSES[status],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    if status == "401":
        response["headers"] = {
            "WWW-Authenticate": {
                "description": "The Bearer challenge.",
                "schema": {"type": "string"},
            }
        }
    if status == "405":
        response["headers"] = {
            "Allow": {"description": "The methods this path accepts.", "schema": {"type": "string"}}
        }
    return response


def _errors(*statuses: str) -> dict[str, Any]:
    return {status: _error(status) for status in statuses}


SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "description": "Every error from this API. Never contains an NHS number.",
        "required": ["error", "detail"],
        "properties": {
            "error": {
                "type": "string",
                "description": "A short machine-readable code, e.g. `unauthorised`.",
                "examples": ["invalid_nhs_numbers"],
            },
            "detail": {"type": "string", "description": "What went wrong and what to do."},
            "invalid_count": {
                "type": "integer",
                "minimum": 0,
                "description": "422 only: how many items were not valid NHS numbers.",
            },
            "errors": {
                "type": "array",
                "maxItems": MAX_REPORTED_INVALID,
                "items": {"$ref": "#/components/schemas/LineError"},
            },
        },
    },
    "LineError": {
        "type": "object",
        "description": "An invalid item: its line (text, CSV) or 1-based position in the "
        "array (JSON), and what is wrong. The item itself is not echoed.",
        "required": ["line", "message"],
        "properties": {
            "line": {"type": "integer", "minimum": 1},
            "message": {"type": "string"},
        },
        "additionalProperties": False,
    },
    "NHSNumbers": {
        "description": 'A JSON array of NHS numbers (strings or whole numbers), or {"nhs_numbers": '
        "[...]}. Spaces and hyphens inside a number are allowed.",
        "oneOf": [
            {"type": "array", "items": {"type": ["string", "integer"]}},
            {
                "type": "object",
                "required": ["nhs_numbers"],
                "properties": {
                    "nhs_numbers": {"type": "array", "items": {"type": ["string", "integer"]}}
                },
            },
        ],
        "examples": [["943 476 5919", "9434765870"]],
    },
    "CheckResult": {
        "type": "object",
        "description": "The JSON answer of the bulk check, streamed in this key order.",
        "required": ["purpose", "checked", "invalid_count", "invalid", "allowed", "allowed_count"],
        "properties": {
            "purpose": {"type": "string"},
            "checked": {
                "type": "integer",
                "minimum": 0,
                "description": "How many valid NHS numbers were checked.",
            },
            "invalid_count": {"type": "integer", "minimum": 0},
            "invalid": {
                "type": "array",
                "maxItems": MAX_REPORTED_INVALID,
                "description": "The first invalid items (only with `invalid=skip`).",
                "items": {"$ref": "#/components/schemas/LineError"},
            },
            "allowed": {
                "type": "array",
                "description": "The NHS numbers that may be used for the purpose, in input "
                "order (duplicates kept).",
                "items": {"type": "string", "pattern": "^[0-9]{10}$"},
            },
            "allowed_count": {"type": "integer", "minimum": 0},
        },
        "additionalProperties": False,
    },
    "Person": {
        "description": "The person: an NHS number for systems entitled to them, otherwise a "
        "pseudonym (HMAC-SHA256 under the purpose's key, 64 hex characters). The same person "
        "has a different pseudonym for each purpose.",
        "oneOf": [
            {
                "type": "object",
                "required": ["nhs_number"],
                "properties": {"nhs_number": {"type": "string", "pattern": "^[0-9]{10}$"}},
                "additionalProperties": False,
            },
            {
                "type": "object",
                "required": ["pseudonym"],
                "properties": {"pseudonym": {"type": "string", "pattern": "^[0-9a-f]{64}$"}},
                "additionalProperties": False,
            },
        ],
    },
    "Change": {
        "type": "object",
        "description": "One register event for one purpose. An identity-verified event "
        "appears once per purpose in scope, with the same cursor.",
        "required": [
            "cursor",
            "reference",
            "purpose",
            "decision",
            "channel",
            "actor",
            "proxy_role",
            "identity_method",
            "identity_result",
            "occurred_at",
            "recorded_at",
            "person",
        ],
        "properties": {
            "cursor": {"type": "string", "description": "Opaque; resume after this change."},
            "reference": {"type": "string", "description": "The event's receipt reference."},
            "purpose": {"type": "string", "description": "The purpose code."},
            "decision": {
                "type": "string",
                "enum": [
                    "object",
                    "withdraw-objection",
                    "consent",
                    "withdraw-consent",
                    "lacks-capacity",
                    "identity-verified",
                ],
            },
            "channel": {"type": "string"},
            "actor": {"type": "string", "enum": ["self", "proxy", "staff"]},
            "proxy_role": {
                "type": "string",
                "description": "The representative's role when actor is proxy, else empty.",
            },
            "identity_method": {"type": "string"},
            "identity_result": {"type": "string", "enum": ["unverified", "verified", "failed"]},
            "occurred_at": {"type": "string", "format": "date-time"},
            "recorded_at": {"type": "string", "format": "date-time"},
            "person": {"$ref": "#/components/schemas/Person"},
        },
        "additionalProperties": False,
    },
    "ChangesPage": {
        "type": "object",
        "required": ["changes", "next", "has_more"],
        "properties": {
            "changes": {"type": "array", "items": {"$ref": "#/components/schemas/Change"}},
            "next": {
                "type": "string",
                "description": "The cursor to send as `after` next time; the same as `after` "
                "when there was nothing new.",
            },
            "has_more": {
                "type": "boolean",
                "description": "More changes are ready now: ask again at once.",
            },
        },
        "additionalProperties": False,
    },
    "OperationOutcome": {
        "type": "object",
        "description": "A FHIR R4 OperationOutcome.",
        "required": ["resourceType", "issue"],
        "properties": {
            "resourceType": {"const": "OperationOutcome"},
            "issue": {"type": "array", "items": {"type": "object"}},
        },
    },
    "Bundle": {
        "type": "object",
        "description": "A FHIR R4 Bundle of type searchset holding Consent resources, one per "
        "purpose in scope where the person has made a choice.",
        "required": ["resourceType", "type"],
        "properties": {
            "resourceType": {"const": "Bundle"},
            "type": {"const": "searchset"},
            "total": {"type": "integer", "minimum": 0},
            "entry": {"type": "array", "items": {"type": "object"}},
        },
    },
}

PURPOSE_PARAMETER = {
    "name": "purpose",
    "in": "query",
    "description": "The purpose code, e.g. `risk-stratification-case-finding`. It must be in "
    "your system's scope.",
    "schema": {"type": "string", "pattern": "^[-a-zA-Z0-9_]{1,60}$"},
}


def _text_body(description: str) -> dict[str, Any]:
    return {"schema": {"type": "string"}, "description": description}


CHECK = {
    "post": {
        "operationId": "checkNHSNumbers",
        "summary": "Which of these NHS numbers may be used for a purpose?",
        "description": "Streams back, in input order, the NHS numbers that may be used for "
        "the purpose now: not objected (where objections are honoured), not nationally opted "
        "out (where the national data opt-out applies), and, where the legal basis is consent, "
        "only those who consented with their identity verified. Invalid items stop the check "
        "(422) unless `invalid=skip`. Send `Content-Length` (curl does with `--data-binary "
        "@file`). At least 1,000,000 numbers fit in one request.",
        "parameters": [
            {**PURPOSE_PARAMETER, "required": True},
            {
                "name": "format",
                "in": "query",
                "required": False,
                "description": "The input format; overrides the Content-Type.",
                "schema": {"type": "string", "enum": ["text", "csv", "json"]},
            },
            {
                "name": "invalid",
                "in": "query",
                "required": False,
                "description": "`skip`: check the valid numbers even if some items are invalid "
                "(they are counted and listed, not checked).",
                "schema": {"type": "string", "enum": ["skip"]},
            },
        ],
        "requestBody": {
            "required": True,
            "content": {
                "text/plain": _text_body("One NHS number per line; blank lines are ignored."),
                "text/csv": _text_body(
                    "CSV: the column headed `nhs_number` (any case; spaces, hyphens or "
                    "underscores allowed), else the first column. A first row that is not an NHS "
                    "number is taken as a header."
                ),
                "application/json": {"schema": {"$ref": "#/components/schemas/NHSNumbers"}},
            },
        },
        "responses": {
            "200": {
                "description": "The allowed NHS numbers, streamed. text/plain (one per line) "
                "for text and CSV input; JSON when you send `Accept: application/json` or JSON "
                "input.",
                "headers": {
                    "X-IG-Checked": {
                        "description": "How many valid NHS numbers were checked.",
                        "schema": {"type": "integer"},
                    },
                    "X-IG-Invalid": {
                        "description": "How many items were not valid NHS numbers.",
                        "schema": {"type": "integer"},
                    },
                },
                "content": {
                    "text/plain": {"schema": {"type": "string"}},
                    "application/json": {"schema": {"$ref": "#/components/schemas/CheckResult"}},
                },
            },
            **_errors("400", "401", "403", "404", "405", "413", "415", "422", "503"),
        },
    }
}

CHANGES = {
    "get": {
        "operationId": "listChanges",
        "summary": "Register changes after a cursor, in order.",
        "description": "Register events after `after`, oldest first, for the purposes in your "
        "system's scope. People are NHS numbers if your system is entitled to them, otherwise "
        "pseudonyms under each purpose's key. Replaying every change from the start with the "
        "register's rules (docs/ig-pipeline.md) gives the register's current state. Keep "
        "`next` and ask again with it; ask again at once while `has_more` is true.",
        "parameters": [
            {
                "name": "after",
                "in": "query",
                "required": False,
                "description": "The `next` cursor of the last page you read. Omit it to start "
                "from the beginning. Cursors are opaque.",
                "schema": {"type": "string", "pattern": "^[0-9]{0,18}$"},
            },
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "description": f"At most this many events ({DEFAULT_LIMIT} unless given, at "
                f"most {MAX_LIMIT}). An identity-verified event counts once but appears once per "
                "purpose.",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_LIMIT,
                    "default": DEFAULT_LIMIT,
                },
            },
            {
                **PURPOSE_PARAMETER,
                "required": False,
                "description": "Only this purpose (it must be in your system's scope).",
            },
        ],
        "responses": {
            "200": {
                "description": "A page of changes.",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ChangesPage"}}
                },
            },
            **_errors("400", "401", "403", "404", "405", "503"),
        },
    }
}

OPENAPI = {
    "get": {
        "operationId": "openapiDocument",
        "summary": "This document.",
        "security": [],
        "responses": {
            "200": {
                "description": "The OpenAPI 3.1 document.",
                "content": {"application/json": {"schema": {"type": "object"}}},
            },
            "405": _error("405"),
        },
    }
}


def _outcome(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/fhir+json": {"schema": {"$ref": "#/components/schemas/OperationOutcome"}}
        },
    }


FHIR_SEARCH = {
    "post": {
        "operationId": "searchConsent",
        "summary": "FHIR R4 Consent search for one person (summary; see docs/fhir-consent.md).",
        "description": "Standard FHIR search by POST, so the NHS number travels in the body, "
        "never the URL. Answers a searchset Bundle of Consent resources for the purposes in "
        "your system's scope. GET is refused (405).",
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["patient.identifier"],
                        "properties": {
                            "patient.identifier": {
                                "type": "string",
                                "description": "https://fhir.nhs.uk/Id/nhs-number|<NHS number>",
                                "examples": ["https://fhir.nhs.uk/Id/nhs-number|9434765919"],
                            },
                            "purpose": {
                                "type": "string",
                                "description": "Purpose codes, comma-separated (in scope).",
                            },
                            "status": {"type": "string", "enum": ["active", "inactive"]},
                        },
                    }
                }
            },
        },
        "responses": {
            "200": {
                "description": "A searchset Bundle of Consent resources.",
                "content": {
                    "application/fhir+json": {"schema": {"$ref": "#/components/schemas/Bundle"}}
                },
            },
            "400": _outcome("Missing or invalid parameters (the NHS number is never echoed)."),
            "401": _outcome("No API token, or one that is not valid."),
            "403": _outcome("A purpose is not in this system's scope."),
            "405": _outcome("Only POST is accepted: send the identifier in the body."),
            "415": _outcome("Unsupported content type."),
            "422": _outcome("The request could not be processed as sent."),
        },
    }
}


def openapi_document() -> dict[str, Any]:
    """The whole document, as a fresh dict (callers may change it)."""
    return copy.deepcopy(
        {
            "openapi": "3.1.0",
            "info": {
                "title": "IG pipeline API",
                "version": "1.0.0",
                "summary": "Check NHS numbers against the objection and consent register, and "
                "follow its changes.",
                "description": "For systems in the information-governance pipeline. Each system "
                "has API tokens issued by an IG officer and may ask about the purposes in its "
                "scope only. Calls are logged with system, purpose, counts and time, never the "
                "NHS numbers. See docs/ig-pipeline.md.",
            },
            "servers": [{"url": "/"}],
            "security": [{"bearerAuth": []}],
            "paths": {
                f"{IG_PREFIX}/check": CHECK,
                f"{IG_PREFIX}/changes": CHANGES,
                f"{IG_PREFIX}/openapi.json": OPENAPI,
                FHIR_SEARCH_PATH: FHIR_SEARCH,
            },
            "components": {
                "securitySchemes": {
                    "bearerAuth": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "`Authorization: Bearer igp_...`: a token an IG officer "
                        "issued for your system. It is shown once; only its hash is kept.",
                    }
                },
                "schemas": SCHEMAS,
            },
        }
    )
