"""Autocomplete for the database engine: categories, then service names, as people type.

A suggestion matches when every word typed starts a word of it ("demen" offers "Dementia";
"carers sup" offers "Dementia carers' support group"), ignoring case and accents. Suggestions
come from an in-memory prefix index of the findable services' names and the browsable
categories: sorted words searched with bisect, so a lookup costs the same at 50,000 services
as at 500 (`make bench` measures it). The index is rebuilt when the search vocabulary changes
(search.signals bumps its version on publish, unpublish and category edits) and every ten
minutes, as bulk loads send no signals.
"""

from __future__ import annotations

import bisect
import datetime
import heapq
import time
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from . import indexing
from .models import SearchDocument, SearchDocumentTerm
from .query import AUTOCOMPLETE_LIMIT, AUTOCOMPLETE_MIN_CHARACTERS, Suggestion
from .text import MAX_QUERY_CHARACTERS, query_words, vocabulary_version

REBUILD_SECONDS = 600


def fold(text: str) -> str:
    """Lower case without accents: "Café" and "cafe" are the same to someone typing."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def words_of(text: str) -> set[str]:
    """The words a suggestion can be found by: "Alzheimer's" by alzheimer's, alzheimers and
    alzheimer; "drop-in" by drop-in, dropin, drop and in."""
    found: set[str] = set()
    for word in query_words(fold(text)):
        found.add(word)
        parts = [part for part in word.replace("’", "'").replace("'", "-").split("-") if part]
        if len(parts) > 1:
            found.add("".join(parts))
            found.update(parts)
    return found


@dataclass(frozen=True)
class _Entry:
    text: str
    kind: str  # "category" or "service"
    folded: str
    checked_on: datetime.date | None = None


class PrefixIndex:
    """Suggestions by the words in them, for prefix lookups."""

    def __init__(self, entries: list[_Entry]) -> None:
        self.entries = entries
        postings: dict[str, list[int]] = {}
        for position, entry in enumerate(entries):
            for word in words_of(entry.text):
                postings.setdefault(word, []).append(position)
        self.words = sorted(postings)
        self.postings = [postings[word] for word in self.words]

    def _starting_with(self, prefix: str) -> set[int]:
        found: set[int] = set()
        start = bisect.bisect_left(self.words, prefix)
        for index in range(start, len(self.words)):
            if not self.words[index].startswith(prefix):
                break
            found.update(self.postings[index])
        return found

    def lookup(
        self, typed: list[str], *, limit: int, stale_cutoff: datetime.date | None
    ) -> list[Suggestion]:
        # The rarest word narrows first: "dementia c" intersects the few dementia entries
        # with the many c-words rather than building every c-word's set first.
        matches: set[int] | None = None
        for word in sorted(set(typed), key=len, reverse=True):
            found = self._starting_with(word)
            matches = found if matches is None else matches & found
            if not matches:
                return []
        first = typed[0]

        def order(position: int) -> tuple:
            entry = self.entries[position]
            return (
                entry.kind != "category",  # categories first
                not entry.folded.startswith(first),  # then names that start with it
                len(entry.folded),  # then the shortest (closest to what was typed)
                entry.folded,
            )

        wanted = (
            position
            for position in matches or ()
            if stale_cutoff is None
            or self.entries[position].checked_on is None
            or self.entries[position].checked_on > stale_cutoff
        )
        suggestions, seen = [], set()
        for position in heapq.nsmallest(limit * 2, wanted, key=order):
            entry = self.entries[position]
            if entry.folded not in seen:  # a category and a service of the same name: once
                seen.add(entry.folded)
                suggestions.append(Suggestion(text=entry.text, kind=entry.kind))
        return suggestions[:limit]


def _build() -> PrefixIndex:
    # Categories with a findable service in or below them (documents carry every ancestor).
    counted = set(SearchDocumentTerm.objects.values_list("term_id", flat=True).distinct())
    entries = [
        _Entry(text=term.name, kind="category", folded=fold(term.name))
        for term in indexing.all_browsable_terms()
        if term.id in counted
    ]
    entries += [
        _Entry(text=title, kind="service", folded=fold(title), checked_on=checked_on)
        for title, checked_on in SearchDocument.objects.order_by().values_list(
            "title", "checked_on"
        )
    ]
    return PrefixIndex(entries)


@lru_cache(maxsize=2)
def _index(version: str, period: int) -> PrefixIndex:
    return _build()


def prefix_index() -> PrefixIndex:
    return _index(vocabulary_version(), int(time.time() // REBUILD_SECONDS))


def autocomplete_suggestions(prefix: str, *, limit: int = AUTOCOMPLETE_LIMIT) -> list[Suggestion]:
    """Up to `limit` suggestions for what has been typed so far; none under two characters."""
    text = prefix[:MAX_QUERY_CHARACTERS]
    typed = query_words(fold(text))
    if len(text.strip()) < AUTOCOMPLETE_MIN_CHARACTERS or not typed or limit < 1:
        return []
    return prefix_index().lookup(typed, limit=limit, stale_cutoff=indexing.stale_cutoff())
