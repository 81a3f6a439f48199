import uuid

from django.db import models
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from directory.admin_forms import LocationAdminForm


class Location(ClusterableModel):
    """A place where services are delivered. Owned by an organisation, shared by its services."""

    LOCATION_TYPES = [("physical", "Physical"), ("postal", "Postal"), ("virtual", "Virtual")]

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "directory.OrganisationPage",
        on_delete=models.CASCADE,
        related_name="locations",
        null=True,
        blank=True,
    )
    location_type = models.CharField(max_length=10, choices=LOCATION_TYPES, default="physical")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    address_1 = models.CharField("address line 1", max_length=200, blank=True)
    address_2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField("town or city", max_length=100, blank=True)
    state_province = models.CharField("county", max_length=100, blank=True)
    postal_code = models.CharField("postcode", max_length=10, blank=True, db_index=True)
    country = models.CharField(max_length=2, default="GB")
    latitude = models.FloatField(null=True, blank=True, db_index=True)
    longitude = models.FloatField(null=True, blank=True, db_index=True)
    hide_address = models.BooleanField(
        default=False,
        help_text="Show only the area, never the street address or map (for example a refuge).",
    )
    area_description = models.CharField(
        max_length=100, blank=True, help_text="Shown instead of the address when it is hidden."
    )

    panels = [
        FieldPanel("organisation"),
        FieldPanel("name"),
        FieldPanel("location_type"),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldPanel("address_1"),
                FieldPanel("address_2"),
                FieldPanel("city"),
                FieldPanel("state_province"),
                FieldPanel("postal_code"),
            ],
            "Address",
        ),
        MultiFieldPanel([FieldPanel("hide_address"), FieldPanel("area_description")], "Privacy"),
        InlinePanel("accessibility_features", label="Accessibility"),
    ]
    # Providers add locations only for their own organisations (ADR 0008).
    base_form_class = LocationAdminForm

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["latitude", "longitude"], name="location_lat_lon")]

    def __str__(self) -> str:
        return f"{self.name}, {self.postal_code}" if self.postal_code else self.name

    @property
    def public_address_lines(self) -> list[str]:
        if self.hide_address:
            return [self.area_description or self.city or "Address given when you contact them"]
        lines = [self.address_1, self.address_2, self.city, self.postal_code]
        return [line for line in lines if line]


class AccessibilityFeature(Orderable):
    """An accessibility feature of a location (step-free access, hearing loop...)."""

    location = ParentalKey(
        Location, on_delete=models.CASCADE, related_name="accessibility_features"
    )
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    description = models.CharField(max_length=200)
    details = models.TextField(blank=True)

    panels = [FieldPanel("description"), FieldPanel("details")]

    def __str__(self) -> str:
        return self.description
