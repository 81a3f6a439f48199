"""The data-sharing register's reference data: the purposes data is used for.

(Notices, events and the projection are added beside this; consent imports nothing from
directory, search or selfcare: ARCHITECTURE.md.)"""

from django.core.exceptions import ValidationError
from django.db import models
from wagtail.admin.panels import FieldPanel, HelpPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page


class Purpose(models.Model):
    """Something the partnership uses linked health and care data for, and on what legal basis.
    Managed by IG officers."""

    CONSENT = "consent"
    S251 = "s251"
    LEGAL_OBLIGATION = "legal-obligation"
    DIRECT_CARE = "direct-care"
    LEGAL_BASES = [
        (CONSENT, "Consent"),
        (S251, "Section 251 support (NHS Act 2006)"),
        (LEGAL_OBLIGATION, "Legal obligation"),
        (DIRECT_CARE, "Direct care"),
    ]

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(help_text="What it is for, in plain English.")
    legal_basis = models.CharField(max_length=20, choices=LEGAL_BASES)
    objection_honoured = models.BooleanField(
        default=True, help_text="People can object, and their objection is respected."
    )
    national_opt_out_applies = models.BooleanField(
        default=False, help_text="The national data opt-out applies to this purpose."
    )
    data_categories = models.TextField(
        blank=True, help_text="The kinds of data used, one per line."
    )
    recipients = models.TextField(blank=True, help_text="Who receives the data, one per line.")
    is_active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


# --- Fair-processing notice (consent.notices has the rules) ----------------------------------


NOTICE_FEATURES = ["h3", "bold", "link", "ol", "ul"]


class DataSharingNoticePage(RoutablePageMixin, Page):
    """The fair-processing notice at /data-sharing/. Every publish freezes a NoticeVersion; the
    public page shows the current version's frozen text, so what people read is on record."""

    summary = models.TextField(
        max_length=400, help_text="One or two sentences shown under the title."
    )
    easy_read = RichTextField(
        features=NOTICE_FEATURES, help_text="The whole notice in short, simple sentences."
    )
    controllers = RichTextField(
        features=NOTICE_FEATURES,
        help_text="Who decides how the data is used (the controllers), and how to contact them.",
    )
    processors = RichTextField(
        features=NOTICE_FEATURES, help_text="Each data processor by name, and what it does."
    )
    identifiers = RichTextField(
        features=NOTICE_FEATURES, help_text="The identifiers used to link records, and why."
    )
    retention = RichTextField(features=NOTICE_FEATURES, help_text="How long data is kept.")
    rights = RichTextField(features=NOTICE_FEATURES, help_text="People's rights over their data.")
    how_to_object = RichTextField(
        features=NOTICE_FEATURES, help_text="How to object or change a choice, by every channel."
    )
    change_summary = models.TextField(
        "What changed",
        blank=True,
        help_text=(
            "Required once the notice has been published: in plain English, what is different "
            "from the last published version. It is shown on the 'changes' page."
        ),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("easy_read"),
        FieldPanel("controllers"),
        FieldPanel("processors"),
        HelpPanel(
            content="The purposes are listed from Data-sharing purposes (edit them there), "
            "frozen as they are when you publish."
        ),
        FieldPanel("identifiers"),
        FieldPanel("retention"),
        FieldPanel("rights"),
        FieldPanel("how_to_object"),
        MultiFieldPanel([FieldPanel("change_summary")], heading="Publishing a new version"),
    ]

    parent_page_types = ["portal.HomePage"]
    subpage_types: list[str] = []
    max_count = 1
    template = "consent/data_sharing_notice_page.html"

    class Meta:
        verbose_name = "data-sharing notice"

    def clean(self) -> None:
        super().clean()
        if self.pk and not self.change_summary.strip() and self.versions.exists():
            raise ValidationError(
                {"change_summary": "Enter what changed since the last published version"}
            )

    # Thin routes: consent.notices does the work.
    @path("")
    def current(self, request):
        from . import notices

        return notices.serve_current(self, request)

    @path("notice/v/<int:number>/")
    def version(self, request, number: int):
        from . import notices

        return notices.serve_version(self, request, number)

    @path("notice/changes/")
    def changes(self, request):
        from . import notices

        return notices.serve_changes(self, request)


class NoticeVersionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise NoticeVersion.Immutable("Published notice versions cannot be changed.")

    def delete(self):
        raise NoticeVersion.Immutable("Published notice versions cannot be deleted.")


class NoticeVersion(models.Model):
    """A published notice, frozen: the HTML people saw and the purposes as they were. Never
    updated or deleted (the model layer refuses both)."""

    class Immutable(Exception):
        pass

    page = models.ForeignKey(
        DataSharingNoticePage, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=255)
    body_html = models.TextField(help_text="The notice's content exactly as it was rendered.")
    body_text = models.TextField(help_text="Plain text of the body, for the changes page.")
    purposes = models.JSONField(default=list, help_text="The purposes as they were published.")
    change_summary = models.TextField(blank=True)
    published_at = models.DateTimeField()
    revision_id = models.PositiveIntegerField(null=True, blank=True)

    objects = NoticeVersionQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["page", "number"], name="consent_notice_version_unique")
        ]

    def __str__(self) -> str:
        return f"Notice version {self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise NoticeVersion.Immutable("Published notice versions cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise NoticeVersion.Immutable("Published notice versions cannot be deleted.")


from .register_models import *  # noqa: E402,F403,I001
from .access_models import AccessLogEntry, ChoiceImport  # noqa: E402, F401
from .pipeline_models import *  # noqa: E402, F403
