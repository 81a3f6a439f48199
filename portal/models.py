from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from .blocks import ContentStreamBlock


class HomePage(Page):
    """The site root: an introduction and links into the portal's main tools."""

    introduction = models.TextField(blank=True, max_length=400)
    body = StreamField(ContentStreamBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("introduction")]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = "home page"


class ContentPage(Page):
    """A plain information page: guidance, legal pages, help."""

    summary = models.TextField(
        blank=True, max_length=300, help_text="Shown under the title and in search results."
    )
    body = StreamField(ContentStreamBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("body")]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
    ]

    parent_page_types = ["portal.HomePage", "portal.ContentPage"]

    class Meta:
        verbose_name = "content page"


@register_setting(icon="cog")
class SiteSettings(BaseSiteSetting):
    """Who runs the portal and how to reach them; used across every page and tool."""

    council_name = models.CharField(max_length=120, default="Seaborough Council")
    service_name = models.CharField(
        max_length=120, default="Health and wellbeing information point"
    )
    contact_phone = models.CharField(max_length=40, blank=True, default="01234 567890")
    contact_email = models.EmailField(blank=True, default="wellbeing@seaborough.example")
    contact_hours = models.CharField(
        max_length=120, blank=True, default="Monday to Friday, 9am to 5pm"
    )
    crisis_contacts = RichTextField(
        features=["bold", "link", "ul"],
        blank=True,
        default=(
            "<ul><li>If a life is at risk, call <b>999</b> or go to A&amp;E.</li>"
            "<li>For urgent mental health help, call <b>NHS 111</b> and choose the mental "
            "health option.</li>"
            "<li>Samaritans are there day or night: call <b>116 123</b> (free).</li></ul>"
        ),
        help_text="Shown by self-care tools when someone may be in crisis.",
    )
    phase = models.CharField(
        max_length=10,
        choices=[("alpha", "Alpha"), ("beta", "Beta"), ("", "None (live)")],
        default="beta",
        blank=True,
    )
    feedback_url = models.URLField(blank=True, help_text="Linked from the phase banner.")
    safeguarding_contact_name = models.CharField(
        max_length=120, blank=True, default="Seaborough Safeguarding Adults Team"
    )
    safeguarding_contact_email = models.EmailField(
        blank=True,
        default="safeguarding@seaborough.example",
        help_text="Reviews that raise a safeguarding concern are escalated here.",
    )
    complaints_url = models.URLField(
        blank=True,
        default="https://www.seaborough.example/complaints",
        help_text="Where people are told to go when their review is a complaint.",
    )

    social_care_contacts = RichTextField(
        features=["bold", "link", "ul"],
        blank=True,
        default=(
            "<ul><li>If someone is in immediate danger, call <b>999</b>.</li>"
            "<li>Adult social care: call <b>01234 567891</b> (Monday to Friday, 9am to 5pm).</li>"
            "<li>Out of hours, call the emergency duty team on <b>01234 567892</b>.</li>"
            "<li>Carers' helpline: call <b>0800 808 7777</b> (free, Carers UK).</li></ul>"
        ),
        help_text="Shown at once when a self-assessment says someone cannot carry on caring "
        "or may be at risk of harm.",
    )
    assessment_timescale = models.CharField(
        max_length=120,
        default="within 10 working days",
        help_text='When social care will contact someone after a self-assessment, as in "We '
        'will contact you ...".',
    )
    assessment_urgent_timescale = models.CharField(
        max_length=120,
        default="by the end of the next working day",
        help_text="The same, for a self-assessment marked urgent.",
    )
    assessment_next_steps = RichTextField(
        features=["bold", "link", "ul", "ol"],
        blank=True,
        default=(
            "<ol><li>A social care practitioner reads your self-assessment.</li>"
            "<li>They contact you to talk about it and agree what happens next. This may be a "
            "conversation on the phone or a visit.</li>"
            "<li>If you are eligible for support, you agree a support plan together.</li></ol>"
        ),
        help_text='"What happens next" after a self-assessment is sent (page and email).',
    )

    panels = [
        MultiFieldPanel([FieldPanel("council_name"), FieldPanel("service_name")], "Names"),
        MultiFieldPanel(
            [FieldPanel("contact_phone"), FieldPanel("contact_email"), FieldPanel("contact_hours")],
            "Contact",
        ),
        FieldPanel("crisis_contacts"),
        MultiFieldPanel([FieldPanel("phase"), FieldPanel("feedback_url")], "Phase banner"),
        MultiFieldPanel(
            [
                FieldPanel("safeguarding_contact_name"),
                FieldPanel("safeguarding_contact_email"),
                FieldPanel("complaints_url"),
            ],
            "Reviews",
        ),
        MultiFieldPanel(
            [
                FieldPanel("social_care_contacts"),
                FieldPanel("assessment_timescale"),
                FieldPanel("assessment_urgent_timescale"),
                FieldPanel("assessment_next_steps"),
            ],
            "Self-assessments",
        ),
    ]

    class Meta:
        verbose_name = "site settings"


class ScheduledJobRun(models.Model):
    """The latest period each scheduled job was queued for (portal.scheduling); one row a job.

    Claiming a period is one conditional UPDATE (or the INSERT of the row), so two schedulers
    running at once queue a job only once.
    """

    name = models.CharField(max_length=100, unique=True)
    period_start = models.DateTimeField(help_text="Start of the latest period it was queued for.")
    enqueued_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name
