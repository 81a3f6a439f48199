"""Elasticsearch pointed at a closed local port: people still get results, from the database
engine; a warning is logged; /healthz says search is degraded but the portal is up."""

import logging

import pytest
from django.test import override_settings

from directory.factories import ServicePageFactory
from directory.models import TaxonomyTerm
from search.postcodes import PostcodeError
from search.query import ServiceQuery
from search.services import search_services

pytestmark = pytest.mark.django_db

CLOSED_PORT = "http://127.0.0.1:9"  # discard: nothing listens, the connection is refused


@pytest.fixture
def elasticsearch_down():
    with override_settings(
        ELASTICSEARCH_URL=CLOSED_PORT,
        ELASTICSEARCH_TIMEOUT=0.5,
        PORTAL_SEARCH_ENGINE="search.engines.elasticsearch.ElasticsearchSearchEngine",
    ):
        yield


@pytest.fixture
def directory():
    dementia = TaxonomyTerm.objects.get(slug="dementia")
    ServicePageFactory(title="Dementia carers' support group", terms=[dementia])
    ServicePageFactory(title="Memory café", terms=[dementia])
    ServicePageFactory(title="Lunch club")


def test_searches_are_answered_by_the_database_engine(elasticsearch_down, directory, caplog):
    with caplog.at_level(logging.WARNING):
        results = search_services(ServiceQuery(text="dementia carers"))

    assert [hit.card.title for hit in results.hits] == ["Dementia carers' support group"]
    warnings = [r for r in caplog.records if r.name == "search.engines.elasticsearch"]
    assert warnings
    assert "served by the database engine" in warnings[0].getMessage()
    assert "dementia" not in warnings[0].getMessage()  # never what people searched for


def test_the_search_page_still_shows_results(client, elasticsearch_down, directory):
    page = client.get("/services/", {"q": "lunch club"})

    assert page.status_code == 200
    assert "1 service found" in page.text
    assert "Lunch club" in page.text


def test_categories_and_facets_still_work(elasticsearch_down, directory):
    dementia = TaxonomyTerm.objects.get(slug="dementia")

    results = search_services(ServiceQuery(taxonomy_term_ids=(dementia.id,), sort="name"))

    assert [hit.card.title for hit in results.hits] == [
        "Dementia carers' support group",
        "Memory café",
    ]
    assert {f.term.slug: f.count for f in results.facets}["dementia"] == 2


def test_a_bad_postcode_is_still_the_persons_mistake_not_an_outage(elasticsearch_down):
    with pytest.raises(PostcodeError):
        search_services(ServiceQuery(postcode="not a postcode"))


def test_autocomplete_falls_back_too(client, elasticsearch_down, directory):
    response = client.get("/services/autocomplete", {"q": "demen"})

    assert response.status_code == 200
    assert response.json()["suggestions"][0] == {"text": "Dementia", "kind": "category"}


def test_healthz_reports_search_degraded_but_the_portal_up(client, elasticsearch_down):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["degraded"] == ["search"]
    assert body["checks"]["search"]["status"] == "degraded"
    assert body["checks"]["search"]["engine"] == "database"
    assert body["checks"]["database"] == {"status": "ok"}


def test_healthz_remembers_a_failed_search_for_a_minute(client, elasticsearch_down, directory):
    search_services(ServiceQuery(text="lunch"))

    body = client.get("/healthz").json()

    assert body["degraded"] == ["search"]
    assert "recent search" in body["checks"]["search"]["detail"]


def test_without_elasticsearch_search_is_simply_ok(client):
    body = client.get("/healthz").json()

    assert "degraded" not in body
    assert body["checks"]["search"] == {"status": "ok", "engine": "database"}
