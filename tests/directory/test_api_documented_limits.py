"""Regressions found by fuzzing the ORUK API against its OpenAPI document (tests/fuzz/):
a request the document calls valid must not be refused, nor fail on PostgreSQL."""

from __future__ import annotations

import datetime

import pytest

from directory.factories import LocationFactory, ServiceAtLocationFactory, ServicePageFactory
from directory.models import ServicePage
from search.models import Postcode

from .conftest import build_service, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def near_and_far(db) -> None:
    Postcode.objects.create(postcode="SS1 1AA", outward="SS1", latitude=51.5380, longitude=0.7260)
    for name, latitude, longitude in [("Near", 51.5390, 0.7270), ("Far", 51.60, 0.80)]:
        service = ServicePageFactory(title=name)
        location = LocationFactory(name=name, latitude=latitude, longitude=longitude)
        ServiceAtLocationFactory(service=service, location=location)
        publish(service)


def _names(body: dict) -> list[str]:
    return [site["location"]["name"] for site in body["contents"]]


@pytest.mark.parametrize("proximity", ["1000", "1000.0", "1e3", "1E3", "1.0e+3", "0.1e4"])
def test_proximity_is_read_as_any_json_number(api, near_and_far, proximity):
    # The document types proximity as a number: exponent notation is a number too. It was
    # refused with a 400 (schemathesis sent proximity=5e-324).
    body = api.get("service_at_locations", postcode="SS1 1AA", proximity=proximity)

    assert _names(body) == ["Near"]


def test_a_tiny_positive_proximity_is_allowed_and_finds_only_what_is_on_the_spot(api, near_and_far):
    body = api.get("service_at_locations", postcode="SS1 1AA", proximity="5e-324")

    assert body["total_items"] == 0


@pytest.mark.parametrize("proximity", ["0e5", "1e7", "1e999", "1e", "e3", "-1e3", "nan", "inf"])
def test_proximity_outside_the_documented_range_is_still_a_400(api, near_and_far, proximity):
    body = api.get("service_at_locations", status=400, postcode="SS1 1AA", proximity=proximity)

    assert body["parameter"] == "proximity"


def test_the_largest_documented_page_is_answered_and_the_next_refused(api, client):
    # `page` had no maximum in the document, but pages past 999,999,999 were a 400
    # (schemathesis sent page=2257095690982920311443292160).
    document = client.get("/api/oruk/openapi.json").json()
    largest = document["components"]["parameters"]["page"]["schema"]["maximum"]

    body = api.get("taxonomies", page=largest)
    refused = api.get("taxonomies", status=400, page=largest + 1)

    assert body["page_number"] == largest
    assert body["empty"] is True
    assert refused["parameter"] == "page"


@pytest.mark.parametrize(
    ("modified_after", "found"),
    [
        # 12:00 UTC on 1 June is 18:28 the day before at -17:32, and 11:59 at +23:59 the
        # next day: offsets ISO 8601 allows but PostgreSQL refused (a 500; schemathesis sent
        # modified_after=8227-05-09T08:45:17-17:32).
        ("2024-05-31T18:28:00-17:32", True),
        ("2024-05-31T18:29:00-17:32", False),
        ("2024-06-02T11:59:00+23:59", True),
        ("2024-06-02T12:00:00+23:59", False),
    ],
)
def test_modified_after_takes_any_iso_8601_offset(api, client, modified_after, found):
    service = build_service(title="Published at noon")
    ServicePage.objects.filter(pk=service.pk).update(
        last_published_at=datetime.datetime(2024, 6, 1, 12, tzinfo=datetime.UTC)
    )

    response = client.get("/api/oruk/services", {"modified_after": modified_after})

    assert response.status_code == 200, response.content[:300]
    names = [record["name"] for record in response.json()["contents"]]
    assert names == (["Published at noon"] if found else [])
