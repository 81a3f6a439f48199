"""Template helpers for ratings and reviews: a service's reviews section and star ratings."""

from __future__ import annotations

from django import template
from django.core.paginator import Paginator

from directory import reviews
from directory.models import ServicePage

register = template.Library()

REVIEWS_PER_PAGE = 10
PAGE_PARAMETER = "reviews-page"
FULL_STAR = "★"
EMPTY_STAR = "☆"


@register.filter
def stars(rating) -> str:
    """ "★★★★☆" for 4: decorative, so always shown beside the rating in words. Halves round
    up (4.5 shows five stars), as people expect, not to the even number as round() would."""
    try:
        filled = max(0, min(5, int(float(rating) + 0.5)))
    except (TypeError, ValueError):
        return ""
    return FULL_STAR * filled + EMPTY_STAR * (5 - filled)


def _page_links(request, *, current: int, last: int, anchor: str) -> list[dict]:
    """GOV.UK pagination items for the reviews, keeping the page's other query parameters."""
    params = request.GET.copy() if request is not None else None
    items, previous = [], 0
    for number in range(1, last + 1):
        if number in (1, last) or abs(number - current) <= 1:
            if previous and number - previous > 1:
                items.append({"ellipsis": True})
            items.append(
                {
                    "number": number,
                    "href": _href(params, number, anchor),
                    "current": number == current,
                }
            )
            previous = number
    return items


def _href(params, number: int, anchor: str) -> str:
    if params is None:
        return f"?{PAGE_PARAMETER}={number}#{anchor}"
    params = params.copy()
    params[PAGE_PARAMETER] = number
    return f"?{params.urlencode()}#{anchor}"


@register.simple_tag(takes_context=True)
def service_reviews(context, service: ServicePage) -> dict:
    """What the service page's reviews section shows: the rating summary and one page of
    published reviews (newest first) with their published replies."""
    request = context.get("request")
    summary = reviews.service_rating_summary(service=service)
    paginator = Paginator(reviews.reviews_published(service=service), REVIEWS_PER_PAGE)
    number = request.GET.get(PAGE_PARAMETER, 1) if request is not None else 1
    page = paginator.get_page(number)
    data = {"summary": summary, "reviews": list(page.object_list), "page": page}
    if paginator.num_pages > 1:
        params = request.GET.copy() if request is not None else None
        data["pagination"] = _page_links(
            request, current=page.number, last=paginator.num_pages, anchor="reviews"
        )
        if page.has_previous():
            data["previous_href"] = _href(params, page.previous_page_number(), "reviews")
        if page.has_next():
            data["next_href"] = _href(params, page.next_page_number(), "reviews")
    return data
