"""Identity verification on the person page (/manage/consent/person/<lookup>/verify/): waiting
changes take effect, optionally a portal account is linked, the recording is logged, and bad
input gets a clear message."""

import logging

import pytest
from allauth.mfa.models import Authenticator

from consent.access import nhs_number_hash
from consent.access_models import AccessLogEntry
from consent.identity import verified_nhs_number
from consent.models import Purpose
from consent.register import choice_record, state_for
from consent.register_models import ConsentEvent, ConsentState
from portal import roles
from portal.factories import UserFactory

pytestmark = pytest.mark.django_db

NHS = "9434765919"
OTHER_NHS = "9434765870"


def with_mfa(user):
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return user


@pytest.fixture
def ig_officer():
    return with_mfa(UserFactory(email="ig@council.example", roles=[roles.IG_OFFICERS]))


@pytest.fixture
def practitioner():
    return with_mfa(UserFactory(email="sw@council.example", roles=[roles.PRACTITIONERS]))


def find(client, nhs_number=NHS) -> str:
    response = client.post("/manage/consent/", {"nhs_number": nhs_number})
    assert response.status_code == 302
    return response["Location"]


def wait_for(nhs_number, code, decision):
    return choice_record(
        nhs_number=nhs_number,
        purpose=Purpose.objects.get(code=code),
        decision=decision,
        channel="post",
    )


VALID = {
    "method": "documents-checked",
    "evidence_reference": "PASSPORT-SEEN",
    "channel": "in-person",
}


def test_anonymous_visitors_are_sent_to_sign_in(client, ig_officer):
    client.force_login(ig_officer)
    url = find(client) + "verify/"
    client.logout()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_other_roles_get_403(client):
    client.force_login(with_mfa(UserFactory(roles=[roles.RESIDENTS])))
    assert client.get("/manage/consent/person/abc/verify/").status_code == 403


def test_person_page_offers_verification_when_changes_wait(client, practitioner):
    client.force_login(practitioner)
    person = find(client)
    assert "Verify identity or link their portal account" in client.get(person).content.decode()
    wait_for(NHS, "research", "consent")
    body = client.get(person).content.decode()
    assert 'class="govuk-button" data-module="govuk-button">Verify identity</a>' in body


def test_waiting_changes_take_effect_and_the_message_says_how_many(client, practitioner):
    wait_for(NHS, "research", "consent")
    wait_for(NHS, "pathway-analysis", "object")
    wait_for(NHS, "pathway-analysis", "withdraw-objection")
    wait_for(OTHER_NHS, "research", "consent")  # someone else: untouched
    client.force_login(practitioner)
    person = find(client)
    form = client.get(person + "verify/").content.decode()
    assert "2 changes are waiting for identity verification" in form

    response = client.post(person + "verify/", VALID, follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == person
    event = ConsentEvent.objects.get(decision=ConsentEvent.IDENTITY_VERIFIED)
    assert f"Identity verified: reference {event.reference}. 2 waiting changes took effect." in body
    assert (event.identity_method, event.evidence_reference, event.channel) == (
        "documents-checked",
        "PASSPORT-SEEN",
        "in-person",
    )
    assert event.recorded_by == practitioner
    states = state_for(nhs_number=NHS)
    assert states["research"].state == ConsentState.CONSENTED
    assert states["pathway-analysis"].state == ConsentState.NO_CHOICE
    assert not states["research"].pending
    assert state_for(nhs_number=OTHER_NHS)["research"].pending
    assert AccessLogEntry.objects.filter(
        action=AccessLogEntry.RECORD,
        event_reference=event.reference,
        nhs_number_hash=nhs_number_hash(NHS),
        user=practitioner,
    ).exists()


def test_verifying_with_nothing_waiting_is_allowed(client, ig_officer):
    client.force_login(ig_officer)
    person = find(client)
    response = client.post(person + "verify/", VALID, follow=True)
    assert "No changes were waiting." in response.content.decode()


def test_verification_needs_a_method_and_evidence(client, ig_officer):
    wait_for(NHS, "research", "consent")
    client.force_login(ig_officer)
    person = find(client)
    response = client.post(person + "verify/", {"channel": "phone"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in body
    assert "Select how you checked their identity" in body
    assert "Enter the evidence reference" in body
    response = client.post(person + "verify/", {**VALID, "method": "self-declared"})
    assert "Select a valid choice" in response.content.decode()
    assert not ConsentEvent.objects.filter(decision=ConsentEvent.IDENTITY_VERIFIED).exists()
    assert state_for(nhs_number=NHS)["research"].pending


def test_linking_a_portal_account(client, ig_officer):
    wait_for(NHS, "research", "consent")
    resident = UserFactory(email="ann@example.com", roles=[roles.RESIDENTS])
    client.force_login(ig_officer)
    person = find(client)
    response = client.post(
        person + "verify/", {**VALID, "account_email": "ANN@example.com"}, follow=True
    )
    body = response.content.decode()
    assert "1 waiting change took effect. Their portal account is linked." in body
    assert verified_nhs_number(user=resident) == NHS
    assert state_for(nhs_number=NHS)["research"].state == ConsentState.CONSENTED


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("nobody@example.com", "There is no account with that email address"),
        ("not-an-email", "Enter an email address in the correct format"),
        ("ig@council.example", "You cannot link your own account"),
        ("linked@example.com", "That account is already linked to a different person"),
    ],
)
def test_linking_errors_are_clear_and_record_nothing(client, ig_officer, email, message):
    linked = UserFactory(email="linked@example.com")
    from consent.identity import identity_link_account

    identity_link_account(
        user=linked, nhs_number=OTHER_NHS, method="known-to-staff", verified_by=ig_officer
    )
    wait_for(NHS, "research", "consent")
    before = ConsentEvent.objects.count()
    client.force_login(ig_officer)
    person = find(client)
    response = client.post(person + "verify/", {**VALID, "account_email": email})
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert message in body
    assert OTHER_NHS not in body
    assert ConsentEvent.objects.count() == before
    assert state_for(nhs_number=NHS)["research"].pending


def test_nhs_number_never_reaches_urls_or_log_records(client, ig_officer, caplog):
    caplog.set_level(logging.DEBUG)
    wait_for(NHS, "research", "consent")
    client.force_login(ig_officer)
    person = find(client)
    response = client.post(person + "verify/", VALID, follow=True)
    assert all(NHS not in url for url, _status in response.redirect_chain)
    assert NHS not in person
    assert all(NHS not in record.getMessage() for record in caplog.records)
