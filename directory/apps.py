from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    """Organisations, services, locations and taxonomy: the service directory and its API."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "directory"
