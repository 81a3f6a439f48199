"""Directory views, thin: rules live in services, selectors and the search app."""

from .search import category_browse, directory_search
from .shortlist import shortlist_action_view, shortlist_view

__all__ = ["category_browse", "directory_search", "shortlist_action_view", "shortlist_view"]
