from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings


class PortalConfig(AppConfig):
    """The site shell: home and content pages, site settings, accounts and roles, health check."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "portal"

    def ready(self):
        from . import scheduling, signals  # noqa: F401

        if settings.TASK_BACKEND == "database":
            # Finished tasks keep their arguments (email addresses and text): delete them.
            scheduling.job_register(
                name="prune-task-results",
                command="prune_db_task_results",
                args=("--queue-name", "*", "--min-age-days", "7", "--failed-min-age-days", "30"),
                every=timedelta(days=1),
                at=timedelta(hours=3),
            )
