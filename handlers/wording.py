"""French wording shared by replies and proposals: dates, lists, quantities."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from babel.dates import get_month_names

from storage.labels import amount

__all__ = ["amount", "day", "listing", "noun", "stretch"]

# Fetched once: babel's formatting per call is too slow for thousands of proposals.
_MONTHS = dict(get_month_names("wide", locale="fr_FR").items())


def _day_of_month(value: dt.date) -> str:
    return "1er" if value.day == 1 else str(value.day)


def day(value: dt.date) -> str:
    """ "21 juin 2027", "1er août 2027"."""
    return f"{_day_of_month(value)} {_MONTHS[value.month]} {value.year}"


def stretch(start: dt.date | None, end: dt.date | None) -> str:
    """ "le 21 juin 2027", "du 12 au 15 juillet 2027", "à des dates à préciser"."""
    if start is None:
        return "à des dates à préciser"
    if end is None or end == start:
        return f"le {day(start)}"
    if (start.year, start.month) == (end.year, end.month):
        return f"du {_day_of_month(start)} au {day(end)}"
    if start.year == end.year:
        return f"du {_day_of_month(start)} {_MONTHS[start.month]} au {day(end)}"
    return f"du {day(start)} au {day(end)}"


def listing(words: Sequence[str]) -> str:
    """ "A", "A et B", "A, B et C"."""
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} et {words[-1]}"


def noun(count: int, singular: str, plural: str | None = None) -> str:
    """The word agreeing with `count`: French puts 0 and 1 in the singular ("1 commune",
    "0 commune", "25 communes")."""
    return singular if abs(count) < 2 else (plural or singular + "s")
