"""The search app's entry point: `search_services(query) -> SearchResults`."""

from django.conf import settings
from django.utils.module_loading import import_string

from .query import SearchEngine, SearchResults, ServiceQuery

DEFAULT_ENGINE = "search.engines.database.DatabaseSearchEngine"


def get_search_engine() -> SearchEngine:
    """The engine named by PORTAL_SEARCH_ENGINE (a dotted path), the database one by default."""
    return import_string(getattr(settings, "PORTAL_SEARCH_ENGINE", DEFAULT_ENGINE))()


def search_services(query: ServiceQuery) -> SearchResults:
    return get_search_engine().search(query)
