"""Directory views, thin: rules live in services and selectors. Search and browse are in
search.views (ADR 0005)."""

from .shortlist import shortlist_action_view, shortlist_view

__all__ = ["shortlist_action_view", "shortlist_view"]
