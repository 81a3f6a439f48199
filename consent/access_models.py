"""The staff access log: who searched, viewed, recorded or exported what, and when.

Append-only, like the register's events. The person is named by a keyed hash of their NHS
number (`consent.access.nhs_number_hash`), never the number itself."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

__all__ = ["AccessLogEntry", "AccessLogImmutableError", "ChoiceImport"]


class AccessLogImmutableError(Exception):
    """Access log entries are never changed or deleted (retention aside, issue 5)."""


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AccessLogImmutableError("Access log entries cannot be updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AccessLogImmutableError("Access log entries cannot be deleted.")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise AccessLogImmutableError("Access log entries cannot be updated.")

    def retention_delete(self) -> int:
        """For `consent.retention` only: delete the entries in this queryset once they are past
        their retention period (docs/data-destruction-policy.md). Returns the number deleted.
        Everything else goes through `delete()`, which refuses."""
        return self._raw_delete(self.db)  # no Collector: nothing refers to an entry


class AccessLogEntry(models.Model):
    SEARCH = "search"
    VIEW = "view"
    RECORD = "record"
    EXPORT = "export"
    ACTIONS = [
        (SEARCH, "Searched"),
        (VIEW, "Viewed the record"),
        (RECORD, "Recorded a choice"),
        (EXPORT, "Exported the access log"),
    ]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    action = models.CharField(max_length=8, choices=ACTIONS, editable=False)
    nhs_number_hash = models.CharField(
        max_length=64, blank=True, db_index=True, editable=False, help_text="HMAC-SHA256, hex."
    )
    found = models.BooleanField(
        null=True, blank=True, editable=False, help_text="For searches: was anything recorded."
    )
    event_reference = models.CharField(max_length=16, blank=True, editable=False)
    at = models.DateTimeField(db_index=True, editable=False)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name_plural = "access log entries"
        permissions = [
            ("view_register", "Can find people in the consent register and record choices"),
            ("audit_access_log", "Can see who looked at a record and export the access log"),
        ]

    def __str__(self) -> str:
        return f"Access log entry {self.pk} ({self.action})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AccessLogImmutableError("Access log entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AccessLogImmutableError("Access log entries cannot be deleted.")


class ChoiceImport(models.Model):
    """One run of the bulk import of choices (`consent.bulk_import`): which file (by SHA-256),
    who, when and how many rows, so the same file is not imported twice by mistake. Never the
    rows themselves."""

    sha256 = models.CharField(max_length=64, db_index=True)
    imported_at = models.DateTimeField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported = models.PositiveIntegerField()
    failed = models.PositiveIntegerField()

    class Meta:
        ordering = ["imported_at", "pk"]

    def __str__(self) -> str:
        return f"Choice import {self.pk} ({self.imported} imported)"
