"""Loans: borrow needs served from other communes' offers, capacity tracked day by day."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping

from handlers.matching.plans import NeedView, OfferView, Outcome, Part, Place, Plan, distance_km
from handlers.wording import amount, listing, stretch
from storage.models import ParticipantRole, ProposalKind

ONE_DAY = dt.timedelta(days=1)


class Stock:
    """One offer's capacity over time: what is still free on each day of its window."""

    def __init__(self, offer: OfferView) -> None:
        self.offer = offer
        self.used: dict[dt.date, int] = defaultdict(int)

    def covers(self, start: dt.date, end: dt.date) -> bool:
        """Is the offer available on every day from start to end?"""
        first, last = self.offer.start, self.offer.end
        return (first is None or first <= start) and (last is None or end <= last)

    def free(self, start: dt.date, end: dt.date) -> int:
        """Units free on every day from start to end (a lot of unknown size: 1 or 0)."""
        capacity = self.offer.quantity if self.offer.quantity is not None else 1
        busiest = max((self.used[d] for d in _days(start, end)), default=0)
        return max(0, capacity - busiest)

    def take(self, start: dt.date, end: dt.date, quantity: int) -> None:
        """Promise `quantity` units for these days."""
        for d in _days(start, end):
            self.used[d] += quantity


def _days(start: dt.date, end: dt.date) -> Iterable[dt.date]:
    current = start
    while current <= end:
        yield current
        current += ONE_DAY


def commit(
    stocks: Mapping[int, Stock], offer_id: int, start: dt.date, end: dt.date, qty: int
) -> None:
    """Record a loan already agreed, so that it is not promised twice."""
    stock = stocks.get(offer_id)
    if stock is not None:
        stock.take(start, end, qty if stock.offer.quantity is not None else 1)


def plan_loans(
    needs: list[NeedView],
    stocks: Mapping[int, Stock],
    places: Mapping[str, Place],
    labels: Mapping[str, tuple[str, str]],
    refused: set[tuple[int, int]],
    outcome: Outcome,
) -> None:
    """Serve as many borrow needs as the offers can, each from the nearest lenders, then
    those that keep most free. Two orders are tried for each item, arrival and smallest
    first; the one that serves more wins, arrival (the earlier request) on a tie."""
    by_item: dict[str, list[Stock]] = defaultdict(list)
    for stock in stocks.values():
        if stock.offer.item is not None:
            by_item[stock.offer.item].append(stock)
    wanted: dict[str | None, list[NeedView]] = defaultdict(list)
    for need in needs:
        wanted[need.item].append(need)
    for item, group in wanted.items():
        pool = by_item.get(item or "", [])
        arrival = sorted(group, key=lambda n: n.order)
        smallest = sorted(group, key=lambda n: (n.quantity or 1, n.order))
        trial = Outcome()
        served_in_arrival = _run(arrival, _copies(pool), places, labels, refused, trial)
        trial = Outcome()
        served_smallest = _run(smallest, _copies(pool), places, labels, refused, trial)
        order = smallest if served_smallest > served_in_arrival else arrival
        _run(order, pool, places, labels, refused, outcome)


def _copies(pool: list[Stock]) -> list[Stock]:
    copies = []
    for stock in pool:
        twin = Stock(stock.offer)
        twin.used.update(stock.used)
        copies.append(twin)
    return copies


def _run(
    needs: list[NeedView],
    pool: list[Stock],
    places: Mapping[str, Place],
    labels: Mapping[str, tuple[str, str]],
    refused: set[tuple[int, int]],
    outcome: Outcome,
) -> int:
    served = 0
    for need in needs:
        reason = _serve(need, pool, places, labels, refused, outcome)
        if reason is None:
            served += 1
        else:
            outcome.unmatched[need.id] = reason
    return served


def _serve(
    need: NeedView,
    stocks: list[Stock],
    places: Mapping[str, Place],
    labels: Mapping[str, tuple[str, str]],
    refused: set[tuple[int, int]],
    outcome: Outcome,
) -> str | None:
    if need.item is None:
        return "article inconnu du catalogue : à préciser"
    if need.start is None:
        return "dates d'utilisation à préciser"
    start, end = need.start, need.end or need.start
    others = [s for s in stocks if s.offer.commune != need.commune]
    if not others:
        return "aucune autre commune ne prête cet article"
    usable = [s for s in others if s.covers(start, end) and (need.id, s.offer.id) not in refused]
    if not usable:
        return "aucun prêt proposé ne couvre ces dates"
    wanted = need.quantity or 1
    home = places.get(need.commune)

    def rank(stock: Stock) -> tuple[float, int]:
        lender = places.get(stock.offer.commune)
        far = distance_km(home, lender) if home and lender else 1e6
        return far, -stock.free(start, end)

    takes: list[tuple[Stock, int]] = []
    remaining = wanted
    for stock in sorted(usable, key=rank):
        free = stock.free(start, end)
        if free <= 0:
            continue
        if stock.offer.quantity is None:  # a lot lent whole covers whatever was asked
            takes.append((stock, remaining))
            remaining = 0
        else:
            portion = min(free, remaining)
            takes.append((stock, portion))
            remaining -= portion
        if remaining == 0:
            break
    if remaining > 0:
        available = wanted - remaining
        return f"pas assez de matériel disponible à ces dates ({available} sur {wanted})"
    for stock, portion in takes:
        stock.take(start, end, portion if stock.offer.quantity is not None else 1)
    outcome.plans.append(_plan(need, takes, places, labels, wanted))
    return None


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
    what = amount(wanted, singular, plural)
    when = stretch(need.start, need.end)
    borrower = _name(places, need.commune)
    home = places.get(need.commune)
    if len(takes) == 1:
        lender = _name(places, takes[0][0].offer.commune)
        place = places.get(takes[0][0].offer.commune)
        far = distance_km(home, place) if home and place else 1e6
        where = f"à {far:.0f} km, " if far < 1e5 else ""
        reason = (
            f"{lender} peut prêter {what} à {borrower} {when} : {where}c'est la commune la plus "
            "proche dont l'offre couvre ces dates."
        )
    else:
        shares = [f"{_name(places, s.offer.commune)} {portion}" for s, portion in takes]
        reason = (
            f"{listing(shares)} peuvent prêter ensemble {what} à {borrower} {when} : aucune "
            "commune seule n'en a assez de libres, ce sont les plus proches qui en ont."
        )
    return Plan(
        ProposalKind.LOAN,
        need.item,
        need.family,
        wanted,
        need.start,
        need.end or need.start,
        None,
        parts,
        reason,
    )


def _name(places: Mapping[str, Place], insee: str) -> str:
    place = places.get(insee)
    return place.name if place else insee
