"""Where a self-care journey keeps its progress: the person's own (server-side) session.

Nothing goes into the database or into URLs. Everything sits under one session key, one entry
per definition slug:

    {"<slug>": {"version": 3, "answers": {...}, "saved_pages": [...], "checked": false,
                "interrupts_seen": [...]}}

The entry records the definition version the answers were given against: after a new version
is deployed, answers to questions that still exist are kept and the rest are pruned
(`journey_answers`). Saving any page clears "checked" and "interrupts_seen", so a changed
answer is checked again and its interrupts (such as the crisis page) are shown again.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.base import SessionBase

from . import engine
from .engine import Answers, Definition, Page, Question

SESSION_KEY = "selfcare"


def _store(session: SessionBase) -> dict[str, dict[str, Any]]:
    store = session.get(SESSION_KEY)
    if not isinstance(store, dict):
        store = {}
        session[SESSION_KEY] = store
    return store


def _still_valid(question: Question, value: Any) -> bool:
    """Whether an answer saved against an older version still fits the question's type."""
    if question.type == "checkboxes":
        return isinstance(value, list) and all(question.option(v) for v in value)
    if not isinstance(value, str):
        return False
    if question.type == "radios":
        return question.option(value) is not None
    return True


def _entry(session: SessionBase, definition: Definition, *, create: bool = False) -> dict[str, Any]:
    """This definition's entry, brought up to the definition's current version. Reading
    without one gives an empty entry and writes nothing (no session for mere visitors)."""
    existing = session.get(SESSION_KEY)
    entry = existing.get(definition.slug) if isinstance(existing, dict) else None
    if not isinstance(entry, dict):
        entry = {"version": definition.version, "answers": {}}
        if not create:
            return entry
        _store(session)[definition.slug] = entry
        session.modified = True
    if entry.get("version") != definition.version:
        known = definition.questions
        kept = {
            k: v
            for k, v in dict(entry.get("answers") or {}).items()
            if k in known and _still_valid(known[k], v)
        }
        pages = {p.id for p in definition.pages}
        saved = [p for p in entry.get("saved_pages", []) if p in pages]
        entry.clear()
        entry.update(
            version=definition.version,
            answers=engine.answers_prune(definition, kept),
            saved_pages=saved,
        )
        session.modified = True
    return entry


def journey_answers(*, session: SessionBase, definition: Definition) -> Answers:
    """The answers given so far (a copy), pruned to the questions still asked."""
    return dict(_entry(session, definition).get("answers") or {})


def journey_save_page(
    *, session: SessionBase, definition: Definition, page: Page, cleaned: Answers
) -> Answers:
    """Save one page's cleaned answers; answers that the change made irrelevant are removed.
    Returns the answers as saved."""
    entry = _entry(session, definition, create=True)
    answers = engine.answers_apply(definition, dict(entry.get("answers") or {}), page, cleaned)
    saved = [p for p in entry.get("saved_pages", []) if p != page.id] + [page.id]
    entry.update(answers=answers, saved_pages=saved, checked=False, interrupts_seen=[])
    session.modified = True
    return dict(answers)


def journey_reset(*, session: SessionBase, definition: Definition) -> None:
    """Forget everything about this definition ("Start again")."""
    store = _store(session)
    if store.pop(definition.slug, None) is not None:
        session.modified = True


def journey_saved_pages(*, session: SessionBase, definition: Definition) -> set[str]:
    """Ids of pages the person has saved (a page of optional questions can be saved empty)."""
    return set(_entry(session, definition).get("saved_pages", []))


def journey_mark_checked(*, session: SessionBase, definition: Definition) -> None:
    """The person confirmed their answers on "check your answers"."""
    _entry(session, definition, create=True)["checked"] = True
    session.modified = True


def journey_is_checked(*, session: SessionBase, definition: Definition) -> bool:
    return bool(_entry(session, definition).get("checked"))


def journey_mark_interrupt_seen(
    *, session: SessionBase, definition: Definition, interrupt_id: str
) -> None:
    entry = _entry(session, definition, create=True)
    seen = list(entry.get("interrupts_seen", []))
    if interrupt_id not in seen:
        entry["interrupts_seen"] = [*seen, interrupt_id]
        session.modified = True


def journey_interrupts_seen(*, session: SessionBase, definition: Definition) -> set[str]:
    return set(_entry(session, definition).get("interrupts_seen", []))


def journey_started(*, session: SessionBase, definition: Definition) -> bool:
    """True once any page has been saved for this definition."""
    store = session.get(SESSION_KEY)
    entry = store.get(definition.slug) if isinstance(store, dict) else None
    return isinstance(entry, dict) and bool(entry.get("saved_pages") or entry.get("answers"))


def journey_saved_at(*, session: SessionBase, definition: Definition) -> str:
    """When this browser last saved a page (ISO), or "" (restoring a saved draft compares)."""
    return str(_entry(session, definition).get("saved_at", ""))


def journey_touch(*, session: SessionBase, definition: Definition, when: str) -> None:
    _entry(session, definition, create=True)["saved_at"] = when
    session.modified = True


def journey_load(
    *,
    session: SessionBase,
    definition: Definition,
    version: int,
    answers: Answers,
    saved_pages: list[str],
    saved_at: str,
) -> None:
    """Replace this definition's progress with a saved draft (from another device). Answers
    saved against an older version are brought up to date as usual."""
    _store(session)[definition.slug] = {
        "version": version,
        "answers": dict(answers),
        "saved_pages": list(saved_pages),
        "saved_at": saved_at,
    }
    session.modified = True
    _entry(session, definition)


def journey_progress(*, session: SessionBase, definition: Definition) -> tuple[Answers, list[str]]:
    entry = _entry(session, definition)
    return dict(entry.get("answers") or {}), list(entry.get("saved_pages", []))


def journey_mark_submitted(*, session: SessionBase, definition: Definition, reference: str) -> None:
    """Sent: the answers can no longer be changed; the result page shows the reference."""
    entry = _entry(session, definition, create=True)
    entry["submitted"] = reference
    session.modified = True


def journey_submitted(*, session: SessionBase, definition: Definition) -> str:
    """The reference this browser's answers were sent under, or ""."""
    return str(_entry(session, definition).get("submitted", ""))


def journey_immediate_shown(*, session: SessionBase, definition: Definition) -> set[str]:
    """ "At once" interrupts already shown for the current answers."""
    return set(_entry(session, definition).get("immediate_shown", []))


def journey_set_immediate_shown(
    *, session: SessionBase, definition: Definition, ids: set[str]
) -> None:
    entry = _entry(session, definition, create=True)
    if set(entry.get("immediate_shown", [])) != ids:
        entry["immediate_shown"] = sorted(ids)
        session.modified = True
