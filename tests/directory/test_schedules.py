"""Opening times in plain English, with the clock fixed.

Schedule rows are built in memory on an unsaved page (modelcluster allows it); the database is
needed only because a new Page looks up its content type.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest

from directory import schedules
from directory.bank_holidays import BANK_HOLIDAYS, bank_holiday_name, is_bank_holiday
from directory.models import (
    Location,
    RegularSchedule,
    ScheduleException,
    ServiceAtLocation,
    ServicePage,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
UTC = datetime.UTC


def t(text: str) -> datetime.time:
    return datetime.time.fromisoformat(text)


def at(year, month, day, hour=12, minute=0) -> datetime.datetime:
    """A moment in London wall-clock time."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def make_service(
    rows=(), exceptions=(), *, closed_on_bank_holidays=True, locations=()
) -> ServicePage:
    """An unsaved service with its schedule rows held in memory, as modelcluster allows."""
    service = ServicePage(title="Carers’ café", closed_on_bank_holidays=closed_on_bank_holidays)
    service.regular_schedules = [
        RegularSchedule(
            weekday=row[0],
            opens_at=t(row[1]),
            closes_at=t(row[2]),
            location=row[3] if len(row) > 3 else None,
            notes=row[4] if len(row) > 4 else "",
        )
        for row in rows
    ]
    service.schedule_exceptions = list(exceptions)
    service.service_at_locations = [ServiceAtLocation(location=loc) for loc in locations]
    return service


WEEKDAYS_9_TO_5 = [(day, "09:00", "17:00") for day in range(5)]
# 2 March 2026 is a Monday.
MONDAY = (2026, 3, 2)


# --- Wording ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "closing", "expected"),
    [
        ("09:00", False, "9am"),
        ("09:30", False, "9:30am"),
        ("12:00", False, "midday"),
        ("12:30", False, "12:30pm"),
        ("13:00", False, "1pm"),
        ("17:45", False, "5:45pm"),
        ("00:00", False, "midnight"),
        ("00:30", False, "12:30am"),
        ("23:59", True, "midnight"),
        ("23:59", False, "11:59pm"),
    ],
)
def test_times_are_written_in_govuk_style(value, closing, expected):
    assert schedules.format_time(t(value), closing=closing) == expected


def test_dates_are_written_in_govuk_style():
    assert schedules.format_date(datetime.date(2026, 3, 3)) == "3 March 2026"


def test_weekly_table_says_each_day_in_plain_english():
    service = make_service(
        [
            (0, "09:00", "17:00"),
            (1, "09:00", "12:30"),
            (1, "14:00", "16:00"),
            (2, "10:00", "12:00"),
        ]
    )

    days = schedules.weekly_hours(service.regular_schedules.all())

    assert [day.sentence for day in days] == [
        "Monday: 9am to 5pm",
        "Tuesday: 9am to 12:30pm and 2pm to 4pm",
        "Wednesday: 10am to midday",
        "Thursday: closed",
        "Friday: closed",
        "Saturday: closed",
        "Sunday: closed",
    ]


def test_split_sessions_are_listed_in_time_order_and_overlaps_merged():
    service = make_service(
        [(3, "14:00", "16:00"), (3, "09:00", "11:00"), (3, "10:30", "12:00"), (3, "18:00", "20:00")]
    )

    thursday = schedules.weekly_hours(service.regular_schedules.all())[3]

    assert thursday.hours_text == "9am to midday, 2pm to 4pm and 6pm to 8pm"


def test_notes_on_a_day_are_kept_in_brackets():
    service = make_service([(4, "09:00", "13:00", None, "Drop-in, no appointment needed")])

    friday = schedules.weekly_hours(service.regular_schedules.all())[4]

    assert friday.sentence == "Friday: 9am to 1pm (Drop-in, no appointment needed)"


# --- Status line ------------------------------------------------------------------------------


def status(service, moment) -> str:
    return schedules.opening_times(service, now=moment).status


def test_open_now_says_until_when():
    assert status(make_service(WEEKDAYS_9_TO_5), at(*MONDAY, 10)) == "Open today until 5pm"


def test_before_opening_says_when_it_opens_today():
    assert status(make_service(WEEKDAYS_9_TO_5), at(*MONDAY, 8, 15)) == "Opens today at 9am"


def test_between_split_sessions_says_when_it_opens_again():
    service = make_service([(1, "09:00", "12:30"), (1, "14:00", "16:00")])

    assert status(service, at(2026, 3, 3, 13)) == "Opens today at 2pm"
    assert status(service, at(2026, 3, 3, 12, 29)) == "Open today until 12:30pm"


def test_after_closing_says_when_it_opens_next():
    service = make_service(WEEKDAYS_9_TO_5)

    assert status(service, at(*MONDAY, 17)) == "Closed now. Opens tomorrow at 9am"
    # Friday evening: next open on Monday.
    assert status(service, at(2026, 3, 6, 18)) == "Closed now. Opens Monday at 9am"


def test_closed_day_says_when_it_opens_next():
    service = make_service(WEEKDAYS_9_TO_5)

    assert status(service, at(2026, 3, 7, 11)) == "Closed today. Opens Monday at 9am"
    assert status(service, at(2026, 3, 8, 11)) == "Closed today. Opens tomorrow at 9am"


def test_next_opening_more_than_a_week_away_gives_the_date():
    closure = ScheduleException(date=datetime.date(2026, 3, 9), closed=True, note="Training")
    service = make_service([(0, "09:00", "17:00")], [closure])

    assert status(service, at(*MONDAY, 18)) == "Closed now. Opens on Monday 16 March at 9am"


def test_open_every_day_all_day_says_open_24_hours():
    service = make_service([(day, "00:00", "23:59") for day in range(7)])

    times = schedules.opening_times(service, now=at(*MONDAY, 3))

    assert times.status == "Open 24 hours"
    assert times.schedules[0].is_24_hours
    assert schedules.weekly_hours(service.regular_schedules.all())[0].hours_text == (
        "open 24 hours"
    )


def test_no_rows_means_no_set_opening_times():
    times = schedules.opening_times(make_service(), now=at(*MONDAY, 10))

    assert times.status == "No set opening times: contact them to arrange a time"
    assert not times.has_times
    assert not times.closed_on_bank_holidays


def test_closing_at_midnight_reads_until_midnight():
    service = make_service([(0, "18:00", "23:59")])

    assert status(service, at(*MONDAY, 22)) == "Open today until midnight"
    assert schedules.weekly_hours(service.regular_schedules.all())[0].hours_text == (
        "6pm to midnight"
    )
    late = datetime.datetime(2026, 3, 2, 23, 59, 30, tzinfo=LONDON)
    assert schedules.is_open_at(service, late)


def test_opening_at_midday_reads_midday():
    service = make_service([(0, "12:00", "16:00")])

    assert status(service, at(*MONDAY, 9)) == "Opens today at midday"


# --- Bank holidays and exceptions -------------------------------------------------------------


def test_bank_holiday_closes_the_service_when_it_says_so():
    service = make_service(WEEKDAYS_9_TO_5)
    spring_bank_holiday = at(2026, 5, 25, 10)

    assert status(service, spring_bank_holiday) == (
        "Closed today (bank holiday). Opens tomorrow at 9am"
    )
    assert not schedules.is_open_at(service, spring_bank_holiday)


def test_bank_holiday_does_not_close_a_service_that_opens_on_them():
    service = make_service(WEEKDAYS_9_TO_5, closed_on_bank_holidays=False)
    spring_bank_holiday = at(2026, 5, 25, 10)

    assert status(service, spring_bank_holiday) == "Open today until 5pm"
    assert schedules.is_open_at(service, spring_bank_holiday)


def test_closure_exception_overrides_the_weekly_pattern():
    closure = ScheduleException(
        date=datetime.date(2026, 12, 24), closed=True, note="staff training"
    )
    service = make_service(WEEKDAYS_9_TO_5, [closure])
    christmas_eve = at(2026, 12, 24, 10)

    # Christmas Day and the Boxing Day substitute (Monday 28th) are bank holidays.
    assert status(service, christmas_eve) == "Closed today: staff training. Opens Tuesday at 9am"
    assert not schedules.is_open_at(service, christmas_eve)


def test_special_times_override_the_weekly_pattern_and_bank_holidays():
    special = [
        ScheduleException(
            date=datetime.date(2026, 3, 7),
            closed=False,
            opens_at=t("10:00"),
            closes_at=t("14:00"),
            note="Open day",
        ),
        ScheduleException(
            date=datetime.date(2026, 5, 25), closed=False, opens_at=t("10:00"), closes_at=t("12:00")
        ),
    ]
    service = make_service(WEEKDAYS_9_TO_5, special)

    assert status(service, at(2026, 3, 7, 11)) == "Open today until 2pm"
    assert status(service, at(2026, 3, 7, 15)) == "Closed now. Opens Monday at 9am"
    assert schedules.is_open_at(service, at(2026, 5, 25, 11))
    assert not schedules.is_open_at(service, at(2026, 5, 25, 13))


def test_special_times_alone_are_not_no_set_times():
    special = ScheduleException(
        date=datetime.date(2026, 3, 4), closed=False, opens_at=t("10:00"), closes_at=t("12:00")
    )
    service = make_service([], [special])

    assert status(service, at(*MONDAY, 10)) == "Closed today. Opens Wednesday at 10am"


def test_upcoming_changes_in_the_next_60_days_are_listed_in_date_order():
    exceptions = [
        ScheduleException(date=datetime.date(2026, 12, 24), closed=True, note="staff training"),
        ScheduleException(
            date=datetime.date(2026, 12, 31),
            closed=False,
            opens_at=t("10:00"),
            closes_at=t("14:00"),
            note="New Year’s Eve",
        ),
        ScheduleException(date=datetime.date(2026, 11, 1), closed=True),  # already past
        ScheduleException(date=datetime.date(2027, 3, 1), closed=True),  # too far ahead
    ]
    service = make_service(WEEKDAYS_9_TO_5, exceptions)

    times = schedules.opening_times(service, now=at(2026, 12, 1, 10))

    assert [change.text for change in times.upcoming] == [
        "Closed on 24 December 2026: staff training",
        "Closed on 25 December 2026 (bank holiday)",
        "Closed on 28 December 2026 (bank holiday)",
        "Open 10am to 2pm on 31 December 2026: New Year’s Eve",
        "Closed on 1 January 2027 (bank holiday)",
    ]
    assert times.closed_on_bank_holidays


def test_bank_holidays_on_days_it_is_closed_anyway_are_not_listed():
    service = make_service([(2, "09:00", "17:00")])  # Wednesdays only

    times = schedules.opening_times(service, now=at(2026, 12, 1, 10))

    assert times.upcoming == ()


# --- Clocks changing --------------------------------------------------------------------------


def test_times_are_london_wall_clock_times_across_the_spring_clock_change():
    service = make_service([(6, "09:00", "17:00")])  # Sundays

    # 29 March 2026, the last Sunday in March: 08:30 UTC is 09:30 BST.
    assert schedules.is_open_at(service, datetime.datetime(2026, 3, 29, 8, 30, tzinfo=UTC))
    # A week earlier, 08:30 UTC is 08:30 GMT: not open yet.
    assert not schedules.is_open_at(service, datetime.datetime(2026, 3, 22, 8, 30, tzinfo=UTC))
    assert status(service, datetime.datetime(2026, 3, 29, 15, 30, tzinfo=UTC)) == (
        "Open today until 5pm"
    )
    assert status(service, datetime.datetime(2026, 3, 29, 16, 30, tzinfo=UTC)) == (
        "Closed now. Opens on Sunday 5 April at 9am"
    )


def test_times_are_london_wall_clock_times_across_the_autumn_clock_change():
    service = make_service([(6, "09:00", "17:00")])

    # 25 October 2026: clocks go back, so 08:30 UTC is 08:30 GMT.
    assert not schedules.is_open_at(service, datetime.datetime(2026, 10, 25, 8, 30, tzinfo=UTC))
    assert schedules.is_open_at(service, datetime.datetime(2026, 10, 18, 8, 30, tzinfo=UTC))


def test_naive_datetimes_are_taken_as_london_time():
    service = make_service([(6, "09:00", "17:00")])

    assert schedules.is_open_at(service, datetime.datetime(2026, 3, 29, 9, 30))


# --- Locations and filters --------------------------------------------------------------------


def test_location_schedules_are_shown_per_location_with_service_wide_rows_everywhere():
    town_hall = Location(pk=1, name="Town hall")
    library = Location(pk=2, name="Library")
    service = make_service(
        [(0, "09:00", "17:00"), (1, "10:00", "14:00", library)], locations=[town_hall, library]
    )

    times = schedules.opening_times(service, now=at(2026, 3, 3, 11))

    assert times.status == schedules.VARIES_BY_LOCATION
    assert times.varies_by_location
    by_place = {s.location.name: s for s in times.schedules}
    assert by_place["Town hall"].days[0].hours_text == "9am to 5pm"
    assert by_place["Town hall"].days[1].hours_text == "closed"
    assert by_place["Library"].days[0].hours_text == "9am to 5pm"
    assert by_place["Library"].days[1].hours_text == "10am to 2pm"
    assert by_place["Library"].status == "Open today until 2pm"
    assert by_place["Town hall"].status == "Closed today. Opens Monday at 9am"


def test_service_wide_rows_alone_make_one_schedule_for_everywhere():
    service = make_service(WEEKDAYS_9_TO_5, locations=[Location(pk=1, name="Town hall")])

    times = schedules.opening_times(service, now=at(*MONDAY, 10))

    assert len(times.schedules) == 1
    assert times.schedules[0].location is None
    assert not times.varies_by_location


def test_is_open_at_counts_any_location():
    library = Location(pk=2, name="Library")
    service = make_service([(1, "10:00", "14:00", library)], locations=[library])

    assert schedules.is_open_at(service, at(2026, 3, 3, 11))
    assert not schedules.is_open_at(service, at(2026, 3, 3, 15))
    assert not schedules.is_open_at(service, at(*MONDAY, 11))


def test_is_open_on_day_follows_the_weekly_pattern():
    service = make_service([(0, "09:00", "17:00"), (5, "10:00", "12:00")])

    assert [schedules.is_open_on_day(service, day) for day in range(7)] == [
        True,
        False,
        False,
        False,
        False,
        True,
        False,
    ]


def test_schema_org_hours_list_each_session():
    service = make_service([(1, "09:00", "12:30"), (1, "14:00", "16:00")])

    assert schedules.schema_org_hours(service.regular_schedules.all()) == [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": "https://schema.org/Tuesday",
            "opens": "09:00",
            "closes": "12:30",
        },
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": "https://schema.org/Tuesday",
            "opens": "14:00",
            "closes": "16:00",
        },
    ]


# --- Bank holiday data ------------------------------------------------------------------------


def test_bank_holiday_data_covers_2025_to_2028_on_weekdays():
    for year in range(2025, 2029):
        days = [day for day in BANK_HOLIDAYS if day.year == year]
        assert len(days) == 8, year
        assert all(day.weekday() < 5 for day in days), year


def test_bank_holiday_lookups():
    assert is_bank_holiday(datetime.date(2026, 12, 28))
    assert bank_holiday_name(datetime.date(2026, 12, 28)) == "Boxing Day (substitute day)"
    assert not is_bank_holiday(datetime.date(2026, 12, 26))
