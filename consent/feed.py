"""The IG pipeline's change feed (`GET /api/ig/v1/changes`, ADR 0014): register events in
order, for the purposes a system may see, with the person as an NHS number only where the
system is entitled to it and otherwise as a pseudonym under each purpose's key.

`feed_page` is the selector the API serves; `feed_replay` is what a consumer does with the
items, using the register's own rules (`consent.register.events_fold`), so a test can
replay the feed into an empty copy and compare it with the projection.

Nothing here logs or raises with an NHS number in the message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Q

from . import register
from .models import Purpose
from .pipeline import PipelineError, pseudonymiser
from .pipeline_models import PipelineSystem
from .register_models import ConsentEvent

DEFAULT_LIMIT = 1000
MAX_LIMIT = 10000

# The fields a change carries, besides the cursor, the purpose and the person. Never the
# person's name, date of birth or postcode, the proxy's name or the evidence reference.
_EVENT_FIELDS = (
    "decision",
    "channel",
    "actor",
    "proxy_role",
    "identity_method",
    "identity_result",
)


@dataclass(frozen=True)
class FeedPage:
    items: list[dict]
    next: str
    has_more: bool


def cursor_parse(cursor: str | None) -> int:
    """The sequence after which to start. Cursors are opaque to callers; today they are the
    decimal sequence of the last event seen. Missing or empty means from the start."""
    if cursor is None or cursor == "":
        return 0
    if not cursor.isascii() or not cursor.isdigit() or len(cursor) > 18:
        raise PipelineError(
            400,
            "bad_cursor",
            "The cursor is not one this feed gave out. Start again without ?after=, or "
            "send the `next` value of the last page you read.",
        )
    return int(cursor)


def cursor_format(sequence: int) -> str:
    return str(sequence)


def limit_parse(value: str | None) -> int:
    if value is None or value == "":
        return DEFAULT_LIMIT
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise PipelineError(
            400, "bad_request", f"limit must be a whole number from 1 to {MAX_LIMIT}."
        )
    return int(value)


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat()


def feed_page(
    system: PipelineSystem,
    after: str | None,
    limit: int = DEFAULT_LIMIT,
    purpose: Purpose | None = None,
) -> FeedPage:
    """Events after the cursor `after`, oldest first, at most `limit` of them, for the
    purposes in `system`'s scope (or just `purpose`, which the caller has authorised).

    An identity-verified event has no purpose: it is given once per purpose in scope, with
    the same cursor, so a consumer keyed by (person, purpose) can apply it. `limit` counts
    events, so such an event is never split across pages."""
    start = cursor_parse(after)
    limit = max(1, min(limit, MAX_LIMIT))
    purposes = [purpose] if purpose is not None else list(system.purposes.order_by("pk"))
    codes = {p.pk: p.code for p in purposes}
    rows = list(
        ConsentEvent.objects.filter(sequence__gt=start)
        .filter(Q(purpose_id__in=list(codes)) | Q(purpose__isnull=True))
        .order_by("sequence")
        .values(
            "sequence",
            "reference",
            "nhs_number",
            "purpose_id",
            "occurred_at",
            "recorded_at",
            *_EVENT_FIELDS,
        )[: limit + 1]
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    if system.entitled_to_nhs_numbers:
        keyers: dict[str, Callable[[str], str]] | None = None
    else:
        keyers = {code: pseudonymiser(code) for code in codes.values()}

    items = []
    for row in rows:
        # An identity-verified event (no purpose) goes once to each purpose in scope.
        purpose_id = row["purpose_id"]
        targets = list(codes.values()) if purpose_id is None else [codes[purpose_id]]
        for code in targets:
            if keyers is None:
                person = {"nhs_number": row["nhs_number"]}
            else:
                person = {"pseudonym": keyers[code](row["nhs_number"])}
            items.append(
                {
                    "cursor": cursor_format(row["sequence"]),
                    "reference": row["reference"],
                    "purpose": code,
                    **{name: row[name] for name in _EVENT_FIELDS},
                    "occurred_at": _iso(row["occurred_at"]),
                    "recorded_at": _iso(row["recorded_at"]),
                    "person": person,
                }
            )
    # Nothing new: the same cursor again, to ask with later.
    next_cursor = cursor_format(rows[-1]["sequence"]) if rows else (after or cursor_format(0))
    return FeedPage(items=items, next=next_cursor, has_more=has_more)


def person_key(item: dict) -> str:
    """The person in a feed item: the NHS number, or the purpose's pseudonym."""
    person = item["person"]
    return person.get("nhs_number") or person["pseudonym"]


def feed_replay(items: Iterable[dict]) -> dict[tuple[str, str], str]:
    """Replay feed items (in feed order) into the state per (person, purpose code):
    "objected", "consented" or "no-choice". Changes still waiting for identity verification
    are not applied, as in the register. The rules are the register's own (`events_fold`)."""
    purpose_ids: dict[str, int] = {}
    codes: dict[int, str] = {}

    def events():
        for number, item in enumerate(items, start=1):
            code = item["purpose"]
            if code not in purpose_ids:
                purpose_ids[code] = len(purpose_ids) + 1
                codes[purpose_ids[code]] = code
            # Unsaved: only what the rules read. pk orders pending changes within the replay.
            yield ConsentEvent(
                pk=number,
                nhs_number=person_key(item),
                purpose_id=purpose_ids[code],
                decision=item["decision"],
                identity_result=item["identity_result"],
                recorded_at=dt.datetime.fromisoformat(item["recorded_at"]),
            )

    states = register.events_fold(events())
    return {
        (person, codes[purpose_id]): view.state for (person, purpose_id), view in states.items()
    }
