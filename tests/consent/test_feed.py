"""The change feed (GET /api/ig/v1/changes, consent.feed, ADR 0014): replaying it into an empty
copy gives the register's state, cursors resume, scope and pseudonyms hold."""

import datetime as dt
import json
import re

import pytest

from consent.feed import feed_page, feed_replay
from consent.models import Purpose
from consent.pipeline import pseudonymiser, token_issue
from consent.pipeline_models import PipelineSystem
from consent.register import capacity_record, choice_record, identity_verified
from consent.register_models import ConsentEvent, ConsentState
from portal.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGES = "/api/ig/v1/changes"
CASE_FINDING = "risk-stratification-case-finding"
RESEARCH = "research"
OUT_OF_SCOPE = "direct-care-sharing"
IN_SCOPE = {CASE_FINDING, RESEARCH}


def valid_numbers(count: int, start: int = 401_023_000) -> list[str]:
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


PEOPLE = valid_numbers(9)
NAME, POSTCODE, PROXY_NAME, EVIDENCE = "Ada Example", "ZZ9 9ZZ", "Bea Proxy", "EVID-7781"


def purpose(code: str) -> Purpose:
    return Purpose.objects.get(code=code)


def make_system(*, entitled: bool, name: str) -> PipelineSystem:
    system = PipelineSystem.objects.create(name=name, entitled_to_nhs_numbers=entitled)
    system.purposes.set(Purpose.objects.filter(code__in=IN_SCOPE))
    return system


def choose(nhs_number: str, code: str, decision: str, **kwargs) -> ConsentEvent:
    kwargs.setdefault("channel", "online")
    return choice_record(
        nhs_number=nhs_number,
        purpose=purpose(code),
        decision=decision,
        person_name=NAME,
        postcode=POSTCODE,
        date_of_birth=dt.date(1950, 5, 17),
        **kwargs,
    )


def verified(**kwargs) -> dict:
    return {"identity_method": "nhs-login", "identity_result": "verified", **kwargs}


@pytest.fixture
def varied_register():
    """Objections, withdrawals pending then verified, consent verified and not, capacity
    decisions and a representative, across two purposes in scope and one out of it."""
    p = PEOPLE
    staff = UserFactory()
    choose(p[0], CASE_FINDING, "object")
    choose(p[1], CASE_FINDING, "object", channel="phone")
    choose(p[1], CASE_FINDING, "withdraw-objection")  # waits for identity
    choose(p[2], RESEARCH, "consent", **verified())
    choose(p[3], RESEARCH, "consent")  # unverified: pending, never applied
    choose(p[1], RESEARCH, "consent")  # pending until the identity check below
    identity_verified(nhs_number=p[1], method="documents-checked", channel="in-person")
    capacity_record(nhs_number=p[4], evidence_reference=EVIDENCE, recorded_by=staff)
    choose(
        p[4],
        CASE_FINDING,
        "withdraw-objection",
        actor="proxy",
        proxy_role="lpa-health-welfare",
        proxy_name=PROXY_NAME,
        evidence_reference=EVIDENCE,
        **verified(identity_method="documents-checked"),
    )
    choose(p[5], OUT_OF_SCOPE, "object")
    choose(p[5], CASE_FINDING, "object")
    choose(p[6], RESEARCH, "consent", **verified())
    choose(p[6], RESEARCH, "withdraw-consent")
    choose(p[7], CASE_FINDING, "object")
    choose(p[7], CASE_FINDING, "withdraw-objection")  # still pending at the end
    choose(p[8], CASE_FINDING, "object", actor="proxy", proxy_role="parent", proxy_name=PROXY_NAME)
    choose(p[0], RESEARCH, "object")
    return p


def projection(key=lambda nhs_number, code: nhs_number) -> dict[tuple[str, str], str]:
    rows = ConsentState.objects.select_related("purpose").filter(purpose__code__in=IN_SCOPE)
    return {(key(row.nhs_number, row.purpose.code), row.purpose.code): row.state for row in rows}


def read_feed(client, token: str, *, limit: int = 3, after: str | None = None, **params):
    """Page through the whole feed; returns (items, pages, last next cursor)."""
    items, pages = [], 0
    while True:
        query = {"limit": limit, **params}
        if after is not None:
            query["after"] = after
        response = client.get(CHANGES, query, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 200, response.content
        page = response.json()
        pages += 1
        items += page["changes"]
        after = page["next"]
        if not page["has_more"]:
            return items, pages, after


def test_entitled_systems_replay_gives_the_registers_state(client, varied_register):
    token = token_issue(system=make_system(entitled=True, name="Entitled"))[1]

    items, pages, _next = read_feed(client, token, limit=3)

    assert pages > 3
    expected = projection()
    assert feed_replay(items) == expected
    # The register really is varied: every state, and changes still waiting.
    assert set(expected.values()) == {"objected", "consented", "no-choice"}
    assert ConsentState.objects.filter(pending_event__isnull=False).exists()
    assert expected[(varied_register[3], RESEARCH)] == "no-choice"  # unverified consent
    assert expected[(varied_register[1], RESEARCH)] == "consented"  # verified later
    assert expected[(varied_register[4], CASE_FINDING)] == "no-choice"  # representative
    assert expected[(varied_register[4], RESEARCH)] == "objected"  # capacity default


def test_pseudonymised_replay_gives_the_registers_state_under_pseudonyms(client, varied_register):
    token = token_issue(system=make_system(entitled=False, name="Pseudonymised"))[1]

    items, _pages, _next = read_feed(client, token, limit=2)

    expected = projection(lambda nhs_number, code: pseudonymiser(code)(nhs_number))
    assert feed_replay(items) == expected
    assert all(set(item["person"]) == {"pseudonym"} for item in items)


def test_pseudonymised_feed_holds_no_nhs_number_or_personal_details(client, varied_register):
    token = token_issue(system=make_system(entitled=False, name="Pseudonymised"))[1]
    response = client.get(CHANGES, HTTP_AUTHORIZATION=f"Bearer {token}")
    body = response.content.decode()

    for number in varied_register:
        assert number not in body
    assert not re.search(r"(?<![0-9a-f])\d{10}(?![0-9a-f])", body)
    for detail in (NAME, POSTCODE, PROXY_NAME, EVIDENCE, "1950-05-17"):
        assert detail not in body


def test_entitled_feed_holds_nhs_numbers_but_no_other_personal_details(client, varied_register):
    token = token_issue(system=make_system(entitled=True, name="Entitled"))[1]
    body = client.get(CHANGES, HTTP_AUTHORIZATION=f"Bearer {token}").content.decode()

    assert varied_register[0] in body
    for detail in (NAME, POSTCODE, PROXY_NAME, EVIDENCE, "1950-05-17"):
        assert detail not in body


def test_pseudonyms_differ_between_purposes_and_are_stable(varied_register):
    system = make_system(entitled=False, name="Pseudonymised")
    items = feed_page(system, None, 1000).items
    person = varied_register[0]  # objected to both purposes in scope
    own = [item for item in items if item["reference"] in _references(person)]

    by_purpose = {item["purpose"]: item["person"]["pseudonym"] for item in own}
    assert set(by_purpose) == IN_SCOPE
    assert by_purpose[CASE_FINDING] != by_purpose[RESEARCH]
    assert by_purpose[RESEARCH] == pseudonymiser(RESEARCH)(person)
    assert feed_page(system, None, 1000).items == items


def _references(nhs_number: str) -> set[str]:
    return set(
        ConsentEvent.objects.filter(nhs_number=nhs_number).values_list("reference", flat=True)
    )


def test_out_of_scope_purposes_never_appear(client, varied_register):
    system = make_system(entitled=True, name="Entitled")
    token = token_issue(system=system)[1]

    items, _pages, _next = read_feed(client, token, limit=4)

    assert {item["purpose"] for item in items} == IN_SCOPE
    out_of_scope = ConsentEvent.objects.filter(purpose__code=OUT_OF_SCOPE)
    assert out_of_scope.exists()
    references = {item["reference"] for item in items}
    assert not references & set(out_of_scope.values_list("reference", flat=True))


def test_identity_verified_appears_once_per_purpose_in_scope(varied_register):
    event = ConsentEvent.objects.get(decision="identity-verified")
    system = make_system(entitled=True, name="Entitled")

    items = [i for i in feed_page(system, None, 1000).items if i["reference"] == event.reference]

    assert {item["purpose"] for item in items} == IN_SCOPE
    assert {item["cursor"] for item in items} == {str(event.sequence)}
    # A page boundary never splits them.
    before = str(event.sequence - 1)
    assert len(feed_page(system, before, 1).items) == len(IN_SCOPE)


def test_cursors_resume_where_the_last_page_ended(client, varied_register):
    token = token_issue(system=make_system(entitled=True, name="Entitled"))[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    everything, _pages, last = read_feed(client, token, limit=1000)
    paged, _pages, paged_last = read_feed(client, token, limit=2)
    assert paged == everything
    assert paged_last == last

    # Nothing new: the same cursor back, nothing more to read.
    page = client.get(CHANGES, {"after": last}, **auth).json()
    assert page == {"changes": [], "next": last, "has_more": False}

    choose(varied_register[2], CASE_FINDING, "object")
    page = client.get(CHANGES, {"after": last}, **auth).json()
    assert [item["decision"] for item in page["changes"]] == ["object"]
    assert page["next"] != last
    assert feed_replay(everything + page["changes"]) == projection()

    # Resuming from the middle gives the rest.
    middle = everything[len(everything) // 2]["cursor"]
    rest, _pages, _last = read_feed(client, token, after=middle, limit=5)
    assert [i["cursor"] for i in rest] == [
        i["cursor"] for i in everything + page["changes"] if int(i["cursor"]) > int(middle)
    ]


def test_purpose_filter_gives_only_that_purpose(client, varied_register):
    system = make_system(entitled=False, name="Pseudonymised")
    token = token_issue(system=system)[1]

    items, _pages, _next = read_feed(client, token, purpose=RESEARCH)

    assert {item["purpose"] for item in items} == {RESEARCH}
    expected = {
        key: state
        for key, state in projection(lambda n, code: pseudonymiser(code)(n)).items()
        if key[1] == RESEARCH
    }
    assert feed_replay(items) == expected


@pytest.mark.parametrize("cursor", ["abc", "-1", "1.5", "١٢", "9" * 40])
def test_a_cursor_the_feed_never_gave_is_400(client, cursor):
    token = token_issue(system=make_system(entitled=True, name="Entitled"))[1]

    response = client.get(CHANGES, {"after": cursor}, HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 400
    assert response.json()["error"] == "bad_cursor"


def test_items_carry_the_documented_fields(varied_register):
    system = make_system(entitled=True, name="Entitled")

    items = feed_page(system, None, 1000).items

    proxy_item = next(i for i in items if i["actor"] == "proxy" and i["proxy_role"] == "parent")
    assert list(proxy_item) == [
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
    ]
    assert proxy_item["person"] == {"nhs_number": varied_register[8]}
    assert dt.datetime.fromisoformat(proxy_item["recorded_at"]).tzinfo is not None
    json.dumps(items)  # plain JSON
