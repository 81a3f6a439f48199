"""Bank holidays in England and Wales, 2025 to 2028, as data.

Nothing is fetched at run time: a page view must never depend on another site being up.

To update: copy the "england-and-wales" events from https://www.gov.uk/bank-holidays.json
into BANK_HOLIDAYS below (dates the government adds later, such as a one-off holiday for a
national event, arrive there first). GOV.UK publishes about two years ahead; the 2028 dates
follow the usual rules (Easter, first and last Mondays in May, last Monday in August,
substitute days when Christmas, Boxing Day or New Year's Day fall at a weekend) and should be
checked against GOV.UK once it lists them. Add the next year before the last one runs out.
"""

import datetime

_D = datetime.date

BANK_HOLIDAYS: dict[datetime.date, str] = {
    # 2025
    _D(2025, 1, 1): "New Year’s Day",
    _D(2025, 4, 18): "Good Friday",
    _D(2025, 4, 21): "Easter Monday",
    _D(2025, 5, 5): "Early May bank holiday",
    _D(2025, 5, 26): "Spring bank holiday",
    _D(2025, 8, 25): "Summer bank holiday",
    _D(2025, 12, 25): "Christmas Day",
    _D(2025, 12, 26): "Boxing Day",
    # 2026
    _D(2026, 1, 1): "New Year’s Day",
    _D(2026, 4, 3): "Good Friday",
    _D(2026, 4, 6): "Easter Monday",
    _D(2026, 5, 4): "Early May bank holiday",
    _D(2026, 5, 25): "Spring bank holiday",
    _D(2026, 8, 31): "Summer bank holiday",
    _D(2026, 12, 25): "Christmas Day",
    _D(2026, 12, 28): "Boxing Day (substitute day)",
    # 2027
    _D(2027, 1, 1): "New Year’s Day",
    _D(2027, 3, 26): "Good Friday",
    _D(2027, 3, 29): "Easter Monday",
    _D(2027, 5, 3): "Early May bank holiday",
    _D(2027, 5, 31): "Spring bank holiday",
    _D(2027, 8, 30): "Summer bank holiday",
    _D(2027, 12, 27): "Christmas Day (substitute day)",
    _D(2027, 12, 28): "Boxing Day (substitute day)",
    # 2028 (by the usual rules; check against GOV.UK when published)
    _D(2028, 1, 3): "New Year’s Day (substitute day)",
    _D(2028, 4, 14): "Good Friday",
    _D(2028, 4, 17): "Easter Monday",
    _D(2028, 5, 1): "Early May bank holiday",
    _D(2028, 5, 29): "Spring bank holiday",
    _D(2028, 8, 28): "Summer bank holiday",
    _D(2028, 12, 25): "Christmas Day",
    _D(2028, 12, 26): "Boxing Day",
}


def is_bank_holiday(day: datetime.date) -> bool:
    return day in BANK_HOLIDAYS


def bank_holiday_name(day: datetime.date) -> str | None:
    return BANK_HOLIDAYS.get(day)


def bank_holidays_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """Bank holidays from start to end, both included, in date order."""
    return sorted(day for day in BANK_HOLIDAYS if start <= day <= end)
