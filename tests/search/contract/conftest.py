"""One suite of queries with expected results, run against every search engine.

The database engine always runs (on SQLite in `make test`, and again on PostgreSQL in the
integration run). The Elasticsearch engine runs only when ELASTICSEARCH_URL names a server:
none can be installed on the machines this project is built on, so without one those cases
are skipped with a reason saying how to run them (tests/conftest.py).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.utils import timezone

from directory.factories import (
    LocationFactory,
    OrganisationPageFactory,
    RegularScheduleFactory,
    ServiceAtLocationFactory,
    ServicePageFactory,
    TaxonomyTermFactory,
)
from directory.models import TaxonomyTerm
from search.models import Postcode, PostcodeDistrict
from search.query import SearchResults, ServiceQuery, Suggestion

ENGINES = {
    "database": "search.engines.database.DatabaseSearchEngine",
    "elasticsearch": "search.engines.elasticsearch.ElasticsearchSearchEngine",
}
# Southend-on-Sea, where the test postcode SS1 1AA is.
SOUTHEND = (51.5380, 0.7260)


@dataclass(frozen=True)
class Directory:
    """The fixed directory every engine is asked about (names are what results show)."""

    dementia: TaxonomyTerm
    memory_cafes: TaxonomyTerm
    carers: TaxonomyTerm
    housing: TaxonomyTerm
    monday: int = 0
    tuesday: int = 1


def _located(service, latitude: float, longitude: float):
    ServiceAtLocationFactory(
        service=service, location=LocationFactory(latitude=latitude, longitude=longitude)
    )
    return service


@pytest.fixture
def directory(settings) -> Directory:
    """Eleven findable services around Southend, plus four that must never be found."""
    settings.DIRECTORY_HIDE_STALE_AFTER_MONTHS = 24
    Postcode.objects.create(postcode="SS1 1AA", outward="SS1", latitude=51.5380, longitude=0.7260)
    PostcodeDistrict.objects.create(outward="SS1", latitude=51.5380, longitude=0.7260)
    dementia = TaxonomyTerm.objects.get(slug="dementia")
    carers = TaxonomyTerm.objects.get(slug="carers-support")
    housing = TaxonomyTerm.objects.get(slug="housing")
    memory_cafes = TaxonomyTermFactory(
        taxonomy=dementia.taxonomy, name="Memory cafés", parent=dementia
    )
    recent = timezone.localdate() - datetime.timedelta(days=30)

    group = _located(
        ServicePageFactory(
            title="Dementia carers' support group",
            summary="Peer support for people caring for someone with dementia.",
            description="Meet other carers over tea every Monday morning.",
            terms=[dementia, carers],
            minimum_age=18,
            is_free=True,
        ),
        51.5385,
        0.7265,  # next door to SS1 1AA
    )
    RegularScheduleFactory(service=group, weekday=0)
    cafe = _located(
        ServicePageFactory(
            title="Memory café",
            summary="A relaxed afternoon of music and chat.",
            description="For people living with memory loss and the people who support them.",
            terms=[memory_cafes],
            is_free=True,
        ),
        51.5380,
        0.6800,  # about two miles west
    )
    RegularScheduleFactory(service=cafe, weekday=1)
    _located(
        ServicePageFactory(
            title="Essex carers' network",
            summary="Information and breaks for unpaid carers across the county.",
            terms=[carers],
            coverage="county",
            attending_in_person=False,
            attending_online=True,
            is_free=True,
        ),
        51.73,
        0.47,  # Chelmsford, about 17 miles away
    )
    ServicePageFactory(
        title="Housing advice line",
        summary="Call us about renting, repairs or homelessness.",
        terms=[housing],
        coverage="national",
        attending_in_person=False,
        attending_phone=True,
        is_free=False,
        fees="Calls cost up to 9p a minute.",
    )
    _located(
        ServicePageFactory(
            title="Youth counselling",
            summary="Talk to a counsellor in confidence.",
            minimum_age=11,
            maximum_age=18,
            is_free=True,
        ),
        51.75,
        0.47,  # about 15 miles away, local coverage: outside any radius offered
    )
    _located(
        ServicePageFactory(
            title="Walking group",
            summary="Gentle walks along the seafront.",
            description="All abilities welcome.",
        ),
        51.5400,
        0.7100,
    )
    _located(
        ServicePageFactory(
            title="Lunch club",
            summary="A hot two-course lunch.",
            description="Many members join the walking group afterwards.",
            minimum_age=65,
            is_free=False,
            fees="£3 a meal",
        ),
        51.5400,
        0.7100,
    )
    ServicePageFactory(
        title="Find a doctor",
        summary="Register with a local surgery.",
        description="How to join a practice near you.",
    )
    ServicePageFactory(title="Befriending service", summary="A weekly call or visit.")
    ServicePageFactory(title="Advice for carers", summary="Carers advice line.", terms=[carers])
    ServicePageFactory(
        title="Carers support and advice", summary="Support for carers.", assured_date=recent
    )

    # Never found: a draft, a defunct service, an unpublished organisation's service, a stale
    # listing, and a pending edit to a published service.
    ServicePageFactory(title="Dementia draft service", live=False)
    ServicePageFactory(title="Dementia service that closed", status="defunct")
    hidden = OrganisationPageFactory()
    ServicePageFactory(title="Dementia service of a withdrawn charity", parent=hidden)
    hidden.unpublish()
    ServicePageFactory(
        title="Dementia listing nobody has checked",
        assured_date=timezone.localdate() - datetime.timedelta(days=3 * 365),
    )
    befriending = ServicePageFactory(title="Dementia befriending")
    befriending.title = "Renamed in a pending edit"
    befriending.save_revision()
    return Directory(dementia=dementia, memory_cafes=memory_cafes, carers=carers, housing=housing)


@pytest.fixture(params=["database", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def engine_name(request, settings) -> str:
    # Without ELASTICSEARCH_URL the elasticsearch cases are skipped, with the reason, by the
    # `elasticsearch` marker (tests/conftest.py).
    settings.PORTAL_SEARCH_ENGINE = ENGINES[request.param]
    return request.param


@dataclass
class Engine:
    name: str
    search: Callable[..., SearchResults]
    autocomplete: Callable[..., list[Suggestion]]


@pytest.fixture
def engine(engine_name: str, directory: Directory, settings) -> Iterator[Engine]:
    """The engine under test, over the fixed directory (indexed first, for Elasticsearch)."""
    from search.services import get_search_engine

    if engine_name == "elasticsearch":
        from search.es_index import index_drop_all, index_rebuild

        settings.ELASTICSEARCH_INDEX_PREFIX = f"contract-{uuid.uuid4().hex[:8]}"
        index_rebuild()
    implementation = get_search_engine()
    yield Engine(
        name=engine_name,
        search=lambda **kwargs: implementation.search(ServiceQuery(**kwargs)),
        autocomplete=lambda prefix, **options: implementation.autocomplete(prefix, **options),
    )
    if engine_name == "elasticsearch":
        index_drop_all()
