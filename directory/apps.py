from datetime import timedelta

from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    """Organisations, services, locations and taxonomy: the service directory and its API."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "directory"

    def ready(self):
        from portal.scheduling import job_register

        # Freshness reminders and escalations (directory.freshness), each morning.
        job_register(
            name="remind-stale-listings",
            command="remind_stale_listings",
            every=timedelta(days=1),
            at=timedelta(hours=7),
        )
        # Reviews are taken down 2 years after the experience (directory.reviews), each night.
        job_register(
            name="expire-reviews",
            command="expire_reviews",
            every=timedelta(days=1),
            at=timedelta(hours=2),
        )
        # Listing moderation (ADR 0010): our emails instead of Wagtail's, and the moderators'
        # daily digest of new listing changes.
        from . import moderation, receivers

        receivers.connect()
        job_register(
            name="send-moderation-digest",
            command="send_moderation_digest",
            every=timedelta(days=1),
            at=moderation.DIGEST_AT,
        )
