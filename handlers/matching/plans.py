"""What matching works on and what it produces: plain values, no database."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from handlers.costs import CostKey, PriceBook
from storage.models import ParticipantRole, ProposalKind


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Planning makes hundreds of thousands of small objects and no reference cycles: the
    cyclic garbage collector, which would walk the whole heap again and again meanwhile
    (two thirds of the time on 100,000 needs), waits until it is done. Reference counting
    still frees everything as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True, slots=True)
class NeedView:
    id: int
    kind: str  # "purchase" | "borrow"
    commune: str
    item: str | None
    label: str
    family: str | None
    quantity: int | None
    start: dt.date | None
    end: dt.date | None
    deadline: dt.date | None
    order: int  # arrival order: the earlier request wins a tie
    volunteer: bool = False  # offers to carry a group order


@dataclass(frozen=True, slots=True)
class OfferView:
    id: int
    commune: str
    item: str | None
    quantity: int | None  # None: a lot of unknown size, lent whole to one commune at a time
    start: dt.date | None
    end: dt.date | None


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    population: int
    latitude: float | None
    longitude: float | None
    epci: str = ""  # the territory, whose prices value what the commune shares


class Part(NamedTuple):
    """One commune's part in a proposal (a tuple: plans make thousands of them)."""

    commune: str
    role: ParticipantRole
    quantity: int | None
    need_id: int | None = None
    offer_id: int | None = None


@dataclass
class Plan:
    """A proposal as matching wants it; its signature says whether it exists already."""

    kind: ProposalKind
    item: str | None
    family: str | None
    quantity: int | None
    start: dt.date | None
    end: dt.date | None
    deadline: dt.date | None
    parts: list[Part]
    reason: str
    cost_key: dict[str, object] | None = None
    # Writing the sentence costs more than finding the plan: some plans write it on demand.
    explain: Callable[[], str] | None = None

    def sentence(self) -> str:
        """Why this proposal is made, in one French sentence."""
        return self.explain() if self.explain is not None else self.reason

    @property
    def signature(self) -> str:
        """Identical plans have identical signatures, whatever order they were found in."""
        parts = sorted(
            f"{p.role.value}:{p.commune}:{p.need_id}:{p.offer_id}:{p.quantity}" for p in self.parts
        )
        text = "|".join(
            [self.kind.value, str(self.item), str(self.family), str(self.quantity)]
            + [str(d) for d in (self.start, self.end, self.deadline)]
            + parts
        )
        return hashlib.sha256(text.encode()).hexdigest()[:40]


@dataclass
class Planning:
    """Matching's answer: the plans, and why each need left alone stays so."""

    plans: list[Plan] = field(default_factory=list)
    unmatched: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Pricing:
    """What shared purchases cost and how the cost is split: each territory's price book
    (by EPCI code), the one the semester summary values savings with."""

    books: Mapping[str, PriceBook]
    group_key: CostKey
    joint_key: CostKey

    def costs(
        self, item: str | None, quantity: int | None, key: CostKey,
        measures: Mapping[str, Mapping[str, float]], places: Mapping[str, Place],
    ) -> dict[str, object] | None:  # fmt: skip
        """The estimated cost key of a proposal, valued with the prices of the territory of
        its first commune, when the item has a price there."""
        book = self._book(measures, places)
        if book is None:
            return None
        return book.estimate(item, quantity, key, measures, _names(measures, places))

    def family_costs(
        self, lines: list[tuple[str, str | None, int | None]],
        words: Mapping[str, tuple[str, str]], key: CostKey,
        measures: Mapping[str, Mapping[str, float]], places: Mapping[str, Place],
    ) -> dict[str, object] | None:  # fmt: skip
        """The estimated cost key of a family's group order (`lines`: commune, item and
        quantity of each need), each item at its price in the territory of the first
        commune, the quantities counted in value; None when an item has no price."""
        book = self._book(measures, places)
        if book is None:
            return None
        return book.estimate_family(lines, words, key, measures, _names(measures, places))

    def _book(
        self, measures: Mapping[str, Mapping[str, float]], places: Mapping[str, Place]
    ) -> PriceBook | None:
        """The price book of the territory of the first commune."""
        first = places.get(next(iter(measures), ""))
        return self.books.get(first.epci) if first is not None else None


def _names(measures: Mapping[str, object], places: Mapping[str, Place]) -> dict[str, str]:
    return {c: places[c].name for c in measures if c in places}


def distance_km(a: Place, b: Place) -> float:
    """Great-circle distance between two town halls; far away when one is not placed."""
    if a.latitude is None or a.longitude is None or b.latitude is None or b.longitude is None:
        return 1e6
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))
