"""The Open Referral UK 3.0 API at /api/oruk/: endpoints, filters, errors, limits, schemas."""

from __future__ import annotations

import datetime
import uuid
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from directory.factories import (
    LocationFactory,
    OrganisationPageFactory,
    RegularScheduleFactory,
    ServiceAtLocationFactory,
    ServicePageFactory,
    TaxonomyFactory,
    TaxonomyTermFactory,
)
from directory.models import ServicePage, ServicePhone
from directory.openapi import openapi_document
from search.models import Postcode

from .conftest import (
    assert_envelope,
    assert_id,
    assert_no_nulls,
    assert_service_record,
    build_service,
    publish,
)

pytestmark = pytest.mark.django_db

LIST_ENDPOINTS = ["services", "service_at_locations", "taxonomies", "taxonomy_terms"]
SERVICE_PARAMETERS = [
    "search",
    "page",
    "per_page",
    "taxonomy_term_id",
    "taxonomy_id",
    "organization_id",
    "minimum_age",
    "maximum_age",
    "day",
    "start_time",
    "end_time",
    "modified_after",
]


def names(body: dict) -> list[str]:
    return [item["name"] for item in body["contents"]]


# --- Root, OpenAPI, CORS, routing ------------------------------------------------------------


def test_root_says_which_version_and_profile_and_where_the_openapi_document_is(api):
    body = api.get("")

    assert body == {
        "version": "3.0",
        "profile": "https://github.com/openreferral/uk-profile",
        "openapi_url": "http://testserver/api/oruk/openapi.json",
    }


def test_openapi_document_is_served_and_describes_every_endpoint(api):
    document = api.get("openapi.json")

    assert document == openapi_document()
    assert document["openapi"].startswith("3.")
    assert document["servers"] == [{"url": "/api/oruk"}]
    documented = set(document["paths"])
    assert documented == {
        "/",
        "/openapi.json",
        "/services",
        "/services/{id}",
        "/service_at_locations",
        "/service_at_locations/{id}",
        "/taxonomies",
        "/taxonomies/{id}",
        "/taxonomy_terms",
        "/taxonomy_terms/{id}",
    }
    per_page = document["components"]["parameters"]["per_page"]["schema"]
    assert per_page["maximum"] == 200
    assert per_page["default"] == 50
    service_params = {
        p["$ref"].rsplit("/", 1)[-1] for p in document["paths"]["/services"]["get"]["parameters"]
    }
    assert service_params == set(SERVICE_PARAMETERS)


def test_openapi_internal_references_all_resolve():
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

    internal = [ref for ref in refs(document) if ref.startswith("#/")]
    assert internal
    for ref in internal:
        node = document
        for part in ref[2:].split("/"):
            node = node[part]
    external = [ref for ref in refs(document) if not ref.startswith("#/")]
    assert all(
        ref.startswith("https://raw.githubusercontent.com/openreferral/") for ref in external
    )


def test_every_documented_path_is_routed_with_and_without_a_trailing_slash(api, client):
    service = build_service()
    term = TaxonomyTermFactory()
    site = service.service_at_locations.get()
    ids = {
        "services": service.uuid,
        "service_at_locations": site.uuid,
        "taxonomies": term.taxonomy.uuid,
        "taxonomy_terms": term.uuid,
    }
    for path in openapi_document()["paths"]:
        if path == "/":
            continue
        collection = path.strip("/").split("/")[0]
        concrete = path.replace("{id}", str(ids.get(collection, "")))
        api.get(concrete.lstrip("/"))
        if path != "/openapi.json":
            api.get(concrete.lstrip("/") + "/")


def test_unknown_paths_under_the_api_are_json_404s(api):
    body = api.get("no-such-thing", status=404)

    assert body["error"] == "not_found"
    api.get("services/a/b", status=404)


def test_api_without_its_trailing_slash_redirects(client):
    response = client.get("/api/oruk")

    assert response.status_code == 301
    assert response["Location"] == "/api/oruk/"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("", 200),
        ("openapi.json", 200),
        ("services", 200),
        ("services?page=x", 400),
        (f"services/{uuid.UUID(int=1)}", 404),
        ("services/not-a-uuid", 404),
        ("service_at_locations", 200),
        ("taxonomies", 200),
        ("taxonomy_terms", 200),
        ("elsewhere", 404),
    ],
)
def test_every_response_allows_any_origin(client, path, status):
    response = client.get(f"/api/oruk/{path}")

    assert response.status_code == status
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Content-Type"] == "application/json"


# --- Methods and throttling ------------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_are_refused_with_405_even_without_a_csrf_token(method):
    client = Client(enforce_csrf_checks=True)

    response = getattr(client, method)("/api/oruk/services")

    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response["Access-Control-Allow-Origin"] == "*"


def test_head_and_options_are_allowed(client):
    assert client.head("/api/oruk/services").status_code == 200
    response = client.options("/api/oruk/services")
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]


def test_clients_over_the_rate_limit_get_429_with_retry_after(client, settings):
    settings.ORUK_API_RATE = "3/d"
    for _ in range(3):
        assert client.get("/api/oruk/services").status_code == 200

    response = client.get("/api/oruk/taxonomies")

    assert response.status_code == 429
    assert response.json()["error"] == "too_many_requests"
    assert 1 <= int(response["Retry-After"]) <= 86400
    assert response["Access-Control-Allow-Origin"] == "*"
    other = client.get("/api/oruk/services", REMOTE_ADDR="192.0.2.9")
    assert other.status_code == 200


# --- Services: list, detail, what is public ---------------------------------------------------


def test_services_list_has_the_envelope_and_one_to_one_fields(api):
    build_service(title="Befriending", minimum_age=65, website="https://example.org/b")

    body = api.get("services")

    assert_envelope(body)
    assert body["total_items"] == 1
    assert body["total_pages"] == 1
    assert body["last_page"] is True
    [service] = body["contents"]
    assert_service_record(service, full=False)
    assert service["name"] == "Befriending"
    assert service["minimum_age"] == 65
    assert service["url"] == "https://example.org/b"
    assert "schedules" not in service
    assert service["x_page_url"].startswith("http://")


def test_pagination_walks_every_service_in_name_order(api):
    for name in ["Echo", "Alpha", "Delta", "Bravo", "Charlie"]:
        build_service(title=name)

    first = api.get("services", per_page=2)
    third = api.get("services", per_page=2, page=3)
    beyond = api.get("services", per_page=2, page=4)

    assert_envelope(first)
    assert names(first) == ["Alpha", "Bravo"]
    assert (first["total_items"], first["total_pages"], first["last_page"]) == (5, 3, False)
    assert_envelope(third, page=3)
    assert names(third) == ["Echo"]
    assert third["last_page"] is True
    assert_envelope(beyond, page=4)
    assert beyond["empty"] is True
    assert beyond["contents"] == []


def test_no_matches_is_an_empty_first_and_last_page(api):
    body = api.get("services", search="nothing like this")

    assert_envelope(body)
    assert (body["total_items"], body["total_pages"]) == (0, 0)
    assert body["first_page"] is True
    assert body["last_page"] is True


def test_per_page_defaults_to_50(api):
    for _ in range(51):
        ServicePageFactory()

    body = api.get("services")

    assert body["size"] == 50
    assert body["total_pages"] == 2


def test_service_detail_is_the_full_nested_record(api, varied_directory):
    cafe = varied_directory["cafe"]

    record = api.get(f"services/{cafe.uuid}")

    assert_service_record(record, full=True)
    assert record["id"] == str(cafe.uuid)
    assert record["name"] == "Carers' café"
    assert record["organization"]["name"] == "Seaborough Carers Trust"
    assert record["organization"]["organization_identifiers"][0]["identifier"] == "1234567"
    assert record["last_modified"] == cafe.last_published_at.astimezone(datetime.UTC).isoformat(
        timespec="milliseconds"
    ).replace("+00:00", "Z")
    assert record["service_areas"][0]["name"] == "Seaborough Council"
    assert record["service_areas"][0]["extent_type"] == "text"
    assert record["service_areas"][0]["x_coverage"] == "local"
    assert record["x_attending"] == ["in_person", "phone"]
    assert {phone["number"] for phone in record["phones"]} == {"01702 222222", "07700 900000"}
    assert {language["code"] for language in record["languages"]} == {"pl", "bfi"}
    assert record["cost_options"] == [
        {
            "id": record["cost_options"][0]["id"],
            "service_id": record["id"],
            "option": "Free",
            "amount": 0,
        }
    ]
    assert {a["taxonomy_term"]["name"] for a in record["attributes"]} == {
        "Carers' support",
        "Memory services",
    }


def test_weekly_times_closures_and_location_times_are_schedules(api, varied_directory):
    record = api.get(f"services/{varied_directory['cafe'].uuid}")

    weekly = [s for s in record["schedules"] if s.get("freq") == "WEEKLY"]
    assert weekly == [
        {
            "id": weekly[0]["id"],
            "service_id": record["id"],
            "freq": "WEEKLY",
            "interval": 1,
            "byday": "MO",
            "opens_at": "09:30",
            "closes_at": "17:00",
            "description": "Monday 09:30 to 17:00",
            "attending_type": "In person or by phone",
        }
    ]
    closures = [s for s in record["schedules"] if s.get("x_exception")]
    assert [(s["valid_from"], s["valid_to"], s["x_closed"]) for s in closures] == [
        ("2030-12-25", "2030-12-25", True),
        ("2030-12-27", "2030-12-27", False),
    ]
    assert closures[1]["opens_at"] == "10:00"
    hall = next(s for s in record["service_at_locations"] if s.get("description") == "Main café")
    assert [(s["byday"], s["opens_at"], s["notes"]) for s in hall["schedules"]] == [
        ("TU", "10:00", "Upstairs")
    ]


def test_coverage_names_come_from_settings(api, varied_directory, settings):
    settings.DIRECTORY_NATIONAL_NAME = "England and Wales"

    line = api.get(f"services/{varied_directory['line'].uuid}")
    club = api.get(f"services/{varied_directory['club'].uuid}")

    assert line["service_areas"][0]["name"] == "England and Wales"
    assert club["service_areas"][0]["name"] == "Essex"
    assert club["service_areas"][0]["x_coverage"] == "county"


def test_costs_show_as_cost_options_or_fees(api, varied_directory):
    line = api.get(f"services/{varied_directory['line'].uuid}")
    club = api.get(f"services/{varied_directory['club'].uuid}")

    assert [(o["option"], o["amount"]) for o in line["cost_options"]] == [("Per call", 12.5)]
    assert line["x_is_free"] is False
    assert "fees" not in line
    assert club["cost_options"] == []
    assert club["fees"] == "Charges apply: contact the service for details"


def test_private_contacts_are_never_shown(api, varied_directory):
    record = api.get(f"services/{varied_directory['cafe'].uuid}")

    assert [contact["name"] for contact in record["contacts"]] == ["Ann Persona"]
    assert "Private Person" not in str(record)


def test_a_hidden_address_shows_neither_address_nor_coordinates(api, varied_directory):
    record = api.get(f"services/{varied_directory['cafe'].uuid}")
    listed = api.get("service_at_locations")

    for location in [s["location"] for s in record["service_at_locations"]] + [
        s["location"] for s in listed["contents"]
    ]:
        if location["name"] == "Safe house":
            assert location["x_hide_address"] is True
            assert location["x_area_description"] == "Central Seaborough"
            assert location["addresses"] == []
            assert "latitude" not in location
            assert "longitude" not in location
    assert "High Street" not in str([s for s in listed["contents"] if "Safe" in str(s)])


def test_unpublished_and_never_published_services_are_not_shown(api):
    shown = build_service(title="Shown")
    withdrawn = build_service(title="Withdrawn")
    withdrawn.unpublish()
    draft = ServicePageFactory(title="Draft only", live=False)

    assert names(api.get("services")) == ["Shown"]
    api.get(f"services/{withdrawn.uuid}", status=404)
    api.get(f"services/{draft.uuid}", status=404)
    sites = api.get("service_at_locations")["contents"]
    assert {site["service"]["name"] for site in sites} == {"Shown"}
    api.get(f"services/{shown.uuid}")


def test_services_of_an_unpublished_organisation_are_not_shown(api):
    organisation = publish(OrganisationPageFactory())
    hidden = build_service(organisation=organisation, title="Hidden")
    build_service(title="Visible")
    organisation.unpublish()

    assert names(api.get("services")) == ["Visible"]
    api.get(f"services/{hidden.uuid}", status=404)
    site = hidden.service_at_locations.get()
    api.get(f"service_at_locations/{site.uuid}", status=404)


def test_pending_edit_is_not_public(api):
    service = build_service(title="Original title")
    original = api.get(f"services/{service.uuid}")
    page = ServicePage.objects.get(pk=service.pk)
    page.title = "Changed"
    page.phones = [ServicePhone(number="09999 999999")]
    page.save_revision()

    assert api.get(f"services/{service.uuid}") == original
    assert names(api.get("services")) == ["Original title"]
    assert api.get("services", search="Changed")["total_items"] == 0


# --- Filters -----------------------------------------------------------------------------------


def test_search_looks_in_name_summary_and_description_case_insensitively(api):
    build_service(title="Walking football", summary="Gentle games.", description="Weekly.")
    build_service(title="Lunch club", summary="A HOT MEAL together.", description="Fridays.")
    build_service(title="Drop-in", summary="Come along.", description="Talk about money.")

    assert names(api.get("services", search="FOOTBALL")) == ["Walking football"]
    assert names(api.get("services", search="hot meal")) == ["Lunch club"]
    assert names(api.get("services", search="money")) == ["Drop-in"]
    assert api.get("services", search="100%")["total_items"] == 0
    assert api.get("services", search='"quoted" AND NEAR *')["total_items"] == 0


def test_taxonomy_filters(api):
    lga = TaxonomyFactory(name="LGA list")
    memory = TaxonomyTermFactory(taxonomy=lga, name="Memory")
    carers = TaxonomyTermFactory(name="Carers")
    build_service(title="Memory café", terms=[memory])
    build_service(title="Carers group", terms=[carers])
    build_service(title="Untagged")

    assert names(api.get("services", taxonomy_term_id=str(memory.uuid))) == ["Memory café"]
    assert names(api.get("services", taxonomy_term_id=f"{memory.uuid},{carers.uuid}")) == [
        "Carers group",
        "Memory café",
    ]
    assert names(api.get("services", taxonomy_id=str(lga.uuid))) == ["Memory café"]
    assert api.get("services", taxonomy_term_id=str(uuid.uuid4()))["total_items"] == 0


def test_organization_filter(api):
    organisation = publish(OrganisationPageFactory())
    build_service(organisation=organisation, title="Theirs")
    build_service(title="Someone else's")

    assert names(api.get("services", organization_id=str(organisation.uuid))) == ["Theirs"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"minimum_age": 12, "maximum_age": 16}, ["All ages", "Teens"]),
        ({"minimum_age": 18}, ["Adults", "All ages", "Older people", "Teens"]),
        ({"maximum_age": 4}, ["All ages", "Under fives"]),
        ({"minimum_age": 70}, ["Adults", "All ages", "Older people"]),
        ({"minimum_age": 5, "maximum_age": 5}, ["All ages", "Under fives"]),
    ],
)
def test_age_filters_match_overlapping_age_ranges(api, params, expected):
    build_service(title="All ages")
    build_service(title="Under fives", minimum_age=0, maximum_age=5)
    build_service(title="Teens", minimum_age=11, maximum_age=18)
    build_service(title="Adults", minimum_age=18)
    build_service(title="Older people", minimum_age=65)

    assert names(api.get("services", **params)) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"day": "MO"}, ["Monday service"]),
        ({"day": "monday"}, ["Monday service"]),
        ({"day": "tu"}, ["Tuesday evenings"]),
        ({"day": "SU"}, []),
        ({"start_time": "10:00", "end_time": "12:00"}, ["Monday service"]),
        ({"day": "TU", "start_time": "10:00"}, []),
        ({"start_time": "19:00"}, ["Tuesday evenings"]),
        ({"start_time": "21:00"}, []),
        ({"end_time": "17:00"}, ["Monday service"]),
        ({"start_time": "16:00", "end_time": "18:00"}, []),
        ({"day": "TU", "start_time": "18:00", "end_time": "21:00"}, ["Tuesday evenings"]),
    ],
)
def test_day_and_time_filters_find_services_open_for_the_whole_window(api, params, expected):
    build_service(title="Monday service")  # Mondays 09:00 to 17:00
    evenings = build_service(title="Tuesday evenings", schedules=0)
    RegularScheduleFactory(
        service=evenings,
        weekday=1,
        opens_at=datetime.time(18),
        closes_at=datetime.time(21),
        location=evenings.service_at_locations.get().location,
    )
    publish(evenings)
    build_service(title="No set times", schedules=0)

    assert names(api.get("services", **params)) == expected


def test_modified_after_filters_by_publication_time(api, client):
    old = build_service(title="Old")
    new = build_service(title="New")
    ServicePage.objects.filter(pk=old.pk).update(
        last_published_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    ServicePage.objects.filter(pk=new.pk).update(
        last_published_at=datetime.datetime(2024, 6, 1, 12, tzinfo=datetime.UTC)
    )

    assert names(api.get("services", modified_after="2024-01-01")) == ["New"]
    assert names(api.get("services", modified_after="2024-06-01T12:00:00Z")) == ["New"]
    assert names(api.get("services", modified_after="2024-06-01T12:00:01Z")) == []
    # An unencoded "+01:00" arrives as " 01:00"; 12:30 BST is 11:30 UTC.
    response = client.get("/api/oruk/services?modified_after=2024-06-01T12:30:00+01:00")
    assert [s["name"] for s in response.json()["contents"]] == ["New"]


# --- Service at locations ----------------------------------------------------------------------


def test_service_at_locations_list_and_detail(api, varied_directory):
    body = api.get("service_at_locations")

    assert_envelope(body)
    assert body["total_items"] == 3
    for site in body["contents"]:
        assert_id(site["id"])
        assert site["service_id"] == site["service"]["id"]
        assert site["location_id"] == site["location"]["id"]
        assert_service_record(site["service"], full=False)
        assert_no_nulls(site)
    hall = next(site for site in body["contents"] if site.get("description") == "Main café")

    detail = api.get(f"service_at_locations/{hall['id']}")

    assert detail["id"] == hall["id"]
    assert detail["location"]["accessibility"]
    assert [s["byday"] for s in detail["schedules"]] == ["TU"]
    assert detail["service"] == api.get(f"services/{hall['service_id']}")


def test_service_at_locations_takes_the_service_filters(api, varied_directory):
    body = api.get("service_at_locations", minimum_age=11, maximum_age=14)

    assert {site["service"]["name"] for site in body["contents"]} == {"Youth club"}


@pytest.fixture
def postcodes(db):
    Postcode.objects.create(postcode="SS1 1AA", outward="SS1", latitude=51.5380, longitude=0.7260)


def test_postcode_sorts_nearest_first_and_proximity_limits_the_distance(api, postcodes):
    for name, lat, lon, hidden in [
        ("Far", 51.60, 0.80, False),  # about 9 km away
        ("Near", 51.5390, 0.7270, False),  # about 130 m away
        ("Nowhere", None, None, False),
        ("Refuge", 51.5381, 0.7261, True),  # nearest of all, but its address is hidden
    ]:
        service = ServicePageFactory(title=name)
        location = LocationFactory(name=name, latitude=lat, longitude=lon, hide_address=hidden)
        ServiceAtLocationFactory(service=service, location=location)
        publish(service)

    nearest = api.get("service_at_locations", postcode="ss11aa")
    within = api.get("service_at_locations", postcode="SS1 1AA", proximity="1000")

    assert [site["location"]["name"] for site in nearest["contents"]] == [
        "Near",
        "Far",
        "Nowhere",
        "Refuge",
    ]
    assert 100 < nearest["contents"][0]["x_distance_metres"] < 200
    assert "x_distance_metres" not in nearest["contents"][2]
    assert "x_distance_metres" not in nearest["contents"][3]
    assert [site["location"]["name"] for site in within["contents"]] == ["Near"]
    assert within["total_items"] == 1


def test_an_unknown_postcode_is_a_400_saying_why(api, postcodes):
    body = api.get("service_at_locations", postcode="ZZ99 9ZZ", status=400)

    assert body["parameter"] == "postcode"
    assert "could not find" in body["detail"]


# --- Taxonomies --------------------------------------------------------------------------------


def test_taxonomies_and_terms(api):
    lga = TaxonomyFactory(name="LGA list", uri="https://example.org/lga", version="2")
    parent = TaxonomyTermFactory(taxonomy=lga, name="Health", code="1")
    child = TaxonomyTermFactory(taxonomy=lga, name="Memory", code="2", parent=parent)

    taxonomies = api.get("taxonomies")
    detail = api.get(f"taxonomies/{lga.uuid}")
    terms = api.get("taxonomy_terms", taxonomy_id=str(lga.uuid))
    term = api.get(f"taxonomy_terms/{child.uuid}")

    assert_envelope(taxonomies)
    assert {"LGA list", "Local categories"} <= set(names(taxonomies))
    assert detail["uri"] == "https://example.org/lga"
    assert [t["name"] for t in detail["taxonomy_terms"]] == ["Health", "Memory"]
    assert names(terms) == ["Health", "Memory"]
    assert term == {
        "id": str(child.uuid),
        "name": "Memory",
        "description": child.description,
        "parent_id": str(parent.uuid),
        "taxonomy": "LGA list",
        "taxonomy_id": str(lga.uuid),
        "term": "2",
        "x_slug": "memory",
    }
    assert api.get("taxonomy_terms")["total_items"] >= 18  # with the migrated categories


# --- Errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("endpoint", "params", "parameter"),
    [
        ("services", {"page": "abc"}, "page"),
        ("services", {"page": "0"}, "page"),
        ("services", {"page": "-1"}, "page"),
        ("services", {"page": "1.5"}, "page"),
        ("services", {"page": "9" * 5000}, "page"),
        ("services", {"per_page": "0"}, "per_page"),
        ("services", {"per_page": "1000"}, "per_page"),
        ("services", {"per_page": "ten"}, "per_page"),
        ("services", {"taxonomy_term_id": "not-a-uuid"}, "taxonomy_term_id"),
        ("services", {"taxonomy_term_id": f"{uuid.uuid4()},nope"}, "taxonomy_term_id"),
        ("services", {"taxonomy_id": "123"}, "taxonomy_id"),
        ("services", {"taxonomy_id": ",".join([str(uuid.UUID(int=1))] * 51)}, "taxonomy_id"),
        ("services", {"modified_after": "9999-12-31T23:00:00-05:00"}, "modified_after"),
        ("services", {"organization_id": "zz"}, "organization_id"),
        ("services", {"minimum_age": "-3"}, "minimum_age"),
        ("services", {"minimum_age": "ten"}, "minimum_age"),
        ("services", {"maximum_age": "200"}, "maximum_age"),
        ("services", {"minimum_age": "20", "maximum_age": "10"}, "maximum_age"),
        ("services", {"day": "Funday"}, "day"),
        ("services", {"start_time": "25:00"}, "start_time"),
        ("services", {"start_time": "9am"}, "start_time"),
        ("services", {"end_time": "12:60"}, "end_time"),
        ("services", {"start_time": "12:00", "end_time": "11:00"}, "end_time"),
        ("services", {"modified_after": "yesterday"}, "modified_after"),
        ("services", {"modified_after": "2024-13-01"}, "modified_after"),
        ("services", {"modified_after": "2024-02-30"}, "modified_after"),
        ("services", {"search": "x" * 501}, "search"),
        ("services", {"search": "a\x00b"}, "search"),
        ("service_at_locations", {"per_page": "201"}, "per_page"),
        ("service_at_locations", {"postcode": "not a postcode"}, "postcode"),
        ("service_at_locations", {"postcode": "SS1 1AA", "proximity": "-5"}, "proximity"),
        ("service_at_locations", {"postcode": "SS1 1AA", "proximity": "far"}, "proximity"),
        ("service_at_locations", {"proximity": "1000"}, "proximity"),
        ("taxonomies", {"page": "0"}, "page"),
        ("taxonomy_terms", {"taxonomy_id": "bad"}, "taxonomy_id"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_parameter(api, postcodes, endpoint, params, parameter):
    body = api.get(endpoint, status=400, **params)

    assert body["error"] == "bad_request"
    assert body["parameter"] == parameter
    assert isinstance(body["detail"], str)
    assert body["detail"]


def test_the_400_wording_for_page(api):
    body = api.get("services", status=400, page="x")

    assert body == {
        "error": "bad_request",
        "detail": "page must be a whole number of 1 or more",
        "parameter": "page",
    }


@pytest.mark.parametrize(
    "endpoint", ["services", "service_at_locations", "taxonomies", "taxonomy_terms"]
)
@pytest.mark.parametrize("identifier", [str(uuid.UUID(int=7)), "not-a-uuid", "1", "%00"])
def test_unknown_or_malformed_ids_are_json_404s(api, endpoint, identifier):
    body = api.get(f"{endpoint}/{identifier}", status=404)

    assert body["error"] == "not_found"
    assert body["detail"]


def test_empty_parameters_are_ignored(api):
    build_service(title="Anything")

    body = api.get("services", page="", per_page="", search="", day="", minimum_age="")

    assert names(body) == ["Anything"]


# --- Schemas -----------------------------------------------------------------------------------


def test_responses_match_the_open_referral_uk_schemas(api, varied_directory, oruk_validate):
    services = api.get("services")
    oruk_validate(services, "openapi-page.json")
    for item in services["contents"]:
        oruk_validate(item, "compiled/service_list.json")
        record = api.get(f"services/{item['id']}")
        oruk_validate(record, "service.json")
        oruk_validate(record, "compiled/service.json")
    sites = api.get("service_at_locations")
    oruk_validate(sites, "openapi-page.json")
    for item in sites["contents"]:
        oruk_validate(item, "compiled/service_at_location_list.json")
        oruk_validate(api.get(f"service_at_locations/{item['id']}"), "service_at_location.json")
        oruk_validate(
            api.get(f"service_at_locations/{item['id']}"), "compiled/service_at_location.json"
        )
    taxonomies = api.get("taxonomies")
    for item in taxonomies["contents"]:
        oruk_validate(item, "taxonomy.json")
        oruk_validate(api.get(f"taxonomies/{item['id']}"), "taxonomy.json")
    terms = api.get("taxonomy_terms", per_page=200)
    for item in terms["contents"]:
        oruk_validate(item, "taxonomy_term.json")
    oruk_validate(api.get(f"taxonomy_terms/{item['id']}"), "taxonomy_term.json")


def test_the_reference_examples_pass_our_validator(oruk_reference, oruk_validate):
    """The validator itself works: the profile's own examples are valid, broken ones not."""
    import json

    example = json.loads((oruk_reference / "examples" / "service_full.json").read_text())
    oruk_validate(example, "service.json")
    broken = dict(example, status="open", id="not-a-uuid")
    with pytest.raises(AssertionError, match="status"):
        oruk_validate(broken, "service.json")


# --- Query counts ------------------------------------------------------------------------------


def test_query_counts_do_not_grow_with_the_number_of_results(
    client, site_settings, django_assert_max_num_queries
):
    """Measured on SQLite with cold caches: services list 5, detail 15, service_at_locations 5."""
    first = build_service(schedules=3, locations=2, phones=2)
    for _ in range(4):
        build_service(schedules=3, locations=2, phones=2)

    def count_queries(detail_id) -> dict[str, int]:
        counts = {}
        for kind, path in [
            ("list", "services"),
            ("detail", f"services/{detail_id}"),
            ("sites", "service_at_locations"),
        ]:
            cache.clear()  # every request starts cold, as the first after a deploy does
            with django_assert_max_num_queries(16), CaptureQueriesContext(connection) as queries:
                response = client.get(f"/api/oruk/{path}", {"per_page": 200})
                assert response.status_code == 200
            counts[kind] = len(queries)
        return counts

    small = count_queries(first.uuid)

    many = build_service(schedules=30, locations=10, phones=10)
    for _ in range(44):
        build_service(schedules=3, locations=2, phones=2)
    large = count_queries(many.uuid)

    assert client.get("/api/oruk/services", {"per_page": 200}).json()["size"] == 50
    assert small == large
    print(f"queries per request, 5 and 50 services: {small}")


# --- Nothing a client sends makes the server fail ---------------------------------------------

ANY_TEXT = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=60),
    st.sampled_from(
        ['"', "'", "*", "AND", "OR NOT", "NEAR", "a NEAR/3 b", "%", "_", "\\", "é", "☃", "𝔘"]
    ),
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=3).map(
        lambda s: s * 4000
    ),
)


@hypothesis_settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    endpoint=st.sampled_from(LIST_ENDPOINTS),
    params=st.dictionaries(
        st.sampled_from([*SERVICE_PARAMETERS, "postcode", "proximity", "unknown"]),
        ANY_TEXT,
        max_size=4,
    ),
)
@example(endpoint="services", params={"search": '"quoted" AND (x OR y) NEAR * ' * 400})
@example(endpoint="service_at_locations", params={"postcode": "☃" * 10_000, "proximity": "1e9"})
@example(endpoint="services", params={"modified_after": "9999-12-31T23:59:59+99:99"})
@example(endpoint="services", params={"modified_after": "9999-12-31T23:00:00-05:00"})
@example(endpoint="services", params={"modified_after": "0001-01-01T00:00:00+01:00"})
@example(endpoint="services", params={"modified_after": "0001-01-01"})
@example(endpoint="services", params={"taxonomy_term_id": ",".join([str(uuid.UUID(int=1))] * 300)})
def test_no_parameter_value_causes_a_server_error(client, settings, endpoint, params):
    settings.ORUK_API_RATE = "1000000/m"

    response = client.get(f"/api/oruk/{endpoint}", params)

    assert response.status_code in (200, 400), response.content[:300]
    assert response["Content-Type"] == "application/json"


@hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(endpoint=st.sampled_from(LIST_ENDPOINTS), identifier=ANY_TEXT.filter(bool))
def test_no_id_causes_a_server_error(client, settings, endpoint, identifier):
    settings.ORUK_API_RATE = "1000000/m"

    response = client.get(f"/api/oruk/{endpoint}/{quote(identifier, safe='')}")

    assert response.status_code in (200, 404), response.content[:300]


def test_urlconf_includes_the_api_before_wagtail():
    patterns = [str(p.pattern) for p in get_resolver().url_patterns]

    assert patterns.index("api/oruk/") < len(patterns) - 1
