"""When each job is due: each day at its hour, and the semesters (working days, which
depend on the territory, are in `handlers/holidays.py`)."""

from __future__ import annotations

import datetime as dt

# A semester summary missed by more than this (the service down for weeks) is not sent late:
# the next one will be. A digest or reminders missed on their day are caught up that day.
SEMESTER_GRACE = dt.timedelta(days=31)


def daily_due(now: dt.datetime, hour: int) -> dt.date | None:
    """Today, when today's run is due (its hour has passed); else None."""
    return None if now.hour < hour else now.date()


def semester_due(now: dt.datetime, hour: int) -> dt.date | None:
    """The 1 January or 1 July whose summary is due: the latest one passed, if within grace."""
    today = now.date()
    day = dt.date(today.year, 7 if today.month >= 7 else 1, 1)
    if today == day and now.hour < hour:
        day = dt.date(day.year - 1, 7, 1) if day.month == 1 else dt.date(day.year, 1, 1)
    due = dt.datetime.combine(day, dt.time(hour), now.tzinfo)
    return day if now - due <= SEMESTER_GRACE else None
