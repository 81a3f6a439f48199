"""The shortlist ("My list") pages, routed by DirectoryIndexPage. Thin: rules live in
directory.shortlist.

GET  /services/shortlist/                 the list (?print=1 for the print version)
GET  /services/shortlist/print/           the print version
GET  /services/shortlist/shared/?s=...    a shared list, read-only, with "Save to my list"
GET/POST /services/shortlist/email/       email the list
POST /services/shortlist/add/, remove/, clear/, save/   change the list, then go back to `next`
"""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme

from directory.forms import RATE_LIMIT_ERROR, ShortlistEmailForm
from directory.models import DirectoryIndexPage, ServicePage
from directory.shortlist import (
    MAX_ITEMS,
    ShortlistFullError,
    shortlist_add,
    shortlist_add_many,
    shortlist_clear,
    shortlist_email_send,
    shortlist_from_share_value,
    shortlist_get,
    shortlist_remove,
    shortlist_share_value,
    shortlist_user_can_add_message,
)
from directory.templatetags.directory_tags import shortlist_url
from portal.models import SiteSettings
from portal.ratelimit import Rate, client_key, rate_limit_hit

EMAIL_SENT_SESSION_KEY = "shortlist_email_sent"
_PERIODS = {60: "a minute", 3600: "an hour", 86400: "a day"}


def _share_url(request: HttpRequest, services: list[ServicePage]) -> str:
    if not services:
        return ""
    value = shortlist_share_value(services=services)
    return request.build_absolute_uri(f"{shortlist_url(request, 'shared')}?s={value}")


def _context(index_page: DirectoryIndexPage, **extra) -> dict:
    return {"page": index_page, "self": index_page, "index_page": index_page, **extra}


def shortlist_view(request: HttpRequest, *, index_page: DirectoryIndexPage) -> HttpResponse:
    """The visitor's list, with key facts and a remove button for each service."""
    if request.GET.get("print"):
        return _print_view(request, index_page)
    services = shortlist_get(session=request.session)
    return TemplateResponse(
        request,
        "directory/shortlist.html",
        _context(
            index_page,
            mode="list",
            services=services,
            share_url=_share_url(request, services),
        ),
    )


def shortlist_action_view(
    request: HttpRequest, *, index_page: DirectoryIndexPage, action: str
) -> HttpResponse:
    pages = {"print": _print_view, "shared": _shared_view, "email": _email_view}
    if action in pages:
        return pages[action](request, index_page)
    changes = {"add": _add, "remove": _remove, "clear": _clear, "save": _save}
    if action not in changes:
        raise Http404("No such shortlist action")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    changes[action](request)
    return redirect(_next_url(request))


def _next_url(request: HttpRequest) -> str:
    """Where to go after a change: `next` if it is on this site, else the list."""
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return shortlist_url(request)


def _service_id(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


def _add(request: HttpRequest) -> None:
    service_id = _service_id(request.POST.get("service"))
    if service_id is None:
        raise Http404("No such service")
    try:
        service = shortlist_add(session=request.session, service_id=service_id)
    except ServicePage.DoesNotExist as error:
        raise Http404("No such service") from error
    except ShortlistFullError:
        messages.error(
            request,
            f"Your list is full. You can save up to {MAX_ITEMS} services. "
            "Remove a service before you add another.",
        )
        return
    messages.success(request, f"{service.title} has been added to your list")


def _remove(request: HttpRequest) -> None:
    service_id = _service_id(request.POST.get("service"))
    if service_id is None:
        return
    service = ServicePage.objects.filter(id=service_id).only("title").first()
    shortlist_remove(session=request.session, service_id=service_id)
    name = service.title if service else "The service"
    messages.success(request, f"{name} has been removed from your list")


def _clear(request: HttpRequest) -> None:
    shortlist_clear(session=request.session)
    messages.success(request, "Your list has been cleared")


def _save(request: HttpRequest) -> None:
    ids = [i for i in map(_service_id, request.POST.getlist("service")) if i is not None]
    added = shortlist_add_many(session=request.session, service_ids=ids)
    if added == 1:
        messages.success(request, "1 service has been saved to your list")
    elif added:
        messages.success(request, f"{added} services have been saved to your list")
    else:
        messages.success(request, "These services are already on your list")


def _get_only(request: HttpRequest) -> HttpResponse | None:
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return None


def _print_view(request: HttpRequest, index_page: DirectoryIndexPage) -> HttpResponse:
    """Full details of each service, laid out for paper. A shared list prints with ?s=."""
    if refused := _get_only(request):
        return refused
    shared = request.GET.get("s")
    if shared is not None:
        services = shortlist_from_share_value(value=shared)
    else:
        services = shortlist_get(session=request.session)
    return TemplateResponse(
        request,
        "directory/shortlist_print.html",
        _context(index_page, services=services, shared_value=shared),
    )


def _shared_view(request: HttpRequest, index_page: DirectoryIndexPage) -> HttpResponse:
    """A list someone shared: read-only, with a button to save it to your own list."""
    if refused := _get_only(request):
        return refused
    value = request.GET.get("s", "")
    services = shortlist_from_share_value(value=value)
    return TemplateResponse(
        request,
        "directory/shortlist.html",
        _context(
            index_page,
            mode="shared",
            services=services,
            shared_value=shortlist_share_value(services=services),
        ),
    )


def _site_name(request: HttpRequest) -> str:
    try:
        return SiteSettings.for_request(request).service_name
    except Exception:  # no Site matches this host: use the default name
        return SiteSettings().service_name


def _rate_limit_period(rate: str) -> str:
    seconds = Rate.parse(rate).period_seconds
    return _PERIODS.get(seconds) or f"{max(1, seconds // 60)} minutes"


def _email_view(request: HttpRequest, index_page: DirectoryIndexPage) -> HttpResponse:
    """Email the list to an address. Staff who signpost may add a short message."""
    services = shortlist_get(session=request.session)
    form_kwargs = {
        "allow_message": shortlist_user_can_add_message(user=request.user),
        "list_is_empty": not services,
    }
    status = 200
    if request.method == "POST":
        form = ShortlistEmailForm(request.POST, **form_kwargs)
        if form.is_valid():
            rate = getattr(settings, "SHORTLIST_EMAIL_RATE", "5/h")
            if rate_limit_hit(scope="shortlist-email", key=client_key(request), rate=rate):
                form.add_error(None, RATE_LIMIT_ERROR.format(period=_rate_limit_period(rate)))
                status = 429
            else:
                shortlist_email_send(
                    to=form.cleaned_data["email"],
                    services=services,
                    service_urls=[request.build_absolute_uri(s.get_url(request)) for s in services],
                    share_url=_share_url(request, services),
                    site_name=_site_name(request),
                    message=form.cleaned_data.get("message", ""),
                )
                request.session[EMAIL_SENT_SESSION_KEY] = True
                return redirect(shortlist_url(request, "email"))
    elif request.method in ("GET", "HEAD"):
        form = ShortlistEmailForm(**form_kwargs)
    else:
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    return TemplateResponse(
        request,
        "directory/shortlist.html",
        _context(
            index_page,
            mode="email",
            form=form,
            services=services,
            sent=request.method == "GET" and request.session.pop(EMAIL_SENT_SESSION_KEY, False),
        ),
        status=status,
    )
