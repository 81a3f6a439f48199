from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings


class ConsentConfig(AppConfig):
    """Fair-processing notices and the append-only objection and consent register."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "consent"

    def ready(self) -> None:
        from wagtail.signals import page_published

        from . import notices
        from .models import DataSharingNoticePage

        page_published.connect(
            notices.on_page_published,
            sender=DataSharingNoticePage,
            dispatch_uid="consent.notice_version_publish",
        )

        if settings.CONSENT_RETENTION_SCHEDULED:
            from portal.scheduling import job_register

            # Weekly, Mondays 04:00, once IG have signed the policy off
            # (docs/data-destruction-policy.md); until then operators run it by hand.
            job_register(
                name="apply-consent-retention",
                command="consent_apply_retention",
                every=timedelta(days=7),
                at=timedelta(hours=4),
            )
