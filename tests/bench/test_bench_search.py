"""Directory search at scale (issues 3 and 7): server time per query type at 10,000 and then
50,000 services, beside the raw full-text query for the same words, on whichever database the
run uses (`make bench` runs this file on SQLite and again on PostgreSQL). With
ELASTICSEARCH_URL set, the same table again for the Elasticsearch engine.

Targets for the database engine (issue 7): p95 under 50 ms at 10,000 services and under
150 ms at 50,000; autocomplete p95 under 30 ms. Each query type is timed as a whole page
(what a visitor waits for, page shell included) and as the engine alone (the search the
page asks for, without rendering it); both carry a verdict. Issue 3: the ORUK API list page
median under 100 ms. The figures are printed with a verdict per line; nothing here fails on speed.

BENCH_SIZES (default "10000,50000") and BENCH_REPEAT (default 60) change the run.
"""

import os
import statistics

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from directory.models import ServicePage, TaxonomyTerm
from search import indexing
from search.engines.text_index import text_index
from search.forms import ServiceSearchForm
from search.services import search_services

from .conftest import server_get, summarise, time_calls

SIZES = [int(size) for size in os.environ.get("BENCH_SIZES", "10000,50000").split(",")]
REPEAT = int(os.environ.get("BENCH_REPEAT", "60"))
ES_ENGINE = "search.engines.elasticsearch.ElasticsearchSearchEngine"
DB_ENGINE = "search.engines.database.DatabaseSearchEngine"

# (name, /services/ parameters, words for the raw full-text query)
CASES = [
    ("keywords", {"q": "support group"}, "support group"),
    ("keywords + category", {"q": "support", "category": "mental-health-and-wellbeing"}, "support"),
    ("postcode + 3 miles", {"postcode": "SS2 6ER", "distance": "3"}, None),
    (
        "keywords + postcode + age",
        {"q": "advice", "postcode": "SS2 6ER", "distance": "5", "age": "70"},
        "advice",
    ),
]
AUTOCOMPLETE_PREFIXES = ["de", "demen", "carers sup", "lunch", "wal"]


def p95(timings: list[float]) -> float:
    ordered = sorted(timings)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def verdict(timings: list[float], target_ms: float) -> str:
    value = p95(timings)
    outcome = "met" if value < target_ms else "NOT MET"
    return f"  p95 {value:.1f} ms vs target {target_ms:.0f} ms: {outcome}"


@pytest.fixture(scope="module")
def grown_directory(django_db_setup, django_db_blocker):
    """A function that grows the live directory to at least `size` services."""
    with django_db_blocker.unblock():
        call_command("load_demo_data", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115

    def grow(size: int) -> int:
        with django_db_blocker.unblock():
            existing = ServicePage.objects.count()
            if existing < size:
                call_command(
                    "create_synthetic_directory",
                    services=size - existing,
                    stdout=open(os.devnull, "w"),  # noqa: SIM115
                    stderr=open(os.devnull, "w"),  # noqa: SIM115
                )
            return ServicePage.objects.live().count()

    return grow


def raw_fts_ms(words: str) -> list[float]:
    """The full-text query alone for the same words (every match, ranked): the floor."""
    index = text_index()
    word_list = [words.split()]

    def run():
        return index.matches(ServicePage, word_list)

    return time_calls(run, repeat=REPEAT)


def engine_ms(params: dict) -> list[float]:
    """The engine alone for the same search (as the page asks it, without the page around
    it): what the targets for the database engine are about."""
    form = ServiceSearchForm(params, categories=indexing.all_browsable_terms())
    assert form.is_valid(), form.errors
    query = form.to_query()
    return time_calls(lambda: search_services(query), repeat=REPEAT)


def measure(report, *, target_ms: float, with_fts: bool) -> None:
    TaxonomyTerm.objects.get(slug="mental-health-and-wellbeing")  # the category exists
    shell = time_calls(lambda: server_get("/services/"), repeat=REPEAT)
    report(summarise("/services/ with no search (page shell)", shell))
    for name, params, words in CASES:
        page_times = time_calls(
            lambda params=params: server_get("/services/", params), repeat=REPEAT
        )
        report(summarise(f"/services/ {name}", page_times))
        report(verdict(page_times, target_ms))
        engine_times = engine_ms(params)
        report(summarise("  engine alone", engine_times))
        report(verdict(engine_times, target_ms))
        if words and with_fts:
            fts = raw_fts_ms(words)
            report(summarise(f"  raw FTS '{words}'", fts))
            ratio = statistics.median(page_times) / statistics.median(fts)
            report(f"  page median / FTS median = {ratio:.1f}x")
    autocomplete: list[float] = []
    for prefix in AUTOCOMPLETE_PREFIXES:
        autocomplete += time_calls(
            lambda prefix=prefix: server_get("/services/autocomplete", {"q": prefix}),
            repeat=max(1, REPEAT // len(AUTOCOMPLETE_PREFIXES)),
        )
    report(summarise("/services/autocomplete (5 prefixes)", autocomplete))
    report(verdict(autocomplete, 30))


@pytest.mark.django_db
@pytest.mark.parametrize("size", SIZES)
def test_database_engine_search_times(grown_directory, report, size):
    live = grown_directory(size)
    report(f"Database engine on {connection.vendor}: {live} live services, {REPEAT} runs each")
    with override_settings(PORTAL_SEARCH_ENGINE=DB_ENGINE):
        measure(report, target_ms=50 if size <= 10_000 else 150, with_fts=True)
        api_times = time_calls(
            lambda: server_get("/api/oruk/services", {"per_page": 50}), repeat=REPEAT
        )
        report(summarise("/api/oruk/services?per_page=50", api_times))


@pytest.mark.django_db
@pytest.mark.parametrize("size", SIZES)
def test_elasticsearch_engine_search_times(grown_directory, report, size):
    if not os.environ.get("ELASTICSEARCH_URL"):
        report("Elasticsearch engine: skipped (set ELASTICSEARCH_URL to an Elasticsearch 8 server)")
        pytest.skip("set ELASTICSEARCH_URL to benchmark the Elasticsearch engine")
    from search.es_index import index_rebuild

    live = grown_directory(size)
    with override_settings(PORTAL_SEARCH_ENGINE=ES_ENGINE, ELASTICSEARCH_INDEX_PREFIX="bench"):
        written = index_rebuild()
        report(f"Elasticsearch engine: {written} of {live} live services indexed, {REPEAT} runs")
        measure(report, target_ms=50 if size <= 10_000 else 150, with_fts=False)
