from datetime import timedelta

from django.apps import AppConfig


class SelfcareConfig(AppConfig):
    """Self-assessments, wellbeing checks and the care-cost estimator, ending in signposting."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "selfcare"

    def ready(self) -> None:
        from portal.scheduling import job_register

        # Case-system deliveries that are due a retry (selfcare.webhooks): the only retry on
        # the immediate backend, and the safety net for the task worker.
        job_register(
            name="selfcare-webhook-retry",
            command="selfcare_webhook_retry",
            every=timedelta(minutes=5),
        )
        # Saved self-assessments: the 7-day reminder and deletion after 60 days (selfcare.drafts).
        job_register(
            name="selfcare-expire-drafts",
            command="selfcare_expire_drafts",
            every=timedelta(days=1),
            at=timedelta(hours=6),
        )
        # Closed cases past SELFCARE_CLOSED_CASE_RETENTION_DAYS (selfcare.retention).
        job_register(
            name="selfcare-apply-retention",
            command="selfcare_apply_retention",
            every=timedelta(days=1),
            at=timedelta(hours=5, minutes=30),
        )
