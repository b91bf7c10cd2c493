"""When each job is due: working days (French public holidays excluded), the semesters, and
the period key a run is recorded under."""

from __future__ import annotations

import datetime as dt
from functools import cache

from dateutil.easter import easter

# A semester summary missed by more than this (the service down for weeks) is not sent late:
# the next one will be. A digest or reminders missed on their day are caught up that day.
SEMESTER_GRACE = dt.timedelta(days=31)


@cache
def public_holidays(year: int) -> frozenset[dt.date]:
    """The eleven public holidays of metropolitan France."""
    sunday = easter(year)
    return frozenset(
        {
            dt.date(year, 1, 1),
            sunday + dt.timedelta(days=1),  # lundi de Pâques
            dt.date(year, 5, 1),
            dt.date(year, 5, 8),
            sunday + dt.timedelta(days=39),  # Ascension
            sunday + dt.timedelta(days=50),  # lundi de Pentecôte
            dt.date(year, 7, 14),
            dt.date(year, 8, 15),
            dt.date(year, 11, 1),
            dt.date(year, 11, 11),
            dt.date(year, 12, 25),
        }
    )


def working_day(day: dt.date) -> bool:
    """Monday to Friday, public holidays excepted."""
    return day.weekday() < 5 and day not in public_holidays(day.year)


def daily_due(now: dt.datetime, hour: int, working_only: bool) -> dt.date | None:
    """Today, when today's run is due (its hour has passed); else None."""
    today = now.date()
    if now.hour < hour or (working_only and not working_day(today)):
        return None
    return today


def semester_due(now: dt.datetime, hour: int) -> dt.date | None:
    """The 1 January or 1 July whose summary is due: the latest one passed, if within grace."""
    today = now.date()
    day = dt.date(today.year, 7 if today.month >= 7 else 1, 1)
    if today == day and now.hour < hour:
        day = dt.date(day.year - 1, 7, 1) if day.month == 1 else dt.date(day.year, 1, 1)
    due = dt.datetime.combine(day, dt.time(hour), now.tzinfo)
    return day if now - due <= SEMESTER_GRACE else None
