"""The register-wide list of changes waiting for identity verification
(/manage/consent/pending/): IG officers and administrators only, oldest first, no NHS numbers
or names, and "Find this person" resolves the reference server-side, logged."""

import datetime as dt
import logging

import pytest
from allauth.mfa.models import Authenticator
from django.utils import timezone

from consent.access import nhs_number_hash
from consent.access_models import AccessLogEntry
from consent.models import Purpose
from consent.register import choice_record, identity_verified
from portal import roles
from portal.factories import UserFactory

from .test_register import nhs_number

pytestmark = pytest.mark.django_db

NHS = "9434765919"
OTHER_NHS = "9434765870"
PENDING = "/manage/consent/pending/"
FIND = "/manage/consent/pending/find/"


def with_mfa(user):
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return user


@pytest.fixture
def ig_officer():
    return with_mfa(UserFactory(email="ig@council.example", roles=[roles.IG_OFFICERS]))


@pytest.fixture
def practitioner():
    return with_mfa(UserFactory(email="sw@council.example", roles=[roles.PRACTITIONERS]))


def waiting(nhs_number, code="research", decision="consent", days_ago=0, channel="post"):
    return choice_record(
        nhs_number=nhs_number,
        purpose=Purpose.objects.get(code=code),
        decision=decision,
        channel=channel,
        person_name="Ann Smith",
        now=timezone.now() - dt.timedelta(days=days_ago),
    )


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(PENDING)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_practitioners_get_403(client, practitioner):
    event = waiting(NHS)
    client.force_login(practitioner)
    assert client.get(PENDING).status_code == 403
    assert client.post(FIND, {"reference": event.reference}).status_code == 403
    assert not AccessLogEntry.objects.exists()


@pytest.mark.parametrize("role", [roles.IG_OFFICERS, roles.ADMINISTRATORS])
def test_ig_officers_and_administrators_see_the_list(client, role):
    client.force_login(with_mfa(UserFactory(roles=[role])))
    response = client.get(PENDING)
    assert response.status_code == 200
    assert "No changes are waiting for identity verification" in response.content.decode()


def test_list_is_oldest_first_without_identities(client, ig_officer):
    older = waiting(OTHER_NHS, code="pathway-analysis", decision="withdraw-objection", days_ago=9)
    newer = waiting(NHS, days_ago=1)
    # Safe-direction choices and verified ones take effect at once: not pending.
    waiting(NHS, code="pathway-analysis", decision="object")
    client.force_login(ig_officer)
    body = client.get(PENDING).content.decode()
    assert body.index(older.reference) < body.index(newer.reference)
    assert "2 changes waiting" in body
    assert "Withdraw objection" in body
    assert "Consent" in body
    assert "Post" in body
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">9</td>' in body
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">1</td>' in body
    for identifying in (NHS, OTHER_NHS, "943 476 5919", "Ann Smith"):
        assert identifying not in body
    # The list shows no one, so viewing it is not logged.
    assert not AccessLogEntry.objects.exists()


def test_verified_changes_leave_the_list(client, ig_officer):
    event = waiting(NHS)
    identity_verified(nhs_number=NHS, method="documents-checked", channel="in-person")
    client.force_login(ig_officer)
    assert event.reference not in client.get(PENDING).content.decode()


def test_find_this_person_opens_their_page_and_is_logged(client, ig_officer):
    event = waiting(NHS)
    client.force_login(ig_officer)
    response = client.post(FIND, {"reference": event.reference})
    assert response.status_code == 302
    assert NHS not in response["Location"]
    page = client.get(response["Location"])
    body = page.content.decode()
    assert "943 476 5919" in body
    assert "Verify identity" in body
    actions = list(AccessLogEntry.objects.values_list("action", "nhs_number_hash", "found"))
    assert actions == [
        (AccessLogEntry.SEARCH, nhs_number_hash(NHS), True),
        (AccessLogEntry.VIEW, nhs_number_hash(NHS), None),
    ]


def test_find_with_a_reference_no_longer_waiting_says_so(client, ig_officer):
    event = waiting(NHS)
    identity_verified(nhs_number=NHS, method="documents-checked", channel="in-person")
    client.force_login(ig_officer)
    response = client.post(FIND, {"reference": event.reference}, follow=True)
    assert response.redirect_chain[-1][0] == PENDING
    assert "That change is no longer waiting" in response.content.decode()
    response = client.post(FIND, {"reference": ""}, follow=True)
    assert "That change is no longer waiting" in response.content.decode()
    assert not AccessLogEntry.objects.exists()


def test_find_is_post_only(client, ig_officer):
    client.force_login(ig_officer)
    assert client.get(FIND).status_code == 405


def test_long_lists_are_paged(client, ig_officer):
    events = [waiting(nhs_number(400000000 + 100 * n), days_ago=60 - n) for n in range(51)]
    client.force_login(ig_officer)
    first = client.get(PENDING).content.decode()
    assert "51 changes waiting" in first
    assert events[0].reference in first
    assert events[50].reference not in first
    assert 'href="/manage/consent/pending/?page=2"' in first
    second = client.get(PENDING, {"page": 2}).content.decode()
    assert events[50].reference in second
    assert events[0].reference not in second
    assert client.get(PENDING, {"page": "nonsense"}).status_code == 200


def test_nhs_numbers_never_reach_urls_or_log_records(client, ig_officer, caplog):
    caplog.set_level(logging.DEBUG)
    event = waiting(NHS)
    client.force_login(ig_officer)
    response = client.post(FIND, {"reference": event.reference}, follow=True)
    assert all(NHS not in url for url, _status in response.redirect_chain)
    assert all(NHS not in record.getMessage() for record in caplog.records)
