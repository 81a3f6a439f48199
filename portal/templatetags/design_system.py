"""Template tags for the GOV.UK design system: site settings, navigation, form fields."""

from bs4 import BeautifulSoup
from django import template
from django.core.cache import cache
from django.forms import BoundField
from django.utils.safestring import SafeString, mark_safe
from wagtail.models import Page, Site
from wagtail.rich_text import RichText, expand_db_html

from portal.models import SiteSettings

register = template.Library()

# "accessibility-statement" is where statements edited before portal.0007 still live.
FOOTER_PAGE_SLUGS = ["accessibility", "accessibility-statement", "privacy", "cookies"]

_RICH_TEXT_CLASSES = {
    "p": "govuk-body",
    "a": "govuk-link",
    "ul": "govuk-list govuk-list--bullet",
    "ol": "govuk-list govuk-list--number",
    "h2": "govuk-heading-l",
    "h3": "govuk-heading-m",
    "h4": "govuk-heading-s",
}


def _site_settings(context) -> SiteSettings:
    request = context.get("request")
    if request is not None:
        try:
            return SiteSettings.for_request(request)
        except Exception:  # no Site matches this host: fall back to the defaults below
            pass
    return SiteSettings()


@register.simple_tag(takes_context=True)
def site_setting(context, name: str):
    """A value from SiteSettings (council name, contact details...), with safe defaults."""
    return getattr(_site_settings(context), name)


def _home_page(request) -> Page | None:
    site = Site.find_for_request(request) if request is not None else None
    return site.root_page if site else None


NAVIGATION_CACHE_KEY = "portal:navigation:{site_id}"


def _page_furniture(request, home: Page) -> dict[str, list[dict]]:
    """A site's menu and footer links, cached until a page is published, unpublished, moved
    or deleted (portal.signals): every page shows them, and they rarely change."""
    key = NAVIGATION_CACHE_KEY.format(site_id=home.pk)
    furniture = cache.get(key)
    if furniture is None:
        menu = [
            {
                "href": child.get_url(request),
                "text": child.title,
                "summary": getattr(child, "summary", "") or child.search_description,
            }
            for child in home.get_children().live().in_menu().public().specific()
        ]
        pages = {
            page.slug: page
            for page in home.get_children().live().filter(slug__in=FOOTER_PAGE_SLUGS)
        }
        footer = [
            {"href": pages[slug].get_url(request), "text": pages[slug].title}
            for slug in FOOTER_PAGE_SLUGS
            if slug in pages
        ]
        furniture = {"menu": menu, "footer": footer}
        cache.set(key, furniture, 3600)
    return furniture


@register.simple_tag(takes_context=True)
def main_navigation(context) -> list[dict]:
    """Live top-level pages marked "show in menus", in tree order."""
    request = context.get("request")
    home = _home_page(request)
    if home is None:
        return []
    current_path = request.path if request is not None else ""
    return [
        {**item, "current": bool(item["href"]) and current_path.startswith(item["href"])}
        for item in _page_furniture(request, home)["menu"]
    ]


@register.simple_tag(takes_context=True)
def footer_links(context) -> list[dict]:
    """The accessibility statement, privacy notice and cookies pages, where they exist."""
    request = context.get("request")
    home = _home_page(request)
    if home is None:
        return []
    return _page_furniture(request, home)["footer"]


@register.filter
def govuk_richtext(value) -> SafeString:
    """Rich text with GOV.UK classes on paragraphs, links, lists and headings."""
    html = str(value) if isinstance(value, RichText) else expand_db_html(value or "")
    soup = BeautifulSoup(html, "html.parser")
    for tag_name, css_class in _RICH_TEXT_CLASSES.items():
        for tag in soup.find_all(tag_name):
            tag["class"] = css_class
    return mark_safe(str(soup))


@register.filter
def widget_type(field: BoundField) -> str:
    return field.field.widget.__class__.__name__.lower().replace("input", "")


_INPUT_CLASS = {
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "checkbox": "govuk-checkboxes__input",
}


@register.simple_tag
def govuk_input(field: BoundField, css_class: str = "") -> SafeString:
    """Render a field's widget with GOV.UK classes and hint/error ids in aria-describedby."""
    kind = widget_type(field)
    css_class = css_class or _INPUT_CLASS.get(kind, "govuk-input")
    if field.errors and css_class in ("govuk-input", "govuk-textarea", "govuk-select"):
        css_class += f" {css_class}--error"
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}-hint")
    if field.errors:
        described_by.append(f"{field.auto_id}-error")
    attrs = {"class": css_class}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    # Server-side validation gives GOV.UK error messages; browser bubbles would pre-empt them.
    field.field.widget.attrs.pop("placeholder", None)
    return field.as_widget(attrs=attrs)


@register.simple_tag
def error_summary_items(form) -> list[dict]:
    """(href, message) pairs for the error summary; form-wide errors link to the first field."""
    visible = [f for f in form if not f.is_hidden]
    # Radios have no id_for_label; components/radios.html gives the first radio the auto_id.
    first_id = (visible[0].id_for_label or visible[0].auto_id) if visible else "main-content"
    items = [{"href": f"#{first_id}", "text": e} for e in form.non_field_errors()]
    for field in visible:
        href = f"#{field.id_for_label or field.auto_id}"
        items += [{"href": href, "text": e} for e in field.errors]
    return items
