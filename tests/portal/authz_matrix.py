"""The authorisation matrix's machinery: every URL the project serves, the roles, and how a
response is classed. The table itself is in test_authorisation_matrix.py.

A URL is a resolver pattern (`django.urls.get_resolver()`, walked through every include), or a
sub-route of a routable Wagtail page (served through `wagtail_serve`), named
`<app_label>.<Model>:<route>`."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.apps import apps
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.models import Page

# --- Roles ------------------------------------------------------------------------------------

ANONYMOUS = "anonymous"
RESIDENT = "resident"
PROVIDER = "provider"  # a member (and admin) of organisation A only
MODERATOR = "moderator"
PRACTITIONER = "practitioner"
IG_OFFICER = "ig_officer"
EDITOR = "editor"
ADMINISTRATOR = "administrator"

ROLES = [
    ANONYMOUS,
    RESIDENT,
    PROVIDER,
    MODERATOR,
    PRACTITIONER,
    IG_OFFICER,
    EDITOR,
    ADMINISTRATOR,
]
SIGNED_IN = [role for role in ROLES if role != ANONYMOUS]
STAFF = [MODERATOR, PRACTITIONER, IG_OFFICER, EDITOR, ADMINISTRATOR]
# Roles that reach the Wagtail admin (portal.roles.ADMIN_ACCESS_ROLES).
ADMIN_ROLES = [PROVIDER, *STAFF]

# --- Outcomes ---------------------------------------------------------------------------------

OK = "ok"  # 2xx
LOGIN = "login"  # a redirect to /accounts/login/ (sign in first)
ADMIN_DENIED = "admin-denied"  # Wagtail's "no permission": a redirect to the dashboard
FORBIDDEN = "forbidden"  # 403: the person is known and is not allowed
NOT_FOUND = "not-found"  # 404: not theirs, or not there, and not saying which
REDIRECT = "redirect"  # any other redirect (a step of a journey, "already done")
METHOD = "method"  # 405: the endpoint takes POST only
API_AUTH = "api-auth"  # 401 or 403 as JSON: a token API refusing a caller without a token
BAD_REQUEST = "bad-request"  # 400
SERVER_ERROR = "server-error"  # 5xx: never expected, but for Wagtail's deliberate error page
MFA = "mfa-setup"  # sent to set up MFA: never expected, the fixture gives staff an authenticator

LOGIN_PATH = "/accounts/login/"
ADMIN_HOME_PATH = "/admin/"


def classify(response: HttpResponse) -> str:
    """The outcome class of a response."""
    status = response.status_code
    if 200 <= status < 300:
        return OK
    if status in (301, 302, 303, 307, 308):
        target = urlsplit(response["Location"]).path
        # Wagtail's own sign-in path is a redirect on to allauth's (portal.urls).
        if target in (LOGIN_PATH, "/admin/login/"):
            return LOGIN
        if target == ADMIN_HOME_PATH:
            return ADMIN_DENIED
        if target == "/accounts/2fa/totp/activate/":
            return MFA
        return REDIRECT
    is_json = response.get("Content-Type", "").startswith(("application/json", "application/fhir"))
    if status in (401, 403) and is_json:
        return API_AUTH
    if status >= 500:
        return SERVER_ERROR
    return {400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND, 405: METHOD}.get(status, str(status))


def expect(default: str, **by_role: str) -> dict[str, str]:
    """An outcome for every role: `default`, except the roles named."""
    unknown = set(by_role) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")
    return {role: by_role.get(role, default) for role in ROLES}


def only(outcome: str, roles: list[str], otherwise: str, *, anonymous: str = LOGIN) -> dict:
    """`outcome` for `roles`, `otherwise` for everyone else signed in, `anonymous` for visitors."""
    result = {role: (outcome if role in roles else otherwise) for role in ROLES}
    if ANONYMOUS not in roles:
        result[ANONYMOUS] = anonymous
    return result


# --- The URLs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One URL the project serves."""

    name: str  # "namespace:name", or "<app_label>.<Model>:<route>" for a page route
    route: str  # the pattern, for people to read
    kwarg_names: tuple[str, ...] = ()
    positional: int = 0

    @property
    def label(self) -> str:
        return f"{self.name} ({self.route})"


def _walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[Entry]:
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name or f"<unnamed {route}>"
            if namespace and pattern.name:
                name = f"{namespace}:{name}"
            regex = pattern.pattern.regex
            yield Entry(
                name=name,
                route=route,
                kwarg_names=tuple(regex.groupindex),
                positional=regex.groups - len(regex.groupindex),
            )


def _page_routes() -> Iterator[Entry]:
    for model in apps.get_models():
        if issubclass(model, Page) and issubclass(model, RoutablePageMixin):
            label = f"{model._meta.app_label}.{model.__name__}"
            for pattern in model.get_subpage_urls():
                yield Entry(name=f"{label}:{pattern.name}", route=f"<{label}>/{pattern.pattern}")


def url_entries() -> list[Entry]:
    """Every URL pattern the project defines, and every routable page's sub-routes."""
    return [*_walk(get_resolver(), "/", ""), *_page_routes()]


# --- The table --------------------------------------------------------------------------------

UrlBuilder = Callable[[Any, Any, Entry], str]


@dataclass
class Row:
    """Who gets what at a URL.

    `name` is a URL name, or for a rule a glob (`wagtailusers_users:*`) covering many.
    `url` builds the path to request from the world's real objects and the signed-in
    client; without it, the URL is reversed with the table's default arguments.
    `variant` tells apart two rows for the same URL (another organisation's object, one's
    own)."""

    name: str
    expected: dict[str, str]
    url: UrlBuilder | None = None
    variant: str = ""
    route: str = ""  # only when two patterns share a name
    method: str = "get"  # "post" for a token API's refusal of a session
    note: str = ""
    rule: bool = field(default=False)

    def matches(self, entry: Entry) -> bool:
        if self.route and self.route != entry.route:
            return False
        if self.rule:
            return fnmatch.fnmatchcase(entry.name, self.name)
        return self.name == entry.name

    @property
    def label(self) -> str:
        return f"{self.name}[{self.variant}]" if self.variant else self.name


def rows_for(entry: Entry, table: list[Row]) -> list[Row]:
    """The exact rows for an entry, or else the first rule that covers it."""
    exact = [row for row in table if not row.rule and row.matches(entry)]
    if exact:
        return exact
    for row in table:
        if row.rule and row.matches(entry):
            return [row]
    return []
