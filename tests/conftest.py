"""Fixtures shared by every test. App-specific fixtures live beside their tests."""

import pytest
from django.core.cache import cache
from wagtail.models import Site

from portal.models import ContentPage, HomePage, SiteSettings


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
    return [f"portal database: {engine} ({where})"]
