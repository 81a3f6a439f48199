"""Opening times in plain English, from a service's weekly rows, closures and bank holidays.

Pure functions over the model rows and a `now` (or `when`) argument, so tests can fix the
clock. Times are wall-clock times in Europe/London: a service that opens at 9am opens at 9am
GMT in winter and 9am BST in summer, whatever instant `now` is given in.

Rules, in order, for one date:
1. A ScheduleException on that date wins (closed, or special times).
2. Otherwise, when the service is closed on bank holidays and the date is one, it is closed.
3. Otherwise the weekly pattern for that weekday applies.

Location-specific weekly rows (RegularSchedule.location set) apply at that location only;
rows without a location apply wherever the service runs, so a location's pattern is the
service-wide rows plus its own.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from .bank_holidays import bank_holidays_between, is_bank_holiday

if TYPE_CHECKING:
    from .models import Location, RegularSchedule, ScheduleException, ServicePage

LONDON = ZoneInfo("Europe/London")
DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
UPCOMING_DAYS = 60
# How far ahead "Opens ... at ..." looks for the next session.
NEXT_OPENING_SEARCH_DAYS = 60

NO_SET_TIMES = "No set opening times: contact them to arrange a time"
OPEN_24_HOURS = "Open 24 hours"
VARIES_BY_LOCATION = "Opening times are different at each place: see below"

_MIDNIGHT = datetime.time(0, 0)
_MIDDAY = datetime.time(12, 0)
# A session that closes at 23:59 runs to the end of the day ("until midnight").
_END_OF_DAY = datetime.time(23, 59)


# --- Wording ----------------------------------------------------------------------------------


def format_time(value: datetime.time, *, closing: bool = False) -> str:
    """GOV.UK style: 9am, 9:30am, midday, 12:30pm, midnight (23:59 as a closing time too)."""
    if value == _MIDNIGHT or (closing and value >= _END_OF_DAY):
        return "midnight"
    if value.hour == 12 and value.minute == 0:
        return "midday"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    if value.minute:
        return f"{hour}:{value.minute:02d}{suffix}"
    return f"{hour}{suffix}"


def format_date(value: datetime.date) -> str:
    """GOV.UK style: 24 December 2026."""
    return f"{value.day} {value:%B %Y}"


def _join_and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


# --- Sessions and days ------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Session:
    """One opening period on one day, in wall-clock time."""

    opens_at: datetime.time
    closes_at: datetime.time

    @property
    def is_all_day(self) -> bool:
        return self.opens_at == _MIDNIGHT and self.closes_at >= _END_OF_DAY

    @property
    def text(self) -> str:
        if self.is_all_day:
            return "open 24 hours"
        return f"{format_time(self.opens_at)} to {format_time(self.closes_at, closing=True)}"

    def contains(self, moment: datetime.time) -> bool:
        if self.closes_at >= _END_OF_DAY:
            return moment >= self.opens_at
        return self.opens_at <= moment < self.closes_at


def sessions_text(sessions: Sequence[Session]) -> str:
    """'9am to 12:30pm and 2pm to 4pm', or 'closed' when there are none."""
    if not sessions:
        return "closed"
    return _join_and([session.text for session in sessions])


def _merge(sessions: Iterable[Session]) -> tuple[Session, ...]:
    """Sort sessions and merge any that overlap or touch."""
    merged: list[Session] = []
    for session in sorted(sessions):
        if merged and session.opens_at <= merged[-1].closes_at:
            last = merged[-1]
            merged[-1] = Session(last.opens_at, max(last.closes_at, session.closes_at))
        else:
            merged.append(session)
    return tuple(merged)


@dataclass(frozen=True)
class DayHours:
    """A weekday in the weekly pattern."""

    weekday: int
    sessions: tuple[Session, ...]
    notes: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return DAY_NAMES[self.weekday]

    @property
    def hours_text(self) -> str:
        return sessions_text(self.sessions)

    @property
    def sentence(self) -> str:
        """'Monday: 9am to 5pm', with any notes in brackets."""
        notes = f" ({'; '.join(self.notes)})" if self.notes else ""
        return f"{self.name}: {self.hours_text}{notes}"


Pattern = dict[int, tuple[Session, ...]]


def _pattern(rows: Iterable["RegularSchedule"]) -> Pattern:
    by_day: dict[int, list[Session]] = {day: [] for day in range(7)}
    for row in rows:
        by_day[row.weekday].append(Session(row.opens_at, row.closes_at))
    return {day: _merge(sessions) for day, sessions in by_day.items()}


def _notes(rows: Iterable["RegularSchedule"]) -> dict[int, tuple[str, ...]]:
    notes: dict[int, list[str]] = {day: [] for day in range(7)}
    for row in rows:
        if row.notes and row.notes not in notes[row.weekday]:
            notes[row.weekday].append(row.notes)
    return {day: tuple(values) for day, values in notes.items()}


def weekly_hours(rows: Iterable["RegularSchedule"]) -> list[DayHours]:
    """All seven days, Monday first, each with its merged sessions (none means closed)."""
    rows = list(rows)
    pattern, notes = _pattern(rows), _notes(rows)
    return [DayHours(day, pattern[day], notes[day]) for day in range(7)]


def _is_24_hours(pattern: Pattern) -> bool:
    return all(len(s) == 1 and s[0].is_all_day for s in pattern.values())


# --- Dates that differ from the pattern -------------------------------------------------------


@dataclass(frozen=True)
class DateChange:
    """A date when the weekly pattern does not apply: a closure or special opening times."""

    date: datetime.date
    closed: bool
    sessions: tuple[Session, ...] = ()
    note: str = ""
    is_bank_holiday: bool = False

    @property
    def text(self) -> str:
        """'Closed on 24 December 2026: staff training', 'Open 10am to 2pm on 31 December 2026'."""
        when = format_date(self.date)
        if self.closed:
            text = f"Closed on {when}"
            if self.is_bank_holiday:
                return f"{text} (bank holiday)"
        else:
            text = f"Open {sessions_text(self.sessions)} on {when}"
        return f"{text}: {self.note}" if self.note else text


def _changes(exceptions: Iterable["ScheduleException"]) -> dict[datetime.date, DateChange]:
    """One change per date; special times on a date win over a closure on the same date."""
    closed: dict[datetime.date, list[str]] = {}
    opened: dict[datetime.date, tuple[list[Session], list[str]]] = {}
    for exception in exceptions:
        note = exception.note
        if exception.closed:
            closed.setdefault(exception.date, []).append(note)
        elif exception.opens_at and exception.closes_at:
            sessions, notes = opened.setdefault(exception.date, ([], []))
            sessions.append(Session(exception.opens_at, exception.closes_at))
            notes.append(note)
        # Special times without both times are incomplete rows: the weekly pattern applies.
    changes = {
        day: DateChange(day, closed=True, note="; ".join(n for n in notes if n))
        for day, notes in closed.items()
    }
    for day, (sessions, notes) in opened.items():
        changes[day] = DateChange(
            day, closed=False, sessions=_merge(sessions), note="; ".join(n for n in notes if n)
        )
    return changes


@dataclass(frozen=True)
class _Rules:
    """Everything needed to say whether a place is open on a date."""

    pattern: Pattern
    changes: dict[datetime.date, DateChange]
    closed_on_bank_holidays: bool

    def day(self, day: datetime.date) -> tuple[tuple[Session, ...], DateChange | None]:
        """The sessions on a date, and the change that replaced the weekly pattern, if any."""
        change = self.changes.get(day)
        if change is not None:
            return change.sessions, change
        if self.closed_on_bank_holidays and is_bank_holiday(day):
            return (), DateChange(day, closed=True, is_bank_holiday=True)
        return self.pattern[day.weekday()], None

    @property
    def has_weekly_times(self) -> bool:
        return any(self.pattern.values())


def _local(moment: datetime.datetime) -> datetime.datetime:
    """The wall-clock time in London. Naive datetimes are taken to be London time already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=LONDON)
    return moment.astimezone(LONDON)


# --- Status line ------------------------------------------------------------------------------


def _when_text(today: datetime.date, day: datetime.date) -> str:
    ahead = (day - today).days
    if ahead == 1:
        return "tomorrow"
    if ahead < 7:
        return DAY_NAMES[day.weekday()]
    return f"on {DAY_NAMES[day.weekday()]} {day.day} {day:%B}"


def _status(rules: _Rules, now: datetime.datetime) -> str:
    local = _local(now)
    today, moment = local.date(), local.time()
    sessions, change = rules.day(today)
    horizon = today + datetime.timedelta(days=UPCOMING_DAYS)
    if not rules.has_weekly_times and not any(
        not c.closed and today <= c.date <= horizon for c in rules.changes.values()
    ):
        return NO_SET_TIMES
    if change is None and _is_24_hours(rules.pattern):
        return OPEN_24_HOURS

    for session in sessions:
        if session.contains(moment):
            return f"Open today until {format_time(session.closes_at, closing=True)}"
    later = [session for session in sessions if session.opens_at > moment]
    if later:
        return f"Opens today at {format_time(later[0].opens_at)}"

    if change is not None and change.closed:
        if change.is_bank_holiday:
            closed = "Closed today (bank holiday)"
        else:
            closed = f"Closed today: {change.note}" if change.note else "Closed today"
    elif sessions:
        closed = "Closed now"  # it opened earlier today
    else:
        closed = "Closed today"

    for ahead in range(1, NEXT_OPENING_SEARCH_DAYS + 1):
        day = today + datetime.timedelta(days=ahead)
        next_sessions, _ = rules.day(day)
        if next_sessions:
            opens_at = next_sessions[0].opens_at
            when = _when_text(today, day)
            if opens_at == _MIDNIGHT:
                return f"{closed}. Opens {when}"
            return f"{closed}. Opens {when} at {format_time(opens_at)}"
    return closed


# --- What a page shows ------------------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    """The weekly pattern at one place (or everywhere, when location is None), and its status."""

    location: "Location | None"
    days: tuple[DayHours, ...]
    status: str
    is_24_hours: bool

    @property
    def has_times(self) -> bool:
        return any(day.sessions for day in self.days)


@dataclass(frozen=True)
class OpeningTimes:
    """Everything the opening-times section of a service shows."""

    status: str
    schedules: tuple[Schedule, ...]
    closed_on_bank_holidays: bool
    upcoming: tuple[DateChange, ...]

    @property
    def has_times(self) -> bool:
        return any(schedule.has_times for schedule in self.schedules)

    @property
    def varies_by_location(self) -> bool:
        return any(schedule.location is not None for schedule in self.schedules)


def _rows(service: "ServicePage") -> list["RegularSchedule"]:
    return list(service.regular_schedules.all())


def _groups(
    service: "ServicePage", rows: list["RegularSchedule"]
) -> list[tuple["Location | None", list["RegularSchedule"]]]:
    """(location, rows) pairs: one group for everywhere, or one per location when any differ."""
    everywhere = [row for row in rows if row.location_id is None]
    specific = [row for row in rows if row.location_id is not None]
    if not specific:
        return [(None, everywhere)]
    locations: dict[int, Location] = {}
    for link in service.service_at_locations.all():
        locations.setdefault(link.location_id, link.location)
    for row in sorted(specific, key=lambda r: r.location.name):
        locations.setdefault(row.location_id, row.location)
    groups: list[tuple[Location | None, list[RegularSchedule]]] = []
    for location_id, location in locations.items():
        own = [row for row in specific if row.location_id == location_id]
        if own or everywhere:
            groups.append((location, everywhere + own))
    return groups


def opening_times(service: "ServicePage", *, now: datetime.datetime) -> OpeningTimes:
    """The status line, weekly table(s), bank-holiday rule and upcoming changes of a service."""
    rows = _rows(service)
    changes = _changes(service.schedule_exceptions.all())
    closed_on_bank_holidays = service.closed_on_bank_holidays
    schedules = []
    for location, group_rows in _groups(service, rows):
        pattern = _pattern(group_rows)
        rules = _Rules(pattern, changes, closed_on_bank_holidays)
        schedules.append(
            Schedule(
                location=location,
                days=tuple(weekly_hours(group_rows)),
                status=_status(rules, now),
                is_24_hours=bool(group_rows) and _is_24_hours(pattern),
            )
        )
    status = schedules[0].status if len(schedules) == 1 else VARIES_BY_LOCATION
    return OpeningTimes(
        status=status,
        schedules=tuple(schedules),
        closed_on_bank_holidays=closed_on_bank_holidays and bool(rows),
        upcoming=tuple(
            _upcoming(_pattern(rows), changes, closed_on_bank_holidays, _local(now).date())
        ),
    )


def _upcoming(
    pattern: Pattern,
    changes: dict[datetime.date, DateChange],
    closed_on_bank_holidays: bool,
    today: datetime.date,
) -> list[DateChange]:
    """Changes from today to UPCOMING_DAYS ahead, including bank holidays it would open on."""
    end = today + datetime.timedelta(days=UPCOMING_DAYS)
    upcoming = [change for day, change in changes.items() if today <= day <= end]
    if closed_on_bank_holidays:
        upcoming += [
            DateChange(day, closed=True, is_bank_holiday=True)
            for day in bank_holidays_between(today, end)
            if day not in changes and pattern[day.weekday()]
        ]
    return sorted(upcoming, key=lambda change: change.date)


def opening_status(service: "ServicePage", *, now: datetime.datetime) -> str:
    """The one-line status for now, as lists and cards show it."""
    return opening_times(service, now=now).status


def is_open_at(service: "ServicePage", when: datetime.datetime) -> bool:
    """Whether the service is open anywhere at that moment (closures and bank holidays count)."""
    local = _local(when)
    rules = _Rules(
        _pattern(_rows(service)),
        _changes(service.schedule_exceptions.all()),
        service.closed_on_bank_holidays,
    )
    sessions, _ = rules.day(local.date())
    return any(session.contains(local.time()) for session in sessions)


def is_open_on_day(service: "ServicePage", weekday: int) -> bool:
    """Whether the weekly pattern opens on that weekday (0 is Monday), anywhere."""
    return any(row.weekday == weekday for row in _rows(service))


# --- schema.org -------------------------------------------------------------------------------


def schema_org_hours(rows: Iterable["RegularSchedule"]) -> list[dict[str, Any]]:
    """OpeningHoursSpecification objects for JSON-LD, one per day and session."""
    specification = []
    for day in weekly_hours(rows):
        for session in day.sessions:
            specification.append(
                {
                    "@type": "OpeningHoursSpecification",
                    "dayOfWeek": f"https://schema.org/{day.name}",
                    "opens": session.opens_at.strftime("%H:%M"),
                    "closes": session.closes_at.strftime("%H:%M"),
                }
            )
    return specification
