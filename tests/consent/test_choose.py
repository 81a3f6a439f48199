"""The citizen "make your choice" journey at /data-sharing/choose/ (consent.views_choose)."""

import json
import logging

import pytest
from django.urls import reverse

from consent.models import Purpose
from consent.notices import current_notice_version
from consent.register import state_for
from consent.register_models import ConsentEvent, ConsentState

from .test_register import nhs_number

pytestmark = pytest.mark.django_db

PATIENT = nhs_number(401023456)
SPACED = f"{PATIENT[:3]} {PATIENT[3:6]} {PATIENT[6:]}"
CHOOSE = "/data-sharing/choose/"
DETAILS = {
    "nhs_number": SPACED,
    "person_name": "Alex Patient",
    "dob_day": "4",
    "dob_month": "7",
    "dob_year": "1980",
    "postcode": "se1 7ph",
}


def codes() -> list[str]:
    return [
        p.code
        for p in Purpose.objects.filter(is_active=True)
        if p.objection_honoured or p.legal_basis == Purpose.CONSENT
    ]


def answer_all(client, answers: dict[str, str], *, who="self", proxy=None, details=None):
    """Walk the journey; `answers` maps purpose code to "yes"/"no" (others: "no")."""
    urls = []
    response = client.post(CHOOSE, {"who": who})
    urls.append(response.url)
    if proxy:
        response = client.post(response.url, proxy)
        urls.append(response.url)
    response = client.post(response.url, details or DETAILS)
    urls.append(response.url)
    for code in codes():
        assert response.url == f"{CHOOSE}question/{code}/"
        response = client.post(response.url, {"answer": answers.get(code, "no")})
        urls.append(response.url)
    assert response.url == f"{CHOOSE}check-your-answers/"
    return urls


def submit(client):
    response = client.post(f"{CHOOSE}check-your-answers/")
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response.url == f"{CHOOSE}confirmation/"
    return client.get(response.url)


def test_the_notice_page_links_to_the_journey(client):
    response = client.get("/data-sharing/")
    assert f'href="{CHOOSE}"' in response.content.decode()
    assert reverse("consent:choose") == CHOOSE


def test_start_page_requires_an_answer(client):
    response = client.post(CHOOSE, {})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'href="#id_who"' in html
    assert "Select who you are making a choice for" in html


def test_relationship_page_says_what_is_missing(client):
    client.post(CHOOSE, {"who": "someone-else"})
    response = client.post(f"{CHOOSE}relationship/", {})
    html = response.content.decode()
    assert "Select your relationship to the person" in html
    assert "Enter your full name" in html


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"nhs_number": ""}, "Enter an NHS number"),
        ({"nhs_number": "123 456"}, "NHS number must be 10 digits"),
        ({"nhs_number": "401023456x"}, "NHS number must only include numbers"),
        ({"nhs_number": "4010234568"}, "Enter a real NHS number"),
        ({"person_name": ""}, "Enter your full name"),
        ({"dob_day": "", "dob_month": "", "dob_year": ""}, "Enter date of birth"),
        ({"dob_month": ""}, "Date of birth must include a month"),
        ({"dob_day": "31", "dob_month": "2"}, "Date of birth must be a real date"),
        ({"dob_year": "2099"}, "Date of birth must be in the past"),
        ({"postcode": ""}, "Enter your postcode"),
        ({"postcode": "NOT A POSTCODE"}, "Enter a real postcode"),
    ],
)
def test_details_validation_messages(client, change, message):
    client.post(CHOOSE, {"who": "self"})
    response = client.post(f"{CHOOSE}details/", {**DETAILS, **change})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert message in html


def test_purpose_question_requires_an_answer_and_uses_plain_english(client):
    client.post(CHOOSE, {"who": "self"})
    client.post(f"{CHOOSE}details/", DETAILS)
    risk = Purpose.objects.get(code="risk-stratification-commissioning")
    url = f"{CHOOSE}question/{risk.code}/"
    html = client.get(url).content.decode()
    assert risk.name in html
    assert risk.description[:40] in html
    assert "Yes, you can use my information for this" in html
    assert "No, I object" in html
    response = client.post(url, {})
    assert response.status_code == 400
    assert "Select yes if we can use your information for this" in response.content.decode()
    research = client.get(f"{CHOOSE}question/research/").content.decode()
    assert "I agree" in research
    assert "I do not agree" in research


def test_going_back_keeps_answers(client):
    client.post(CHOOSE, {"who": "self"})
    client.post(f"{CHOOSE}details/", DETAILS)
    first = codes()[0]
    client.post(f"{CHOOSE}question/{first}/", {"answer": "no"})
    html = client.get(f"{CHOOSE}details/").content.decode()
    assert f'value="{PATIENT}"' in html
    assert 'value="Alex Patient"' in html
    assert 'value="1980"' in html
    assert 'value="SE1 7PH"' in html
    assert 'value="self" checked' in client.get(CHOOSE).content.decode()
    assert 'value="no" checked' in client.get(f"{CHOOSE}question/{first}/").content.decode()


def test_check_answers_before_finishing_sends_you_to_the_first_gap(client):
    client.post(CHOOSE, {"who": "self"})
    response = client.get(f"{CHOOSE}check-your-answers/")
    assert response.url == f"{CHOOSE}details/"


def test_change_link_returns_to_check_answers(client):
    answer_all(client, {})
    response = client.get(f"{CHOOSE}details/?change=1")
    assert f'href="{CHOOSE}check-your-answers/"' in response.content.decode()
    response = client.post(f"{CHOOSE}details/?change=1", {**DETAILS, "person_name": "Alex P"})
    assert response.url == f"{CHOOSE}check-your-answers/"
    assert "Alex P" in client.get(response.url).content.decode()


def test_self_objection_is_recorded_and_in_effect_at_once(client):
    answer_all(client, dict.fromkeys(codes(), "yes") | {"risk-stratification-commissioning": "no"})
    page = submit(client).content.decode()
    event = ConsentEvent.objects.get(purpose__code="risk-stratification-commissioning")
    assert event.decision == ConsentEvent.OBJECT
    assert event.actor == ConsentEvent.SELF
    assert event.channel == "online"
    assert event.identity_method == "self-declared"
    assert event.identity_result == ConsentEvent.UNVERIFIED
    assert event.notice_version == current_notice_version() is not None
    assert event.person_name == "Alex Patient"
    assert event.postcode == "SE1 7PH"
    state = state_for(nhs_number=PATIENT)["risk-stratification-commissioning"]
    assert state.state == ConsentState.OBJECTED
    assert not state.pending
    assert event.reference in page
    assert "Choices in effect now" in page
    assert "Choices waiting for identity checks" in page  # the "yes" answers wait


def test_withdrawal_of_an_objection_stays_pending(client):
    answer_all(client, {})
    submit(client)
    client.cookies.clear()
    answer_all(client, {"risk-stratification-commissioning": "yes"})
    page = submit(client).content.decode()
    event = ConsentEvent.objects.filter(purpose__code="risk-stratification-commissioning").last()
    assert event.decision == ConsentEvent.WITHDRAW_OBJECTION
    state = state_for(nhs_number=PATIENT)["risk-stratification-commissioning"]
    assert state.state == ConsentState.OBJECTED
    assert state.pending_event_id == event.pk
    assert "waiting for identity check" in page
    assert "not in effect until we have checked identity" in page


def test_consent_purpose_records_consent_as_pending_and_refusal_at_once(client):
    answer_all(client, {"research": "yes"})
    submit(client)
    event = ConsentEvent.objects.get(purpose__code="research")
    assert event.decision == ConsentEvent.CONSENT
    assert state_for(nhs_number=PATIENT)["research"].pending


def test_proxy_flow_records_the_representative(client):
    proxy = {"relationship": ConsentEvent.PARENT, "proxy_name": "Pat Parent"}
    child = {**DETAILS, "person_name": "Kit Child", "dob_year": "2019"}
    answer_all(client, {}, who="someone-else", proxy=proxy, details=child)
    check = client.get(f"{CHOOSE}check-your-answers/").content.decode()
    assert "Pat Parent" in check
    assert "I am the parent of a child under 16" in check
    submit(client)
    events = ConsentEvent.objects.all()
    assert events.count() == len(codes())
    for event in events:
        assert event.actor == ConsentEvent.PROXY
        assert event.proxy_role == ConsentEvent.PARENT
        assert event.proxy_name == "Pat Parent"
        assert event.person_name == "Kit Child"
    assert state_for(nhs_number=PATIENT)["pathway-analysis"].state == ConsentState.OBJECTED


def test_switching_back_to_self_clears_proxy_answers(client):
    client.post(CHOOSE, {"who": "someone-else"})
    client.post(f"{CHOOSE}relationship/", {"relationship": "parent", "proxy_name": "Pat"})
    client.post(CHOOSE, {"who": "self"})
    assert client.get(f"{CHOOSE}relationship/").url == CHOOSE


def test_receipt_json_has_consent_receipt_fields_and_masks_the_nhs_number(client):
    answer_all(client, {"research": "yes"})
    submit(client)
    response = client.get(f"{CHOOSE}receipt.json")
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    assert PATIENT not in body
    receipt = json.loads(body)
    for key in (
        "version",
        "jurisdiction",
        "consentTimestamp",
        "collectionMethod",
        "consentReceiptID",
        "piiPrincipalId",
        "piiControllers",
        "policyUrl",
        "services",
    ):
        assert receipt[key], key
    assert receipt["piiPrincipalId"] == "*******" + PATIENT[-3:]
    assert receipt["policyUrl"].endswith(f"/data-sharing/notice/v/{current_notice_version()}/")
    assert "T" in receipt["consentTimestamp"]
    purposes = {p["purposeCode"]: p for p in receipt["services"][0]["purposes"]}
    assert set(purposes) == set(codes())
    assert purposes["research"]["consentType"] == "explicit"
    assert purposes["research"]["decision"] == "consent"
    assert purposes["research"]["status"] == "pending-identity-check"
    assert purposes["pathway-analysis"]["decision"] == "object"
    assert purposes["pathway-analysis"]["status"] == "in-effect"
    printable = client.get(f"{CHOOSE}receipt/").content.decode()
    assert receipt["consentReceiptID"] in printable
    assert PATIENT not in printable


def test_receipt_only_for_the_session_that_made_the_choices(client, django_user_model):
    answer_all(client, {})
    submit(client)
    client.cookies.clear()
    assert client.get(f"{CHOOSE}receipt.json").status_code == 404
    assert client.get(f"{CHOOSE}receipt/").status_code == 404
    assert client.get(f"{CHOOSE}confirmation/").status_code == 404


def test_submissions_are_rate_limited_per_client(client, settings):
    settings.CONSENT_CHOOSE_RATE = "1/h"
    answer_all(client, {})
    submit(client)
    answer_all(client, {})
    response = client.post(f"{CHOOSE}check-your-answers/")
    assert response.status_code == 429
    assert "You have sent too many choices" in response.content.decode()
    assert ConsentEvent.objects.count() == len(codes())


def test_nhs_number_never_in_a_url_or_the_logs(client, caplog):
    caplog.set_level(logging.DEBUG)
    urls = answer_all(client, {"risk-stratification-commissioning": "yes"})
    submit(client)
    urls += [f"{CHOOSE}confirmation/", f"{CHOOSE}receipt/", f"{CHOOSE}receipt.json"]
    client.post(f"{CHOOSE}details/", {**DETAILS, "nhs_number": "4010234568"})
    for url in urls:
        assert PATIENT not in url
        assert PATIENT[-4:] not in url
    assert PATIENT not in caplog.text
    assert SPACED not in caplog.text
    assert "4010234568" not in caplog.text
