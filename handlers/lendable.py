"""What can be borrowed where on given days: the territory's open offers, less what loans
in play already hold on overlapping days, nearest to the asking commune first."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.matching.plans import Place, distance_km
from storage.models import ParticipantRole, ProposalKind
from storage.proposals import communes_with_places
from storage.views import IN_PLAY, Item, OfferRow, ProposalRow, Scope, french_key

# Distances past this are "not placed" (a town hall without coordinates).
UNPLACED_KM = 1e5


@dataclass(frozen=True)
class Available:
    """One offer as seen on the days asked: what is left free, where, and how far."""

    offer_id: int
    insee: str
    commune: str
    label: str
    offered: int | None  # None: a lot of unknown size
    free: int | None  # None: the whole lot is free; 0: all promised on those days
    start: dt.date | None
    end: dt.date | None
    km: float | None

    @property
    def taken(self) -> bool:
        return self.free == 0


async def places_of(session: AsyncSession, scope: Scope) -> dict[str, Place]:
    """Where the territory's communes are, by INSEE code: what distances start from."""
    return {
        c.insee: Place(c.name, c.population, c.latitude, c.longitude, epci)
        for c, epci in await communes_with_places(session)
        if c.insee in scope.communes
    }


def folded(text: str) -> str:
    """Lower case, without accents: what a search compares."""
    plain = unicodedata.normalize("NFD", text.casefold())
    return "".join(c for c in plain if not unicodedata.combining(c)).strip()


def _covers(offer: OfferRow, first: dt.date | None, last: dt.date | None) -> bool:
    """Whether the offer's window holds every day asked (a missing bound holds all)."""
    if first is not None and offer.start is not None and offer.start > first:
        return False
    return not (last is not None and offer.end is not None and offer.end < last)


def _overlaps(loan: ProposalRow, first: dt.date | None, last: dt.date | None) -> bool:
    if loan.start is None:
        return False
    end = loan.end or loan.start
    return (first is None or end >= first) and (last is None or loan.start <= last)


def available(
    offers: Iterable[OfferRow],
    loans: Iterable[ProposalRow],
    items: Mapping[str, Item],
    places: Mapping[str, Place],
    home: str,
    query: str = "",
    first: dt.date | None = None,
    last: dt.date | None = None,
) -> list[Available]:
    """The offers whose item matches `query` (any word of its label) and whose window covers
    [first, last], with what loans in play already promise on those days taken off, nearest
    to `home` first."""
    held: dict[int, int] = {}
    for loan in loans:
        if loan.kind is not ProposalKind.LOAN or loan.status not in IN_PLAY:
            continue
        if not _overlaps(loan, first, last):
            continue
        for share in loan.shares:
            if share.role is ParticipantRole.LENDER and share.offer_id is not None:
                held[share.offer_id] = held.get(share.offer_id, 0) + (share.quantity or 0)
    wanted = folded(query)
    here = places.get(home)
    found = []
    for offer in offers:
        item = items.get(offer.item_id) if offer.item_id else None
        label = item.plural if item else "article hors catalogue"
        if wanted and wanted not in folded(f"{item.label} {item.plural}" if item else label):
            continue
        if not _covers(offer, first, last):
            continue
        taken = held.get(offer.id, 0)
        free = None if offer.quantity is None else max(0, offer.quantity - taken)
        if offer.quantity is None and taken:
            free = 0  # a lot is lent whole, to one commune at a time
        place = places.get(offer.insee)
        km = distance_km(here, place) if here and place else None
        found.append(Available(
            offer.id, offer.insee, place.name if place else offer.insee, label,
            offer.quantity, free, offer.start, offer.end,
            None if km is None or km > UNPLACED_KM else round(km, 1),
        ))  # fmt: skip
    found.sort(key=lambda a: (a.taken, a.km is None, a.km or 0.0, french_key(a.commune)))
    return found
