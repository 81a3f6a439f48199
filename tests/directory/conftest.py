"""Fixtures for the Open Referral UK API and import/export tests (none are autouse)."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from directory.factories import (
    LocationFactory,
    OrganisationPageFactory,
    RegularScheduleFactory,
    ServiceAtLocationFactory,
    ServicePageFactory,
    ServicePhoneFactory,
    TaxonomyFactory,
    TaxonomyTermFactory,
)
from directory.models import (
    AccessibilityFeature,
    ScheduleException,
    ServiceContact,
    ServiceCostOption,
    ServiceLanguage,
    ServicePage,
)

ORUK_REFERENCE = Path(settings.BASE_DIR).parent / "shared" / "reference" / "oruk-uk-profile"


def publish(page):
    """Publish the page as an editor would: a revision, then publish it."""
    page.save_revision().publish()
    page.refresh_from_db()
    return page


class Api:
    """GET the ORUK API and decode JSON, with the status checked."""

    def __init__(self, client) -> None:
        self.client = client

    def get(self, path: str, status: int = 200, **params: Any) -> Any:
        response = self.client.get(f"/api/oruk/{path}", params)
        assert response.status_code == status, (response.status_code, response.content[:500])
        assert response["Access-Control-Allow-Origin"] == "*"
        assert response["Content-Type"].startswith("application/json")
        return response.json()

    def all_pages(self, path: str, **params: Any) -> list[dict]:
        items: list[dict] = []
        page = 1
        while True:
            body = self.get(path, page=page, per_page=2, **params)
            items += body["contents"]
            if body["last_page"]:
                return items
            page += 1


@pytest.fixture
def api(client) -> Api:
    return Api(client)


@pytest.fixture
def oruk_reference() -> Path:
    if not (ORUK_REFERENCE / "schema").is_dir():
        pytest.skip(f"the Open Referral UK reference is not at {ORUK_REFERENCE}")
    return ORUK_REFERENCE


def build_service(
    *,
    organisation=None,
    schedules: int = 1,
    locations: int = 1,
    phones: int = 1,
    terms=(),
    **fields: Any,
) -> ServicePage:
    """A published service with some of everything; counts say how many of each."""
    kwargs = {"parent": organisation} if organisation is not None else {}
    service = ServicePageFactory(**kwargs, **fields)
    org = service.get_parent().specific
    for index in range(locations):
        location = LocationFactory(organisation=org)
        AccessibilityFeature.objects.create(location=location, description="Step-free access")
        ServiceAtLocationFactory(service=service, location=location, description=f"Site {index}")
    for index in range(schedules):
        RegularScheduleFactory(
            service=service,
            weekday=index % 7,
            opens_at=datetime.time(9, 0),
            closes_at=datetime.time(17, 0),
        )
    for index in range(phones):
        ServicePhoneFactory(service=service, number=f"01702 00{index:04d}")
    ServiceLanguage.objects.create(service=service, name="Polish", code="pl")
    ServiceContact.objects.create(service=service, name="Ann Persona", is_public=True)
    ServiceCostOption.objects.create(service=service, option="Per session", amount=Decimal("5"))
    service.taxonomy_terms.set(list(terms))
    return publish(service)


def build_varied_directory() -> dict[str, Any]:
    """Organisations and services using every part of the model, for round trips."""
    local = TaxonomyFactory(name="Local categories")
    lga = TaxonomyFactory(
        name="LGA service list", is_browsable=False, uri="https://example.org/lga", version="2"
    )
    parent_term = TaxonomyTermFactory(taxonomy=lga, name="Health and wellbeing", code="100")
    child_term = TaxonomyTermFactory(
        taxonomy=lga,
        name="Memory services",
        code="101",
        parent=parent_term,
        term_uri="https://example.org/lga/101",
    )
    carers = TaxonomyTermFactory(taxonomy=local, name="Carers' support", code="carers-support")
    dementia = TaxonomyTermFactory(taxonomy=local, name="Dementia", code="dementia")

    trust = publish(
        OrganisationPageFactory(
            title="Seaborough Carers Trust",
            description="Support for carers.",
            website="https://carers.example.org",
            email="hello@carers.example.org",
            phone="01702 111111",
            charity_number="1234567",
        )
    )
    company = publish(
        OrganisationPageFactory(
            title="Youth Works Ltd", description="Youth clubs.", company_number="07654321"
        )
    )

    cafe = ServicePageFactory(
        parent=trust,
        title="Carers' café",
        summary="A friendly café for carers.",
        description="Meet other carers over tea. Every week.",
        website="https://carers.example.org/cafe",
        email="cafe@carers.example.org",
        alert="Closed over Christmas",
        minimum_age=18,
        attending_in_person=True,
        attending_phone=True,
        coverage="local",
        eligibility_description="Unpaid carers",
        referral_required=True,
        referral_description="Ring us first",
        accreditations="Carer Friendly Award",
        assurer_email="checks@council.example.org",
        extra_information='<p>Bring a <b>friend</b>. <a href="https://example.org">More</a></p>',
        closed_on_bank_holidays=False,
    )
    hall = LocationFactory(
        organisation=trust,
        name="Seaborough Hall",
        description="The big hall",
        address_2="Market Square",
        state_province="Essex",
        postal_code="SS1 1AA",
    )
    AccessibilityFeature.objects.create(
        location=hall, description="Hearing loop", details="Ask at reception"
    )
    AccessibilityFeature.objects.create(location=hall, description="Step-free access")
    refuge = LocationFactory(
        organisation=trust,
        name="Safe house",
        hide_address=True,
        area_description="Central Seaborough",
    )
    ServiceAtLocationFactory(service=cafe, location=hall, description="Main café")
    ServiceAtLocationFactory(service=cafe, location=refuge)
    RegularScheduleFactory(service=cafe, weekday=0, opens_at=datetime.time(9, 30))
    RegularScheduleFactory(
        service=cafe,
        weekday=1,
        location=hall,
        opens_at=datetime.time(10, 0),
        closes_at=datetime.time(12, 0),
        notes="Upstairs",
    )
    ScheduleException.objects.create(
        service=cafe, date=datetime.date(2030, 12, 25), closed=True, note="Christmas"
    )
    ScheduleException.objects.create(
        service=cafe,
        date=datetime.date(2030, 12, 27),
        closed=False,
        opens_at=datetime.time(10, 0),
        closes_at=datetime.time(13, 0),
    )
    ServicePhoneFactory(service=cafe, number="01702 222222", description="Bookings")
    ServicePhoneFactory(service=cafe, number="07700 900000")
    ServiceLanguage.objects.create(service=cafe, name="Polish", code="pl")
    ServiceLanguage.objects.create(service=cafe, name="British Sign Language", code="bfi")
    ServiceContact.objects.create(
        service=cafe,
        name="Ann Persona",
        title="Café lead",
        email="ann@carers.example.org",
        phone="01702 333333",
        is_public=True,
    )
    ServiceContact.objects.create(service=cafe, name="Private Person", is_public=False)
    cafe.taxonomy_terms.set([carers, child_term])
    publish(cafe)

    line = ServicePageFactory(
        parent=trust,
        title="Dementia support line",
        summary="Someone to talk to.",
        description="A phone line for families.",
        status="temporarily closed",
        attending_in_person=False,
        attending_phone=True,
        is_free=False,
        minimum_age=50,
        coverage="national",
        assured_date=None,
    )
    ServiceCostOption.objects.create(
        service=line,
        option="Per call",
        amount=Decimal("12.50"),
        amount_description="Up to an hour",
        valid_from=datetime.date(2024, 1, 1),
        valid_to=datetime.date(2030, 12, 31),
    )
    line.taxonomy_terms.set([dementia])
    publish(line)

    club = ServicePageFactory(
        parent=company,
        title="Youth club",
        summary="Games and trips.",
        description="Friday nights for young people.",
        minimum_age=11,
        maximum_age=18,
        coverage="county",
        is_free=False,
        attending_online=True,
    )
    ServiceAtLocationFactory(service=club, location=hall)
    RegularScheduleFactory(
        service=club, weekday=4, opens_at=datetime.time(18), closes_at=datetime.time(21)
    )
    publish(club)

    return {
        "cafe": ServicePage.objects.get(pk=cafe.pk),
        "line": ServicePage.objects.get(pk=line.pk),
        "club": ServicePage.objects.get(pk=club.pk),
        "trust": trust,
        "company": company,
        "terms": [carers, dementia, child_term, parent_term],
    }


@pytest.fixture
def varied_directory(db) -> dict[str, Any]:
    return build_varied_directory()


def read_ndjson(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture
def oruk_validate(oruk_reference):
    """validate(instance, "compiled/service.json"): assert it matches the reference schema.

    Cross-file $refs ("schedule.json") resolve through a `referencing` registry holding every
    schema in the reference folder under its file name.
    """
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    schema_dir = oruk_reference / "schema"
    resources = []
    for path in [*schema_dir.glob("*.json"), *(schema_dir / "compiled").glob("*.json")]:
        if path.name == "openapi.json":
            continue
        key = path.relative_to(schema_dir).as_posix()
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((key, Resource.from_contents(contents, default_specification=DRAFT202012)))
    openapi = json.loads((schema_dir / "openapi.json").read_text(encoding="utf-8"))
    resources.append(
        (
            "openapi-page.json",
            Resource.from_contents(
                openapi["components"]["schemas"]["Page"], default_specification=DRAFT202012
            ),
        )
    )
    registry = Registry().with_resources(resources)

    def validate(instance: Any, schema: str) -> None:
        validator = Draft202012Validator(
            {"$ref": schema},
            registry=registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        assert not errors, "\n".join(
            f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in errors[:10]
        )

    return validate


def assert_no_nulls(value: Any, where: str = "") -> None:
    """Properties with no value are left out, never sent as null."""
    if isinstance(value, dict):
        for key, item in value.items():
            assert item is not None, f"{where}.{key} is null"
            assert_no_nulls(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            assert_no_nulls(item, f"{where}[{index}]")


def assert_envelope(body: dict, *, page: int = 1) -> None:
    """The ORUK page envelope, with the types the reference OpenAPI gives."""
    types = {
        "total_items": int,
        "total_pages": int,
        "page_number": int,
        "size": int,
        "first_page": bool,
        "last_page": bool,
        "empty": bool,
        "contents": list,
    }
    for key, kind in types.items():
        assert isinstance(body[key], kind), key
        if kind is int:
            assert not isinstance(body[key], bool), key
    assert body["page_number"] == page
    assert body["size"] == len(body["contents"])
    assert body["empty"] == (body["size"] == 0)
    assert body["first_page"] == (page == 1)


def assert_id(value: Any) -> None:
    import uuid

    assert isinstance(value, str)
    assert str(uuid.UUID(value)) == value


def assert_service_record(record: dict, *, full: bool) -> None:
    """Our own structural checks: always on, with or without the reference schemas."""
    assert_id(record["id"])
    assert_id(record["organization_id"])
    assert isinstance(record["name"], str)
    assert record["name"]
    assert record["status"] in ("active", "inactive", "defunct", "temporarily closed")
    organization = record["organization"]
    assert_id(organization["id"])
    assert organization["id"] == record["organization_id"]
    assert isinstance(organization["name"], str)
    assert isinstance(organization["description"], str)
    for key in ("minimum_age", "maximum_age"):
        if key in record:
            assert isinstance(record[key], int)
    if "last_modified" in record:
        assert record["last_modified"].endswith("Z")
        datetime.datetime.fromisoformat(record["last_modified"].replace("Z", "+00:00"))
    assert_no_nulls(record)
    if not full:
        return
    for key in (
        "schedules",
        "service_areas",
        "service_at_locations",
        "languages",
        "cost_options",
        "contacts",
        "phones",
        "attributes",
    ):
        assert isinstance(record[key], list), key
        for item in record[key]:
            assert_id(item["id"])
    for site in record["service_at_locations"]:
        assert site["service_id"] == record["id"]
        assert_id(site["location"]["id"])
        assert site["location"]["location_type"] in ("physical", "postal", "virtual")
        for address in site["location"]["addresses"]:
            for key in ("address_1", "city", "state_province", "postal_code", "country"):
                assert isinstance(address[key], str), key
        for schedule in site["schedules"]:
            assert schedule["service_at_location_id"] == site["id"]
    for schedule in record["schedules"]:
        assert "service_at_location_id" not in schedule
    for attribute in record["attributes"]:
        assert attribute["taxonomy_term_id"] == attribute["taxonomy_term"]["id"]
        assert attribute["link_id"] == record["id"]
    assert isinstance(record["x_attending"], list)
    assert isinstance(record["x_is_free"], bool)
