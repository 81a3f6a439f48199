"""The directory's data, named after Open Referral UK 3.0 so the API is a thin mapping."""

from .feedback import FreshnessReminder, ListingFeedback
from .locations import AccessibilityFeature, Location
from .moderation import ListingModerationTask
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
from .providers import (
    ModerationPreference,
    OrganisationInvitation,
    OrganisationMembership,
    OrganisationRequest,
)
from .reviews import Review, ReviewReply, ReviewReport, ScreeningWord
from .schedules import RegularSchedule, ScheduleException
from .taxonomy import Taxonomy, TaxonomyTerm

__all__ = [
    "AccessibilityFeature",
    "DirectoryIndexPage",
    "FreshnessReminder",
    "ListingFeedback",
    "ListingModerationTask",
    "Location",
    "ModerationPreference",
    "OrganisationInvitation",
    "OrganisationMembership",
    "OrganisationPage",
    "OrganisationRequest",
    "RegularSchedule",
    "Review",
    "ReviewReply",
    "ReviewReport",
    "ScheduleException",
    "ScreeningWord",
    "ServiceAtLocation",
    "ServiceContact",
    "ServiceCostOption",
    "ServiceLanguage",
    "ServicePage",
    "ServicePhone",
    "Taxonomy",
    "TaxonomyTerm",
]
