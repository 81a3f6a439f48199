"""Staff pages for the register (/manage/consent/): who may use them, finding a person by NHS
number without it reaching a URL or a log, recording choices, GP codes and capacity, and the
access log with its per-person report and CSV export."""

import csv
import io
import logging

import pytest
from allauth.mfa.models import Authenticator
from django.test import override_settings

from consent import access
from consent.access_models import AccessLogEntry, AccessLogImmutableError
from consent.models import Purpose
from consent.register import choice_record, state_for
from consent.register_models import ConsentEvent, ConsentState
from portal import roles
from portal.factories import UserFactory

pytestmark = pytest.mark.django_db

NHS = "9434765919"  # valid, outside the 999 test range
OTHER_NHS = "9434765870"
FIND = "/manage/consent/"


def with_mfa(user):
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return user


@pytest.fixture
def ig_officer():
    return with_mfa(UserFactory(email="ig@council.example", roles=[roles.IG_OFFICERS]))


@pytest.fixture
def practitioner():
    return with_mfa(UserFactory(email="sw@council.example", roles=[roles.PRACTITIONERS]))


def find(client, nhs_number=NHS):
    """Search; returns the person page's URL."""
    response = client.post(FIND, {"nhs_number": nhs_number})
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def test_nhs_number_is_valid_for_these_tests():
    from consent.nhs_number import validate_nhs_number

    assert validate_nhs_number(NHS, allow_test_range=False) == NHS
    assert validate_nhs_number(OTHER_NHS, allow_test_range=False) == OTHER_NHS


# --- Who may ----------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(FIND)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "role", [roles.RESIDENTS, roles.PROVIDERS, roles.MODERATORS, roles.EDITORS]
)
def test_other_roles_get_403(client, role):
    client.force_login(with_mfa(UserFactory(roles=[role])))
    assert client.get(FIND).status_code == 403
    assert client.post(FIND, {"nhs_number": NHS}).status_code == 403
    assert client.get("/manage/consent/access-log.csv").status_code == 403
    assert not AccessLogEntry.objects.exists()


@pytest.mark.parametrize("role", [roles.IG_OFFICERS, roles.PRACTITIONERS, roles.ADMINISTRATORS])
def test_ig_officers_practitioners_and_administrators_can_find_people(client, role):
    client.force_login(with_mfa(UserFactory(roles=[role])))
    assert client.get(FIND).status_code == 200
    assert client.get(find(client)).status_code == 200


def test_staff_without_mfa_are_sent_to_set_it_up(client):
    client.force_login(UserFactory(roles=[roles.IG_OFFICERS]))
    response = client.get(FIND)
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]


def test_practitioners_cannot_see_the_access_report_or_export(client, practitioner):
    client.force_login(practitioner)
    page = client.get(find(client))
    assert "Who has looked at this record" not in page.content.decode()
    assert client.get("/manage/consent/access-log.csv").status_code == 403


def test_a_lookup_from_another_session_is_not_found(client, ig_officer, practitioner):
    client.force_login(ig_officer)
    url = find(client)
    client.force_login(practitioner)
    assert client.get(url).status_code == 404


def test_finding_is_post_only_and_needs_a_valid_number(client, ig_officer):
    client.force_login(ig_officer)
    response = client.post(FIND, {"nhs_number": "9434765918"})
    assert response.status_code == 200
    assert "Enter a real NHS number" in response.content.decode()
    assert not AccessLogEntry.objects.exists()
    # A number in the query string is ignored: searching needs a POST.
    response = client.get(FIND, {"nhs_number": NHS})
    assert response.status_code == 200
    assert not AccessLogEntry.objects.exists()


# --- The NHS number stays out of URLs and logs --------------------------------------------------


def test_nhs_number_never_reaches_urls_or_log_records(client, ig_officer, caplog):
    caplog.set_level(logging.DEBUG)
    client.force_login(ig_officer)
    research = Purpose.objects.get(code="research")
    urls = []
    response = client.post(FIND, {"nhs_number": "943 476 5919"}, follow=True)
    urls += [url for url, _status in response.redirect_chain]
    person_url = urls[-1]
    record_url = person_url + "record/"
    response = client.post(
        record_url,
        {
            "purpose": research.pk,
            "decision": "object",
            "channel": "phone",
            "actor": "self",
            "evidence_reference": "CALL-1",
            "identity_method": "self-declared",
            "identity_result": "unverified",
        },
        follow=True,
    )
    urls += [url for url, _status in response.redirect_chain]
    client.post(
        person_url + "gp-code/",
        {
            "code": "827241000000103",
            "evidence_reference": "x",
            "identity_method": "gp-record",
            "identity_result": "verified",
        },
    )
    client.post(person_url + "capacity/", {"evidence_reference": "MCA-1", "confirm": "on"})
    client.get("/manage/consent/access-log.csv")
    client.get(person_url + "nope/")  # a 404 is logged by Django with its path
    for url in [*urls, record_url]:
        assert NHS not in url
    for record in caplog.records:
        assert NHS not in record.getMessage()
        assert NHS not in str(record.args)
    for entry in AccessLogEntry.objects.all():
        assert NHS not in " ".join(str(v) for v in entry.__dict__.values())
    assert response.status_code == 200


# --- The access log -----------------------------------------------------------------------------


def test_search_hit_and_miss_view_and_record_are_logged(client, ig_officer):
    choice_record(
        nhs_number=NHS,
        purpose=Purpose.objects.get(code="research"),
        decision="object",
        channel="online",
    )
    client.force_login(ig_officer)
    hit_url = find(client, NHS)
    find(client, OTHER_NHS)
    searches = AccessLogEntry.objects.filter(action="search").order_by("pk")
    assert [(e.found, e.nhs_number_hash) for e in searches] == [
        (True, access.nhs_number_hash(NHS)),
        (False, access.nhs_number_hash(OTHER_NHS)),
    ]
    client.get(hit_url)
    assert (
        AccessLogEntry.objects.filter(
            action="view", user=ig_officer, nhs_number_hash=access.nhs_number_hash(NHS)
        ).count()
        == 1
    )
    client.post(
        hit_url + "record/",
        {
            "purpose": Purpose.objects.get(code="pathway-analysis").pk,
            "decision": "object",
            "channel": "post",
            "actor": "self",
            "evidence_reference": "LETTER-9",
            "identity_method": "documents-checked",
            "identity_result": "verified",
        },
    )
    event = ConsentEvent.objects.get(evidence_reference="LETTER-9")
    assert event.recorded_by == ig_officer
    assert event.channel == "post"
    entry = AccessLogEntry.objects.get(action="record")
    assert entry.event_reference == event.reference
    assert entry.nhs_number_hash == access.nhs_number_hash(NHS)


def test_access_log_hash_is_keyed():
    first = access.nhs_number_hash(NHS)
    with override_settings(CONSENT_ACCESS_LOG_KEY="another-key"):
        assert access.nhs_number_hash(NHS) != first
    assert len(first) == 64


def test_access_log_entries_cannot_be_changed_or_deleted(ig_officer):
    entry = access.access_log_record(user=ig_officer, action="search", nhs_number=NHS, found=False)
    with pytest.raises(AccessLogImmutableError):
        entry.save()
    with pytest.raises(AccessLogImmutableError):
        entry.delete()
    with pytest.raises(AccessLogImmutableError):
        AccessLogEntry.objects.all().delete()
    with pytest.raises(AccessLogImmutableError):
        AccessLogEntry.objects.update(action="view")


def test_access_report_shows_who_looked_at_this_record_only(client, ig_officer, practitioner):
    client.force_login(practitioner)
    find(client, NHS)
    find(client, OTHER_NHS)
    client.force_login(ig_officer)
    page = client.get(find(client, NHS)).content.decode()
    assert "Who has looked at this record" in page
    report = page.split("Who has looked at this record")[1]
    assert "sw@council.example" in report
    assert report.count("Searched") == 2  # the practitioner's and the officer's, not OTHER_NHS
    entries = access.access_log_for_person(nhs_number=NHS)
    assert {e.user.email for e in entries} == {"sw@council.example", "ig@council.example"}


def test_csv_export_for_a_period_is_itself_logged(client, ig_officer, practitioner):
    client.force_login(practitioner)
    find(client, NHS)
    client.force_login(ig_officer)
    response = client.get(
        "/manage/consent/access-log.csv", {"from": "2000-01-01", "to": "2999-01-01"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["user"], r["action"], r["found"]) for r in rows] == [
        ("sw@council.example", "search", "no"),
        ("ig@council.example", "export", ""),
    ]
    assert rows[0]["nhs_number_hash"] == access.nhs_number_hash(NHS)
    assert NHS not in response.content.decode()
    empty = client.get("/manage/consent/access-log.csv", {"from": "2000-01-01", "to": "2000-01-02"})
    assert list(csv.DictReader(io.StringIO(empty.content.decode()))) == []
    assert AccessLogEntry.objects.filter(action="export").count() == 2
    assert client.get("/manage/consent/access-log.csv", {"from": "yesterday"}).status_code == 400


# --- Recording ----------------------------------------------------------------------------------


def test_gp_dissent_code_objects_to_the_secondary_use_purposes(client, practitioner):
    client.force_login(practitioner)
    url = find(client)
    page = client.get(url + "gp-code/").content.decode()
    assert "827241000000103 Dissent from secondary use of GP patient identifiable data" in page
    response = client.post(
        url + "gp-code/",
        {
            "code": "827241000000103",
            "evidence_reference": "GP-REC-1",
            "identity_method": "gp-record",
            "identity_result": "verified",
        },
    )
    assert response.status_code == 302
    states = state_for(nhs_number=NHS)
    objected = {code for code, view in states.items() if view.state == ConsentState.OBJECTED}
    assert objected == {"risk-stratification-commissioning", "pathway-analysis", "research"}
    events = ConsentEvent.objects.filter(nhs_number=NHS)
    assert {e.channel for e in events} == {"gp-recorded"}
    assert AccessLogEntry.objects.filter(action="record").count() == 3


def test_capacity_decision_then_a_representatives_decision(client, practitioner):
    client.force_login(practitioner)
    url = find(client)
    response = client.post(url + "capacity/", {"evidence_reference": ""})
    assert "Enter the reference of the capacity assessment" in response.content.decode()
    response = client.post(url + "capacity/", {"evidence_reference": "MCA-77", "confirm": "on"})
    assert response.status_code == 302
    states = state_for(nhs_number=NHS)
    assert all(v.state == ConsentState.OBJECTED and v.capacity_default for v in states.values())
    direct = Purpose.objects.get(code="direct-care-sharing")
    form = {
        "purpose": direct.pk,
        "decision": "withdraw-objection",
        "channel": "in-person",
        "actor": "proxy",
        "proxy_role": "",
        "proxy_name": "",
        "evidence_reference": "LPA-3",
        "identity_method": "documents-checked",
        "identity_result": "verified",
    }
    response = client.post(url + "record/", form)
    assert "Select the representative&#x27;s role" in response.content.decode()
    form.update(proxy_role="lpa-health-welfare", proxy_name="Sam Carer")
    assert client.post(url + "record/", form).status_code == 302
    view = state_for(nhs_number=NHS, purpose=direct)["direct-care-sharing"]
    assert view.state == ConsentState.NO_CHOICE
    assert not view.capacity_default
    page = client.get(url).content.decode()
    assert "Sam Carer" in page
    assert "Lacks capacity, no representative" in page


def test_person_cannot_loosen_a_capacity_default_themselves(client, practitioner):
    client.force_login(practitioner)
    url = find(client)
    client.post(url + "capacity/", {"evidence_reference": "MCA-1", "confirm": "on"})
    response = client.post(
        url + "record/",
        {
            "purpose": Purpose.objects.get(code="research").pk,
            "decision": "withdraw-objection",
            "channel": "phone",
            "actor": "self",
            "evidence_reference": "CALL-2",
            "identity_method": "known-to-staff",
            "identity_result": "verified",
        },
    )
    assert response.status_code == 200
    assert "a representative must decide" in response.content.decode()


def test_person_page_shows_state_pending_and_history(client, ig_officer):
    research = Purpose.objects.get(code="research")
    choice_record(nhs_number=NHS, purpose=research, decision="consent", channel="online")
    client.force_login(ig_officer)
    page = client.get(find(client)).content.decode()
    event = ConsentEvent.objects.get(nhs_number=NHS)
    assert event.reference in page
    assert "Waiting for identity verification" in page
    assert "Online" in page
    assert "943 476 5919" in page  # shown to confirm who this is; never in the URL
