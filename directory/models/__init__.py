"""The directory's data, named after Open Referral UK 3.0 so the API is a thin mapping."""

from .locations import AccessibilityFeature, Location
from .pages import (
    DirectoryIndexPage,
    OrganisationPage,
    ServiceAtLocation,
    ServiceContact,
    ServiceCostOption,
    ServiceLanguage,
    ServicePage,
    ServicePhone,
)
from .schedules import RegularSchedule, ScheduleException
from .taxonomy import Taxonomy, TaxonomyTerm

__all__ = [
    "AccessibilityFeature",
    "DirectoryIndexPage",
    "Location",
    "OrganisationPage",
    "RegularSchedule",
    "ScheduleException",
    "ServiceAtLocation",
    "ServiceContact",
    "ServiceCostOption",
    "ServiceLanguage",
    "ServicePage",
    "ServicePhone",
    "Taxonomy",
    "TaxonomyTerm",
]
