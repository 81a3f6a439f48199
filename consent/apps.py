from django.apps import AppConfig


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
