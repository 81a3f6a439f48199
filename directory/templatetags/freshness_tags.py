"""Template helpers for listing freshness (directory.freshness)."""

from django import template

from directory import freshness

register = template.Library()


@register.simple_tag
def hide_stale_after_months() -> int | None:
    """DIRECTORY_HIDE_STALE_AFTER_MONTHS: after how many months stale listings leave search."""
    return freshness.hide_after_months()
