"""Template helpers for directory pages: opening times, wording, the shortlist and JSON-LD."""

import datetime
import json
import re
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import template
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import normalize_newlines

from directory import schedules, shortlist
from directory.models import (
    DirectoryIndexPage,
    Location,
    OrganisationPage,
    ServiceContact,
    ServiceCostOption,
    ServicePage,
)
from portal.models import SiteSettings

register = template.Library()

# The same escapes as Django's json_script: nothing in the data can close the script element.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


# --- Where things are -------------------------------------------------------------------------


def directory_index_for(request: HttpRequest | None) -> DirectoryIndexPage | None:
    """The live /services/ page (one per site), looked up once per request."""
    cached = getattr(request, "_directory_index_page", None) if request is not None else None
    if cached is not None:
        return cached
    index = DirectoryIndexPage.objects.live().first()
    if request is not None and index is not None:
        request._directory_index_page = index
    return index


def directory_url(request: HttpRequest | None, name: str, **kwargs: Any) -> str:
    """The URL of one of the /services/ page's routes, such as "shortlist" or "category"."""
    # Every result card asks for the same few URLs: work each out once per request.
    memo = getattr(request, "_directory_urls", None) if request is not None else None
    key = (name, tuple(sorted(kwargs.items())))
    if memo is not None and key in memo:
        return memo[key]
    index = directory_index_for(request)
    if index is None:
        return ""
    base = index.get_url(request) or "/"
    if not base.endswith("/"):
        base += "/"
    url = base + index.reverse_subpage(name, kwargs=kwargs)
    if request is not None:
        if memo is None:
            memo = request._directory_urls = {}
        memo[key] = url
    return url


def shortlist_url(request: HttpRequest | None, action: str = "") -> str:
    if action:
        return directory_url(request, "shortlist_action", action=action)
    return directory_url(request, "shortlist")


@register.simple_tag(takes_context=True)
def directory_index(context) -> DirectoryIndexPage | None:
    return directory_index_for(context.get("request"))


@register.simple_tag(takes_context=True)
def shortlist_link(context, action: str = "") -> str:
    """{% shortlist_link %} is /services/shortlist/; {% shortlist_link "add" %} an action."""
    return shortlist_url(context.get("request"), action)


@register.simple_tag(takes_context=True)
def absolute_page_url(context, page) -> str:
    """A page's full URL on the host this request came to (for print and email)."""
    request = context.get("request")
    if request is None:
        return page.get_full_url()
    return request.build_absolute_uri(page.get_url(request))


@register.simple_tag(takes_context=True)
def category_link(context, slug: str) -> str:
    return directory_url(context.get("request"), "category", slug=slug)


# --- The shortlist ----------------------------------------------------------------------------


@register.simple_tag(takes_context=True)
def shortlist_size(context) -> int:
    """How many live services are on the visitor's list (counted once per request)."""
    request = context.get("request")
    if request is None or not hasattr(request, "session"):
        return 0
    if not hasattr(request, "_shortlist_size"):
        request._shortlist_size = shortlist.shortlist_count(session=request.session)
    return request._shortlist_size


@register.simple_tag(takes_context=True)
def in_shortlist(context, service) -> bool:
    request = context.get("request")
    if request is None or not hasattr(request, "session"):
        return False
    return shortlist.shortlist_contains(session=request.session, service_id=service.pk)


# --- Opening times ----------------------------------------------------------------------------


@register.simple_tag(takes_context=True)
def opening_times(context, service: ServicePage) -> schedules.OpeningTimes:
    """The service's opening times as of now, computed once per service per request."""
    request = context.get("request")
    cache = getattr(request, "_opening_times", None) if request is not None else None
    if cache is None:
        cache = {}
        if request is not None:
            request._opening_times = cache
    if service.pk not in cache:
        cache[service.pk] = schedules.opening_times(service, now=timezone.now())
    return cache[service.pk]


# --- Wording ----------------------------------------------------------------------------------


def age_range_text(minimum: int | None, maximum: int | None) -> str:
    """'All ages', 'Adults aged 18 and over', 'Children and young people aged 5 to 18'."""
    minimum = minimum or None  # 0 is "from birth", the same as no minimum
    if minimum is None and maximum is None:
        return "All ages"
    if maximum is None:
        return (
            f"Adults aged {minimum} and over"
            if minimum >= 18
            else f"People aged {minimum} and over"
        )
    if minimum is None:
        if maximum < 18:
            return f"Children and young people aged up to {maximum}"
        return f"People aged up to {maximum}"
    if minimum >= 18:
        return f"Adults aged {minimum} to {maximum}"
    if maximum <= 25:
        return f"Children and young people aged {minimum} to {maximum}"
    return f"People aged {minimum} to {maximum}"


@register.filter
def age_range(service: ServicePage) -> str:
    return age_range_text(service.minimum_age, service.maximum_age)


@register.filter
def attending_text(service: ServicePage) -> str:
    """'in person, online or by phone'."""
    types = service.attending_types
    if len(types) <= 1:
        return "".join(types)
    return f"{', '.join(types[:-1])} or {types[-1]}"


@register.filter
def paragraphs(text: str) -> SafeString:
    """Plain text as GOV.UK paragraphs: blank lines split paragraphs, newlines become <br>."""
    text = normalize_newlines(str(text or "")).strip()
    if not text:
        return mark_safe("")
    html = []
    for block in re.split(r"\n\s*\n", text):
        lines = [conditional_escape(line) for line in block.split("\n")]
        html.append(format_html('<p class="govuk-body">{}</p>', mark_safe("<br>".join(lines))))
    return mark_safe("\n".join(html))


@register.filter
def br_lines(lines: list[str]) -> SafeString:
    """Lines (such as an address) escaped and joined with <br>."""
    return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines))


@register.filter
def tel_href(number: str) -> str:
    """A tel: URL for a UK number as people write it: '01702 000000' -> 'tel:01702000000'."""
    return "tel:" + re.sub(r"[^0-9+]", "", str(number or ""))


def _money(amount: Decimal) -> str:
    return f"£{amount:,.0f}" if amount == amount.to_integral_value() else f"£{amount:,.2f}"


@register.filter
def cost_text(option: ServiceCostOption) -> str:
    """'£5 per session (reduced rates for carers)'."""
    parts = [_money(option.amount)] if option.amount is not None else []
    parts.append(option.option)
    text = " ".join(part for part in parts if part)
    return f"{text} ({option.amount_description})" if option.amount_description else text


@register.simple_tag
def current_cost_options(service: ServicePage) -> list[ServiceCostOption]:
    today = timezone.localdate()
    return [
        option
        for option in service.cost_options.all()
        if (option.valid_from is None or option.valid_from <= today)
        and (option.valid_to is None or option.valid_to >= today)
    ]


@register.simple_tag
def public_contacts(service: ServicePage) -> list[ServiceContact]:
    """Named contacts marked public. Private ones are for staff and never shown."""
    return [contact for contact in service.contacts.all() if contact.is_public]


@register.simple_tag
def service_locations(service: ServicePage) -> list[Location]:
    return [link.location for link in service.service_at_locations.select_related("location")]


@register.simple_tag
def service_categories(service: ServicePage) -> list:
    """The service's terms from browsable vocabularies: the ones /services/category/ lists."""
    return list(service.taxonomy_terms.filter(taxonomy__is_browsable=True))


@register.simple_tag
def organisation_services(organisation: OrganisationPage) -> list[ServicePage]:
    """An organisation's live, public services by name."""
    return list(ServicePage.objects.child_of(organisation).live().public().order_by("title"))


@register.filter
def map_url(location: Location) -> str:
    """An OpenStreetMap link, or '' when the address is hidden or has no coordinates."""
    if location.hide_address or location.latitude is None or location.longitude is None:
        return ""
    lat, lon = f"{location.latitude:.5f}", f"{location.longitude:.5f}"
    return (
        "https://www.openstreetmap.org/?"
        + urlencode({"mlat": lat, "mlon": lon})
        + f"#map=17/{lat}/{lon}"
    )


def listing_is_stale(assured_date: datetime.date | None, *, today: datetime.date) -> bool:
    """True when the listing was last checked more than 12 months ago, or never."""
    if assured_date is None:
        return True
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_ago = today.replace(year=today.year - 1, day=28)
    return assured_date < year_ago


@register.simple_tag
def stale_listing_warning(service: ServicePage) -> str:
    """The warning to show when the listing may be out of date, or ''."""
    if not listing_is_stale(service.assured_date, today=timezone.localdate()):
        return ""
    if service.assured_date is None:
        checked = "We do not know when this information was last checked."
    else:
        checked = (
            f"This information was last checked on {schedules.format_date(service.assured_date)}."
        )
    return f"{checked} It may be out of date. Contact the service to check before you go."


# --- schema.org JSON-LD -----------------------------------------------------------------------


def _postal_address(location: Location) -> dict[str, str]:
    address = {
        "@type": "PostalAddress",
        "streetAddress": ", ".join(p for p in [location.address_1, location.address_2] if p),
        "addressLocality": location.city,
        "addressRegion": location.state_province,
        "postalCode": location.postal_code,
        "addressCountry": location.country,
    }
    return {key: value for key, value in address.items() if value}


def service_json_ld_data(
    service: ServicePage, *, request: HttpRequest | None, council_name: str
) -> dict[str, Any]:
    """schema.org Service: provider, area, channels (phone, website, places) and hours.

    Hidden addresses (refuges and the like) are left out entirely.
    """
    organisation = service.organisation
    url = service.get_full_url(request)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Service",
        "@id": url,
        "name": service.title,
        "description": service.summary,
        "url": url,
        "provider": {
            "@type": "Organization",
            "name": organisation.title,
            "url": organisation.website or organisation.get_full_url(request),
        },
    }
    if organisation.phone:
        data["provider"]["telephone"] = organisation.phone
    if service.coverage == ServicePage.COVERAGE_LOCAL:
        data["areaServed"] = {"@type": "AdministrativeArea", "name": council_name}
    elif service.coverage == "national":
        data["areaServed"] = {"@type": "Country", "name": "United Kingdom"}
    categories = [term.name for term in service.taxonomy_terms.all()]
    if categories:
        data["category"] = categories
    if service.minimum_age or service.maximum_age is not None:
        audience: dict[str, Any] = {"@type": "PeopleAudience"}
        if service.minimum_age:
            audience["suggestedMinAge"] = service.minimum_age
        if service.maximum_age is not None:
            audience["suggestedMaxAge"] = service.maximum_age
        data["audience"] = audience
    if service.is_free:
        data["offers"] = {"@type": "Offer", "price": "0", "priceCurrency": "GBP"}

    rows = list(service.regular_schedules.all())
    everywhere = [row for row in rows if row.location_id is None]
    if everywhere:
        data["hoursAvailable"] = schedules.schema_org_hours(everywhere)

    channels: list[dict[str, Any]] = []
    for phone in service.phones.all():
        contact_point = {"@type": "ContactPoint", "telephone": phone.number}
        if phone.description:
            contact_point["description"] = phone.description
        channels.append({"@type": "ServiceChannel", "servicePhone": contact_point})
    if service.website:
        channels.append({"@type": "ServiceChannel", "serviceUrl": service.website})
    for location in service_locations(service):
        if location.hide_address:
            continue
        place: dict[str, Any] = {"@type": "Place", "name": location.name}
        address = _postal_address(location)
        if len(address) > 1:
            place["address"] = address
        if location.latitude is not None and location.longitude is not None:
            place["geo"] = {
                "@type": "GeoCoordinates",
                "latitude": location.latitude,
                "longitude": location.longitude,
            }
        own = [row for row in rows if row.location_id == location.pk]
        if own:
            place["openingHoursSpecification"] = schedules.schema_org_hours(everywhere + own)
        elif everywhere:
            place["openingHoursSpecification"] = data["hoursAvailable"]
        channels.append({"@type": "ServiceChannel", "serviceLocation": place})
    if channels:
        data["availableChannel"] = channels
    return data


def json_ld_dumps(data: dict[str, Any]) -> str:
    """JSON safe inside a script element: <, > and & escaped as \\u003C and so on."""
    return json.dumps(data).translate(_JSON_SCRIPT_ESCAPES)


@register.simple_tag(takes_context=True)
def service_json_ld(context, service: ServicePage) -> SafeString:
    request = context.get("request")
    try:
        council_name = SiteSettings.for_request(request).council_name
    except Exception:  # no Site matches this host
        council_name = SiteSettings().council_name
    data = service_json_ld_data(service, request=request, council_name=council_name)
    nonce = getattr(request, "csp_nonce", "") if request is not None else ""
    return format_html(
        '<script type="application/ld+json" nonce="{}">{}</script>',
        nonce,
        mark_safe(json_ld_dumps(data)),
    )
