"""Recurring events: rules read in French, their occurrences across years (leap years, a
holiday), the recording of next year's edition as the same event, and the calendars."""

from __future__ import annotations

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.inbound import Inbound
from handlers.inbox import Inbox
from handlers.recurrence import (
    Occurrence,
    dated,
    describe,
    next_occurrence,
    occurrences,
    when,
    yearly_on,
)
from storage import views
from storage.models import Event
from tests.readers import shared_reader
from tests.test_digests import summary

PARIS = ZoneInfo("Europe/Paris")
READER = shared_reader()
NOW = dt.date(2027, 3, 10)
FORUM = (
    "Pour le forum des associations, comme chaque année le premier samedi de septembre, "
    "il nous faudrait 40 grilles d'exposition et 10 tables."
)


@pytest.mark.parametrize(
    ("text", "start", "end", "rule", "said"),
    [
        (FORUM, "2027-09-04", "2027-09-04", "FREQ=YEARLY;BYMONTH=9;BYDAY=+1SA",
         "chaque année le premier samedi de septembre"),
        ("Fête de la musique, chaque année le 21 juin : 200 ganivelles", "2027-06-21",
         "2027-06-21", "FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=21", "chaque année le 21 juin"),
        ("Comme chaque année, la fête du port le dernier week-end d'août : 300 ganivelles",
         "2027-08-28", "2027-08-29", "FREQ=YEARLY;BYMONTH=8;BYDAY=-1SA",
         "chaque année le dernier week-end d'août"),
        ("Marché de Noël tous les ans le 11 décembre, 10 barnums", "2027-12-11", "2027-12-11",
         "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=11", "chaque année le 11 décembre"),
        # A rule without "chaque année" dates the event, and does not make it recur.
        ("Pour la kermesse le premier samedi de juillet, 4 barnums", "2027-07-03", "2027-07-03",
         None, None),
    ],
)  # fmt: skip
def test_rules_are_read_from_the_message(
    text: str, start: str, end: str, rule: str | None, said: str | None
) -> None:
    reading = READER.read(text, NOW)
    assert reading.event is not None and "chaque" not in reading.event
    assert (reading.start, reading.end) == (
        dt.date.fromisoformat(start),
        dt.date.fromisoformat(end),
    )
    assert reading.recurrence == rule
    if rule is not None and reading.start and reading.end:
        assert describe(rule, reading.end - reading.start) == said


def test_a_leap_day_comes_back_on_the_last_day_of_february() -> None:
    rule = yearly_on(dt.date(2028, 2, 29))
    found = occurrences(rule, dt.date(2028, 2, 29), dt.timedelta(), NOW, dt.date(2032, 12, 31))
    assert [o.start for o in found] == [
        dt.date(2028, 2, 29),
        dt.date(2029, 2, 28),
        dt.date(2030, 2, 28),
        dt.date(2031, 2, 28),
        dt.date(2032, 2, 29),
    ]
    assert "29 les années bissextiles" in describe(rule)


def test_rules_across_years_and_a_holiday() -> None:
    first_monday_of_may = "FREQ=YEARLY;BYMONTH=5;BYDAY=+1MO"
    found = occurrences(
        first_monday_of_may, dt.date(2027, 5, 3), dt.timedelta(), NOW, dt.date(2029, 12, 31)
    )
    assert [o.start for o in found] == [
        dt.date(2027, 5, 3),
        dt.date(2028, 5, 1),
        dt.date(2029, 5, 7),
    ]
    assert [o.on_holiday() for o in found] == [False, True, False]
    assert when(found[1]) == "le lundi 1er mai 2028 (jour férié)"
    weekend = "FREQ=YEARLY;BYMONTH=8;BYDAY=-1SA"
    # 2026: Saturday 29 August; 2027: the 28th; 2032 (leap): the 28th again.
    after = next_occurrence(weekend, dt.date(2026, 8, 29), dt.timedelta(days=1), NOW)
    assert after == Occurrence(dt.date(2027, 8, 28), dt.date(2027, 8, 29))
    last = occurrences(weekend, dt.date(2026, 8, 29), dt.timedelta(days=1), dt.date(2032, 1, 1),
                       dt.date(2032, 12, 31))  # fmt: skip
    assert last == [Occurrence(dt.date(2032, 8, 28), dt.date(2032, 8, 29))]
    # An occurrence that has begun and not ended is still the next one.
    assert next_occurrence(weekend, dt.date(2026, 8, 29), dt.timedelta(days=1),
                           dt.date(2027, 8, 29)) == after  # fmt: skip


async def test_next_years_edition_is_the_same_event_and_calendars_show_it(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    inbox = Inbox(sessions, READER)
    at = dt.datetime(2027, 3, 10, 9, tzinfo=PARIS)
    await inbox.receive(Inbound.from_line("anne@gmail.com", FORUM, at))
    later = dt.datetime(2028, 3, 10, 9, tzinfo=PARIS)
    again = "Pour le forum des associations le samedi 2 septembre il nous faudrait 30 tables"
    await inbox.receive(Inbound.from_line("anne@gmail.com", again, later))
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Event)) == 1
        (scope,) = await views.territories(session)
        first, last = dt.date(2027, 1, 1), dt.date(2029, 12, 31)
        rows = dated(await views.events(session, scope, first, last), first, last)
    assert [(r.name, r.start, r.recurring) for r in rows] == [
        ("forum des associations", dt.date(2027, 9, 4), True),
        ("forum des associations", dt.date(2028, 9, 2), True),
        ("forum des associations", dt.date(2029, 9, 1), True),
    ]
    rendered = await summary(sessions, dt.datetime(2028, 7, 1, 8, tzinfo=PARIS))
    assert "forum des associations" in rendered.text and "2 septembre 2028" in rendered.text
    ics = rendered.files["calendrier.ics"][1]
    entries = icalendar.Calendar.from_ical(io.BytesIO(ics).read()).walk("VEVENT")
    (uid,) = [str(e["uid"]) for e in entries if str(e["summary"]).startswith("Forum")]
    assert re.fullmatch(r"event-1-20280902\.200042174-[0-9a-f]{12}@mutualise", uid)
