"""The search interface: a query goes in, results come out. Every engine speaks this.

Views and the API build a `ServiceQuery`, call `search.services.search_services(query)` and
render the `SearchResults`; they never know which engine answered.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from directory.models import TaxonomyTerm

Sort = Literal["relevance", "distance", "name"]
Attending = Literal["in_person", "online", "phone"]
DISTANCE_CHOICES_MILES = (1, 3, 5, 10)
DEFAULT_DISTANCE_MILES = 5
PER_PAGE = 20


@dataclass(frozen=True)
class ServiceQuery:
    text: str = ""
    taxonomy_term_ids: tuple[int, ...] = ()
    postcode: str = ""
    distance_miles: float | None = None
    age: int | None = None
    day: int | None = None  # 0 = Monday ... 6 = Sunday
    open_now: bool = False
    free_only: bool = False
    attending: tuple[Attending, ...] = ()
    sort: Sort = "relevance"
    page: int = 1
    per_page: int = PER_PAGE


@dataclass(frozen=True)
class InterpretedLocation:
    """Where a postcode search is centred, and what we made of what was typed."""

    query: str  # as typed
    label: str  # "SS1 2AB", or "SS1" when we fell back to the district
    latitude: float
    longitude: float
    is_district_fallback: bool = False


@dataclass(frozen=True)
class ServiceCard:
    """What a result shows about a service, as the engine stored it (no page is loaded)."""

    id: int
    title: str
    url: str
    organisation: str = ""
    summary: str = ""
    status: str = "active"
    status_label: str = ""  # "Temporarily closed"; empty when active
    categories: tuple[str, ...] = ()
    assured_date: datetime.date | None = None
    rating_average: float | None = None  # of published reviews
    rating_count: int = 0

    @property
    def pk(self) -> int:  # templates that take a service (the shortlist button) use .pk
        return self.id


@dataclass
class SearchHit:
    card: ServiceCard
    score: float = 0.0
    distance_miles: float | None = None  # to the nearest location, for postcode searches
    within_distance: bool = True  # False for county-wide/national services listed after
    highlight: str = ""  # safe HTML: a snippet with the matched words in <mark> (Elasticsearch)


@dataclass
class FacetCount:
    term: TaxonomyTerm
    count: int
    selected: bool = False


@dataclass
class SearchResults:
    hits: list[SearchHit]
    total: int
    query: ServiceQuery
    facets: list[FacetCount] = field(default_factory=list)
    location: InterpretedLocation | None = None
    suggestion: str | None = None  # "Did you mean ...?" for zero or few results
    expanded_terms: tuple[str, ...] = ()  # synonyms the text was widened with

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.query.per_page))


@dataclass(frozen=True)
class Suggestion:
    """An autocomplete suggestion: words to search for, from a category or a service name."""

    text: str
    kind: Literal["category", "service"]


AUTOCOMPLETE_LIMIT = 8
AUTOCOMPLETE_MIN_CHARACTERS = 2


class SearchEngine(Protocol):
    """An engine answers a ServiceQuery with SearchResults over published services only."""

    def search(self, query: ServiceQuery) -> SearchResults: ...

    def autocomplete(self, prefix: str, *, limit: int = AUTOCOMPLETE_LIMIT) -> list[Suggestion]:
        """Categories, then service names, with a word starting with each word typed (the
        last may be partial: "demen" offers "Dementia"); findable services only."""
        ...
