"""Directory pages: /services/ → organisation → service.

Services are Wagtail pages so they get revisions, preview, moderation workflows, the audit
log and per-organisation page permissions. Related rows are modelcluster children so every
revision captures them and a pending edit stays invisible until published.
"""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from directory.admin_forms import OrganisationPageAdminForm, ServicePageAdminForm

from .moderation import FIELD_GROUPS, FieldGroupsWidget


class DirectoryIndexPage(RoutablePageMixin, Page):
    """The directory's root at /services/: search, browse by category, and the shortlist."""

    introduction = models.TextField(blank=True, max_length=400)

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["directory.OrganisationPage"]
    max_count = 1

    class Meta:
        verbose_name = "directory index page"

    def serve(self, request, *args, **kwargs):
        # Links to the shortlist on these pages need this page: no need to look it up again.
        request._directory_index_page = self
        return super().serve(request, *args, **kwargs)

    # Search and browse live in the search app (ADR 0005); imported when a request needs them.
    @path("")
    def search(self, request):
        from search.views import directory_search

        return directory_search(request, index_page=self)

    @path("category/<slug:slug>/")
    def category(self, request, slug):
        from search.views import category_browse

        return category_browse(request, index_page=self, slug=slug)

    @path("shortlist/")
    def shortlist(self, request):
        from directory.views import shortlist_view

        return shortlist_view(request, index_page=self)

    @path("shortlist/<str:action>/")
    def shortlist_action(self, request, action):
        from directory.views import shortlist_action_view

        return shortlist_action_view(request, index_page=self, action=action)


class OrganisationPage(Page):
    """A provider: a charity, company, NHS body or council team that runs services."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    description = models.TextField()
    website = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    charity_number = models.CharField(max_length=20, blank=True)
    company_number = models.CharField(max_length=20, blank=True)
    # Moderation (ADR 0008): a trusted organisation's edits to low-risk field groups publish
    # without waiting for a moderator.
    is_trusted = models.BooleanField(
        "trusted",
        default=False,
        help_text="Edits to the field groups chosen below publish without moderation.",
    )
    trusted_field_groups = models.JSONField(
        default=list,
        blank=True,
        help_text="Which low-risk field groups publish at once (see directory.moderation).",
    )
    editors_group = models.OneToOneField(
        "auth.Group",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="organisation",
        help_text="The Wagtail group whose page permissions cover this organisation's pages.",
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("description"),
        MultiFieldPanel(
            [FieldPanel("website"), FieldPanel("email"), FieldPanel("phone")], "Contact"
        ),
        FieldPanel("logo"),
        FieldRowPanel([FieldPanel("charity_number"), FieldPanel("company_number")]),
    ]
    settings_panels = [
        *Page.settings_panels,
        MultiFieldPanel(
            [
                FieldPanel("is_trusted", permission="directory.set_organisation_trust"),
                FieldPanel(
                    "trusted_field_groups",
                    permission="directory.set_organisation_trust",
                    widget=FieldGroupsWidget,
                    heading="Publish without moderation",
                    help_text="When the organisation is trusted, changes to only these publish "
                    "at once. Any other change waits for a moderator.",
                ),
            ],
            "Moderation",
        ),
    ]
    search_fields = [*Page.search_fields, index.SearchField("description")]
    base_form_class = OrganisationPageAdminForm
    parent_page_types = ["directory.DirectoryIndexPage"]
    subpage_types = ["directory.ServicePage"]

    class Meta:
        verbose_name = "organisation"
        permissions = [
            ("set_organisation_trust", "Can mark organisations as trusted"),
            ("moderate_directory", "Can moderate listings, reviews and feedback"),
        ]

    def clean(self):
        super().clean()
        groups = self.trusted_field_groups
        if not isinstance(groups, list) or not all(
            isinstance(group, str) and group in FIELD_GROUPS for group in groups
        ):
            raise ValidationError({"trusted_field_groups": "Choose from the field groups listed"})

    @property
    def name(self) -> str:
        return self.title


class ServicePage(RoutablePageMixin, Page):
    """A service a resident can use. Field names follow Open Referral UK 3.0."""

    STATUS_ACTIVE = "active"
    STATUSES = [
        ("active", "Active"),
        ("inactive", "Inactive"),
        ("defunct", "Defunct"),
        ("temporarily closed", "Temporarily closed"),
    ]
    COVERAGE_LOCAL = "local"
    COVERAGES = [
        ("local", "Local (the council's area)"),
        ("county", "County-wide"),
        ("national", "National"),
    ]

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    summary = models.CharField(max_length=280, help_text="One or two sentences for result lists.")
    description = models.TextField(help_text="What the service does, in plain English.")
    status = models.CharField(max_length=20, choices=STATUSES, default=STATUS_ACTIVE)
    alert = models.CharField(
        max_length=300, blank=True, help_text="An urgent notice, such as a temporary change."
    )
    # ORUK calls this `url`; on a Wagtail page that name is the page's own address.
    website = models.URLField(blank=True)
    email = models.EmailField(blank=True)

    attending_in_person = models.BooleanField("in person", default=True)
    attending_online = models.BooleanField("online", default=False)
    attending_phone = models.BooleanField("by phone", default=False)

    is_free = models.BooleanField("free to use", default=True)
    fees = models.TextField("fees description", blank=True)

    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    eligibility_description = models.TextField("who it is for", blank=True)

    referral_required = models.BooleanField(default=False)
    referral_description = models.TextField("how to access", blank=True)

    coverage = models.CharField(
        max_length=10,
        choices=COVERAGES,
        default=COVERAGE_LOCAL,
        help_text="County-wide and national services also show after local ones in searches.",
    )
    closed_on_bank_holidays = models.BooleanField(default=True)
    taxonomy_terms = ParentalManyToManyField(
        "directory.TaxonomyTerm", blank=True, related_name="services"
    )
    accreditations = models.TextField(blank=True)
    assured_date = models.DateField(
        "last checked", null=True, blank=True, help_text="When the listing was last confirmed."
    )
    assurer_email = models.EmailField(blank=True)
    extra_information = RichTextField(blank=True, features=["bold", "link", "ul", "ol"])

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("description"),
        FieldPanel("status"),
        FieldPanel("alert"),
        FieldPanel("taxonomy_terms"),
        MultiFieldPanel(
            [
                FieldPanel("website"),
                FieldPanel("email"),
                InlinePanel("phones", label="Phone numbers"),
                InlinePanel("contacts", label="Contacts"),
            ],
            "Contact",
        ),
        MultiFieldPanel(
            [
                FieldPanel("attending_in_person"),
                FieldPanel("attending_online"),
                FieldPanel("attending_phone"),
                FieldPanel("referral_required"),
                FieldPanel("referral_description"),
            ],
            "How to access",
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("minimum_age"), FieldPanel("maximum_age")]),
                FieldPanel("eligibility_description"),
            ],
            "Who it is for",
        ),
        MultiFieldPanel(
            [FieldPanel("is_free"), FieldPanel("fees"), InlinePanel("cost_options", label="Costs")],
            "Cost",
        ),
        InlinePanel("service_at_locations", label="Locations"),
        MultiFieldPanel(
            [
                InlinePanel("regular_schedules", label="Weekly opening times"),
                FieldPanel("closed_on_bank_holidays"),
                InlinePanel("schedule_exceptions", label="Closures and special dates"),
            ],
            "Opening times",
        ),
        InlinePanel("languages", label="Languages"),
        FieldPanel("coverage"),
        FieldPanel("accreditations"),
        FieldPanel("extra_information"),
        MultiFieldPanel([FieldPanel("assured_date"), FieldPanel("assurer_email")], "Checks"),
    ]
    # Page.search_fields already weights the title (the service's name) above the rest.
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary", boost=1.5),
        index.SearchField("description"),
        index.SearchField("eligibility_description"),
        index.RelatedFields("taxonomy_terms", [index.SearchField("name", boost=1.5)]),
        index.FilterField("status"),
        index.FilterField("coverage"),
        index.FilterField("is_free"),
        index.FilterField("minimum_age"),
        index.FilterField("maximum_age"),
    ]
    parent_page_types = ["directory.OrganisationPage"]
    subpage_types: list[str] = []
    # Providers choose only their own organisations' locations (ADR 0008).
    base_form_class = ServicePageAdminForm

    # What residents do about a service, beside reading its page (views in directory.views).
    @path("review/")
    def review(self, request):
        from directory.views.reviews import review_submit_view

        return review_submit_view(request, service=self)

    @path("reviews/<int:review_id>/report/")
    def review_report(self, request, review_id):
        from directory.views.reviews import review_report_view

        return review_report_view(request, service=self, review_id=review_id)

    @path("report-a-problem/")
    def report_problem(self, request):
        from directory.views.feedback import feedback_submit_view

        return feedback_submit_view(request, service=self)

    class Meta:
        verbose_name = "service"

    def clean(self):
        super().clean()
        if (
            self.minimum_age is not None
            and self.maximum_age is not None
            and self.maximum_age < self.minimum_age
        ):
            raise ValidationError(
                {"maximum_age": "Maximum age must be the same as or more than the minimum age"}
            )

    @property
    def name(self) -> str:
        return self.title

    @property
    def organisation(self) -> OrganisationPage:
        return self.get_parent().specific

    @property
    def last_modified(self):
        return self.last_published_at or self.latest_revision_created_at or timezone.now()

    @property
    def attending_types(self) -> list[str]:
        return [
            label
            for flag, label in [
                (self.attending_in_person, "in person"),
                (self.attending_online, "online"),
                (self.attending_phone, "by phone"),
            ]
            if flag
        ]


class ServiceAtLocation(Orderable):
    """A service delivered at a location (ORUK service_at_location)."""

    service = ParentalKey(
        ServicePage, on_delete=models.CASCADE, related_name="service_at_locations"
    )
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    location = models.ForeignKey(
        "directory.Location", on_delete=models.CASCADE, related_name="service_at_locations"
    )
    description = models.CharField(max_length=200, blank=True)

    panels = [FieldPanel("location"), FieldPanel("description")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["service", "location"], name="unique_service_location")
        ]

    def __str__(self) -> str:
        return f"{self.service} at {self.location}"


class ServicePhone(Orderable):
    service = ParentalKey(ServicePage, on_delete=models.CASCADE, related_name="phones")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(max_length=40)
    description = models.CharField(max_length=100, blank=True)

    panels = [FieldPanel("number"), FieldPanel("description")]

    def __str__(self) -> str:
        return self.number


class ServiceContact(Orderable):
    """A named contact. Private contacts are for staff and never shown publicly or in the API."""

    service = ParentalKey(ServicePage, on_delete=models.CASCADE, related_name="contacts")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=100)
    title = models.CharField("job title", max_length=100, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    is_public = models.BooleanField(default=False, help_text="Show on the public listing and API.")

    panels = [
        FieldPanel("name"),
        FieldPanel("title"),
        FieldPanel("email"),
        FieldPanel("phone"),
        FieldPanel("is_public"),
    ]

    def __str__(self) -> str:
        return self.name


class ServiceCostOption(Orderable):
    service = ParentalKey(ServicePage, on_delete=models.CASCADE, related_name="cost_options")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    option = models.CharField(max_length=100, help_text="For example: per session, per month")
    amount = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    amount_description = models.CharField(max_length=200, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    panels = [
        FieldPanel("option"),
        FieldPanel("amount"),
        FieldPanel("amount_description"),
        FieldPanel("valid_from"),
        FieldPanel("valid_to"),
    ]

    def __str__(self) -> str:
        return f"{self.option}: £{self.amount}" if self.amount is not None else self.option


class ServiceLanguage(Orderable):
    service = ParentalKey(ServicePage, on_delete=models.CASCADE, related_name="languages")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=60)
    code = models.CharField(max_length=12, blank=True, help_text="ISO 639 code, like cy or pl")

    panels = [FieldPanel("name"), FieldPanel("code")]

    def __str__(self) -> str:
        return self.name
