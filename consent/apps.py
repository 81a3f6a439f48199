from django.apps import AppConfig


class ConsentConfig(AppConfig):
    """Fair-processing notices and the append-only objection and consent register."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "consent"
