"""The register (ADR 0013): append-only events, the chain head and the projection. On
PostgreSQL a trigger refuses UPDATE and DELETE on events; the model layer refuses them
everywhere."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


REFUSE_CHANGES = """
CREATE FUNCTION consent_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'consent register events are append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER consent_event_append_only
    BEFORE UPDATE OR DELETE ON consent_consentevent
    FOR EACH ROW EXECUTE FUNCTION consent_event_refuse_change();
"""

ALLOW_CHANGES = """
DROP TRIGGER IF EXISTS consent_event_append_only ON consent_consentevent;
DROP FUNCTION IF EXISTS consent_event_refuse_change();
"""


def trigger_add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REFUSE_CHANGES, params=None)  # "%" is PL/pgSQL's, not a placeholder


def trigger_remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW_CHANGES, params=None)


def chain_head_create(apps, schema_editor):
    apps.get_model("consent", "ChainHead").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0002_seed_purposes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ChainHead",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("last_sequence", models.PositiveBigIntegerField(default=0)),
                (
                    "last_hash",
                    models.CharField(
                        default="0000000000000000000000000000000000000000000000000000000000000000",
                        max_length=64,
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="ConsentEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sequence", models.PositiveBigIntegerField(editable=False, unique=True)),
                (
                    "reference",
                    models.CharField(
                        editable=False, help_text="Quoted on receipts.", max_length=16, unique=True
                    ),
                ),
                ("nhs_number", models.CharField(db_index=True, editable=False, max_length=10)),
                ("person_name", models.CharField(blank=True, editable=False, max_length=200)),
                ("date_of_birth", models.DateField(blank=True, editable=False, null=True)),
                ("postcode", models.CharField(blank=True, editable=False, max_length=10)),
                (
                    "decision",
                    models.CharField(
                        choices=[
                            ("object", "Object"),
                            ("withdraw-objection", "Withdraw objection"),
                            ("consent", "Consent"),
                            ("withdraw-consent", "Withdraw consent"),
                            ("lacks-capacity", "Lacks capacity, no representative"),
                            ("identity-verified", "Identity verified"),
                        ],
                        editable=False,
                        max_length=24,
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("online", "Online"),
                            ("phone", "Phone"),
                            ("post", "Post"),
                            ("in-person", "In person"),
                            ("gp-recorded", "Recorded by GP"),
                            ("social-care-recorded", "Recorded by social care"),
                            ("imported", "Imported"),
                        ],
                        editable=False,
                        max_length=24,
                    ),
                ),
                (
                    "actor",
                    models.CharField(
                        choices=[
                            ("self", "The person themselves"),
                            ("proxy", "A representative (proxy)"),
                            ("staff", "Staff, after a capacity decision"),
                        ],
                        editable=False,
                        max_length=8,
                    ),
                ),
                (
                    "proxy_role",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("parent", "Parent or person with parental responsibility"),
                            (
                                "lpa-health-welfare",
                                "Lasting power of attorney for health and welfare",
                            ),
                            ("court-appointed-deputy", "Court-appointed deputy"),
                        ],
                        editable=False,
                        max_length=24,
                    ),
                ),
                ("proxy_name", models.CharField(blank=True, editable=False, max_length=200)),
                (
                    "evidence_reference",
                    models.CharField(blank=True, editable=False, max_length=200),
                ),
                (
                    "identity_method",
                    models.CharField(
                        choices=[
                            ("none", "None"),
                            ("self-declared", "Self-declared"),
                            ("nhs-login", "NHS login"),
                            ("documents-checked", "Documents checked"),
                            ("known-to-staff", "Known to staff / checked against the care record"),
                            ("gp-record", "Recorded by the GP practice"),
                        ],
                        default="none",
                        editable=False,
                        max_length=24,
                    ),
                ),
                (
                    "identity_result",
                    models.CharField(
                        choices=[
                            ("unverified", "Not verified"),
                            ("verified", "Verified"),
                            ("failed", "Verification failed"),
                        ],
                        default="unverified",
                        editable=False,
                        max_length=12,
                    ),
                ),
                (
                    "notice_version",
                    models.PositiveIntegerField(blank=True, editable=False, null=True),
                ),
                (
                    "occurred_at",
                    models.DateTimeField(editable=False, help_text="When the person chose."),
                ),
                (
                    "recorded_at",
                    models.DateTimeField(editable=False, help_text="When the register knew."),
                ),
                ("previous_hash", models.CharField(editable=False, max_length=64)),
                ("event_hash", models.CharField(editable=False, max_length=64, unique=True)),
                (
                    "purpose",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        help_text="Empty for events about the person (identity verified).",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="consent.purpose",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["sequence"],
            },
        ),
        migrations.CreateModel(
            name="ConsentState",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("nhs_number", models.CharField(max_length=10)),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("objected", "Objected"),
                            ("consented", "Consented"),
                            ("no-choice", "No choice recorded"),
                        ],
                        default="no-choice",
                        max_length=12,
                    ),
                ),
                ("effective_from", models.DateTimeField(blank=True, null=True)),
                (
                    "capacity_default",
                    models.BooleanField(
                        default=False,
                        help_text="The local default for someone lacking capacity, until a representative decides.",
                    ),
                ),
                (
                    "last_event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="consent.consentevent",
                    ),
                ),
                (
                    "pending_event",
                    models.ForeignKey(
                        blank=True,
                        help_text="A change waiting for identity verification.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="consent.consentevent",
                    ),
                ),
                (
                    "purpose",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="consent.purpose",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="consentevent",
            index=models.Index(fields=["nhs_number", "sequence"], name="consent_event_person"),
        ),
        migrations.AddConstraint(
            model_name="consentstate",
            constraint=models.UniqueConstraint(
                fields=("nhs_number", "purpose"), name="consent_state_unique"
            ),
        ),
        migrations.RunPython(chain_head_create, migrations.RunPython.noop),
        migrations.RunPython(trigger_add, trigger_remove),
    ]
