"""Fixtures shared by every test. App-specific fixtures live beside their tests."""

import os

import pytest
from django.core.cache import cache
from wagtail.models import Site

from portal.models import ContentPage, HomePage, SiteSettings

# Fails any test whose log output holds an NHS number or a consent event's email address.
pytest_plugins = ["tests.log_privacy"]


@pytest.fixture(autouse=True)
def _clear_cache():
    # allauth counts rate limits in the cache: one test's failed sign-ins must not throttle
    # the next.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def home_page(db) -> HomePage:
    """The home page created by migration portal.0003_site_pages."""
    return HomePage.objects.get()


@pytest.fixture
def site_settings(db) -> SiteSettings:
    return SiteSettings.for_site(Site.objects.get(is_default_site=True))


@pytest.fixture
def cookies_page(db) -> ContentPage:
    return ContentPage.objects.get(slug="cookies")


def pytest_report_header(config):
    """Say which database (and browser) this run tests against, at the top of the output."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    engine = database["ENGINE"].rsplit(".", 1)[-1]
    where = f"{database.get('HOST')}:{database.get('PORT')}" if database.get("HOST") else "file"
    return [f"portal database: {engine} ({where})", f"elasticsearch: {_elasticsearch_status()}"]


ELASTICSEARCH_SKIPPED = (
    "needs Elasticsearch: set ELASTICSEARCH_URL to an Elasticsearch 8 server to run "
    "(none can be installed on this machine)"
)


def _elasticsearch_status() -> str:
    if os.environ.get("ELASTICSEARCH_URL"):
        return "ELASTICSEARCH_URL is set: tests marked elasticsearch run against it"
    return "ELASTICSEARCH_URL is not set: tests marked elasticsearch are skipped"


def pytest_collection_modifyitems(config, items):
    """Skip tests marked `elasticsearch` unless a server is named, saying why."""
    if os.environ.get("ELASTICSEARCH_URL"):
        return
    skip = pytest.mark.skip(reason=ELASTICSEARCH_SKIPPED)
    for item in items:
        if "elasticsearch" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """A closing line, so a green run cannot hide that Elasticsearch went untested."""
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if "elasticsearch" in getattr(report, "keywords", {})
    ]
    if skipped:
        terminalreporter.write_line(
            f"Elasticsearch: {len(skipped)} tests skipped ({_elasticsearch_status()}).",
            yellow=True,
        )
