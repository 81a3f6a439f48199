"""Turning what people type into safe search terms, synonyms and spelling suggestions."""

from __future__ import annotations

import difflib
import re
import time
import uuid
from functools import lru_cache

from django.core.cache import cache

MAX_QUERY_CHARACTERS = 200
MAX_QUERY_WORDS = 12
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)


def query_words(text: str) -> list[str]:
    """The words in a query, lower-cased; search syntax (quotes, *, AND, NEAR...) is just text."""
    words = _WORD.findall(text[:MAX_QUERY_CHARACTERS].casefold().replace("’", "'"))
    return words[:MAX_QUERY_WORDS]


# Words that carry no meaning in a directory search. With every word required, "help for
# carers near me" must not fail because a listing never says "for", "near" or "me".
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "for",
        "from",
        "get",
        "i",
        "in",
        "is",
        "it",
        "me",
        "my",
        "near",
        "of",
        "on",
        "or",
        "our",
        "the",
        "to",
        "we",
        "with",
        "you",
        "your",
        "not",
    ]
)


def clean_query(text: str) -> str:
    return " ".join(query_words(text))


def content_words(text: str) -> list[str]:
    """The words worth matching; all of them if the query is nothing but stop words."""
    words = query_words(text)
    meaningful = [word for word in words if word not in STOP_WORDS]
    return meaningful or words


SYNONYM_CACHE_KEY = "search:synonym-groups"


def synonym_groups() -> list[list[str]]:
    """Staff-edited synonym groups, cached until one is edited (search.signals)."""
    groups = cache.get(SYNONYM_CACHE_KEY)
    if groups is None:
        from .models import Synonym

        groups = [synonym.term_list for synonym in Synonym.objects.all()]
        cache.set(SYNONYM_CACHE_KEY, groups, 3600)
    return groups


def expand_synonyms(text: str, groups: list[list[str]]) -> list[str]:
    """The query and its variants with each matched term swapped for its synonyms.

    "dementia carers" with the group (dementia, memory, alzheimer's) gives
    ["dementia carers", "memory carers", "alzheimer's carers"].
    """
    cleaned = " ".join(content_words(text))
    variants = [cleaned] if cleaned else []
    padded = f" {cleaned} "
    for group in groups:
        for term in sorted(group, key=len, reverse=True):
            phrase = clean_query(term)
            if phrase and f" {phrase} " in padded:
                for alternative in group:
                    alt = clean_query(alternative)
                    variant = padded.replace(f" {phrase} ", f" {alt} ").strip()
                    if alt and variant not in variants:
                        variants.append(variant)
                break
    return variants


VOCABULARY_VERSION_KEY = "search:vocabulary-version"


def vocabulary_version() -> str:
    """A token that changes whenever services or categories do (shared through the cache,
    so every process notices). Random rather than counted: a cleared cache must never hand
    out a version an older vocabulary was built under."""
    return cache.get_or_set(VOCABULARY_VERSION_KEY, lambda: uuid.uuid4().hex, None)


def vocabulary_changed() -> None:
    """Call when services or categories change, so suggestions learn new words."""
    cache.set(VOCABULARY_VERSION_KEY, uuid.uuid4().hex, None)


@lru_cache(maxsize=4)
def _vocabulary(version: str, period: int) -> frozenset[str]:
    from .indexing import vocabulary_sources

    words: set[str] = set()
    for text in vocabulary_sources():
        words.update(word for word in query_words(text) if len(word) > 2)
    return frozenset(words)


def spelling_suggestion(text: str) -> str | None:
    """A corrected query when some words are unknown and close to known ones, else None."""
    # Bulk loads send no signals, so the vocabulary is also rebuilt every ten minutes.
    vocabulary = _vocabulary(vocabulary_version(), int(time.time() // 600))
    words = query_words(text)
    corrected, changed = [], False
    for word in words:
        if word in vocabulary or len(word) < 4 or word.isdigit():
            corrected.append(word)
            continue
        match = difflib.get_close_matches(word, vocabulary, n=1, cutoff=0.75)
        if match:
            corrected.append(match[0])
            changed = True
        else:
            corrected.append(word)
    return " ".join(corrected) if changed else None
