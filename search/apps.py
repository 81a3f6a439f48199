from django.apps import AppConfig


class SearchConfig(AppConfig):
    """The directory search interface, its engines and postcode geocoding."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "search"

    def ready(self):
        from . import signals  # noqa: F401
