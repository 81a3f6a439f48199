"""The shortlist ("My list"): services a person has saved, kept in their session.

No account is needed. The session holds an ordered list of service page ids; services that
are no longer live are dropped silently when the list is read. A shared list travels as a
comma-separated list of service uuids in a URL, so it never exposes anyone's session.
"""

import logging
import re
import uuid
from collections.abc import Iterable, Sequence

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.template.loader import render_to_string
from django.utils import timezone

from portal import roles
from portal.email import email_send

from .models import ServicePage
from .schedules import opening_times

logger = logging.getLogger(__name__)

SESSION_KEY = "shortlist"
MAX_ITEMS = 50
MESSAGE_MAX_LENGTH = 500
# Signposting staff may add a note to an emailed list; providers are not signposting anyone.
MESSAGE_ROLES = [role for role in roles.ADMIN_ACCESS_ROLES if role != roles.PROVIDERS]


class ShortlistFullError(Exception):
    """The list already holds MAX_ITEMS services."""


def _live_services():
    return ServicePage.objects.live().public()


def shortlist_ids(*, session: SessionBase) -> list[int]:
    """The ids in the session, in the order they were added (live or not)."""
    ids = session.get(SESSION_KEY, [])
    return [item for item in ids if isinstance(item, int)] if isinstance(ids, list) else []


def _in_order(services: Iterable[ServicePage], keys: Sequence, key_of) -> list[ServicePage]:
    by_key = {key_of(service): service for service in services}
    return [by_key[key] for key in keys if key in by_key]


def shortlist_get(*, session: SessionBase) -> list[ServicePage]:
    """The live services on the list, in the order they were added."""
    ids = shortlist_ids(session=session)
    if not ids:
        return []
    return _in_order(_live_services().filter(id__in=ids), ids, lambda service: service.id)


def shortlist_count(*, session: SessionBase) -> int:
    ids = shortlist_ids(session=session)
    return _live_services().filter(id__in=ids).count() if ids else 0


def shortlist_contains(*, session: SessionBase, service_id: int) -> bool:
    return service_id in shortlist_ids(session=session)


def _save(session: SessionBase, ids: list[int]) -> None:
    session[SESSION_KEY] = ids
    session.modified = True


def shortlist_add(*, session: SessionBase, service_id: int) -> ServicePage:
    """Add a live service to the end of the list; adding one already there changes nothing.

    Raises ServicePage.DoesNotExist for a service that is not live, ShortlistFullError when
    the list is full.
    """
    service = _live_services().get(id=service_id)
    ids = shortlist_ids(session=session)
    if service.id in ids:
        return service
    # Services that have gone since they were added should not take up room.
    live_ids = set(_live_services().filter(id__in=ids).values_list("id", flat=True))
    ids = [item for item in ids if item in live_ids]
    if len(ids) >= MAX_ITEMS:
        raise ShortlistFullError
    _save(session, [*ids, service.id])
    return service


def shortlist_add_many(*, session: SessionBase, service_ids: Iterable[int]) -> int:
    """Add several services (a shared list); returns how many were new. Stops when full."""
    added = 0
    for service_id in service_ids:
        if shortlist_contains(session=session, service_id=service_id):
            continue
        try:
            shortlist_add(session=session, service_id=service_id)
        except ServicePage.DoesNotExist:
            continue
        except ShortlistFullError:
            break
        added += 1
    return added


def shortlist_remove(*, session: SessionBase, service_id: int) -> None:
    _save(session, [item for item in shortlist_ids(session=session) if item != service_id])


def shortlist_clear(*, session: SessionBase) -> None:
    _save(session, [])


# --- Sharing ----------------------------------------------------------------------------------


def shortlist_share_value(*, services: Iterable[ServicePage]) -> str:
    """The `s` parameter of a share link: the services' uuids, comma-separated."""
    return ",".join(str(service.uuid) for service in services)


def shortlist_from_share_value(*, value: str) -> list[ServicePage]:
    """The live services a share link names, in its order; anything unrecognised is ignored."""
    uuids: list[uuid.UUID] = []
    for part in value.split(",")[:MAX_ITEMS]:
        try:
            parsed = uuid.UUID(part.strip())
        except ValueError:
            continue
        if parsed not in uuids:
            uuids.append(parsed)
    if not uuids:
        return []
    services = _live_services().filter(uuid__in=uuids)
    return _in_order(services, uuids, lambda service: service.uuid)


# --- Email ------------------------------------------------------------------------------------


def shortlist_user_can_add_message(*, user: AbstractBaseUser | AnonymousUser) -> bool:
    """Signposting staff (admin roles other than providers) may add a message to an email."""
    return user.is_authenticated and user.groups.filter(name__in=MESSAGE_ROLES).exists()


def shortlist_email_send(
    *,
    to: str,
    services: Sequence[ServicePage],
    service_urls: Sequence[str],
    share_url: str,
    site_name: str,
    message: str = "",
) -> None:
    """Send the list as plain text, through the task queue. The address is never logged."""
    now = timezone.now()
    items = [
        {"service": service, "url": url, "times": opening_times(service, now=now)}
        for service, url in zip(services, service_urls, strict=True)
    ]
    context = {
        "items": items,
        "share_url": share_url,
        "site_name": site_name,
        "message": message[:MESSAGE_MAX_LENGTH],
    }
    subject = " ".join(render_to_string("directory/shortlist_email_subject.txt", context).split())
    # Template tags leave runs of blank lines; one blank line between blocks reads best.
    body = re.sub(r"\n{3,}", "\n\n", render_to_string("directory/shortlist_email.txt", context))
    email_send(to=[to], subject=subject, body=body)
    logger.info("Shortlist email queued with %d services", len(services))
