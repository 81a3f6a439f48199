"""The directory's search and browse pages (routed by directory.DirectoryIndexPage)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from . import indexing
from .forms import ServiceSearchForm
from .postcodes import PostcodeError
from .query import ServiceQuery
from .services import search_services


def _page_links(request: HttpRequest, results) -> list[dict]:
    """GOV.UK pagination items: numbers around the current page, with ellipses."""
    current, last = results.query.page, results.page_count
    params = request.GET.copy()
    items, previous = [], 0
    for number in range(1, last + 1):
        if number in (1, last) or abs(number - current) <= 1:
            if previous and number - previous > 1:
                items.append({"ellipsis": True})
            params["page"] = number
            items.append(
                {"number": number, "href": f"?{params.urlencode()}", "current": number == current}
            )
            previous = number
    return items


def _link_with(request: HttpRequest, **changes) -> str:
    params = request.GET.copy()
    for key, value in changes.items():
        params[key] = value
    params.pop("page", None)
    return f"?{params.urlencode()}"


def directory_search(request: HttpRequest, *, index_page) -> HttpResponse:
    categories = indexing.browsable_terms()
    form = ServiceSearchForm(request.GET or None, categories=indexing.all_browsable_terms())
    results = None
    if form.is_bound and form.is_valid() and form.has_search:
        try:
            results = search_services(form.to_query())
        except PostcodeError as error:
            form.add_error("postcode", error.message)
    context = {
        "page": index_page,
        "self": index_page,
        "index_url": index_page.get_url(request),
        "form": form,
        "results": results,
        "categories": categories,
    }
    if results is not None:
        context["pagination"] = _page_links(request, results)
        if results.suggestion:
            context["suggestion_href"] = _link_with(request, q=results.suggestion)
        if results.query.page > 1:
            context["previous_href"] = _link_with(request) + f"&page={results.query.page - 1}"
        if results.query.page < results.page_count:
            context["next_href"] = _link_with(request) + f"&page={results.query.page + 1}"
    return render(request, "directory/directory_index_page.html", context)


def category_browse(request: HttpRequest, *, index_page, slug: str) -> HttpResponse:
    term = indexing.browsable_term(slug)
    if term is None:
        raise Http404("No such category")
    results = search_services(ServiceQuery(taxonomy_term_ids=(term.id,), sort="name"))
    return render(
        request,
        "directory/category_page.html",
        {
            "page": index_page,
            "index_url": index_page.get_url(request),
            "term": term,
            "children": indexing.child_terms(term),
            "results": results,
            "search_url": f"{index_page.url}?{urlencode({'category': term.slug})}",
        },
    )
