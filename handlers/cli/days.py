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
        if len(text) > 10:  # a date-time, as the JSON lines carry them: its day
            return dt.datetime.fromisoformat(text).date()
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        msg = f"Date {option} illisible : « {value} » (attendu : 31/07/2027 ou 2027-07-31)."
        raise DateOptionError(msg) from exc
