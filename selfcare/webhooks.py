"""Sending submissions to the council's case system (being written)."""

from __future__ import annotations


def webhook_queue_for(*, submission) -> None:
    """Queue the submission for the case system when a webhook is configured."""
