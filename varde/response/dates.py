"""Date arithmetic for legal clocks: months with month-end handling, in Europe/Oslo local dates.

A period of months counted from a date ends on the same day number that many months later; when
that month is shorter, it ends on the month's last day (31 August + 6 months = 28/29 February).
A period that ends on a date runs out at the end of that day in Oslo, stored as a UTC instant.
"""

from __future__ import annotations

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus `months` calendar months (negative goes back), clamped to the month's last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def local_date(instant: dt.datetime) -> dt.date:
    """The Oslo calendar date of an aware instant."""
    return instant.astimezone(OSLO).date()


def end_of_day(day: dt.date) -> dt.datetime:
    """The instant a period ending on `day` runs out: midnight after `day` in Oslo, as UTC."""
    nxt = day + dt.timedelta(days=1)
    return dt.datetime(nxt.year, nxt.month, nxt.day, tzinfo=OSLO).astimezone(dt.UTC)


def last_day_before(instant: dt.datetime) -> dt.date:
    """The last Oslo calendar day a period running out at `instant` covers."""
    return local_date(instant - dt.timedelta(microseconds=1))


def months_period(start: dt.date, months: int) -> tuple[dt.date, dt.datetime]:
    """(last day, instant it runs out) of a period of `months` months from `start`."""
    ends_on = add_months(start, months)
    return ends_on, end_of_day(ends_on)


def format_local(instant: dt.datetime, language: str = "nb") -> str:
    """A due time as shown in messages: Oslo local time, no personal data."""
    local = instant.astimezone(OSLO)
    if language == "en":
        return local.strftime("%d %b %Y %H:%M") + " (Oslo)"
    return local.strftime("%d.%m.%Y kl. %H:%M")
