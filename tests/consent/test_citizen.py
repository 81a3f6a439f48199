"""A signed-in, verified person sees and changes their own choices at /data-sharing/your-choices/
(consent.citizen, consent.views_citizen)."""

import json
import logging

import pytest
from django.test import Client
from django.urls import reverse

from consent import citizen
from consent.identity import identity_link_account
from consent.models import Purpose
from consent.register import capacity_record, choice_record, state_for
from consent.register_models import ConsentEvent, ConsentState
from portal.factories import UserFactory
from portal.roles import IG_OFFICERS

from .test_register import nhs_number

pytestmark = pytest.mark.django_db

PATIENT = nhs_number(401023456)
OTHER = nhs_number(485777300)
URL = "/data-sharing/your-choices/"
RISK = "risk-stratification-commissioning"


@pytest.fixture
def officer():
    return UserFactory(email="officer@example.com", roles=[IG_OFFICERS])


@pytest.fixture
def resident():
    return UserFactory(email="resident@example.com")


@pytest.fixture
def verified(resident, officer):
    """The resident's account, linked by staff to PATIENT after checking documents."""
    identity_link_account(
        user=resident,
        nhs_number=PATIENT,
        method="documents-checked",
        verified_by=officer,
        evidence_reference="PASSPORT-SEEN",
    )
    return resident


@pytest.fixture
def signed_in(client, verified):
    client.force_login(verified)
    return client


def purpose(code: str) -> Purpose:
    return Purpose.objects.get(code=code)


def state(code: str, number: str = PATIENT):
    return state_for(nhs_number=number, purpose=purpose(code))[code]


def by_phone(number: str, code: str, decision: str, **extra) -> ConsentEvent:
    return choice_record(
        nhs_number=number, purpose=purpose(code), decision=decision, channel="phone", **extra
    )


def test_the_urls_are_where_the_notice_says(client):
    assert reverse("consent_citizen:overview") == URL
    assert reverse("consent_citizen:change", args=[RISK]) == f"{URL}{RISK}/"
    html = client.get("/data-sharing/").content.decode()
    assert f'href="{URL}"' in html
    assert "See or change your choices (if you have an account)" in html


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in (URL, f"{URL}{RISK}/", f"{URL}history.json", f"{URL}{RISK}/done/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/?next=")
    response = client.post(f"{URL}{RISK}/", {"answer": "object"})
    assert response.status_code == 302
    assert not ConsentEvent.objects.filter(decision="object").exists()


def test_unverified_accounts_are_told_how_to_get_checked_and_see_no_data(client, resident):
    event = by_phone(PATIENT, RISK, ConsentEvent.OBJECT)
    client.force_login(resident)
    html = client.get(URL).content.decode()
    assert "We need to check your identity" in html
    assert "#how-to-object" in html
    assert 'href="/data-sharing/choose/"' in html
    assert event.reference not in html
    assert PATIENT not in html
    assert "*******" + PATIENT[-3:] not in html  # not even the masked number
    # Nor the download, nor a change: no person to act for.
    download = client.get(f"{URL}history.json")
    assert download["Content-Type"].startswith("text/html")
    assert event.reference not in download.content.decode()
    response = client.post(f"{URL}{RISK}/", {"answer": "withdraw-objection"})
    assert response.status_code == 302
    assert response.url == URL
    assert ConsentEvent.objects.count() == 1


def test_verified_person_sees_their_own_choices_and_history_only(signed_in):
    mine = by_phone(PATIENT, RISK, ConsentEvent.OBJECT)
    theirs = by_phone(OTHER, "pathway-analysis", ConsentEvent.OBJECT)
    response = signed_in.get(URL)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "Your data-sharing choices" in html
    assert "*******" + PATIENT[-3:] in html
    assert PATIENT not in html
    assert OTHER not in html
    assert mine.reference in html
    assert theirs.reference not in html
    assert "You objected: we will not use your information for this" in html
    assert "No objection: we can use your information for this" in html  # other purposes
    assert html.count(">Change<") == Purpose.objects.filter(is_active=True).count()
    assert "Phone" in html
    assert "In effect" in html
    assert "Staff checked your identity" in html  # the link's identity-verified event


def test_history_is_newest_first_with_who_and_status(verified):
    first = by_phone(PATIENT, RISK, ConsentEvent.OBJECT)
    waiting = choice_record(
        nhs_number=PATIENT,
        purpose=purpose(RISK),
        decision=ConsentEvent.WITHDRAW_OBJECTION,
        channel="post",
        actor=ConsentEvent.PROXY,
        proxy_role=ConsentEvent.LPA_HEALTH_WELFARE,
        proxy_name="Sam Carer",
    )
    history = citizen.history_for(nhs_number=PATIENT)
    assert [h.reference for h in history][:2] == [waiting.reference, first.reference]
    assert history[0].status == citizen.WAITING
    assert (
        history[0].who
        == "A representative: lasting power of attorney for health and welfare (Sam Carer)"
    )
    assert history[1].status == citizen.IN_EFFECT
    assert history[1].who == "You"
    assert history[-1].decision == ConsentEvent.IDENTITY_VERIFIED
    assert history[-1].purpose_name == "All purposes"
    # The pending change shows on the current choices, as the projection has it.
    current = {c.purpose.code: c for c in citizen.choices_current(nhs_number=PATIENT)}
    assert current[RISK].pending_reference == waiting.reference
    assert state(RISK).pending_event_id == ConsentEvent.objects.get(reference=waiting.reference).pk
    # A later verified change replaces the waiting one, which never took effect.
    identity = citizen.identity_for(user=verified)
    citizen.choice_change(identity=identity, purpose=purpose(RISK), decision=ConsentEvent.OBJECT)
    statuses = {h.reference: h.status for h in citizen.history_for(nhs_number=PATIENT)}
    assert statuses[waiting.reference] == citizen.NOT_APPLIED
    assert statuses[first.reference] == citizen.REPLACED
    assert not state(RISK).pending


def test_capacity_default_history_names_staff(verified, officer):
    capacity_record(nhs_number=PATIENT, evidence_reference="MCA-1", recorded_by=officer)
    history = citizen.history_for(nhs_number=PATIENT)
    assert history[0].who == "Staff, after a decision about capacity"
    assert history[0].status == citizen.IN_EFFECT
    current = {c.purpose.code: c for c in citizen.choices_current(nhs_number=PATIENT)}
    assert current[RISK].capacity_default


def test_objecting_online_is_recorded_as_verified_and_in_effect_at_once(signed_in):
    response = signed_in.post(f"{URL}{RISK}/", {"answer": "object"})
    assert response.status_code == 302
    assert response.url == f"{URL}{RISK}/done/"
    event = ConsentEvent.objects.get(purpose__code=RISK)
    assert event.nhs_number == PATIENT
    assert event.decision == ConsentEvent.OBJECT
    assert event.channel == "online"
    assert event.actor == ConsentEvent.SELF
    assert event.identity_method == "documents-checked"
    assert event.identity_result == ConsentEvent.VERIFIED
    assert state(RISK).state == ConsentState.OBJECTED
    html = signed_in.get(response.url).content.decode()
    assert "Choice saved" in html
    assert event.reference in html
    assert PATIENT not in html


def test_withdrawing_an_objection_takes_effect_at_once(signed_in):
    by_phone(PATIENT, RISK, ConsentEvent.OBJECT)
    assert state(RISK).state == ConsentState.OBJECTED
    response = signed_in.post(f"{URL}{RISK}/", {"answer": "withdraw-objection"})
    assert response.status_code == 302
    view = state(RISK)
    assert view.state == ConsentState.NO_CHOICE
    assert not view.pending  # an unverified withdrawal would wait; this one does not
    assert "In effect" in signed_in.get(URL).content.decode()


def test_consenting_to_research_takes_effect_at_once(signed_in):
    html = signed_in.get(f"{URL}research/").content.decode()
    assert "Yes, I agree to my information being used for this" in html
    assert "No, I object" not in html
    response = signed_in.post(f"{URL}research/", {"answer": "consent"})
    assert response.status_code == 302
    assert state("research").state == ConsentState.CONSENTED
    signed_in.post(f"{URL}research/", {"answer": "withdraw-consent"})
    assert state("research").state == ConsentState.NO_CHOICE


def test_objection_purposes_do_not_offer_consent(signed_in):
    response = signed_in.post(f"{URL}{RISK}/", {"answer": "consent"})
    assert response.status_code == 400
    assert "Select one of the options" in response.content.decode()
    assert not ConsentEvent.objects.filter(purpose__code=RISK).exists()


def test_an_answer_is_required(signed_in):
    response = signed_in.post(f"{URL}{RISK}/", {})
    assert response.status_code == 400
    html = response.content.decode()
    assert "<title>Error:" in html
    assert "There is a problem" in html
    assert 'href="#id_answer"' in html
    assert "Select yes if we can use your information for this, or no if you object" in html
    research = signed_in.post(f"{URL}research/", {}).content.decode()
    assert "Select if you agree or do not agree" in research


def test_choosing_what_is_already_in_effect_records_nothing(signed_in):
    before = ConsentEvent.objects.count()
    response = signed_in.post(f"{URL}{RISK}/", {"answer": "withdraw-objection"})
    assert response.status_code == 302
    assert ConsentEvent.objects.count() == before
    html = signed_in.get(response.url).content.decode()
    assert "Your choice has not changed" in html
    assert "nothing changed" in html


def test_a_capacity_default_cannot_be_loosened_online(signed_in, officer):
    capacity_record(nhs_number=PATIENT, evidence_reference="MCA-9", recorded_by=officer)
    before = ConsentEvent.objects.count()
    response = signed_in.post(f"{URL}{RISK}/", {"answer": "withdraw-objection"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "a representative must make it" in html
    assert ConsentEvent.objects.count() == before
    assert state(RISK).capacity_default
    overview = signed_in.get(URL).content.decode()
    assert "could not decide about this yourself" in overview


def test_purposes_without_a_right_to_object_explain_why(signed_in, verified):
    Purpose.objects.create(
        code="statutory-returns",
        name="Statutory returns",
        description="Returns the law requires us to make.",
        legal_basis=Purpose.LEGAL_OBLIGATION,
        objection_honoured=False,
        sort_order=99,
    )
    overview = signed_in.get(URL).content.decode()
    assert "We use your information for this: the law requires it" in overview
    assert "Why you cannot change this" in overview
    html = signed_in.get(f"{URL}statutory-returns/").content.decode()
    assert "You cannot object to this use" in html
    assert 'name="answer"' not in html
    response = signed_in.post(f"{URL}statutory-returns/", {"answer": "object"})
    assert response.status_code == 200
    assert not ConsentEvent.objects.filter(purpose__code="statutory-returns").exists()
    with pytest.raises(citizen.ChoiceRefused, match="cannot object"):
        citizen.choice_change(
            identity=citizen.identity_for(user=verified),
            purpose=Purpose.objects.get(code="statutory-returns"),
            decision=ConsentEvent.OBJECT,
        )


def test_unknown_or_inactive_purposes_are_not_found(signed_in):
    assert signed_in.get(f"{URL}no-such-purpose/").status_code == 404
    Purpose.objects.filter(code="pathway-analysis").update(is_active=False)
    assert signed_in.get(f"{URL}pathway-analysis/").status_code == 404


def test_changes_need_the_csrf_token(verified):
    client = Client(enforce_csrf_checks=True)
    client.force_login(verified)
    response = client.post(f"{URL}{RISK}/", {"answer": "object"})
    assert response.status_code == 403
    assert not ConsentEvent.objects.filter(purpose__code=RISK).exists()


def test_the_confirmation_needs_a_change_first(signed_in):
    response = signed_in.get(f"{URL}{RISK}/done/")
    assert response.status_code == 302
    assert response.url == URL


def test_download_holds_only_their_own_history(signed_in):
    mine = by_phone(PATIENT, RISK, ConsentEvent.OBJECT)
    theirs = by_phone(OTHER, RISK, ConsentEvent.OBJECT)
    signed_in.post(f"{URL}research/", {"answer": "consent"})
    response = signed_in.get(f"{URL}history.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    assert PATIENT not in body
    assert OTHER not in body
    assert theirs.reference not in body
    data = json.loads(body)
    assert data["nhsNumber"] == "*******" + PATIENT[-3:]
    references = {entry["reference"] for entry in data["history"]}
    expected = set(
        ConsentEvent.objects.filter(nhs_number=PATIENT).values_list("reference", flat=True)
    )
    assert references == expected
    assert mine.reference in references
    assert data["history"][0]["decision"] == "consent"  # newest first
    current = {c["purposeCode"]: c["state"] for c in data["currentChoices"]}
    assert current[RISK] == "objected"
    assert current["research"] == "consented"


def test_no_nhs_number_reaches_log_records(signed_in, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.request")  # 4xx warnings, usually hidden
    by_phone(PATIENT, RISK, ConsentEvent.OBJECT)
    signed_in.get(URL)
    signed_in.get(f"{URL}{RISK}/")
    signed_in.post(f"{URL}{RISK}/", {})
    signed_in.post(f"{URL}{RISK}/", {"answer": "withdraw-objection"})
    signed_in.get(f"{URL}{RISK}/done/")
    signed_in.get(f"{URL}history.json")
    signed_in.get(f"{URL}no-such-purpose/")
    assert caplog.records  # the 400 and 404 above are logged by Django
    for record in caplog.records:
        text = record.getMessage() + repr(record.args) + str(getattr(record, "request", ""))
        assert PATIENT not in text
        spaced = f"{PATIENT[:3]} {PATIENT[3:6]} {PATIENT[6:]}"
        assert spaced not in text


def test_viewing_your_own_record_does_not_write_the_staff_access_log(signed_in):
    from consent.access_models import AccessLogEntry

    signed_in.get(URL)
    signed_in.post(f"{URL}{RISK}/", {"answer": "object"})
    assert not AccessLogEntry.objects.exists()
