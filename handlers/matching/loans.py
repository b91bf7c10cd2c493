"""Loans: borrow needs served from other communes' offers, capacity tracked day by day."""

from __future__ import annotations

import datetime as dt
import heapq
from collections import defaultdict
from collections.abc import Mapping
from itertools import accumulate

from handlers.matching.plans import NeedView, OfferView, Part, Place, Plan, Planning, distance_km
from handlers.wording import amount, listing, stretch
from storage.models import ParticipantRole, ProposalKind

_ALWAYS_FROM, _ALWAYS_TO = 0, 10**7
# Why a need lenders cannot serve stays open; a shortage that comes back feeds a joint purchase.
NOT_ENOUGH = "pas assez de matériel disponible"
# A lot of unknown size covers any quantity asked, for one borrower at a time.
LOT = 10**9


class Stock:
    """One offer's capacity over time: what is still free on each day of its window.

    Days are ordinals (plain integers): this runs for every need against every offer.
    """

    __slots__ = ("capacity", "first", "last", "offer", "rank", "used")

    def __init__(self, offer: OfferView) -> None:
        self.offer = offer
        self.rank = 0  # its place among its commune's offers of the item, oldest first
        self.capacity = offer.quantity if offer.quantity is not None else 1
        self.first = offer.start.toordinal() if offer.start else _ALWAYS_FROM
        self.last = offer.end.toordinal() if offer.end else _ALWAYS_TO
        self.used: dict[int, int] = {}

    def covers(self, start: int, end: int) -> bool:
        """Is the offer available on every day from start to end?"""
        return self.first <= start and end <= self.last

    def free(self, start: int, end: int) -> int:
        """Units free on every day from start to end (a lot of unknown size: 1 or 0)."""
        used = self.used
        if not used:
            return self.capacity
        if start == end:
            busiest = used.get(start, 0)
        else:
            busiest = max(used.get(d, 0) for d in range(start, end + 1))
        return self.capacity - busiest if busiest < self.capacity else 0

    def take(self, start: int, end: int, quantity: int) -> None:
        """Promise `quantity` units for these days."""
        used = self.used
        for d in range(start, end + 1):
            used[d] = used.get(d, 0) + quantity


def commit(
    stocks: Mapping[int, Stock], offer_id: int, start: dt.date, end: dt.date, qty: int
) -> None:
    """Record a loan already agreed, so that it is not promised twice."""
    stock = stocks.get(offer_id)
    if stock is not None:
        quantity = qty if stock.offer.quantity is not None else 1
        stock.take(start.toordinal(), end.toordinal(), quantity)


def lender_order(places: Mapping[str, Place]) -> dict[str, list[str]]:
    """For each commune, every commune from the nearest town hall to the farthest."""
    order = {}
    for home, here in places.items():
        order[home] = sorted(places, key=lambda other: (distance_km(here, places[other]), other))
    return order


def plan_loans(
    needs: list[NeedView],
    stocks: Mapping[int, Stock],
    places: Mapping[str, Place],
    labels: Mapping[str, tuple[str, str]],
    refused: set[tuple[int, int]],
    outcome: Planning,
    lenders: dict[str, list[str]] | None = None,
) -> None:
    """Serve as many borrow needs as the offers can, each from the nearest lenders, then
    those that keep most free. Two orders are tried for each item, arrival and smallest
    first; the one that serves more wins, arrival (the earlier request) on a tie."""
    pools: dict[str, dict[str, list[Stock]]] = defaultdict(dict)
    for stock in stocks.values():
        if stock.offer.item is not None:
            pools[stock.offer.item].setdefault(stock.offer.commune, []).append(stock)
    for pool in pools.values():
        for offers in pool.values():
            for rank, stock in enumerate(offers):
                stock.rank = rank
            # Largest first: the search for the offers that keep most free stops early.
            offers.sort(key=lambda stock: -stock.capacity)
    wanted: dict[str | None, list[NeedView]] = defaultdict(list)
    for need in needs:
        wanted[need.item].append(need)
    # Each commune's lenders from the nearest: given when the caller keeps them.
    context = _Context(places, labels, refused, lenders or lender_order(places))
    for item, group in wanted.items():
        pool = pools.get(item or "", {})
        arrival = sorted(group, key=lambda n: n.order)
        smallest = sorted(group, key=lambda n: (n.quantity or 1, n.order))
        ledger = _Ledger(pool, group)
        order = arrival
        if smallest != arrival and ledger.served(smallest) > ledger.served(arrival):
            order = smallest  # smallest first serves more; on a tie the earlier request wins
        chosen = _run(order, pool, context, ledger)
        # Sentences are written for the allocation kept only: they cost more than choosing.
        outcome.plans.extend(
            _plan(need, takes, places, labels, quantity) for need, takes, quantity in chosen.served
        )
        outcome.unmatched.update(chosen.unmatched)


class _Context:
    def __init__(
        self,
        places: Mapping[str, Place],
        labels: Mapping[str, tuple[str, str]],
        refused: set[tuple[int, int]],
        order: dict[str, list[str]],
    ) -> None:
        self.places, self.labels, self.refused, self.order = places, labels, refused, order
        self._lenders: dict[tuple[str, str], list[str]] = {}

    def lenders(self, borrower: str, item: str, pool: Mapping[str, list[Stock]]) -> list[str]:
        """Other communes with this item, from the nearest; those not placed come last."""
        key = (borrower, item)
        found = self._lenders.get(key)
        if found is None:
            known = self.order.get(borrower, [])
            placed = set(known)
            found = [c for c in known if c != borrower and c in pool]
            found += [c for c in pool if c not in placed and c != borrower]
            self._lenders[key] = found
        return found


class _Allocation:
    """One way of serving a set of needs: who gets what, and why the others do not."""

    def __init__(self) -> None:
        self.served: list[tuple[NeedView, list[tuple[Stock, int]], int]] = []
        self.unmatched: dict[int, str] = {}


class _Ledger:
    """Free units of an item on each day, all offers together: an upper bound that lets a
    need no offer can cover fail at once instead of visiting every lender."""

    def __init__(self, pool: Mapping[str, list[Stock]], needs: list[NeedView]) -> None:
        days = [n.start.toordinal() for n in needs if n.start] + [
            (n.end or n.start).toordinal() for n in needs if n.start
        ]
        self.first = min(days, default=0)
        last = max(days, default=0)
        size = last - self.first + 2
        steps = [0] * size
        for stocks in pool.values():
            for stock in stocks:
                low, high = max(stock.first, self.first), min(stock.last, last)
                if low > high:
                    continue
                capacity = stock.capacity if stock.offer.quantity is not None else LOT
                steps[low - self.first] += capacity
                steps[high - self.first + 1] -= capacity
                for day, used in stock.used.items():
                    if low <= day <= high:
                        taken = used if stock.offer.quantity is not None else LOT * used
                        steps[day - self.first] -= taken
                        steps[day - self.first + 1] += taken
        self.free = list(accumulate(steps))

    def served(self, needs: list[NeedView]) -> int:
        """How many of these needs, in this order, the item's offers taken together could
        serve: a quick estimate to choose the order, before the real allocation."""
        free = list(self.free)
        count = 0
        for need in needs:
            if need.start is None:
                continue
            low = need.start.toordinal() - self.first
            high = (need.end or need.start).toordinal() - self.first
            wanted = need.quantity or 1
            if min(free[low : high + 1]) >= wanted:
                for day in range(low, high + 1):
                    free[day] -= wanted
                count += 1
        return count

    def bound(self, start: int, end: int) -> int:
        """At most this many units are free on every day from start to end."""
        return min(self.free[start - self.first : end - self.first + 1])

    def take(self, start: int, end: int, units: int) -> None:
        for day in range(start - self.first, end - self.first + 1):
            self.free[day] -= units


def _run(
    needs: list[NeedView], pool: Mapping[str, list[Stock]], context: _Context, ledger: _Ledger
) -> _Allocation:
    allocation = _Allocation()
    for need in needs:
        _serve(need, pool, context, allocation, ledger)
    return allocation


def _serve(
    need: NeedView,
    pool: Mapping[str, list[Stock]],
    context: _Context,
    allocation: _Allocation,
    ledger: _Ledger,
) -> None:
    reason = _try(need, pool, context, allocation, ledger)
    if reason is not None:
        allocation.unmatched[need.id] = reason


def _try(
    need: NeedView,
    pool: Mapping[str, list[Stock]],
    context: _Context,
    allocation: _Allocation,
    ledger: _Ledger,
) -> str | None:
    if need.item is None:
        return "article inconnu du catalogue : à préciser"
    if need.start is None:
        return "dates d'utilisation à préciser"
    start = need.start.toordinal()
    end = (need.end or need.start).toordinal()
    lenders = context.lenders(need.commune, need.item, pool)
    if not lenders:
        return "aucune autre commune ne prête cet article"
    wanted = need.quantity or 1
    if ledger.bound(start, end) < wanted:  # no need to visit the lenders one by one
        return _short(need, pool, start, end, wanted)
    takes: list[tuple[Stock, int]] = []
    remaining, covering = wanted, False
    refused = context.refused
    for lender in lenders:
        stocks = pool[lender]
        if len(stocks) == 1:  # the usual case: one offer of this item per commune
            only = stocks[0]
            if not (only.first <= start and end <= only.last) or (
                refused and (need.id, only.offer.id) in refused
            ):
                continue
            usable = [(only.free(start, end), only)]
        else:
            usable = _most_free(stocks, need.id, start, end, remaining, refused)
            if not usable:
                continue
        covering = True
        for free, stock in usable:
            if free <= 0:
                break
            portion = remaining if stock.offer.quantity is None else min(free, remaining)
            takes.append((stock, portion))
            remaining -= portion
            if remaining == 0:
                break
        if remaining == 0:
            break
    if not covering:
        return "aucun prêt proposé ne couvre ces dates"
    if remaining > 0:
        return _short(need, pool, start, end, wanted)
    for stock, portion in takes:
        lot = stock.offer.quantity is None
        stock.take(start, end, 1 if lot else portion)
        ledger.take(start, end, LOT if lot else portion)
    allocation.served.append((need, takes, wanted))
    return None


def _most_free(
    stocks: list[Stock],
    need: int,
    start: int,
    end: int,
    remaining: int,
    refused: set[tuple[int, int]],
) -> list[tuple[int, Stock]]:
    """A commune's offers covering the dates, in the order they are drawn on: the one that
    keeps most free first, the oldest on a tie.

    The offers come largest first, and no offer has more free than its capacity: once the
    offers found with more free than the next one's capacity can serve what remains, no
    offer further down would be drawn on, and the search stops.
    """
    usable: list[tuple[int, Stock]] = []
    waiting: list[tuple[int, int]] = []  # (-free, units) of offers found, not yet sure ahead
    ahead = 0
    for stock in stocks:
        while waiting and -waiting[0][0] > stock.capacity:
            ahead += heapq.heappop(waiting)[1]
        if ahead >= remaining:
            break
        if stock.first > start or end > stock.last:
            continue
        if refused and (need, stock.offer.id) in refused:
            continue
        free = stock.free(start, end)
        usable.append((free, stock))
        heapq.heappush(waiting, (-free, remaining if stock.offer.quantity is None else free))
    usable.sort(key=lambda pair: (-pair[0], pair[1].rank))
    return usable


def _short(
    need: NeedView, pool: Mapping[str, list[Stock]], start: int, end: int, wanted: int
) -> str:
    available = sum(
        s.free(start, end)
        for commune, stocks in pool.items()
        if commune != need.commune
        for s in stocks
        if s.first <= start and end <= s.last
    )
    return f"{NOT_ENOUGH} à ces dates ({min(available, wanted)} sur {wanted})"


def _plan(
    need: NeedView,
    takes: list[tuple[Stock, int]],
    places: Mapping[str, Place],
    labels: Mapping[str, tuple[str, str]],
    wanted: int,
) -> Plan:
    singular, plural = labels.get(need.item or "", (need.label, need.label))
    parts = [Part(need.commune, ParticipantRole.BORROWER, wanted, need_id=need.id)]
    parts += [
        Part(s.offer.commune, ParticipantRole.LENDER, portion, offer_id=s.offer.id)
        for s, portion in takes
    ]
    return Plan(
        ProposalKind.LOAN,
        need.item,
        need.family,
        wanted,
        need.start,
        need.end or need.start,
        None,
        parts,
        "",
        explain=lambda: _why(need, takes, places, singular, plural, wanted),
    )


def _why(
    need: NeedView,
    takes: list[tuple[Stock, int]],
    places: Mapping[str, Place],
    singular: str,
    plural: str,
    wanted: int,
) -> str:
    what = amount(wanted, singular, plural)
    when = stretch(need.start, need.end)
    borrower = _name(places, need.commune)
    if len(takes) == 1:
        lender = _name(places, takes[0][0].offer.commune)
        home, place = places.get(need.commune), places.get(takes[0][0].offer.commune)
        far = distance_km(home, place) if home and place else 1e6
        where = f"à {far:.0f} km, " if far < 1e5 else ""
        return (
            f"{lender} peut prêter {what} à {borrower} {when} : {where}c'est la commune la plus "
            "proche dont l'offre couvre ces dates."
        )
    shares = [f"{_name(places, s.offer.commune)} {portion}" for s, portion in takes]
    return (
        f"{listing(shares)} peuvent prêter ensemble {what} à {borrower} {when} : aucune "
        "commune seule n'en a assez de libres, ce sont les plus proches qui en ont."
    )


def _name(places: Mapping[str, Place], insee: str) -> str:
    place = places.get(insee)
    return place.name if place else insee
