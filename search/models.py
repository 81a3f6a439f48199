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


class SearchDocument(models.Model):
    """One findable service as the database engine sees it: the facts it filters and ranks on
    and what a result card shows, in one narrow row (ADR 0006).

    Derived data: built from the live, public service by `search.documents` whenever a page
    is published, withdrawn, moved or restricted, and rebuilt whole by `search_reindex`. A
    service that may not be found (a draft, unpublished, inactive) has no row.
    """

    service = models.OneToOneField(
        "directory.ServicePage", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    # What the result card shows.
    title = models.CharField(max_length=255)
    url = models.CharField(max_length=500)
    organisation = models.CharField(max_length=255, blank=True)
    summary = models.TextField(blank=True)
    status = models.CharField(max_length=20)
    status_label = models.CharField(max_length=40, blank=True, help_text="Empty when active.")
    categories = models.JSONField(default=list, help_text="The service's category names.")
    assured_date = models.DateField(null=True, blank=True)
    checked_on = models.DateField(
        null=True, blank=True, help_text="Last checked, or first published: the listing's age."
    )
    rating_average = models.FloatField(null=True, blank=True)
    rating_count = models.PositiveIntegerField(default=0)
    # What searches filter and sort on.
    sort_title = models.CharField(max_length=255, db_index=True)
    coverage = models.CharField(max_length=20, db_index=True)
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    is_free = models.BooleanField(default=False)
    attending_in_person = models.BooleanField(default=False)
    attending_online = models.BooleanField(default=False)
    attending_phone = models.BooleanField(default=False)
    open_days = models.PositiveSmallIntegerField(
        default=0, help_text="Bit n is set when the service opens on weekday n (0 = Monday)."
    )
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_title", "service_id"]

    def __str__(self) -> str:
        return self.title


class SearchDocumentTerm(models.Model):
    """A category of a findable service, with every category above it (so choosing a parent
    finds its children's services, and facet counts roll up, with no tree walk at search time).
    """

    # The unique (document, term) index serves facet counts (terms of given documents); the
    # (term, document) one serves category filters (documents of given terms).
    document = models.ForeignKey(
        SearchDocument, on_delete=models.CASCADE, related_name="terms", db_index=False
    )
    term = models.ForeignKey(
        "directory.TaxonomyTerm", on_delete=models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "term"], name="unique_document_term"),
        ]
        indexes = [models.Index(fields=["term", "document"], name="search_term_document")]

    def __str__(self) -> str:
        return f"{self.document_id}: {self.term_id}"


class SearchDocumentPoint(models.Model):
    """Where a findable service runs: one point per location with known coordinates."""

    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="points")
    latitude = models.FloatField()
    longitude = models.FloatField()
    is_local = models.BooleanField(
        default=True, help_text="The service's coverage is local (not county-wide or national)."
    )
    # The point on a unit sphere (search.postcodes.unit_vector): distances by arithmetic alone.
    x = models.FloatField(default=0.0)
    y = models.FloatField(default=0.0)
    z = models.FloatField(default=0.0)

    class Meta:
        indexes = [models.Index(fields=["latitude", "longitude"], name="search_point_lat_lon")]

    def __str__(self) -> str:
        return f"{self.document_id}: {self.latitude}, {self.longitude}"

    @classmethod
    def at(
        cls, document_id: int, latitude: float, longitude: float, *, is_local: bool
    ) -> "SearchDocumentPoint":
        """A point with its unit vector filled in."""
        from .postcodes import unit_vector

        x, y, z = unit_vector(latitude, longitude)
        return cls(
            document_id=document_id,
            latitude=latitude,
            longitude=longitude,
            is_local=is_local,
            x=x,
            y=y,
            z=z,
        )
