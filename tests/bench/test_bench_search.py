"""Directory search at 10,000 services: server time of /services/ per query type, beside the raw
full-text query for the same words, and the ORUK API list page.

Targets (issue 3): /services/ p95 under 50 ms and median within 3x the raw FTS time;
/api/oruk/services?per_page=50 median under 100 ms.
"""

import os
import statistics

import pytest
from django.core.management import call_command
from django.db import connection

from directory.models import ServicePage, TaxonomyTerm
from search.engines.text_index import text_index

from .conftest import server_get, summarise, time_calls

SERVICES = int(os.environ.get("BENCH_SERVICES", "10000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "60"))


@pytest.fixture(scope="module")
def synthetic_directory(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_demo_data", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        existing = ServicePage.objects.count()
        if existing < SERVICES:
            call_command(
                "create_synthetic_directory",
                services=SERVICES - existing,
                stdout=open(os.devnull, "w"),  # noqa: SIM115
                stderr=open(os.devnull, "w"),  # noqa: SIM115
            )
        yield ServicePage.objects.live().count()


def raw_fts_ms(words: str) -> list[float]:
    """The full-text query alone for the same words (every match, ranked): the floor."""
    index = text_index()
    word_list = [words.split()]

    def run():
        return index.matches(ServicePage, word_list)

    return time_calls(run, repeat=REPEAT)


@pytest.mark.django_db
def test_directory_search_times(synthetic_directory, report):
    category = TaxonomyTerm.objects.get(slug="mental-health-and-wellbeing").slug
    cases = [
        ("keywords", {"q": "support group"}, "support group"),
        ("keywords + category", {"q": "support", "category": category}, "support"),
        ("postcode within 3 miles", {"postcode": "SS2 6ER", "distance": "3"}, None),
        (
            "keywords + postcode + age",
            {"q": "advice", "postcode": "SS2 6ER", "distance": "5", "age": "70"},
            "advice",
        ),
    ]
    report(f"{connection.vendor}, {synthetic_directory} live services, {REPEAT} runs each")
    # The floor under every search: routing, middleware and the page around the results.
    shell = time_calls(lambda: server_get("/services/"), repeat=REPEAT)
    report(summarise("/services/ with no search (page shell)", shell))
    for name, params, words in cases:
        page_times = time_calls(
            lambda params=params: server_get("/services/", params), repeat=REPEAT
        )
        report(summarise(f"/services/ {name}", page_times))
        if words:
            fts = raw_fts_ms(words)
            report(summarise(f"  raw FTS '{words}'", fts))
            ratio = statistics.median(page_times) / statistics.median(fts)
            report(f"  page median / FTS median = {ratio:.1f}x")

    api_times = time_calls(
        lambda: server_get("/api/oruk/services", {"per_page": 50}), repeat=REPEAT
    )
    report(summarise("/api/oruk/services?per_page=50", api_times))
