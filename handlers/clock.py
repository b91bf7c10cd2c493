"""The clock: every "now" of the service comes from one, in the time zone of the settings
(`MUTUALISE_TIMEZONE`), so that tests freeze it and a territory overseas reads its own
dates. A day in the domain ("le 21 juin", a deadline) is a day in that zone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

# Where the project began, and the zone of every date unless the settings name another.
DEFAULT_ZONE = ZoneInfo("Europe/Paris")


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Clock:
    """Called, the time now in the zone; `source` is what tests replace."""

    zone: ZoneInfo = DEFAULT_ZONE
    source: Callable[[], dt.datetime] = field(default=_utc_now)

    def __call__(self) -> dt.datetime:
        return self.source().astimezone(self.zone)

    def today(self) -> dt.date:
        """Today's date in the zone."""
        return self().date()

    def day_of(self, moment: dt.datetime) -> dt.date:
        """The date of an instant in the zone."""
        return moment.astimezone(self.zone).date()

    def local(self, moment: dt.datetime) -> dt.datetime:
        """An instant given without a zone (a line of `mutualise ingest`) read in ours."""
        return moment if moment.tzinfo else moment.replace(tzinfo=self.zone)
