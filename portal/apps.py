from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The site shell: home and content pages, site settings, accounts and roles, health check."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "portal"

    def ready(self):
        from . import signals  # noqa: F401
