"""Dates given on the command line (--from, --to, --now): as a French office writes them
(31/07/2027) or as scripts do (2027-07-31)."""

from __future__ import annotations

import datetime as dt
import re

from storage.errors import MutualiseError

# 31/07/2027, 31-07-2027, 31.07.2027, 1/7/2027: day first, as in France.
_FRENCH = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


class DateOptionError(MutualiseError):
    """A date given on the command line cannot be read."""


def day_option(value: str | None, option: str) -> dt.date | None:
    """The day `value` names, None when not given; a French error naming `option` else."""
    if not value:
        return None
    text = value.strip()
    try:
        if found := _FRENCH.fullmatch(text):
            day, month, year = (int(part) for part in found.groups())
            return dt.date(year, month, day)
    except ValueError as exc:
        msg = f"Date {option} impossible : le {value} n'existe pas dans le calendrier."
        raise DateOptionError(msg) from exc
    try:
        if len(text) > 10:  # a date-time, as the JSON lines carry them: its day
            return dt.datetime.fromisoformat(text).date()
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        msg = f"Date {option} illisible : « {value} » (attendu : 31/07/2027 ou 2027-07-31)."
        raise DateOptionError(msg) from exc


def period_options(first: str | None, last: str | None) -> tuple[dt.date | None, dt.date | None]:
    """The days --from and --to name; a French error when the period ends before it
    begins (it would silently list nothing)."""
    start, end = day_option(first, "--from"), day_option(last, "--to")
    if start is not None and end is not None and end < start:
        msg = f"Période à l'envers : --to ({last}) tombe avant --from ({first})."
        raise DateOptionError(msg)
    return start, end
