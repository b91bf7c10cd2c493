"""Events that come back every year: the rule they follow (an RFC 5545 RRULE, read by
dateutil), the rule read in a message, its occurrences, and its wording in French."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from dateutil.rrule import rrulestr

from handlers.holidays import Region, public_holidays
from handlers.reading.dates import MONTHS
from handlers.reading.text import Span
from handlers.wording import day
from storage.views import EventRow

# "comme chaque année", "tous les ans", "notre fête annuelle": the event comes back.
_YEARLY = re.compile(
    r"\b(?:chaque annee|tous les ans|toutes les annees|comme l'an dernier|comme l'annee derniere"
    r"|annuel(?:le)?|d'annee en annee)\b"
)
_ORDINALS = {
    "premier": 1, "premiere": 1, "1er": 1, "1ere": 1, "deuxieme": 2, "second": 2,
    "seconde": 2, "2e": 2, "2eme": 2, "troisieme": 3, "3e": 3, "3eme": 3, "quatrieme": 4,
    "4e": 4, "4eme": 4, "dernier": -1, "derniere": -1,
}  # fmt: skip
_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_NTH = re.compile(
    rf"\b(?:le |la )?(?P<nth>{'|'.join(_ORDINALS)}) (?P<what>{'|'.join(_DAYS)}|week ?-?end)"
    r" (?:du mois )?(?:de |d'|du mois de |du mois d')(?P<month>[a-z]+)\b"
)
_NAMES = {1: "premier", 2: "deuxième", 3: "troisième", 4: "quatrième", -1: "dernier"}
_MONTH_NAMES = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
)  # fmt: skip
# Rules are for years; a look this far ahead is enough for any calendar or question.
HORIZON_YEARS = 30


@dataclass(frozen=True)
class RuleFound:
    """A rule read in a message, with its next occurrence and the text it came from."""

    rule: str
    start: dt.date
    end: dt.date
    span: Span


@dataclass(frozen=True)
class Occurrence:
    start: dt.date
    end: dt.date

    def on_holiday(self, region: Region = Region.MAINLAND) -> bool:
        """The occurrence starts on a public holiday of the region."""
        return self.start in public_holidays(self.start.year, region)


def says_yearly(folded: str) -> Span | None:
    """Where the text says the event comes back every year, if it does."""
    found = _YEARLY.search(folded)
    return Span(found.start(), found.end()) if found else None


def find_rule(folded: str, today: dt.date) -> RuleFound | None:
    """ "le premier samedi de juillet", "le dernier week-end d'août": the rule and its next
    occurrence from `today`."""
    for found in _NTH.finditer(folded):
        month = MONTHS.get(found.group("month"))
        if month is None:
            continue
        nth, what = _ORDINALS[found.group("nth")], found.group("what")
        weekend = what.startswith("week")
        weekday = 5 if weekend else _DAYS.index(what)
        rule = f"FREQ=YEARLY;BYMONTH={month};BYDAY={nth:+d}{_CODES[weekday]}"
        length = dt.timedelta(days=1 if weekend else 0)
        first = next_occurrence(rule, dt.date(today.year, 1, 1), length, today)
        if first is None:
            continue
        return RuleFound(rule, first.start, first.end, Span(found.start(), found.end()))
    return None


def yearly_on(start: dt.date) -> str:
    """The rule of an event that comes back on the same date every year; one of 29 February
    comes back on the last day of February."""
    if (start.month, start.day) == (2, 29):
        return "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1"
    return f"FREQ=YEARLY;BYMONTH={start.month};BYMONTHDAY={start.day}"


def occurrences(
    rule: str, anchor: dt.date, length: dt.timedelta, first: dt.date, last: dt.date
) -> list[Occurrence]:
    """The occurrences from `anchor` on that overlap [first, last]."""
    since = max(anchor, first - length)
    if since > last:
        return []
    recurrence = rrulestr(rule, dtstart=dt.datetime.combine(anchor, dt.time()))
    days = recurrence.between(
        dt.datetime.combine(since, dt.time()), dt.datetime.combine(last, dt.time()), inc=True
    )
    return [Occurrence(d.date(), d.date() + length) for d in days]


def editions(
    start: dt.date, end: dt.date, rule: str | None, first: dt.date, last: dt.date
) -> list[Occurrence]:
    """The editions of an event overlapping [first, last]: its own dates, or those of its
    rule when it recurs."""
    if rule is None:
        return [Occurrence(start, end)] if start <= last and end >= first else []
    return occurrences(rule, start, end - start, first, last)


def dated(events: Iterable[EventRow], first: dt.date, last: dt.date) -> list[EventRow]:
    """The events as they take place in [first, last], by date: a recurring one once for
    each of its editions there."""
    found = [
        dataclasses.replace(event, start=edition.start, end=edition.end)
        for event in events
        for edition in editions(event.start, event.end, event.rule, first, last)
    ]
    return sorted(found, key=lambda e: (e.start, e.id))


def next_occurrence(
    rule: str, anchor: dt.date, length: dt.timedelta, today: dt.date
) -> Occurrence | None:
    """The first occurrence that has not ended by `today`."""
    horizon = dt.date(today.year + HORIZON_YEARS, 12, 31)
    found = occurrences(rule, anchor, length, today, horizon)
    return found[0] if found else None


def describe(rule: str, length: dt.timedelta = dt.timedelta()) -> str:
    """ "chaque année le 21 juin", "chaque année le premier samedi de juillet", "chaque année
    le dernier week-end d'août" (a Saturday rule lasting two days)."""
    parts = dict(p.split("=", 1) for p in rule.split(";"))
    month = int(parts.get("BYMONTH", "1"))
    name = _MONTH_NAMES[month - 1]
    of = f"d'{name}" if name[0] in "aeio" else f"de {name}"
    if "BYDAY" in parts:
        code = parts["BYDAY"]
        nth, weekday = int(code[:-2]), _CODES.index(code[-2:])
        what = "week-end" if weekday == 5 and length.days == 1 else _DAYS[weekday]
        return f"chaque année le {_NAMES.get(nth, str(nth))} {what} {of}"
    day_of_month = int(parts.get("BYMONTHDAY", "1"))
    if day_of_month == -1 and month == 2:
        return "chaque année le dernier jour de février (le 29 les années bissextiles)"
    return f"chaque année le {'1er' if day_of_month == 1 else day_of_month} {name}"


def when(occurrence: Occurrence, region: Region = Region.MAINLAND) -> str:
    """ "le samedi 4 septembre 2027", with "(jour férié)" when it is one in the region."""
    weekday = _DAYS[occurrence.start.weekday()]
    said = f"le {weekday} {day(occurrence.start)}"
    if occurrence.end != occurrence.start:
        said = f"du {weekday} {day(occurrence.start)} au {_DAYS[occurrence.end.weekday()]} "
        said += day(occurrence.end)
    return f"{said} (jour férié)" if occurrence.on_holiday(region) else said
