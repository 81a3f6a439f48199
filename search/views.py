"""The directory's search and browse pages (routed by directory.DirectoryIndexPage)."""

from __future__ import annotations

from dataclasses import replace as dataclass_replace

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode

from . import indexing
from .forms import ServiceSearchForm
from .postcodes import PostcodeError
from .query import AUTOCOMPLETE_LIMIT, SearchResults, ServiceQuery
from .services import get_search_engine, search_services
from .text import MAX_QUERY_CHARACTERS

AUTOCOMPLETE_CACHE_SECONDS = 60


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
    """This search's link with some parameters changed (None removes one), from page 1."""
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    params.pop("page", None)
    return f"?{params.urlencode()}"


def _corrected(results: SearchResults) -> tuple[SearchResults, str | None]:
    """When words find nothing but a spelling suggestion would, show its results instead
    ("Showing results for dementia carers"), with a link back to exactly what was typed.
    Returns the results to show and, when corrected, the text as typed."""
    if results.total or not results.suggestion or not results.query.text:
        return results, None
    corrected = search_services(dataclass_replace(results.query, text=results.suggestion))
    if not corrected.total:
        return results, None
    return dataclass_replace(corrected, suggestion=None), results.query.text


def directory_search(request: HttpRequest, *, index_page) -> HttpResponse:
    categories = indexing.browsable_terms()
    form = ServiceSearchForm(request.GET or None, categories=indexing.all_browsable_terms())
    results = None
    corrected_from = None
    if form.is_bound and form.is_valid() and form.has_search:
        try:
            results = search_services(form.to_query())
        except PostcodeError as error:
            form.add_error("postcode", error.message)
        else:
            if request.GET.get("exact") != "1":
                results, corrected_from = _corrected(results)
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
        if corrected_from is not None:
            context["corrected_from"] = corrected_from
            context["original_href"] = _link_with(request, q=corrected_from, exact="1")
        elif results.suggestion:
            context["suggestion_href"] = _link_with(request, q=results.suggestion, exact=None)
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


def _json_error(message: str, *, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def autocomplete(request: HttpRequest) -> JsonResponse:
    """GET /services/autocomplete?q=demen: suggestions for the search box, from whichever
    engine is configured: {"query": "demen", "suggestions": [{"text": "Dementia", "kind":
    "category"}, ...]}. Categories come first, then service names; none under two characters.
    """
    if request.method not in ("GET", "HEAD"):
        response = _json_error("Only GET is allowed here.", status=405)
        response["Allow"] = "GET, HEAD"
        return response
    text = request.GET.get("q")
    if text is None:
        return _json_error(
            "Give the words typed so far as the q parameter, for example ?q=demen.", status=400
        )
    if len(text) > MAX_QUERY_CHARACTERS:
        return _json_error(
            f"The q parameter must be {MAX_QUERY_CHARACTERS} characters or fewer.", status=400
        )
    suggestions = get_search_engine().autocomplete(text, limit=AUTOCOMPLETE_LIMIT)
    response = JsonResponse(
        {
            "query": text,
            "suggestions": [{"text": item.text, "kind": item.kind} for item in suggestions],
        },
        json_dumps_params={"ensure_ascii": False},
    )
    # Suggestions are the same for everyone and change rarely: browsers and caches may keep
    # them for a minute.
    patch_cache_control(response, public=True, max_age=AUTOCOMPLETE_CACHE_SECONDS)
    return response
