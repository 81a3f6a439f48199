"""The care-cost estimator's figures, one row per financial year (docs/care-cost-estimator.md).

Finance or IG staff edit these in the Wagtail admin (Snippets > Care charging years) each April,
from the Department of Health and Social Care's "Social care - charging for care and support:
local authority circular" for the year. The tables are JSON so a new premium or local disregard
does not need a code change; `clean()` checks them before they are saved.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from wagtail.models import DraftStateMixin, RevisionMixin

# Keys of the minimum income guarantee table that the calculation needs.
MIG_KEYS = (
    "single_18_24",
    "single_25_to_pension_age",
    "single_pension_age",
    "disability_premium",
    "enhanced_disability_premium",
    "carer_premium",
)
DISREGARD_APPLIES_TO = ("everyone", "at_home", "care_home", "disability_benefit")


def _money(value: Any) -> Decimal | None:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or amount < 0:
        return None
    return amount


class ChargingYear(models.Model):
    """England's charging figures for one financial year (Care Act 2014 charging regulations)."""

    label = models.CharField(
        max_length=7, unique=True, help_text='The financial year, for example "2026/27".'
    )
    starts_on = models.DateField(
        unique=True, help_text="The date these figures take effect (usually in early April)."
    )
    upper_capital_limit = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        default=Decimal("23250.00"),
        help_text="Above this, the person pays the full cost of their care.",
    )
    lower_capital_limit = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        default=Decimal("14250.00"),
        help_text="Capital at or below this is ignored.",
    )
    tariff_step = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        default=Decimal("250.00"),
        help_text="Tariff income: for every this much (or part of it) between the limits...",
    )
    tariff_per_step = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=Decimal("1.00"),
        help_text="...count this much as weekly income.",
    )
    personal_expenses_allowance = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        help_text="Weekly amount a care home resident keeps (instead of the minimum income "
        "guarantee).",
    )
    minimum_income_guarantee = models.JSONField(
        help_text="Weekly amounts for care at home, as an object with the keys "
        + ", ".join(MIG_KEYS)
        + ' and amounts as strings, for example {"single_18_24": "89.15", ...}.'
    )
    disregards = models.JSONField(
        default=list,
        blank=True,
        help_text='Weekly income disregards, as a list of {"label": ..., "weekly_amount": '
        '"0.00", "applies_to": one of ' + ", ".join(DISREGARD_APPLIES_TO) + "}.",
    )
    source = models.TextField(
        help_text="Where these figures come from, and anything still to be checked.",
    )
    confirmed = models.BooleanField(
        default=False,
        help_text="Tick once every figure has been checked against the published circular. "
        "Until then the estimator tells people the figures are provisional.",
    )

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = "care charging year"

    def __str__(self) -> str:
        return f"Care charging figures {self.label}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if (
            self.lower_capital_limit is not None
            and self.upper_capital_limit is not None
            and self.lower_capital_limit >= self.upper_capital_limit
        ):
            errors["lower_capital_limit"] = "The lower limit must be less than the upper limit."
        if self.tariff_step is not None and self.tariff_step <= 0:
            errors["tariff_step"] = "The tariff step must be more than 0."
        mig = self.minimum_income_guarantee
        if not isinstance(mig, dict):
            errors["minimum_income_guarantee"] = "Enter an object of amounts."
        else:
            missing = [key for key in MIG_KEYS if key not in mig]
            bad = [key for key, value in mig.items() if _money(value) is None]
            if missing:
                errors["minimum_income_guarantee"] = f"Add {', '.join(missing)}."
            elif bad:
                errors["minimum_income_guarantee"] = (
                    f"These are not amounts of 0 or more: {', '.join(bad)}."
                )
        rows = self.disregards
        if not isinstance(rows, list) or any(
            not isinstance(row, dict)
            or not str(row.get("label", "")).strip()
            or _money(row.get("weekly_amount")) is None
            or row.get("applies_to", "everyone") not in DISREGARD_APPLIES_TO
            for row in rows
        ):
            errors["disregards"] = (
                'Each disregard needs a "label", a "weekly_amount" of 0 or more and "applies_to" '
                "as one of " + ", ".join(DISREGARD_APPLIES_TO) + "."
            )
        if errors:
            raise ValidationError(errors)


def charging_year_for(day: dt.date) -> ChargingYear | None:
    """The figures in force on `day`: the latest year that has started."""
    return ChargingYear.objects.filter(starts_on__lte=day).order_by("-starts_on").first()


# ---------------------------------------------------------------------------------------------
# Save and return, submissions and the practitioners' queue (issue 6).

DRAFT_LIFETIME = dt.timedelta(days=60)
DRAFT_REMINDER_BEFORE = dt.timedelta(days=7)


class SavedDraft(models.Model):
    """A signed-in person's unfinished self-assessment, so they can carry on from another
    device (selfcare.drafts). Deleted when sent, when started again, or 60 days after the last
    save (`manage.py selfcare_expire_drafts`, which also sends the reminder 7 days before)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="selfcare_drafts"
    )
    definition_slug = models.SlugField(max_length=80)
    definition_version = models.PositiveIntegerField()
    answers = models.JSONField(default=dict)
    saved_pages = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "definition_slug"], name="selfcare_one_draft_per_tool"
            )
        ]

    def __str__(self) -> str:
        return f"Saved {self.definition_slug} (expires {self.expires_at:%Y-%m-%d})"


class Submission(models.Model):
    """A self-assessment someone sent: a case in the practitioners' queue. Keeps the answers
    as given, what they were shown ("summary", frozen so a later definition cannot change it)
    and the definition and scoring versions used."""

    NEW, IN_PROGRESS, WAITING, CLOSED = "new", "in-progress", "waiting", "closed"
    STATUSES = [
        (NEW, "New"),
        (IN_PROGRESS, "In progress"),
        (WAITING, "Waiting for the person"),
        (CLOSED, "Closed"),
    ]

    reference = models.CharField(max_length=16, unique=True)
    definition_slug = models.SlugField(max_length=80, db_index=True)
    definition_title = models.CharField(max_length=200)
    definition_version = models.PositiveIntegerField()
    scoring_version = models.PositiveIntegerField()
    answers = models.JSONField(default=dict)
    # [{"title": section, "rows": [{"key": question, "answer": text}, ...]}, ...]
    summary = models.JSONField(default=list)
    # {"scores": {...}, "bands": {rule: band id}, "flags": [...], "eligibility": {...} | None}
    outcome = models.JSONField(default=dict)
    urgent = models.BooleanField(default=False, db_index=True)
    urgent_reasons = models.JSONField(default=list, blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    completed_by_proxy = models.BooleanField(default=False)
    consent_to_share = models.JSONField(default=list, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="selfcare_submissions",
    )
    submitted_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=20, choices=STATUSES, default=NEW, db_index=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="selfcare_cases",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-urgent", "submitted_at"]
        permissions = [("work_on_submission", "Can work on self-assessment submissions")]
        indexes = [models.Index(fields=["status", "-urgent", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.definition_title} {self.reference}"


class SubmissionNote(models.Model):
    """A practitioner's case note."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Note on {self.submission_id} at {self.created_at:%Y-%m-%d %H:%M}"


class CaseActivity(models.Model):
    """Who looked at or changed a case, and when: staff access to personal records is logged."""

    VIEWED, PRINTED, ASSIGNED, STATUS, NOTE = "viewed", "printed", "assigned", "status", "note"
    ACTIONS = [
        (VIEWED, "Viewed"),
        (PRINTED, "Printed"),
        (ASSIGNED, "Assigned"),
        (STATUS, "Changed status"),
        (NOTE, "Added a note"),
    ]

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="activity")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=20, choices=ACTIONS)
    detail = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} case {self.submission_id}"


class WebhookDelivery(models.Model):
    """One submission sent to the council's case system (selfcare.webhooks): the exact body
    is kept so every retry sends the same bytes and signature input."""

    PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
    STATUSES = [(PENDING, "Waiting to be sent"), (DELIVERED, "Delivered"), (FAILED, "Gave up")]

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=60, default="submission.created")
    url = models.URLField(max_length=500)
    body = models.TextField()
    status = models.CharField(max_length=12, choices=STATUSES, default=PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.event} for case {self.submission_id}: {self.get_status_display()}"


class WebhookAttempt(models.Model):
    """The delivery log: one row per try, with the answer (never the body)."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"Attempt at {self.at:%Y-%m-%d %H:%M}: {self.status_code or self.error}"


# ---------------------------------------------------------------------------------------------
# Staff-edited: signposting and council-authored definitions.

SIGNPOST_KEY_HELP = (
    'What in a result this rule matches: "always"; "eligible" or "not-eligible" (the indicative '
    'eligibility of a self-assessment); "outcome:<code>" (an outcome the person cannot achieve, '
    'for example outcome:nutrition); "band:<rule>:<band>" (for example band:severity:moderate); '
    'or "flag:<name>" (for example flag:urgent).'
)


class SignpostRule(models.Model):
    """Staff-editable signposting (selfcare.signposting): when a result of `definition_slug`
    matches `key`, offer directory services in `categories`."""

    definition_slug = models.SlugField(
        max_length=80, help_text="The self-care tool, as in its address: /self-care/<tool>/."
    )
    key = models.CharField(max_length=120, help_text=SIGNPOST_KEY_HELP)
    categories = models.ManyToManyField(
        "directory.TaxonomyTerm",
        related_name="+",
        limit_choices_to={"taxonomy__is_browsable": True},
        help_text="Directory categories to offer.",
    )
    note = models.CharField(max_length=200, blank=True, help_text="Why (for other editors).")

    class Meta:
        ordering = ["definition_slug", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["definition_slug", "key"], name="selfcare_one_signpost_rule_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.definition_slug}: {self.key}"


class CouncilDefinition(DraftStateMixin, RevisionMixin, models.Model):
    """An assessment definition written by the council in the Wagtail admin: drafted, published
    and versioned with Wagtail's revisions. The published JSON is what people see; a licensed
    instrument (WEMWBS, ASCOT-Carer, ...) is only offered with a licence reference."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=80, unique=True, help_text="Its address: /self-care/<slug>/."
    )
    definition = models.JSONField(
        help_text="The definition, in the format of docs/selfcare-definitions.md."
    )
    licence_reference = models.CharField(
        max_length=200,
        blank=True,
        help_text="Required for a licensed instrument: the licence number or agreement "
        "reference, and who holds it.",
    )
    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="selfcare_definition")

    class Meta:
        ordering = ["title"]
        verbose_name = "council self-care definition"

    def __str__(self) -> str:
        return self.title

    @property
    def revisions(self):
        return self._revisions

    def clean(self) -> None:
        """Refuse a definition the portal cannot offer, in words a council author can act on:
        it must load, match its slug, not take a built-in tool's address, carry a licence
        reference when licensed, and have a new version whenever its content changes (a
        result records the version it was scored with, so one version means one wording)."""
        from . import engine

        super().clean()
        errors: dict[str, str] = {}
        if self.slug and self.slug in engine.builtin_definitions():
            errors["slug"] = (
                "This slug is already used by a self-care tool built into the portal. "
                "Choose another."
            )
        data = self.definition
        loaded = None
        if data is None:
            pass  # blank or not JSON at all: the field's own error says so
        elif not isinstance(data, dict):
            errors["definition"] = (
                "This definition has a problem: it must be a JSON object, starting with { "
                "and ending with }."
            )
        else:
            try:
                loaded = engine.definition_load(data)
            except engine.DefinitionError as problem:
                errors["definition"] = f"This definition has a problem: {problem}."
            except KeyError as problem:
                errors["definition"] = (
                    f"This definition has a problem: the key {problem} is missing. "
                    "Check the scoring, interrupts and results against the guide."
                )
            except (TypeError, ValueError, AttributeError):
                errors["definition"] = (
                    "This definition has a problem: a value is the wrong kind (for example "
                    "text where a list or a number belongs). Check it against the guide."
                )
        if loaded is not None:
            errors.update(self._clean_loaded(data, loaded))
        if errors:
            raise ValidationError(errors)

    def _clean_loaded(self, data: dict, loaded) -> dict[str, str]:
        errors: dict[str, str] = {}
        if self.slug and loaded.slug != self.slug:
            errors["definition"] = (
                f'This definition has a problem: its "slug" is "{loaded.slug}" but the slug '
                f'above is "{self.slug}". They must be the same.'
            )
        if loaded.licence_required and not (self.licence_reference or "").strip():
            errors["licence_reference"] = (
                "Enter the licence reference for this instrument. Licensed questionnaires such "
                "as WEMWBS, ASCOT-Carer or the Carer Experience Scale cannot be offered without "
                "one."
            )
        version = data.get("version")
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            errors.setdefault(
                "definition",
                'This definition has a problem: its "version" must be a whole number, 1 or '
                "more (for example 1).",
            )
            return errors
        published = self.definition_published()
        if published is not None and published != data:
            published_version = published.get("version")
            if isinstance(published_version, int) and version <= published_version:
                errors.setdefault(
                    "definition",
                    "This definition has a problem: it differs from the published one, so "
                    f'its "version" must be higher than {published_version}. Set it to '
                    f"{published_version + 1}.",
                )
        return errors

    def definition_published(self) -> dict | None:
        """The JSON people see now, or last saw if it was unpublished; None if never published.

        With DraftStateMixin the row holds the live content and drafts live in revisions, so
        the row is read from the database (this instance may hold a draft)."""
        if self.pk is None:
            return None
        row = type(self).objects.filter(pk=self.pk).values("live", "definition").first()
        if row is None:
            return None
        if row["live"]:
            return row["definition"]
        entry = self._publish_log().first()
        return entry.revision.as_object().definition if entry else None

    def _publish_log(self):
        from wagtail.models import ModelLogEntry

        return (
            ModelLogEntry.objects.for_instance(self)
            .filter(action="wagtail.publish", revision__isnull=False)
            .select_related("revision", "user")
            .order_by("-timestamp", "-pk")
        )

    @property
    def version_history(self) -> list[dict]:
        """Each publication, newest first: the definition's version, when and by whom."""
        if self.pk is None:
            return []
        history = []
        for entry in self._publish_log():
            definition = entry.revision.as_object().definition
            version = definition.get("version") if isinstance(definition, dict) else None
            history.append(
                {
                    "version": version,
                    "published_at": entry.timestamp,
                    "published_by": entry.user_display_name if entry.user_id else "",
                    "revision_id": entry.revision_id,
                }
            )
        return history


class SavedResult(models.Model):
    """A wellbeing check result a signed-in person chose to keep, to see how they are doing
    over time. Scores and bands only: never the answers. Kept until the person deletes it or
    their account."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="selfcare_results"
    )
    definition_slug = models.SlugField(max_length=80)
    definition_title = models.CharField(max_length=200)
    definition_version = models.PositiveIntegerField()
    scoring_version = models.PositiveIntegerField()
    # [{"label": "Your score", "score": 7, "maximum": 21, "band": "Mild anxiety"}, ...]
    scores = models.JSONField(default=list)
    saved_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-saved_at"]

    def __str__(self) -> str:
        return f"{self.definition_title} result saved {self.saved_at:%Y-%m-%d}"
