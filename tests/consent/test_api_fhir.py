"""FHIR R4 Consent search: POST /api/fhir/Consent/_search (consent.api_fhir, consent.fhir).

Every Bundle, Consent and OperationOutcome the API returns is validated with fhir.resources'
R4B models (R4's technical correction; Consent, Bundle and OperationOutcome are unchanged)."""

import json
import logging
from urllib.parse import urlencode

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.consent import Consent
from fhir.resources.R4B.operationoutcome import OperationOutcome

from consent.models import Purpose
from consent.pipeline import token_issue, token_revoke
from consent.pipeline_models import PipelineCall, PipelineSystem
from consent.register import capacity_record, choice_record, identity_verified, state_for
from portal.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/fhir/Consent/_search"
FORM = "application/x-www-form-urlencoded"
NHS = "https://fhir.nhs.uk/Id/nhs-number"
ALICE = "9434765919"
BOB = "9434765870"
CAROL = "4010232137"
RISK = "risk-stratification-commissioning"
RESEARCH = "research"
CONSENT_STATUSES = {"draft", "proposed", "active", "rejected", "inactive", "entered-in-error"}


@pytest.fixture
def system() -> PipelineSystem:
    system = PipelineSystem.objects.create(name="Risk stratification tool")
    system.purposes.set(Purpose.objects.filter(code__in=[RISK, RESEARCH]))
    return system


@pytest.fixture
def token(system) -> str:
    return token_issue(system=system, label="tests")[1]


def purpose(code: str) -> Purpose:
    return Purpose.objects.get(code=code)


def choose(nhs_number: str, code: str, decision: str, **kwargs):
    kwargs.setdefault("channel", "online")
    return choice_record(nhs_number=nhs_number, purpose=purpose(code), decision=decision, **kwargs)


def verify(nhs_number: str):
    return identity_verified(nhs_number=nhs_number, method="nhs-login", channel="online")


def post(client, token: str | None, data, *, content_type: str = FORM, **headers):
    if token is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    if content_type == FORM and not isinstance(data, str):
        data = urlencode(data)
    return client.post(URL, data, content_type=content_type, **headers)


def search(client, token: str, nhs_number: str = ALICE, **extra):
    return post(client, token, [("patient.identifier", f"{NHS}|{nhs_number}"), *extra.items()])


def valid_bundle(response) -> dict:
    """The searchset, checked against R4B and the rules FHIR states but the models do not."""
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/fhir+json")
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    Bundle.model_validate(body)
    assert body["type"] == "searchset"
    assert body["total"] == len(body.get("entry", []))
    for entry in body.get("entry", []):
        resource = entry["resource"]
        Consent.model_validate(resource)
        assert entry["search"] == {"mode": "match"}
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
        assert resource["status"] in CONSENT_STATUSES
        assert resource["policy"] or resource.get("policyRule")  # invariant ppc-1
        assert resource["scope"]["coding"][0] == {
            "system": "http://terminology.hl7.org/CodeSystem/consentscope",
            "code": "patient-privacy",
            "display": "Privacy Consent",
        }
        assert resource["category"][0]["coding"][0]["system"] == "http://loinc.org"
        assert resource["category"][0]["coding"][0]["code"] == "59284-0"
        assert resource["provision"]["type"] in {"deny", "permit"}
        number = resource["patient"]["identifier"]["value"]
        assert resource["patient"]["identifier"]["system"] == NHS
        assert number not in entry["fullUrl"]
        assert number not in resource["id"]
        assert number not in json.dumps(resource["policy"])
    return body


def consents(response) -> dict[str, dict]:
    """Consent resources by purpose code."""
    return {
        entry["resource"]["provision"]["purpose"][0]["code"]: entry["resource"]
        for entry in valid_bundle(response).get("entry", [])
    }


def outcome(response, status: int) -> str:
    """The OperationOutcome's message, after checking the status and the resource."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/fhir+json")
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    OperationOutcome.model_validate(body)
    assert body["issue"][0]["severity"] == "error"
    return body["issue"][0]["diagnostics"]


# --- What the resources say ---------------------------------------------------------------------


def test_objection_is_an_active_deny_consent_for_the_patient(client, token, system):
    event = choose(ALICE, RISK, "object")

    resource = consents(search(client, token))[RISK]

    assert resource["status"] == "active"
    assert resource["provision"]["type"] == "deny"
    assert resource["provision"]["purpose"][0] == {
        "system": "http://testserver/data-sharing/purposes",
        "code": RISK,
        "display": purpose(RISK).name,
    }
    assert resource["patient"] == {"identifier": {"system": NHS, "value": ALICE}}
    assert resource["performer"] == [
        {"type": "Patient", "identifier": {"system": NHS, "value": ALICE}}
    ]
    assert resource["identifier"][0]["value"] == event.reference
    assert resource["dateTime"].startswith(event.recorded_at.strftime("%Y-%m-%dT%H:%M"))
    assert resource["provision"]["period"]["start"] == resource["dateTime"]
    # An objection takes effect at once, before identity is verified, and says so.
    assert resource["verification"][0]["verified"] is False


def test_resource_agrees_with_the_register_projection(client, token):
    choose(ALICE, RISK, "object")
    choose(ALICE, RESEARCH, "consent", identity_result="verified")

    found = consents(search(client, token))
    states = state_for(nhs_number=ALICE)

    assert states[RISK].state == "objected"
    assert found[RISK]["provision"]["type"] == "deny"
    assert states[RESEARCH].state == "consented"
    assert found[RESEARCH]["provision"]["type"] == "permit"


def test_withdrawn_objection_once_verified_is_inactive(client, token):
    objected = choose(ALICE, RISK, "object")
    choose(ALICE, RISK, "withdraw-objection")

    # Waiting for identity verification: the objection still stands.
    waiting = consents(search(client, token))[RISK]
    assert waiting["status"] == "active"
    assert waiting["provision"]["type"] == "deny"
    assert waiting["identifier"][0]["value"] == objected.reference

    verified = verify(ALICE)
    resource = consents(search(client, token))[RISK]

    assert resource["status"] == "inactive"
    assert resource["provision"]["type"] == "deny"
    period = resource["provision"]["period"]
    assert period["start"].startswith(objected.recorded_at.strftime("%Y-%m-%dT%H:%M"))
    assert period["end"].startswith(verified.recorded_at.strftime("%Y-%m-%dT%H:%M"))
    assert resource["verification"][0]["verified"] is True
    assert resource["id"] != waiting["id"]


def test_verified_research_consent_is_an_active_permit(client, token):
    choose(ALICE, RESEARCH, "consent", identity_result="verified", identity_method="nhs-login")

    resource = consents(search(client, token))[RESEARCH]

    assert resource["status"] == "active"
    assert resource["provision"]["type"] == "permit"
    assert resource["verification"][0]["verified"] is True


def test_unverified_consent_gives_no_permit_until_identity_is_verified(client, token):
    choose(ALICE, RESEARCH, "consent")

    body = valid_bundle(search(client, token))
    assert body["total"] == 0

    verify(ALICE)
    resource = consents(search(client, token))[RESEARCH]
    assert resource["provision"]["type"] == "permit"
    assert resource["status"] == "active"


def test_withdrawn_research_consent_is_an_inactive_permit(client, token):
    choose(ALICE, RESEARCH, "consent", identity_result="verified")
    choose(ALICE, RESEARCH, "withdraw-consent")

    resource = consents(search(client, token))[RESEARCH]

    assert resource["status"] == "inactive"
    assert resource["provision"]["type"] == "permit"
    assert set(resource["provision"]["period"]) == {"start", "end"}


def test_proxy_choice_has_a_related_person_performer_named_by_role_only(client, token):
    choose(
        BOB,
        RISK,
        "object",
        actor="proxy",
        proxy_role="parent",
        proxy_name="Pat Parentname",
        channel="phone",
    )

    response = search(client, token, BOB)
    resource = consents(response)[RISK]

    assert resource["performer"] == [
        {"type": "RelatedPerson", "display": "Parent or person with parental responsibility"}
    ]
    assert "Pat Parentname" not in response.content.decode()


def test_capacity_decision_is_a_deny_recorded_by_staff(client, token):
    capacity_record(nhs_number=CAROL, evidence_reference="MCA-2026-7", recorded_by=UserFactory())

    resource = consents(search(client, token, CAROL))[RISK]

    assert resource["status"] == "active"
    assert resource["provision"]["type"] == "deny"
    assert resource["performer"][0]["type"] == "Practitioner"
    assert "lacks capacity" in resource["performer"][0]["display"]


def test_policy_points_at_the_notice_version_the_person_was_shown(client, token):
    choose(ALICE, RISK, "object", notice_version=1)

    resource = consents(search(client, token))[RISK]

    assert resource["policy"] == [{"uri": "http://testserver/data-sharing/notice/v/1/"}]
    assert client.get("/data-sharing/notice/v/1/").status_code == 200


def test_person_with_no_events_gets_an_empty_searchset(client, token):
    body = valid_bundle(search(client, token, CAROL))

    assert body["total"] == 0
    assert body.get("entry", []) == []


def test_status_parameter_filters_active_and_inactive(client, token):
    choose(ALICE, RISK, "object")
    choose(ALICE, RESEARCH, "consent", identity_result="verified")
    choose(ALICE, RESEARCH, "withdraw-consent")

    assert set(consents(search(client, token, status="active"))) == {RISK}
    assert set(consents(search(client, token, status="inactive"))) == {RESEARCH}
    assert "active or inactive" in outcome(search(client, token, status="draft"), 400)


def test_fhir_parameters_body_is_accepted(client, token):
    choose(ALICE, RISK, "object")
    identifier = {
        "resourceType": "Parameters",
        "parameter": [
            {"name": "patient.identifier", "valueIdentifier": {"system": NHS, "value": ALICE}},
            {"name": "purpose", "valueCode": RISK},
        ],
    }
    as_token = {
        "resourceType": "Parameters",
        "parameter": [{"name": "patient:identifier", "valueString": f"{NHS}|{ALICE}"}],
    }

    for body in (identifier, as_token):
        response = post(client, token, body, content_type="application/fhir+json")
        assert set(consents(response)) == {RISK}


def test_a_json_body_that_is_not_parameters_is_unprocessable(client, token):
    body = {"resourceType": "Patient", "identifier": [{"system": NHS, "value": ALICE}]}

    response = post(client, token, body, content_type="application/fhir+json")

    assert "Parameters" in outcome(response, 422)
    assert ALICE not in response.content.decode()


# --- Scope, and logging the call ----------------------------------------------------------------


def test_only_purposes_in_the_systems_scope_are_returned(client, token):
    choose(ALICE, RISK, "object")
    choose(ALICE, "direct-care-sharing", "object")
    choose(ALICE, "pathway-analysis", "object")

    assert set(consents(search(client, token))) == {RISK}
    assert set(consents(search(client, token, purpose=RISK))) == {RISK}


def test_purpose_outside_the_systems_scope_is_forbidden(client, token):
    response = search(client, token, purpose=f"{RISK},pathway-analysis")

    assert "pathway-analysis" in outcome(response, 403)
    assert ALICE not in response.content.decode()


def test_unknown_purpose_is_a_bad_request_without_echoing_numbers(client, token):
    assert "no active purpose" in outcome(search(client, token, purpose="astrology"), 400)

    response = search(client, token, purpose=BOB)
    assert "no active purpose" in outcome(response, 400)
    assert BOB not in response.content.decode()


def test_each_call_is_logged_with_counts_but_never_the_number(client, token, system):
    choose(ALICE, RISK, "object")
    choose(ALICE, RESEARCH, "consent", identity_result="verified")

    consents(search(client, token, purpose=RISK))
    outcome(search(client, token, purpose="pathway-analysis"), 403)
    outcome(post(client, None, [("patient.identifier", f"{NHS}|{ALICE}")]), 401)

    calls = list(PipelineCall.objects.order_by("pk"))
    assert [(c.status, c.system, c.endpoint) for c in calls] == [
        (200, system, "fhir-consent-search"),
        (403, system, "fhir-consent-search"),
        (401, None, "fhir-consent-search"),
    ]
    assert (calls[0].purpose_code, calls[0].numbers_received, calls[0].numbers_returned) == (
        RISK,
        1,
        1,
    )
    assert calls[1].purpose_code == "pathway-analysis"
    for call in calls:
        assert ALICE not in json.dumps({k: str(v) for k, v in vars(call).items()})


# --- Refusals -----------------------------------------------------------------------------------


def test_missing_or_bad_token_is_unauthorised(client, token, system):
    assert "Bearer" in outcome(search(client, None), 401)
    assert "not valid" in outcome(search(client, "igp_not-a-real-token"), 401)

    revoked, raw = token_issue(system=system)
    token_revoke(token=revoked)
    assert "not valid" in outcome(search(client, raw), 401)


def test_bad_nhs_number_says_what_is_wrong_without_echoing_it(client, token):
    bad = "9434765918"  # wrong check digit

    response = search(client, token, bad)

    assert "not valid" in outcome(response, 400)
    assert bad not in response.content.decode()
    assert "10 digits" in outcome(search(client, token, "94347659"), 400)


def test_missing_identifier_or_other_system_is_a_bad_request(client, token):
    assert "patient.identifier" in outcome(post(client, token, [("purpose", RISK)]), 400)

    response = post(client, token, [("patient.identifier", f"urn:other|{ALICE}")])
    assert "NHS number system" in outcome(response, 400)
    assert ALICE not in response.content.decode()

    # `identifier` is the Consent's own identifier in FHIR, not the patient's: refused.
    response = post(client, token, [("identifier", ALICE)])
    assert "patient.identifier" in outcome(response, 400)
    assert ALICE not in response.content.decode()


def test_get_with_the_number_in_the_url_is_refused_and_never_logged(client, token, caplog):
    caplog.set_level(logging.DEBUG)
    query = urlencode({"patient.identifier": f"{NHS}|{ALICE}"})

    for url in (f"{URL}?{query}", f"/api/fhir/Consent?{query}"):
        response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert "POST" in outcome(response, 405)
        assert response["Allow"] == "POST"
        assert ALICE not in response.content.decode()

    assert caplog.records  # the refusals are logged ...
    for record in caplog.records:  # ... without the number, in the message or anywhere else
        assert ALICE not in record.getMessage()
        assert ALICE not in repr(vars(record))
    assert PipelineCall.objects.filter(status=405).count() == 2


def test_post_with_the_number_in_the_url_is_refused(client, token, caplog):
    caplog.set_level(logging.DEBUG)
    query = urlencode({"patient.identifier": f"{NHS}|{ALICE}"})

    response = client.post(
        f"{URL}?{query}", "", content_type=FORM, HTTP_AUTHORIZATION=f"Bearer {token}"
    )

    assert "not the URL" in outcome(response, 400)
    for record in caplog.records:
        assert ALICE not in repr(vars(record))


def test_unsupported_content_type_is_refused(client, token):
    response = post(client, token, f"{NHS}|{ALICE}", content_type="text/plain")

    assert "application/x-www-form-urlencoded" in outcome(response, 415)

    response = client.post(
        URL, {"patient.identifier": f"{NHS}|{ALICE}"}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )  # multipart/form-data
    outcome(response, 415)


def test_malformed_json_is_a_bad_request(client, token):
    response = post(client, token, "{not json", content_type="application/json")

    assert "not valid JSON" in outcome(response, 400)


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("status=active", FORM, 400),
        ("patient.identifier=&patient.identifier=", FORM, 400),
        ("[]", "application/json", 422),
        ('{"resourceType": "Parameters", "parameter": "x"}', "application/json", 422),
        ('{"resourceType": "Parameters", "parameter": [{"value": 1}]}', "application/json", 400),
        (
            '{"resourceType": "Parameters", "parameter": [{"name": "patient.identifier"}]}',
            "application/fhir+json",
            422,
        ),
        (
            '{"resourceType": "Parameters", "parameter": [{"name": "patient.identifier", '
            '"valueIdentifier": {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": 1}}]}',
            "application/fhir+json",
            400,
        ),
        ("", "", 415),
    ],
)
def test_odd_bodies_get_a_clear_4xx_never_a_500(client, token, body, content_type, status):
    outcome(post(client, token, body, content_type=content_type), status)
