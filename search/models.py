from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.search import index


class Postcode(models.Model):
    """A live UK postcode and its centroid (from the ONS Postcode Directory)."""

    postcode = models.CharField(max_length=8, unique=True, help_text="Normalised: 'SS1 2AB'.")
    outward = models.CharField(max_length=4, db_index=True, help_text="The district: 'SS1'.")
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        ordering = ["postcode"]

    def __str__(self) -> str:
        return self.postcode


class PostcodeDistrict(models.Model):
    """The centre of a postcode district (outward code), for partial or unknown postcodes."""

    outward = models.CharField(max_length=4, unique=True)
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        ordering = ["outward"]

    def __str__(self) -> str:
        return self.outward


class Synonym(index.Indexed, models.Model):
    """Words that mean the same to the people searching: a search for one finds the others."""

    terms = models.CharField(
        max_length=300,
        unique=True,
        help_text="Words or phrases separated by commas, for example: GP, doctor, surgery",
    )

    panels = [FieldPanel("terms")]
    search_fields = [index.SearchField("terms")]

    class Meta:
        ordering = ["terms"]

    def __str__(self) -> str:
        return self.terms

    @property
    def term_list(self) -> list[str]:
        return [term.strip().lower() for term in self.terms.split(",") if term.strip()]
