"""The shared page (*référencement*) of one territory, as data: the semester summary's read
model (needs by family, group orders, loans, calendar, indicators) with the page's filters,
the lendable equipment searched by item and dates, and the group orders' shares.

Channel-agnostic: `web/` renders it. One reading of the store per page."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from heapq import nsmallest
from itertools import groupby

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.costs import format_month, price_book
from handlers.digests import DigestConfig
from handlers.digests.semester import Semester, build
from handlers.group_orders import LAUNCH, MAX_JOINING
from handlers.lendable import Available, available, places_of
from storage import views
from storage.access import LoggedAction, actions, first_actions
from storage.labels import NEED_KINDS
from storage.models import NeedKind, ParticipantRole
from storage.views import IN_PLAY, EventRow, Item, NeedRow, ProposalRow, Scope, french_key

# The kind filter's values are the kinds' French names ("achat", "emprunt").
KINDS = {label: kind for kind, label in NEED_KINDS.items()}
# Needs listed at most: those due first; the filters and the workbook give the rest.
SHOWN = 200


@dataclass(frozen=True)
class NeedFilter:
    """What the Besoins section is narrowed to (query parameters); empty: everything."""

    family: str = ""
    commune: str = ""
    kind: str = ""
    before: dt.date | None = None

    def keeps(self, need: NeedRow) -> bool:
        if self.family and need.family != self.family:
            return False
        if self.commune and need.insee != self.commune:
            return False
        if self.kind in KINDS and need.kind is not KINDS[self.kind]:
            return False
        return not (self.before and (need.due is None or need.due > self.before))


@dataclass(frozen=True)
class Search:
    """The lendable equipment asked for: words of the item, first and last day."""

    item: str = ""
    first: dt.date | None = None
    last: dt.date | None = None

    @property
    def asked(self) -> bool:
        return bool(self.item or self.first or self.last)


@dataclass(frozen=True)
class GroupShare:
    commune: str
    quantity: int | None
    euros: Decimal | None


@dataclass(frozen=True)
class GroupOrder:
    """A group order in formation with its shares by the cost key, estimated or obtained."""

    row: ProposalRow
    shares: tuple[GroupShare, ...]
    total: Decimal | None
    obtained: bool
    explanation: str
    # When a coordinator launched it, and who; None while it is only proposed.
    launched: LoggedAction | None = None
    # The open purchase needs of its item in no proposal, which could join it: how many,
    # and the first ones due.
    joinable_count: int = 0
    joinable: tuple[NeedRow, ...] = ()

    @property
    def carrier(self) -> str | None:
        """The INSEE code of the commune that carries it."""
        return next((s.insee for s in self.row.shares if s.role is ParticipantRole.CARRIER), None)


@dataclass(frozen=True)
class Month:
    label: str
    events: list[EventRow]
    loans: list[ProposalRow]


@dataclass
class Page:
    """Everything the page shows of one territory on one day."""

    scope: Scope
    today: dt.date
    summary: Semester
    needs: list[tuple[str, list[NeedRow]]]
    # How many needs the filters keep (more than are listed when past SHOWN).
    needs_kept: int
    families: list[str]
    group_orders: list[GroupOrder]
    loans: list[ProposalRow]
    months: list[Month]
    search: Search
    found: list[Available]
    items: list[str]
    logged: list[LoggedAction] = field(default_factory=list)


async def scope_of(session: AsyncSession, territory_id: int) -> Scope:
    """The territory of that number with its communes."""
    return next(s for s in await views.territories(session) if s.id == territory_id)


async def summary_of(
    session: AsyncSession, scope: Scope, items: dict[str, Item], now: dt.datetime,
    config: DigestConfig,
) -> Semester:  # fmt: skip
    """The semester summary the page is built on (what the workbook exports too), with the
    prices and savings rate of the emailed one."""
    prices = price_book(scope.epci, {k: i.price for k, i in items.items()}, config.price_folders)
    return await build(session, scope, items, now, config.group_saving_rate, prices)


async def page(
    session: AsyncSession,
    territory_id: int,
    home: str,
    now: dt.datetime,
    needs: NeedFilter,
    search: Search,
    config: DigestConfig | None = None,
) -> Page:
    """The page of a territory as seen from the commune `home` (distances start there)."""
    scope = await scope_of(session, territory_id)
    items = await views.catalogue(session)
    summary = await summary_of(session, scope, items, now, config or DigestConfig())
    today = summary.today
    joinable = _joinable(summary, items)
    live = [n for family in summary.families for n in family.needs if needs.keeps(n)]
    kept = len(live)
    if kept > SHOWN:
        first = nsmallest(SHOWN, live, key=lambda n: (n.due or dt.date.max, n.id))
        chosen = {n.id for n in first}
        live = [n for n in live if n.id in chosen]
    # Only the needs listed say the group order they could join (a copy each).
    live = [
        replace(n, progress=f"peut rejoindre le groupement n° {joinable[n.id]}")
        if n.id in joinable else n
        for n in live
    ]  # fmt: skip
    grouped = [(label, list(rows)) for label, rows in groupby(live, lambda n: n.family)]
    proposals = summary.proposals
    found: list[Available] = []
    if search.asked:
        places = await places_of(session, scope)
        offers = await views.offers(session, scope)
        found = available(offers, proposals, items, places, home, search.item,
                          search.first, search.last)  # fmt: skip
    ids = [p.id for p in summary.group_orders]
    launched = await first_actions(session, ids, LAUNCH)
    joining: dict[int, list[NeedRow]] = defaultdict(list)
    for n in (n for family in summary.families for n in family.needs if n.id in joinable):
        joining[joinable[n.id]].append(n)
    loans = sorted([*summary.loans_pending, *summary.loans_coming],
                   key=lambda p: (p.start or dt.date.max, p.id))  # fmt: skip
    return Page(
        scope=scope,
        today=today,
        summary=summary,
        needs=grouped,
        needs_kept=kept,
        families=sorted({f.label for f in summary.families}, key=french_key),
        group_orders=[
            replace(
                _group_order(p),
                launched=launched.get(p.id),
                joinable_count=len(joining[p.id]),
                joinable=tuple(
                    sorted(joining[p.id], key=lambda n: (n.due or dt.date.max, n.id))[:MAX_JOINING]
                ),
            )
            for p in summary.group_orders
        ],
        loans=loans,
        months=_months(summary.events, loans),
        search=search,
        found=found,
        items=sorted({i.label for i in items.values()}, key=french_key),
        logged=await actions(session, scope.id),
    )


def _joinable(summary: Semester, items: Mapping[str, Item]) -> dict[int, int]:
    """The open purchase needs that could join a group order in formation (in no proposal
    in play), each with the order it could join: the one of its item due first, else the
    one of its family (an order of several items of a family) due first."""
    taken = {
        s.need_id for p in summary.proposals if p.status in IN_PLAY for s in p.shares if s.need_id
    }
    orders: dict[str, int] = {}
    families: dict[str, int] = {}
    for order in sorted(summary.group_orders, key=lambda p: (p.deadline or dt.date.max, p.id)):
        if order.item_id is not None:
            orders.setdefault(order.item_id, order.id)
        elif order.family_id is not None:
            families.setdefault(order.family_id, order.id)
    found: dict[int, int] = {}
    for n in (n for family in summary.families for n in family.needs):
        if n.kind is not NeedKind.PURCHASE or n.item_id is None or n.id in taken:
            continue
        item = items.get(n.item_id)
        joins = orders.get(n.item_id) or (families.get(item.family_id) if item else None)
        if joins is not None:
            found[n.id] = joins
    return found


def _group_order(row: ProposalRow) -> GroupOrder:
    """A group order with each member's part and share of the cost, when one is known."""
    shares = row.cost_shares
    return GroupOrder(
        row,
        tuple(GroupShare(name, q, shares.get(name)) for name, q in row.parts),
        row.cost_total,
        row.obtained,
        row.costs,
    )


def _months(events: list[EventRow], loans: list[ProposalRow]) -> list[Month]:
    """Events and loans to come, month by month, in order."""
    by_month: dict[tuple[int, int], Month] = {}

    def month(day: dt.date) -> Month:
        key = (day.year, day.month)
        if key not in by_month:
            by_month[key] = Month(format_month(day).capitalize(), [], [])
        return by_month[key]

    for event in events:
        month(event.start).events.append(event)
    for loan in loans:
        if loan.start is not None:
            month(loan.start).loans.append(loan)
    return [by_month[k] for k in sorted(by_month)]
