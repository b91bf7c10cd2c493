"""Demand peaks: for each item, what the territory's live borrow needs ask day by day
against what its open offers can lend, and the runs of days where asking exceeds lending.

Computed by a sweep over the days where a figure changes (difference arrays), never day
by day over every need: a need of a year counts two changes, not 365.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from handlers.digests.render import count
from handlers.shortage import demand_and_supply, figures, short_runs
from handlers.wording import amount, stretch
from storage.views import LIVE_NEEDS, Item, NeedRow, OfferRow, french_key


@dataclass(frozen=True)
class Peak:
    """A run of consecutive days where an item is asked more than the territory lends,
    with the same figures all along (a three-day festival is one peak)."""

    item_id: str
    label: str
    plural: str
    first: dt.date
    last: dt.date
    asked: int
    lendable: int

    @property
    def shortfall(self) -> int:
        return self.asked - self.lendable

    @property
    def days(self) -> str:
        """ "le 14 juillet 2026", "du 12 au 14 juillet 2026"."""
        return stretch(self.first, self.last)

    @property
    def what(self) -> str:
        return amount(self.asked, self.label, self.plural)

    @property
    def key(self) -> str:
        """What identifies this peak between two digests."""
        return f"{self.item_id}:{self.first}:{self.last}:{self.asked}:{self.lendable}"


@dataclass(frozen=True)
class Shortfall:
    """An item short in at least two different years: the worst peak of each year."""

    item_id: str
    label: str
    plural: str
    worst: tuple[Peak, ...]

    @property
    def figures(self) -> str:
        """ "le 14 juillet 2026 : il en faut 800 pour 300 prêtables ; le 14 juillet 2027 : …"."""
        return figures((p.first, p.last, p.asked, p.lendable) for p in self.worst)


def peaks(
    needs: Iterable[NeedRow],
    offers: Iterable[OfferRow],
    items: dict[str, Item],
    first: dt.date | None = None,
    last: dt.date | None = None,
) -> list[Peak]:
    """The runs of days within [first, last] (unbounded when None) where an item's live
    borrow needs ask more than its open offers can lend, by day then item."""
    asked, lent = demand_and_supply((n for n in needs if n.status in LIVE_NEEDS), offers)
    found = []
    for item_id, wanted in asked.items():
        item = items.get(item_id)
        label, plural = (item.label, item.plural) if item else (item_id, item_id)
        for start, end, demand, supply in short_runs(wanted, lent[item_id]):
            start = max(start, first) if first else start
            end = min(end, last) if last else end
            if start <= end:
                found.append(Peak(item_id, label, plural, start, end, demand, supply))
    return sorted(found, key=lambda p: (p.first, french_key(p.label)))


def shortfalls(found: Iterable[Peak]) -> list[Shortfall]:
    """The items short in at least two different years, with the worst peak of each year:
    a shortage that comes back is what a joint purchase would end."""
    worst: dict[str, dict[int, Peak]] = defaultdict(dict)
    for peak in found:
        years = worst[peak.item_id]
        kept = years.get(peak.first.year)
        if kept is None or peak.shortfall > kept.shortfall:
            years[peak.first.year] = peak
    found_again = []
    for item_id, years in sorted(worst.items()):
        if len(years) >= 2:
            each = tuple(years[y] for y in sorted(years))
            found_again.append(Shortfall(item_id, each[0].label, each[0].plural, each))
    return found_again


def describe(peak: Peak) -> str:
    """One line: "ganivelle, le 14 juillet 2026 : 800 demandés, 300 prêtables, il en
    manque 500"."""
    asked = count(peak.asked, "demandé", "demandés")
    lendable = count(peak.lendable, "prêtable", "prêtables")
    return f"{peak.label}, {peak.days} : {asked}, {lendable}, il en manque {peak.shortfall}"
