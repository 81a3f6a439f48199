"""Every self-care result offers matching directory services (issue 6), nearest first when the
person gives a postcode. Asks the one search interface (`search.services.search_services`),
like the /services/ page does; category slugs come from the definition's result blocks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.http import urlencode

from directory.models import TaxonomyTerm
from search.postcodes import PostcodeError
from search.query import DISTANCE_CHOICES_MILES, InterpretedLocation, SearchHit, ServiceQuery
from search.services import search_services

from .eligibility import IndicativeEligibility
from .engine import Definition, Outcome
from .models import SignpostRule

SERVICES_URL = "/services/"  # the directory's stable public URL (ARCHITECTURE.md)
SIGNPOST_LIMIT = 5
# The widest distance the /services/ page offers: a result page has one postcode box only.
SIGNPOST_DISTANCE_MILES = max(DISTANCE_CHOICES_MILES)


@dataclass(frozen=True)
class Signposts:
    """Services to suggest on a result page, and how to see more of them."""

    hits: list[SearchHit]
    total: int
    category_names: tuple[str, ...]
    postcode: str = ""
    postcode_error: str = ""
    location: InterpretedLocation | None = None
    more_url: str = SERVICES_URL
    category_slugs: tuple[str, ...] = field(default=())


def signposts_for(
    *, categories: Sequence[str], postcode: str = "", limit: int = SIGNPOST_LIMIT
) -> Signposts | None:
    """Up to `limit` services in any of the categories (browsable taxonomy term slugs), nearest
    first when `postcode` is given. None when no category is known to the directory, so the
    result page simply shows no list. A postcode the search cannot use comes back as
    `postcode_error` (the search layer's own wording) with the list unsorted by distance."""
    slugs = [slug for slug in dict.fromkeys(categories) if slug]
    if not slugs:
        return None
    terms = list(
        TaxonomyTerm.objects.filter(taxonomy__is_browsable=True, slug__in=slugs).order_by("name")
    )
    if not terms:
        return None
    order = {slug: n for n, slug in enumerate(slugs)}
    terms.sort(key=lambda term: order[term.slug])
    term_ids = tuple(term.id for term in terms)
    postcode = " ".join(postcode.split())[:64]
    error = ""
    results = None
    if postcode:
        try:
            results = search_services(
                ServiceQuery(
                    taxonomy_term_ids=term_ids,
                    postcode=postcode,
                    distance_miles=SIGNPOST_DISTANCE_MILES,
                    sort="distance",
                    per_page=limit,
                )
            )
        except PostcodeError as problem:
            error = problem.message
    if results is None:
        results = search_services(
            ServiceQuery(taxonomy_term_ids=term_ids, sort="name", per_page=limit)
        )
    used_slugs = tuple(dict.fromkeys(term.slug for term in terms))
    params: list[tuple[str, str]] = [("category", slug) for slug in used_slugs]
    if postcode and not error:
        params += [("postcode", postcode), ("distance", str(SIGNPOST_DISTANCE_MILES))]
        params.append(("sort", "distance"))
    return Signposts(
        hits=list(results.hits),
        total=results.total,
        category_names=tuple(dict.fromkeys(term.name for term in terms)),
        postcode=postcode,
        postcode_error=error,
        location=results.location,
        more_url=f"{SERVICES_URL}?{urlencode(params)}",
        category_slugs=used_slugs,
    )


# ---------------------------------------------------------------------------------------------
# Staff-editable rules (SignpostRule, Snippets > Signposting rules): what else a result offers.


def signpost_keys(
    *, outcome: Outcome, eligibility: IndicativeEligibility | None = None
) -> list[str]:
    """Everything in a result that a SignpostRule can match, in a stable order: "always",
    "band:<rule>:<band>" per band, "flag:<name>" per flag, then for an indicative eligibility
    "eligible" or "not-eligible" and "outcome:<code>" per outcome the person cannot achieve."""
    keys = ["always"]
    keys += [f"band:{rule}:{band.id}" for rule, band in outcome.bands.items()]
    keys += [f"flag:{flag}" for flag in sorted(outcome.flags)]
    if eligibility is not None:
        keys.append("eligible" if eligibility.eligible else "not-eligible")
        keys += [f"outcome:{code}" for code in eligibility.outcomes_unachievable]
    return keys


def signpost_categories_for(
    *, definition: Definition, outcome: Outcome, eligibility: IndicativeEligibility | None = None
) -> list[str]:
    """The category slugs a result page passes to `signposts_for`: the definition's own result
    blocks first (as written by its author), then those of each staff rule for this tool that
    matches, in the order of `signpost_keys`; each slug once."""
    keys = signpost_keys(outcome=outcome, eligibility=eligibility)
    position = {key: n for n, key in enumerate(keys)}
    rules = sorted(
        SignpostRule.objects.filter(definition_slug=definition.slug, key__in=keys)
        .prefetch_related("categories")
        .order_by("key"),
        key=lambda rule: position[rule.key],
    )
    slugs = list(outcome.signpost_categories)
    for rule in rules:
        slugs += sorted(term.slug for term in rule.categories.all())
    return [slug for slug in dict.fromkeys(slugs) if slug]
