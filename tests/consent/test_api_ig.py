"""The IG pipeline API (/api/ig/v1/, ADR 0014): token auth and purpose scope, the streaming bulk
check with its errors, the call log, the OpenAPI document, and no NHS number in any log."""

import datetime as dt
import io
import json
import logging
import re

import pytest
from django.test import RequestFactory, override_settings
from django.urls import URLPattern, URLResolver
from django.utils import timezone
from jsonschema import Draft202012Validator

from consent import api_ig, urls_api_ig
from consent.models import Purpose
from consent.openapi_ig import openapi_document
from consent.pipeline import token_hash, token_issue, token_revoke
from consent.pipeline_models import (
    NationalOptOut,
    NationalOptOutCheck,
    PipelineCall,
    PipelineSystem,
    PipelineToken,
)
from consent.register import capacity_record, choice_record
from portal.factories import UserFactory

pytestmark = pytest.mark.django_db

CHECK = "/api/ig/v1/check"
CHANGES = "/api/ig/v1/changes"
OPENAPI = "/api/ig/v1/openapi.json"

CASE_FINDING = "risk-stratification-case-finding"  # s251, objections honoured, no NOO
COMMISSIONING = "risk-stratification-commissioning"  # s251, national opt-out applies
RESEARCH = "research"  # consent basis, national opt-out applies
DIRECT_CARE = "direct-care-sharing"  # not in the test system's scope

ALICE, BOB, CAROL = "9434765919", "9434765870", "4010232137"


def valid_numbers(count: int, start: int = 100_000_000) -> list[str]:
    """`count` valid NHS numbers (Modulus 11), from 9-digit stems upwards."""
    numbers = []
    stem = start
    while len(numbers) < count:
        digits = f"{stem:09d}"
        stem += 1
        total = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True))
        check = (11 - total % 11) % 11
        if check != 10:
            numbers.append(digits + str(check))
    return numbers


def make_system(*codes: str, name: str = "Landing area", entitled: bool = False):
    system = PipelineSystem.objects.create(name=name, entitled_to_nhs_numbers=entitled)
    system.purposes.set(Purpose.objects.filter(code__in=codes))
    return system


@pytest.fixture
def system():
    return make_system(CASE_FINDING, COMMISSIONING, RESEARCH)


@pytest.fixture
def token(system):
    return token_issue(system=system, label="tests")[1]


def purpose(code: str) -> Purpose:
    return Purpose.objects.get(code=code)


def national_opt_out_cache(*opted_out: str, age: dt.timedelta = dt.timedelta(hours=1)):
    now = timezone.now()
    check = NationalOptOutCheck.objects.create(
        file_name=f"check-{now.timestamp()}", requested_at=now - age, completed_at=now - age
    )
    for number in opted_out:
        NationalOptOut.objects.create(nhs_number=number, from_check=check)
    return check


def post_check(
    client,
    token,
    body,
    *,
    purpose_code=CASE_FINDING,
    content_type="text/plain",
    query="",
    **headers,
):
    url = f"{CHECK}?purpose={purpose_code}{query}" if purpose_code else f"{CHECK}?x=1{query}"
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.post(url, data=body, content_type=content_type, **headers)


def text_of(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def lines_of(response) -> list[str]:
    return text_of(response).splitlines()


def schema_validator(name: str) -> Draft202012Validator:
    document = openapi_document()
    return Draft202012Validator(
        {"$ref": f"#/components/schemas/{name}", "components": document["components"]},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def assert_error(response, status: int, error: str | None = None) -> dict:
    assert response.status_code == status, text_of(response)[:500]
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    body = json.loads(text_of(response))
    schema_validator("Error").validate(body)
    if error:
        assert body["error"] == error
    return body


# --- Authentication and scope ------------------------------------------------------------------


def test_no_token_is_401_with_bearer_challenge_and_no_call_row(client):
    response = post_check(client, None, ALICE)

    assert_error(response, 401, "unauthorised")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not PipelineCall.objects.exists()


def test_unknown_token_and_other_schemes_are_401(client, token):
    assert_error(post_check(client, "igp_not-a-real-token", ALICE), 401)
    response = client.post(
        f"{CHECK}?purpose={CASE_FINDING}",
        data=ALICE,
        content_type="text/plain",
        HTTP_AUTHORIZATION=f"Basic {token}",
    )
    assert_error(response, 401)


def test_revoked_token_is_401(client, system):
    issued, raw = token_issue(system=system)
    token_revoke(token=issued)

    assert_error(post_check(client, raw, ALICE), 401)


def test_expired_token_is_401(client, system):
    _issued, raw = token_issue(system=system, expires_at=timezone.now() - dt.timedelta(minutes=1))

    assert_error(post_check(client, raw, ALICE), 401)


def test_inactive_system_is_401(client, system, token):
    system.is_active = False
    system.save()

    assert_error(post_check(client, token, ALICE), 401)


def test_purpose_outside_the_systems_scope_is_403_and_logged(client, system, token):
    body = assert_error(post_check(client, token, ALICE, purpose_code=DIRECT_CARE), 403)

    assert DIRECT_CARE in body["detail"]
    call = PipelineCall.objects.get()
    assert (call.system, call.status, call.numbers_received) == (system, 403, 0)


def test_unknown_purpose_is_404_without_echoing_what_was_sent(client, token):
    body = assert_error(post_check(client, token, ALICE, purpose_code=BOB), 404)

    assert BOB not in json.dumps(body)
    assert PipelineCall.objects.get().purpose_code == ""


def test_missing_purpose_is_400(client, token):
    body = assert_error(post_check(client, token, ALICE, purpose_code=""), 400)

    assert "purpose" in body["detail"]


def test_wrong_method_is_405_json(client, token):
    response = client.get(f"{CHECK}?purpose={CASE_FINDING}", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "POST"
    assert_error(client.delete(CHANGES, HTTP_AUTHORIZATION=f"Bearer {token}"), 405)
    assert_error(client.post(OPENAPI), 405)


def test_token_is_stored_only_as_its_hash(system):
    issued, raw = token_issue(system=system)

    stored = PipelineToken.objects.values().get(pk=issued.pk)
    assert raw not in json.dumps(stored, default=str)
    assert stored["token_hash"] == token_hash(raw)
    assert raw.startswith(stored["prefix"])


# --- Input errors ------------------------------------------------------------------------------


def test_empty_body_is_400(client, token):
    assert_error(post_check(client, token, ""), 400)
    assert_error(post_check(client, token, "\n \n"), 400)


@pytest.mark.parametrize(
    "body",
    ['{"numbers": 1}', f'["{ALICE}" "{BOB}"]', f'["{ALICE}",', "not json", f'["{ALICE}",,]'],
)
def test_malformed_json_is_400(client, token, body):
    response = post_check(client, token, body, content_type="application/json")

    body_json = assert_error(response, 400, "bad_request")
    assert ALICE not in json.dumps(body_json)


def test_input_that_is_not_utf8_is_400(client, token):
    assert_error(post_check(client, token, b"\xff\xfe\x00" + ALICE.encode()), 400)


@pytest.mark.parametrize("content_type", ["application/xml", "application/x-www-form-urlencoded"])
def test_unsupported_content_type_is_415(client, token, content_type):
    assert_error(post_check(client, token, ALICE, content_type=content_type), 415)


def test_format_parameter_overrides_the_content_type(client, token):
    response = post_check(
        client, token, f'["{ALICE}"]', content_type="application/xml", query="&format=json"
    )

    assert response.status_code == 200
    assert json.loads(text_of(response))["allowed"] == [ALICE]
    assert_error(post_check(client, token, ALICE, query="&format=xml"), 400)


@override_settings(IG_CHECK_MAX_BYTES=100)
def test_body_over_the_limit_is_413_before_it_is_read(client, system, token):
    body = "\n".join([ALICE] * 20)  # 219 bytes

    response = post_check(client, token, body)

    assert_error(response, 413, "too_large")
    assert PipelineCall.objects.get().status == 413


@override_settings(IG_CHECK_MAX_BYTES=100)
def test_body_over_the_limit_without_content_length_is_413():
    # As a server that de-chunks a chunked upload hands it on: no Content-Length, a stream.
    system = make_system(CASE_FINDING)
    raw = token_issue(system=system)[1]
    body = ("\n".join([ALICE] * 20)).encode()
    request = RequestFactory().post(
        f"{CHECK}?purpose={CASE_FINDING}",
        data=body,
        content_type="text/plain",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    del request.META["CONTENT_LENGTH"]
    request._stream = io.BytesIO(body)

    response = api_ig.check(request)

    assert_error(response, 413, "too_large")


def test_invalid_numbers_are_422_with_line_numbers_and_nothing_checked(client, token):
    body = "\n".join([ALICE, "123", BOB, "9434765918", "", "abc"])

    response = post_check(client, token, body)

    error = assert_error(response, 422, "invalid_nhs_numbers")
    assert error["invalid_count"] == 3
    assert [item["line"] for item in error["errors"]] == [2, 4, 6]
    assert error["detail"].startswith("3 items are not valid NHS numbers; nothing was checked.")
    assert "?invalid=skip" in error["detail"]
    assert all(item["message"] for item in error["errors"])
    assert ALICE not in text_of(response)
    assert "9434765918" not in text_of(response)
    call = PipelineCall.objects.get()
    assert (call.status, call.numbers_received, call.numbers_invalid) == (422, 5, 3)


def test_invalid_skip_checks_the_rest(client, token):
    body = "\n".join([ALICE, "123", BOB])

    response = post_check(client, token, body, query="&invalid=skip")

    assert response.status_code == 200
    assert lines_of(response) == [ALICE, BOB]
    assert response["X-IG-Checked"] == "2"
    assert response["X-IG-Invalid"] == "1"


def test_invalid_parameter_other_than_skip_is_400(client, token):
    assert_error(post_check(client, token, ALICE, query="&invalid=yes"), 400)


# --- What is allowed ---------------------------------------------------------------------------


def test_objected_people_are_left_out_in_input_order(client, token):
    choice_record(nhs_number=BOB, purpose=purpose(CASE_FINDING), decision="object", channel="phone")

    response = post_check(client, token, f"{CAROL}\n{BOB}\n{ALICE}\n{CAROL}\n")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    assert lines_of(response) == [CAROL, ALICE, CAROL]


def test_people_lacking_capacity_are_left_out(client, token):
    capacity_record(nhs_number=CAROL, evidence_reference="MCA-1", recorded_by=UserFactory())

    assert lines_of(post_check(client, token, f"{ALICE}\n{CAROL}")) == [ALICE]


def test_consent_purpose_includes_only_people_whose_consent_is_verified(client, token):
    national_opt_out_cache()
    research = purpose(RESEARCH)
    choice_record(
        nhs_number=ALICE,
        purpose=research,
        decision="consent",
        channel="online",
        identity_method="nhs-login",
        identity_result="verified",
    )
    # Unverified: waits for identity verification, so not yet consent.
    choice_record(nhs_number=BOB, purpose=research, decision="consent", channel="online")

    response = post_check(client, token, f"{ALICE}\n{BOB}\n{CAROL}", purpose_code=RESEARCH)

    assert lines_of(response) == [ALICE]


@pytest.mark.parametrize("age", [None, dt.timedelta(hours=169)])
def test_national_opt_out_purpose_fails_closed_when_the_cache_is_stale(client, token, age):
    if age is not None:
        national_opt_out_cache(age=age)

    response = post_check(client, token, ALICE, purpose_code=COMMISSIONING)

    body = assert_error(response, 503, "national_opt_out_stale")
    assert "national" in body["detail"]
    assert PipelineCall.objects.get().status == 503


def test_national_opt_outs_are_left_out_when_the_cache_is_fresh(client, token):
    national_opt_out_cache(BOB)

    response = post_check(client, token, f"{ALICE}\n{BOB}", purpose_code=COMMISSIONING)

    assert lines_of(response) == [ALICE]
    # Not for a purpose where the national opt-out does not apply.
    assert lines_of(post_check(client, token, f"{ALICE}\n{BOB}")) == [ALICE, BOB]


# --- Formats -----------------------------------------------------------------------------------


def test_csv_input_with_a_header_names_lines_by_row(client, token):
    choice_record(nhs_number=BOB, purpose=purpose(CASE_FINDING), decision="object", channel="phone")
    body = f"id,NHS Number\n1,{ALICE}\n2,{BOB}\n3,12\n4,{CAROL}\n"

    response = post_check(client, token, body, content_type="text/csv")
    error = assert_error(response, 422)
    assert [item["line"] for item in error["errors"]] == [4]

    response = post_check(client, token, body, content_type="text/csv", query="&invalid=skip")
    assert lines_of(response) == [ALICE, CAROL]


def test_json_input_answers_json_with_counts(client, token):
    choice_record(nhs_number=BOB, purpose=purpose(CASE_FINDING), decision="object", channel="phone")
    body = json.dumps({"nhs_numbers": [ALICE, BOB, "1", int(CAROL)]})

    response = post_check(
        client, token, body, content_type="application/json", query="&invalid=skip"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    result = json.loads(text_of(response))
    schema_validator("CheckResult").validate(result)
    assert result == {
        "purpose": CASE_FINDING,
        "checked": 3,
        "invalid_count": 1,
        "invalid": [{"line": 3, "message": result["invalid"][0]["message"]}],
        "allowed": [ALICE, CAROL],
        "allowed_count": 2,
    }


def test_text_input_answers_json_when_asked(client, token):
    response = post_check(client, token, f"{ALICE}\n{BOB}", HTTP_ACCEPT="application/json")

    result = json.loads(text_of(response))
    schema_validator("CheckResult").validate(result)
    assert result["allowed"] == [ALICE, BOB]
    assert result["invalid"] == []


def test_json_output_with_nothing_allowed_is_valid_json(client, token):
    choice_record(nhs_number=BOB, purpose=purpose(CASE_FINDING), decision="object", channel="phone")

    response = post_check(client, token, f"[{BOB}]", content_type="application/json")

    result = json.loads(text_of(response))
    assert (result["allowed"], result["allowed_count"], result["checked"]) == ([], 0, 1)


def test_one_hundred_thousand_numbers_stream_back(client, token):
    numbers = valid_numbers(100_000)
    objector = numbers[54_321]
    choice_record(
        nhs_number=objector, purpose=purpose(CASE_FINDING), decision="object", channel="post"
    )

    response = post_check(client, token, "\n".join(numbers))

    assert response.streaming
    chunks = list(response.streaming_content)
    assert len(chunks) > 1  # written in batches, not as one string
    returned = b"".join(chunks).decode().splitlines()
    assert returned == numbers[:54_321] + numbers[54_322:]
    call = PipelineCall.objects.get()
    assert (call.numbers_received, call.numbers_returned, call.numbers_invalid) == (
        100_000,
        99_999,
        0,
    )


# --- The call log and the logs -----------------------------------------------------------------


def test_each_call_is_logged_with_counts_and_never_a_number(client, system, token):
    choice_record(nhs_number=BOB, purpose=purpose(CASE_FINDING), decision="object", channel="phone")

    text_of(post_check(client, token, f"{ALICE}\n{BOB}\nxyz", query="&invalid=skip"))

    call = PipelineCall.objects.get()
    assert call.system == system
    assert call.endpoint == api_ig.ENDPOINT_CHECK
    assert call.purpose_code == CASE_FINDING
    assert call.status == 200
    assert (call.numbers_received, call.numbers_returned, call.numbers_invalid) == (3, 1, 1)
    assert call.at <= timezone.now()
    row = json.dumps(list(PipelineCall.objects.values()), default=str)
    assert ALICE not in row
    assert BOB not in row


def test_no_nhs_number_reaches_any_log(client, system, token, caplog, settings):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.request")
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    choice_record(nhs_number=BOB, purpose=purpose(CASE_FINDING), decision="object", channel="phone")
    numbers = [ALICE, BOB, CAROL]
    body = "\n".join(numbers)
    settings.IG_CHECK_MAX_BYTES = 1000
    calls = [
        post_check(client, None, body),
        post_check(client, "igp_wrong", body),
        post_check(client, token, body, purpose_code=DIRECT_CARE),
        post_check(client, token, body, purpose_code="no-such-purpose"),
        post_check(client, token, body, purpose_code=""),
        post_check(client, token, body, content_type="application/xml"),
        post_check(client, token, f"{body}\n943476591"),
        post_check(client, token, f'["{ALICE}", "{BOB}",', content_type="application/json"),
        post_check(client, token, "\n".join(numbers * 100)),
        post_check(client, token, body, purpose_code=COMMISSIONING),
        post_check(client, token, body),
        client.get(f"{CHECK}?purpose={CASE_FINDING}", HTTP_AUTHORIZATION=f"Bearer {token}"),
        client.get(f"{CHANGES}?after=x1", HTTP_AUTHORIZATION=f"Bearer {token}"),
        client.get(CHANGES, HTTP_AUTHORIZATION=f"Bearer {token}"),
    ]
    statuses = [response.status_code for response in calls]
    texts = [text_of(response) for response in calls]

    assert statuses == [401, 401, 403, 404, 400, 415, 422, 400, 413, 503, 200, 405, 400, 200]
    assert 500 not in statuses
    assert texts[10].splitlines() == [ALICE, CAROL]
    assert caplog.records  # 4xx warnings from django.request at least
    logged = "\n".join(
        f"{record.getMessage()} {record.args!r} {getattr(record, 'request', '')!r}"
        for record in caplog.records
    )
    for number in [*numbers, "943476591"]:
        assert number not in logged
    for text in texts[:10] + texts[11:13]:  # every error body
        assert not re.search(r"\d{9,}", text)


# --- The change feed (more in test_feed.py) ----------------------------------------------------


def test_changes_needs_a_token_and_checks_the_purpose(client, token):
    assert_error(client.get(CHANGES), 401)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert_error(client.get(f"{CHANGES}?purpose={DIRECT_CARE}", **auth), 403)
    assert_error(client.get(f"{CHANGES}?purpose=nope", **auth), 404)
    assert_error(client.get(f"{CHANGES}?limit=0", **auth), 400)
    assert_error(client.get(f"{CHANGES}?limit=10001", **auth), 400)
    assert_error(client.get(f"{CHANGES}?after=-1", **auth), 400, "bad_cursor")


def test_changes_answer_matches_the_schema_and_is_logged(client, system, token):
    choice_record(
        nhs_number=ALICE, purpose=purpose(CASE_FINDING), decision="object", channel="post"
    )

    response = client.get(CHANGES, HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    page = response.json()
    schema_validator("ChangesPage").validate(page)
    assert len(page["changes"]) == 1
    call = PipelineCall.objects.get()
    assert (call.endpoint, call.status, call.numbers_returned) == (api_ig.ENDPOINT_CHANGES, 200, 1)


def test_unknown_paths_under_the_api_are_json_404s(client):
    assert_error(client.get("/api/ig/v1/nothing-here"), 404, "not_found")


# --- OpenAPI -----------------------------------------------------------------------------------

# The shape an OpenAPI 3.1 document must have, as far as these tests rely on it.
OPENAPI_SHAPE = {
    "type": "object",
    "required": ["openapi", "info", "paths", "components"],
    "properties": {
        "openapi": {"type": "string", "pattern": r"^3\.1\.\d+$"},
        "info": {"type": "object", "required": ["title", "version"]},
        "servers": {"type": "array", "items": {"type": "object", "required": ["url"]}},
        "paths": {
            "type": "object",
            "propertyNames": {"pattern": "^/"},
            "additionalProperties": {
                "type": "object",
                "propertyNames": {
                    "enum": ["get", "post", "put", "delete", "patch", "head", "options", "servers"]
                },
                "additionalProperties": {
                    "type": "object",
                    "required": ["responses"],
                    "properties": {
                        "operationId": {"type": "string"},
                        "parameters": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["name", "in", "schema"],
                                "properties": {"in": {"enum": ["query", "header", "path"]}},
                            },
                        },
                        "requestBody": {"type": "object", "required": ["content"]},
                        "responses": {
                            "type": "object",
                            "minProperties": 1,
                            "propertyNames": {"pattern": "^[1-5][0-9][0-9]$"},
                            "additionalProperties": {
                                "type": "object",
                                "required": ["description"],
                            },
                        },
                    },
                },
            },
        },
        "components": {"type": "object", "required": ["schemas", "securitySchemes"]},
    },
}


def test_openapi_document_is_served_without_a_token(client):
    response = client.get(OPENAPI)

    assert response.status_code == 200
    assert response.json() == openapi_document()


def test_openapi_document_is_valid():
    document = openapi_document()
    try:
        from openapi_spec_validator import validate
    except ImportError:
        Draft202012Validator(OPENAPI_SHAPE).validate(document)
    else:  # pragma: no cover - not a dependency today
        validate(document)
    for name, schema in document["components"]["schemas"].items():
        assert name
        Draft202012Validator.check_schema(schema)
    operation_ids = [
        operation["operationId"]
        for item in document["paths"].values()
        for operation in item.values()
    ]
    assert len(operation_ids) == len(set(operation_ids))


def test_openapi_documents_every_status_the_check_answers():
    check = openapi_document()["paths"][CHECK]["post"]

    assert set(check["responses"]) == {
        "200", "400", "401", "403", "404", "405", "413", "415", "422", "503"
    }  # fmt: skip
    assert set(check["requestBody"]["content"]) == {"text/plain", "text/csv", "application/json"}
    assert set(check["responses"]["200"]["content"]) == {"text/plain", "application/json"}
    fhir = openapi_document()["paths"]["/api/fhir/Consent/_search"]["post"]
    assert "application/x-www-form-urlencoded" in fhir["requestBody"]["content"]
    assert "application/fhir+json" in fhir["responses"]["200"]["content"]
    assert openapi_document()["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_openapi_references_all_resolve():
    document = openapi_document()

    def refs(value):
        if isinstance(value, dict):
            if "$ref" in value:
                yield value["$ref"]
            for item in value.values():
                yield from refs(item)
        elif isinstance(value, list):
            for item in value:
                yield from refs(item)

    found = list(refs(document))
    assert found
    for ref in found:
        assert ref.startswith("#/")
        node = document
        for part in ref[2:].split("/"):
            node = node[part]


def test_every_documented_path_is_routed_and_every_route_documented(client):
    from django.urls import resolve

    paths = openapi_document()["paths"]
    for path in paths:
        match = resolve(path)
        assert match.url_name != "not_found", path

    def routes(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from routes(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.name

    routed = {
        "/api/ig/v1/" + route
        for route, name in routes(urls_api_ig.urlpatterns)
        if name != "not_found"
    }
    assert routed <= set(paths)
