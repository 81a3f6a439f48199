import uuid

from django.core.exceptions import ValidationError
from django.db import models
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel
from wagtail.models import Orderable

WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]
ICAL_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


class RegularSchedule(Orderable):
    """Weekly opening hours: one row per day and session, optionally at one location."""

    service = ParentalKey(
        "directory.ServicePage", on_delete=models.CASCADE, related_name="regular_schedules"
    )
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    location = models.ForeignKey(
        "directory.Location",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text="Leave empty when these times apply wherever the service runs.",
    )
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAYS)
    opens_at = models.TimeField()
    closes_at = models.TimeField()
    notes = models.CharField(max_length=200, blank=True)

    panels = [
        FieldPanel("weekday"),
        FieldPanel("opens_at"),
        FieldPanel("closes_at"),
        FieldPanel("location"),
        FieldPanel("notes"),
    ]

    class Meta(Orderable.Meta):
        indexes = [models.Index(fields=["weekday", "opens_at", "closes_at"], name="schedule_day")]

    def clean(self):
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": "Closing time must be after opening time"})

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"


class ScheduleException(Orderable):
    """A one-off change: closed for a day, or special opening times on a date."""

    service = ParentalKey(
        "directory.ServicePage", on_delete=models.CASCADE, related_name="schedule_exceptions"
    )
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    date = models.DateField()
    closed = models.BooleanField(default=True)
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    panels = [
        FieldPanel("date"),
        FieldPanel("closed"),
        FieldPanel("opens_at"),
        FieldPanel("closes_at"),
        FieldPanel("note"),
    ]

    def clean(self):
        if not self.closed and not (self.opens_at and self.closes_at):
            raise ValidationError("Give opening and closing times, or mark the day as closed")

    def __str__(self) -> str:
        return f"{self.date:%d %B %Y}: {'closed' if self.closed else 'special times'}"
