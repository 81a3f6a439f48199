from django.apps import AppConfig


class SelfcareConfig(AppConfig):
    """Self-assessments, wellbeing checks and the care-cost estimator, ending in signposting."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "selfcare"
