"""The register's tables: append-only, hash-chained events, the chain head, and the
current-state projection (ADR 0013). Writes go through `consent.register`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef

__all__ = [
    "ChainHead",
    "ConsentEvent",
    "ConsentState",
    "ErasedEvent",
    "EventImmutableError",
    "RetentionRun",
]


class EventImmutableError(Exception):
    """Register events are never changed or deleted: a correction is a new event."""


class ConsentEventQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise EventImmutableError("Register events cannot be updated; record a new event.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise EventImmutableError("Register events cannot be deleted; record a new event.")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise EventImmutableError("Register events cannot be updated; record a new event.")

    def update_or_create(self, *args: Any, **kwargs: Any) -> Any:
        raise EventImmutableError("Register events cannot be updated; record a new event.")

    def retention_delete(self) -> int:
        """For `consent.retention` only (ADR 0015): delete the events in this queryset that
        already have a tombstone (`ErasedEvent`) with the same sequence and hash, so the chain
        stays verifiable; events without one are left alone. Returns the number deleted.

        On PostgreSQL the trigger also insists on the tombstone and on the transaction having
        set `consent.retention` to 'on'."""
        tombstoned = self.filter(
            Exists(
                ErasedEvent.objects.filter(
                    sequence=OuterRef("sequence"), event_hash=OuterRef("event_hash")
                )
            )
        )
        pks = list(tombstoned.values_list("pk", flat=True))
        if not pks:
            return 0
        rows = ConsentEvent.objects.filter(pk__in=pks)
        return rows._raw_delete(rows.db)  # no Collector: the model layer's delete() refuses


class ConsentEvent(models.Model):
    """One choice (or identity verification, or capacity decision) as it was recorded.

    Rows are only ever inserted, by `consent.register`, in chain order: `sequence` and
    `previous_hash` tie each to the one before, and `event_hash` is SHA-256 over a canonical
    JSON of its fields (`consent.register.event_hash`)."""

    # Decisions
    OBJECT = "object"
    WITHDRAW_OBJECTION = "withdraw-objection"
    CONSENT = "consent"
    WITHDRAW_CONSENT = "withdraw-consent"
    LACKS_CAPACITY = "lacks-capacity"
    IDENTITY_VERIFIED = "identity-verified"
    DECISIONS = [
        (OBJECT, "Object"),
        (WITHDRAW_OBJECTION, "Withdraw objection"),
        (CONSENT, "Consent"),
        (WITHDRAW_CONSENT, "Withdraw consent"),
        (LACKS_CAPACITY, "Lacks capacity, no representative"),
        (IDENTITY_VERIFIED, "Identity verified"),
    ]

    CHANNELS = [
        ("online", "Online"),
        ("phone", "Phone"),
        ("post", "Post"),
        ("in-person", "In person"),
        ("gp-recorded", "Recorded by GP"),
        ("social-care-recorded", "Recorded by social care"),
        ("imported", "Imported"),
    ]

    SELF = "self"
    PROXY = "proxy"
    STAFF = "staff"
    ACTORS = [
        (SELF, "The person themselves"),
        (PROXY, "A representative (proxy)"),
        (STAFF, "Staff, after a capacity decision"),
    ]

    PARENT = "parent"
    LPA_HEALTH_WELFARE = "lpa-health-welfare"
    COURT_DEPUTY = "court-appointed-deputy"
    PROXY_ROLES = [
        (PARENT, "Parent or person with parental responsibility"),
        (LPA_HEALTH_WELFARE, "Lasting power of attorney for health and welfare"),
        (COURT_DEPUTY, "Court-appointed deputy"),
    ]

    IDENTITY_METHODS = [
        ("none", "None"),
        ("self-declared", "Self-declared"),
        ("nhs-login", "NHS login"),
        ("documents-checked", "Documents checked"),
        ("known-to-staff", "Known to staff / checked against the care record"),
        ("gp-record", "Recorded by the GP practice"),
    ]
    UNVERIFIED = "unverified"
    VERIFIED = "verified"
    FAILED = "failed"
    IDENTITY_RESULTS = [
        (UNVERIFIED, "Not verified"),
        (VERIFIED, "Verified"),
        (FAILED, "Verification failed"),
    ]

    sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    reference = models.CharField(
        max_length=16, unique=True, editable=False, help_text="Quoted on receipts."
    )
    nhs_number = models.CharField(max_length=10, db_index=True, editable=False)
    person_name = models.CharField(max_length=200, blank=True, editable=False)
    date_of_birth = models.DateField(null=True, blank=True, editable=False)
    postcode = models.CharField(max_length=10, blank=True, editable=False)
    purpose = models.ForeignKey(
        "consent.Purpose",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        editable=False,
        help_text="Empty for events about the person (identity verified).",
    )
    decision = models.CharField(max_length=24, choices=DECISIONS, editable=False)
    channel = models.CharField(max_length=24, choices=CHANNELS, editable=False)
    actor = models.CharField(max_length=8, choices=ACTORS, editable=False)
    proxy_role = models.CharField(max_length=24, choices=PROXY_ROLES, blank=True, editable=False)
    proxy_name = models.CharField(max_length=200, blank=True, editable=False)
    evidence_reference = models.CharField(max_length=200, blank=True, editable=False)
    identity_method = models.CharField(
        max_length=24, choices=IDENTITY_METHODS, default="none", editable=False
    )
    identity_result = models.CharField(
        max_length=12, choices=IDENTITY_RESULTS, default=UNVERIFIED, editable=False
    )
    notice_version = models.PositiveIntegerField(null=True, blank=True, editable=False)
    occurred_at = models.DateTimeField(editable=False, help_text="When the person chose.")
    recorded_at = models.DateTimeField(editable=False, help_text="When the register knew.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        # PROTECT: SET_NULL would be an UPDATE on an append-only row.
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    previous_hash = models.CharField(max_length=64, editable=False)
    event_hash = models.CharField(max_length=64, unique=True, editable=False)

    objects = ConsentEventQuerySet.as_manager()

    class Meta:
        ordering = ["sequence"]
        indexes = [models.Index(fields=["nhs_number", "sequence"], name="consent_event_person")]

    def __str__(self) -> str:
        # Never the NHS number: this string ends up in logs and admin messages.
        return f"Register event {self.reference}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise EventImmutableError(
                f"Register event {self.reference} cannot be changed; record a new event."
            )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise EventImmutableError(
            f"Register event {self.reference} cannot be deleted; record a new event."
        )


class ChainHead(models.Model):
    """The single row every append locks: the last sequence and hash of the chain."""

    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"Register chain head at {self.last_sequence}"


class ConsentState(models.Model):
    """The current state per person and purpose: a projection of the events, kept up to date
    on each append and rebuilt by `consent.register.projection_rebuild`."""

    OBJECTED = "objected"
    CONSENTED = "consented"
    NO_CHOICE = "no-choice"
    STATES = [(OBJECTED, "Objected"), (CONSENTED, "Consented"), (NO_CHOICE, "No choice recorded")]

    nhs_number = models.CharField(max_length=10)
    purpose = models.ForeignKey("consent.Purpose", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=12, choices=STATES, default=NO_CHOICE)
    effective_from = models.DateTimeField(null=True, blank=True)
    capacity_default = models.BooleanField(
        default=False,
        help_text="The local default for someone lacking capacity, until a representative decides.",
    )
    last_event = models.ForeignKey(ConsentEvent, on_delete=models.PROTECT, related_name="+")
    pending_event = models.ForeignKey(
        ConsentEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="A change waiting for identity verification.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["nhs_number", "purpose"], name="consent_state_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_state_display()} (last event {self.last_event_id})"


class ErasedEventQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise EventImmutableError("Tombstones of erased events cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise EventImmutableError("Tombstones of erased events cannot be deleted.")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise EventImmutableError("Tombstones of erased events cannot be changed.")


class RetentionRun(models.Model):
    """The record of one destruction under the retention policy (docs/data-destruction-policy.md):
    when, the limits applied, who authorised the policy, and how much of each kind went. No
    personal data; kept for good, as the evidence of destruction."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    authorised_by = models.CharField(
        max_length=200, blank=True, help_text="The sign-off the policy was applied under."
    )
    limits = models.JSONField(default=dict, help_text="The cut-off dates applied, per kind.")
    counts = models.JSONField(default=dict, help_text="How many were destroyed, per kind.")

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "retention run"

    def __str__(self) -> str:
        return f"Retention run {self.pk} at {self.started_at:%Y-%m-%d %H:%M}"


class ErasedEvent(models.Model):
    """A tombstone: a register event destroyed under the retention policy (ADR 0015).

    It keeps the event's place in the hash chain (sequence, hashes) and its reference, so
    `consent.register.chain_verify` can still walk the chain, and nothing about the person.
    Written only by `consent.retention`, in the transaction that deletes the event; never
    changed or deleted (on PostgreSQL a trigger enforces both)."""

    sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    reference = models.CharField(max_length=16, unique=True, editable=False)
    previous_hash = models.CharField(max_length=64, editable=False)
    event_hash = models.CharField(max_length=64, unique=True, editable=False)
    erased_at = models.DateTimeField(editable=False)
    rule = models.CharField(
        max_length=200, editable=False, help_text="The retention rule the event was erased under."
    )
    run = models.ForeignKey(
        RetentionRun, on_delete=models.PROTECT, related_name="erased_events", editable=False
    )

    objects = ErasedEventQuerySet.as_manager()

    class Meta:
        ordering = ["sequence"]
        verbose_name = "erased register event"

    def __str__(self) -> str:
        return f"Erased register event {self.reference}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise EventImmutableError(f"Tombstone {self.reference} cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise EventImmutableError(f"Tombstone {self.reference} cannot be deleted.")
