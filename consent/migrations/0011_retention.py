"""Retention (ADR 0015): tombstones for erased register events and the record of each
retention run. On PostgreSQL the events' trigger now lets a DELETE through only inside
retention (the transaction set `consent.retention` to 'on') and only once the event's
tombstone exists; UPDATE stays refused. A second trigger lets tombstones be inserted only
inside retention and only for an event that exists, and never changed or deleted."""

import django.db.models.deletion
from django.db import migrations, models

RETENTION_TRIGGERS = """
CREATE OR REPLACE FUNCTION consent_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE'
        AND current_setting('consent.retention', true) = 'on'
        AND EXISTS (
            SELECT 1 FROM consent_erasedevent t
            WHERE t.sequence = OLD.sequence AND t.event_hash = OLD.event_hash
        ) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'consent register events are append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE FUNCTION consent_erased_event_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT'
        AND current_setting('consent.retention', true) = 'on'
        AND EXISTS (
            SELECT 1 FROM consent_consentevent e
            WHERE e.sequence = NEW.sequence AND e.reference = NEW.reference
                AND e.event_hash = NEW.event_hash AND e.previous_hash = NEW.previous_hash
        ) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'consent register tombstones are written only by retention, for an event that exists: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER consent_erased_event_guard
    BEFORE INSERT OR UPDATE OR DELETE ON consent_erasedevent
    FOR EACH ROW EXECUTE FUNCTION consent_erased_event_guard();
"""

# As migration 0003 made it: every UPDATE and DELETE refused.
ORIGINAL_TRIGGERS = """
DROP TRIGGER IF EXISTS consent_erased_event_guard ON consent_erasedevent;
DROP FUNCTION IF EXISTS consent_erased_event_guard();
CREATE OR REPLACE FUNCTION consent_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'consent register events are append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$;
"""


def triggers_add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RETENTION_TRIGGERS, params=None)  # "%" is PL/pgSQL's


def triggers_remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ORIGINAL_TRIGGERS, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0010_pipeline_permissions"),
    ]

    operations = [
        migrations.CreateModel(
            name="RetentionRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("started_at", models.DateTimeField()),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                (
                    "authorised_by",
                    models.CharField(
                        blank=True,
                        help_text="The sign-off the policy was applied under.",
                        max_length=200,
                    ),
                ),
                (
                    "limits",
                    models.JSONField(
                        default=dict, help_text="The cut-off dates applied, per kind."
                    ),
                ),
                (
                    "counts",
                    models.JSONField(default=dict, help_text="How many were destroyed, per kind."),
                ),
            ],
            options={
                "verbose_name": "retention run",
                "ordering": ["-started_at"],
            },
        ),
        migrations.CreateModel(
            name="ErasedEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sequence", models.PositiveBigIntegerField(editable=False, unique=True)),
                ("reference", models.CharField(editable=False, max_length=16, unique=True)),
                ("previous_hash", models.CharField(editable=False, max_length=64)),
                ("event_hash", models.CharField(editable=False, max_length=64, unique=True)),
                ("erased_at", models.DateTimeField(editable=False)),
                (
                    "rule",
                    models.CharField(
                        editable=False,
                        help_text="The retention rule the event was erased under.",
                        max_length=200,
                    ),
                ),
                (
                    "run",
                    models.ForeignKey(
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="erased_events",
                        to="consent.retentionrun",
                    ),
                ),
            ],
            options={
                "verbose_name": "erased register event",
                "ordering": ["sequence"],
            },
        ),
        migrations.RunPython(triggers_add, triggers_remove),
    ]
