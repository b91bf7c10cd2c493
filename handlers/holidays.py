"""Public holidays, which depend on where a territory is: the eleven of mainland France,
with the two Alsace-Moselle keeps from its local law (Good Friday, 26 December) and the day
each overseas department commemorates the abolition of slavery (law 83-550)."""

from __future__ import annotations

import datetime as dt
import enum
from collections import Counter
from collections.abc import Iterable
from functools import cache

from dateutil.easter import easter


class Region(enum.StrEnum):
    """Where a commune is, as far as its public holidays go."""

    MAINLAND = "mainland"
    ALSACE_MOSELLE = "alsace-moselle"
    GUADELOUPE = "971"
    MARTINIQUE = "972"
    GUYANE = "973"
    REUNION = "974"
    MAYOTTE = "976"


# The departments of Alsace-Moselle: Moselle, Bas-Rhin, Haut-Rhin.
_ALSACE_MOSELLE = {"57", "67", "68"}
# The abolition of slavery, as each overseas department commemorates it (month, day).
_ABOLITION = {
    Region.GUADELOUPE: (5, 27),
    Region.MARTINIQUE: (5, 22),
    Region.GUYANE: (6, 10),
    Region.REUNION: (12, 20),
    Region.MAYOTTE: (4, 27),
}


def region_of(insee: str) -> Region:
    """The region of a commune, by its INSEE code (its department comes first)."""
    if insee.startswith("97"):
        return next((r for r in Region if r.value == insee[:3]), Region.MAINLAND)
    return Region.ALSACE_MOSELLE if insee[:2] in _ALSACE_MOSELLE else Region.MAINLAND


def region_of_territory(communes: Iterable[str]) -> Region:
    """A territory's region: that of most of its communes (an intercommunality may straddle
    two departments)."""
    counted = Counter(region_of(insee) for insee in communes)
    return counted.most_common(1)[0][0] if counted else Region.MAINLAND


@cache
def public_holidays(year: int, region: Region = Region.MAINLAND) -> frozenset[dt.date]:
    """The public holidays of a year in a region."""
    sunday = easter(year)
    days = {
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
    if region is Region.ALSACE_MOSELLE:
        days |= {sunday - dt.timedelta(days=2), dt.date(year, 12, 26)}  # Vendredi saint
    if region in _ABOLITION:
        days.add(dt.date(year, *_ABOLITION[region]))
    return frozenset(days)


def working_day(day: dt.date, region: Region = Region.MAINLAND) -> bool:
    """Monday to Friday, the region's public holidays excepted."""
    return day.weekday() < 5 and day not in public_holidays(day.year, region)
