"""Moderating provider edits: which changes are low risk, and approving them (issue 4; being
built)."""

from __future__ import annotations


def auto_approve_if_trusted(*, task_state, user) -> bool:
    """Approve at once an edit from a trusted organisation that only changes field groups it is
    trusted with. Returns whether it did."""
    return False
