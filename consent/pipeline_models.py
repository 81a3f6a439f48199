"""The IG pipeline's tables (issue 5, "The IG pipeline feed"): the systems that call the API,
their tokens (only a hash is stored), a log of their calls (counts, never NHS numbers),
and the national data opt-out cache. `consent.pipeline` has the rules."""

from __future__ import annotations

from django.conf import settings
from django.db import models

__all__ = [
    "NationalOptOut",
    "NationalOptOutCheck",
    "PipelineCall",
    "PipelineSystem",
    "PipelineToken",
    "VerifiedIdentity",
]


class PipelineSystem(models.Model):
    """A system in the IG pipeline (a data landing area, a risk-stratification tool) that may
    check NHS numbers against the register for some purposes. Managed by IG officers."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True, help_text="What the system is and who runs it.")
    purposes = models.ManyToManyField(
        "consent.Purpose",
        related_name="pipeline_systems",
        help_text="The purposes this system may ask about. Anything else is refused (403).",
    )
    entitled_to_nhs_numbers = models.BooleanField(
        default=False,
        help_text=(
            "The change feed shows this system NHS numbers. Otherwise it sees only pseudonyms "
            "under each purpose's key."
        ),
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "IG pipeline system"

    def __str__(self) -> str:
        return self.name


class PipelineToken(models.Model):
    """An API token for a system. The token is shown once when issued; only its SHA-256 hash
    and a short prefix (to tell tokens apart) are kept."""

    system = models.ForeignKey(PipelineSystem, on_delete=models.CASCADE, related_name="tokens")
    label = models.CharField(max_length=120, blank=True, help_text="Where the token is used.")
    prefix = models.CharField(max_length=12, help_text="The token's first characters.")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "IG pipeline token"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.system})"


class PipelineCall(models.Model):
    """One API call or command run: who, which purpose, how many numbers, when. Never the
    numbers themselves."""

    system = models.ForeignKey(
        PipelineSystem, on_delete=models.PROTECT, null=True, blank=True, related_name="calls"
    )
    endpoint = models.CharField(max_length=60, help_text="API path name or command name.")
    purpose_code = models.CharField(max_length=60, blank=True)
    status = models.PositiveSmallIntegerField(help_text="HTTP status, or 0 for a command run.")
    numbers_received = models.PositiveIntegerField(default=0)
    numbers_returned = models.PositiveIntegerField(default=0)
    numbers_invalid = models.PositiveIntegerField(default=0)
    at = models.DateTimeField(db_index=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at"]
        verbose_name = "IG pipeline call"

    def __str__(self) -> str:
        return f"{self.endpoint} {self.purpose_code} at {self.at:%Y-%m-%d %H:%M}"


class NationalOptOutCheck(models.Model):
    """One round trip with the national "check for national data opt-outs" service: the
    request file written, and (once read) the cleaned file that came back."""

    file_name = models.CharField(max_length=120, unique=True)
    requested_at = models.DateTimeField()
    numbers_sent = models.PositiveIntegerField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)
    numbers_returned = models.PositiveIntegerField(null=True, blank=True)
    numbers_opted_out = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = "national opt-out check"

    def __str__(self) -> str:
        return self.file_name


class NationalOptOut(models.Model):
    """Cache: this person had a national data opt-out at the last completed check that
    included them (sent minus returned)."""

    nhs_number = models.CharField(max_length=10, unique=True)
    from_check = models.ForeignKey(
        NationalOptOutCheck, on_delete=models.CASCADE, related_name="opt_outs"
    )

    class Meta:
        verbose_name = "national opt-out"

    def __str__(self) -> str:
        # Never the NHS number.
        return f"National opt-out from check {self.from_check_id}"


class VerifiedIdentity(models.Model):
    """A portal account whose holder's identity has been verified as the person with this NHS
    number (by staff, or in future by NHS login). It lets them see and change their own
    choices online (`consent.citizen`). One account, one person; a person may have several
    accounts only if staff link each."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="verified_identity"
    )
    nhs_number = models.CharField(max_length=10, db_index=True)
    method = models.CharField(max_length=24, help_text="A ConsentEvent identity method.")
    verified_at = models.DateTimeField()
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    evidence_reference = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "verified identity"
        verbose_name_plural = "verified identities"

    def __str__(self) -> str:
        # Never the NHS number.
        return f"Verified identity for user {self.user_id}"
