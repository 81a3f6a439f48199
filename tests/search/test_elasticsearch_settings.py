"""Switching to Elasticsearch with one environment variable, without losing the fallback.

Settings are loaded in a child process so each case sees exactly the environment given.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.test import override_settings

from directory.factories import ServicePageFactory
from search.query import ServiceQuery
from search.services import search_services

CLOSED_PORT = "http://127.0.0.1:9"  # discard: nothing listens, connections are refused

SHOW_SETTINGS = """
import json
from portal.settings import base
print(json.dumps({
    "engine": base.PORTAL_SEARCH_ENGINE,
    "backends": {name: b["BACKEND"] for name, b in base.WAGTAILSEARCH_BACKENDS.items()},
    "options": base.WAGTAILSEARCH_BACKENDS["default"].get("OPTIONS"),
    "timeout": base.ELASTICSEARCH_TIMEOUT,
}))
"""


def load_settings(**environment: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ELASTICSEARCH_")}
    env.update(environment)
    return subprocess.run(
        [sys.executable, "-c", SHOW_SETTINGS], env=env, capture_output=True, text=True
    )


def test_without_elasticsearch_url_everything_searches_the_database():
    shown = json.loads(load_settings().stdout)

    assert shown["engine"] == "search.engines.database.DatabaseSearchEngine"
    assert shown["backends"] == {"default": "wagtail.search.backends.database"}


def test_elasticsearch_url_switches_both_searches_and_keeps_the_database_index():
    shown = json.loads(
        load_settings(
            ELASTICSEARCH_URL="https://search.internal:9200",
            ELASTICSEARCH_USERNAME="portal",
            ELASTICSEARCH_PASSWORD="secret",
            ELASTICSEARCH_TIMEOUT="1.5",
        ).stdout
    )

    assert shown["engine"] == "search.engines.elasticsearch.ElasticsearchSearchEngine"
    assert shown["backends"] == {
        "default": "wagtail.search.backends.elasticsearch8",
        "database": "wagtail.search.backends.database",
    }
    assert shown["options"] == {"basic_auth": ["portal", "secret"]}
    assert shown["timeout"] == 1.5


def test_an_api_key_is_preferred_to_a_password():
    shown = json.loads(
        load_settings(
            ELASTICSEARCH_URL="https://search.internal:9200",
            ELASTICSEARCH_API_KEY="a2V5",
            ELASTICSEARCH_USERNAME="portal",
        ).stdout
    )

    assert shown["options"] == {"api_key": "a2V5"}


@pytest.mark.parametrize("timeout", ["soon", "0", "-1"])
def test_a_bad_timeout_stops_start_up_with_a_clear_message(timeout):
    loaded = load_settings(ELASTICSEARCH_URL=CLOSED_PORT, ELASTICSEARCH_TIMEOUT=timeout)

    assert loaded.returncode != 0
    assert "ELASTICSEARCH_TIMEOUT must be" in loaded.stderr


@pytest.mark.django_db
def test_publishing_with_elasticsearch_down_keeps_the_fallback_index_current():
    """Wagtail indexes every page into both backends: when the cluster is unreachable the
    page still publishes, and the database engine can still find it by its words."""
    backends = {
        "default": {
            "BACKEND": "wagtail.search.backends.elasticsearch8",
            "URLS": [CLOSED_PORT],
            "INDEX": "test_wagtail",
            "TIMEOUT": 1,
        },
        "database": {"BACKEND": "wagtail.search.backends.database"},
    }
    with override_settings(WAGTAILSEARCH_BACKENDS=backends):
        ServicePageFactory(title="Tai chi for beginners")

    results = search_services(ServiceQuery(text="tai chi"))

    assert [hit.card.title for hit in results.hits] == ["Tai chi for beginners"]
