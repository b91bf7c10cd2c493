"""Where an item is asked more than it can be lent: a sweep over the days where demand or
supply changes (difference arrays), never day by day over every need. The digests list the
peaks; matching suggests buying together what runs short year after year."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Protocol

from handlers.wording import stretch
from storage.models import NeedKind

# A span of days (open at either end when None) and the quantity asked or lent over it.
Span = tuple[dt.date | None, dt.date | None, int]
# A run of days, with what is asked and what can be lent all along it.
Run = tuple[dt.date, dt.date, int, int]


class Lent(Protocol):
    """An offer as the sweep sees it (a stored offer, or a digest's row of one)."""

    @property
    def item_id(self) -> str | None: ...
    @property
    def start(self) -> dt.date | None: ...
    @property
    def end(self) -> dt.date | None: ...
    @property
    def quantity(self) -> int | None: ...


class Asked(Lent, Protocol):
    """A need as the sweep sees it: the same, and whether it borrows."""

    @property
    def kind(self) -> NeedKind: ...


def demand_and_supply(
    needs: Iterable[Asked], offers: Iterable[Lent]
) -> tuple[dict[str, list[Span]], dict[str, list[Span]]]:
    """By item, what the dated borrow needs ask and what the offers of those items lend."""
    asked: dict[str, list[Span]] = defaultdict(list)
    for need in needs:
        if need.kind is NeedKind.BORROW and need.item_id is not None and need.start is not None:
            # A need of unknown quantity asks for one at least.
            asked[need.item_id].append((need.start, need.end or need.start, need.quantity or 1))
    lent: dict[str, list[Span]] = defaultdict(list)
    for offer in offers:
        if offer.item_id in asked:
            # A lot of unknown size is one thing lent whole.
            lent[offer.item_id].append((offer.start, offer.end, offer.quantity or 1))
    return asked, lent


def _changes(spans: Iterable[Span]) -> dict[dt.date | None, int]:
    """The difference array of some spans: +q on the first day, -q the day after the last.
    An open start counts from before every day (None), an open end never stops."""
    delta: dict[dt.date | None, int] = defaultdict(int)
    for start, end, quantity in spans:
        delta[start] += quantity
        if end is not None and end < dt.date.max:
            delta[end + dt.timedelta(days=1)] -= quantity
    return delta


def short_runs(asked: list[Span], lent: list[Span]) -> list[Run]:
    """Sweep the days where demand or supply changes; between two of them both are
    constant, so each stretch with demand above supply is one run."""
    demand_delta = _changes(asked)
    supply_delta = _changes(lent)
    supply = supply_delta.pop(None, 0)  # offers with no start: available from the outset
    demand = demand_delta.pop(None, 0)  # never: needs without a start are left out
    days = sorted(set(demand_delta) | set(supply_delta), key=lambda d: d or dt.date.min)
    runs = []
    for index, change in enumerate(days):
        assert change is not None
        demand += demand_delta.get(change, 0)
        supply += supply_delta.get(change, 0)
        if demand > supply and index + 1 < len(days):
            following = days[index + 1]
            assert following is not None
            runs.append((change, following - dt.timedelta(days=1), demand, supply))
    return runs


def worst_by_year(runs: Iterable[Run]) -> list[Run]:
    """The worst run of each year (the most missing), year by year."""
    worst: dict[int, Run] = {}
    for run in runs:
        kept = worst.get(run[0].year)
        if kept is None or run[2] - run[3] > kept[2] - kept[3]:
            worst[run[0].year] = run
    return [worst[year] for year in sorted(worst)]


def figures(runs: Iterable[Run]) -> str:
    """ "le 14 juillet 2026 : il en faut 800 pour 300 prêtables ; le 14 juillet 2027 : …"."""
    return " ; ".join(
        f"{stretch(first, last)} : il en faut {asked} pour {lent} prêtable{'s' if lent > 1 else ''}"
        for first, last, asked, lent in runs
    )
