"""The semester summary (état des lieux semestriel): open needs, proposals, loans, the
calendar ahead, and the shared indicators of each commune."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from itertools import groupby

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.costs import Price, PriceBook, price_book
from handlers.digests.peaks import Peak, Shortfall, peaks, shortfalls
from handlers.recurrence import dated
from storage import views
from storage.models import ParticipantRole, ProposalKind, ProposalStatus
from storage.views import (
    CONFIRMED,
    IN_PLAY,
    EventRow,
    Item,
    NeedRow,
    ProposalRow,
    Scope,
    Share,
    french_key,
    with_progress,
)

CALENDAR_DAYS = 183


def semester_start(day: dt.date) -> dt.date:
    """The first day of the half-year that holds `day`."""
    return dt.date(day.year, 1 if day.month <= 6 else 7, 1)


def reported_semester(today: dt.date) -> tuple[dt.date, dt.date]:
    """The half-year a summary made on `today` reports on: the one that ended yesterday
    on 1 January and 1 July, else the current one so far. Bounds are inclusive."""
    first = semester_start(today - dt.timedelta(days=1))
    last = dt.date(first.year, 6, 30) if first.month == 1 else dt.date(first.year, 12, 31)
    return first, last


@dataclass
class Indicators:
    """The shared indicators of one commune (or of the whole territory)."""

    commune: str
    insee: str | None = None
    needs: int = 0
    matched: int = 0
    group_orders: int = 0
    loans_borrowed: int = 0
    loans_lent: int = 0
    days_lent: int = 0
    savings: float = 0.0
    savings_pending: float = 0.0
    participated: bool = False

    @property
    def share_matched(self) -> float | None:
        return self.matched / self.needs if self.needs else None

    def add(self, other: Indicators) -> None:
        for name in ("needs", "matched", "group_orders", "loans_borrowed", "loans_lent",
                     "days_lent", "savings", "savings_pending"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.participated = self.participated or other.participated


@dataclass
class Family:
    label: str
    needs: list[NeedRow]


@dataclass
class Semester:
    """One territory's semester summary, ready to render."""

    scope: Scope
    today: dt.date
    first: dt.date
    last: dt.date
    families: list[Family]
    open_needs: int
    group_orders: list[ProposalRow]
    joint_purchases: list[ProposalRow]
    loans_done: list[ProposalRow]
    loans_coming: list[ProposalRow]
    loans_pending: list[ProposalRow]
    # Loans proposed and never answered, whose dates passed this semester.
    loans_lapsed: list[ProposalRow]
    events: list[EventRow]
    indicators: list[Indicators]
    total: Indicators
    # Days ahead where an item is asked more than the territory lends, and the items short
    # in at least two different years (a joint purchase to consider).
    peaks: list[Peak]
    shortfalls: list[Shortfall]
    # The unit prices the savings were estimated with, by item label, with their source.
    prices: list[tuple[str, Price]]

    @property
    def sources(self) -> list[str]:
        """The sources of the prices used, each once, the most used first."""
        count: dict[str, int] = defaultdict(int)
        for _, price in self.prices:
            count[price.cited] += 1
        return sorted(count, key=lambda cited: -count[cited])

    @property
    def silent(self) -> list[str]:
        """The communes that declared nothing this semester."""
        return [i.commune for i in self.indicators if not i.participated]

    @property
    def proposals(self) -> list[ProposalRow]:
        return sorted(
            [*self.group_orders, *self.joint_purchases, *self.loans_pending,
             *self.loans_lapsed, *self.loans_coming, *self.loans_done],
            key=lambda p: p.id,
        )  # fmt: skip


async def build(
    session: AsyncSession,
    scope: Scope,
    items: dict[str, Item],
    now: dt.datetime,
    group_saving_rate: float,
    prices: PriceBook | None = None,
) -> Semester:
    """Read one territory's summary as of `now` (an aware instant), its savings estimated
    with `prices` (by default, the catalogue's and the bundled ones)."""
    if prices is None:
        prices = price_book(scope.epci, {key: item.price for key, item in items.items()})
    today = now.date()
    first, last = reported_semester(today)
    since = dt.datetime.combine(first, dt.time(), now.tzinfo)
    # One reading of the needs: the live ones, and those declared this semester.
    rows = await views.needs(session, scope, items, statuses=views.LIVE_NEEDS, since=since)
    live = [n for n in rows if n.status in views.LIVE_NEEDS and not n.past(today)]
    declared = [n for n in rows if n.declared >= first]
    proposals = await views.proposals(session, scope, items)
    horizon = today + dt.timedelta(days=CALENDAR_DAYS)
    events = dated(await views.events(session, scope, today, horizon), today, horizon)
    offers = await views.offers(session, scope)
    # Every live need counts, past ones too: a shortage that came back is what shows it lasts.
    found = peaks(rows, offers, items)
    # Who declared a need this semester is in `declared` already: the store is asked the rest.
    declarers = await views.declarers(session, scope, since, needs=False)
    declarers.update(n.insee for n in declared)

    live = with_progress(live, proposals, today)
    live.sort(
        key=lambda n: (
            french_key(n.family), french_key(n.label), n.due or dt.date.max,
            french_key(n.commune),
        )
    )  # fmt: skip
    families = [Family(label, list(group)) for label, group in groupby(live, lambda n: n.family)]
    by_kind: dict[ProposalKind, list[ProposalRow]] = defaultdict(list)
    for proposal in proposals:
        by_kind[proposal.kind].append(proposal)
    loans = by_kind[ProposalKind.LOAN]
    confirmed = [p for p in loans if p.status in CONFIRMED]
    unanswered = [p for p in loans if p.status is ProposalStatus.PROPOSED]
    indicators, total = _indicators(
        scope, prices, declared, proposals, declarers, first, today, group_saving_rate
    )
    return Semester(
        scope=scope,
        today=today,
        first=first,
        last=last,
        families=families,
        open_needs=len(live),
        group_orders=[p for p in by_kind[ProposalKind.GROUP_ORDER] if p.status in IN_PLAY],
        joint_purchases=[p for p in by_kind[ProposalKind.JOINT_PURCHASE] if p.status in IN_PLAY],
        loans_done=[p for p in confirmed if _over(p, today) and _within(p, first)],
        loans_coming=[p for p in confirmed if not _over(p, today)],
        loans_pending=[p for p in unanswered if not _over(p, today)],
        loans_lapsed=[p for p in unanswered if _over(p, today) and _within(p, first)],
        events=events,
        indicators=indicators,
        total=total,
        peaks=[p for p in found if p.last >= today and p.first <= horizon],
        shortfalls=shortfalls(found),
        prices=_unit_prices(proposals, prices, items),
    )


def _unit_prices(
    proposals: list[ProposalRow], prices: PriceBook, items: dict[str, Item]
) -> list[tuple[str, Price]]:
    """The unit prices the savings were estimated with, by item label in French order: each
    proposal's item (a family's group order: its needs' items), but in a group order whose
    price obtained was recorded."""
    used: set[str] = set()
    for proposal in proposals:
        if not (proposal.cost_key or {}).get("obtained"):
            used.update([proposal.item_id] if proposal.item_id else
                        [s.item_id for s in proposal.shares if s.item_id])  # fmt: skip
    found = [(items[i].label if i in items else i, price) for i in used
             if (price := prices.get(i)) is not None]  # fmt: skip
    return sorted(found, key=lambda pair: french_key(pair[0]))


def _indicators(
    scope: Scope,
    prices: PriceBook,
    declared: list[NeedRow],
    proposals: list[ProposalRow],
    declarers: set[str],
    first: dt.date,
    today: dt.date,
    group_saving_rate: float,
) -> tuple[list[Indicators], Indicators]:
    """Each commune's indicators, in French order, and the territory's total, where a group
    order or a loan of several communes counts once."""
    rows = {insee: Indicators(name, insee) for insee, name in scope.communes.items()}
    group_orders: set[int] = set()
    loans: set[int] = set()
    matched_needs = {s.need_id for p in proposals for s in p.shares if s.need_id is not None}
    for need in declared:
        row = rows.get(need.insee)
        if row is not None:
            row.needs += 1
            row.matched += need.id in matched_needs
    for insee in declarers:
        if insee in rows:
            rows[insee].participated = True
    for proposal in proposals:
        in_semester = proposal.created_at.date() >= first
        # Left unanswered past its dates, it will save nothing: no longer "en attente".
        lapsed = proposal.status is ProposalStatus.PROPOSED and _over(proposal, today)
        seen: set[str] = set()
        for share in proposal.shares:
            row = rows.get(share.insee)
            if row is None or share.role is ParticipantRole.CARRIER:
                continue  # the carrier also takes part as a member, with its share
            first_share = share.insee not in seen
            seen.add(share.insee)
            saving = _saving(proposal, share, first_share, prices, group_saving_rate)
            if proposal.status in CONFIRMED:
                row.savings += saving
            elif not lapsed:
                row.savings_pending += saving
            if proposal.kind is ProposalKind.GROUP_ORDER and in_semester:
                row.group_orders += first_share
                group_orders.add(proposal.id)
            if proposal.kind is ProposalKind.LOAN and proposal.status in CONFIRMED and first_share:
                overlap = _overlap(proposal, first, today)
                if overlap or in_semester:
                    row.loans_borrowed += share.role is ParticipantRole.BORROWER
                    row.loans_lent += share.role is ParticipantRole.LENDER
                    loans.add(proposal.id)
                if share.role is ParticipantRole.LENDER:
                    row.days_lent += overlap
    communes = sorted(rows.values(), key=lambda r: french_key(r.commune))
    total = Indicators("Total")
    for row in communes:
        total.add(row)
    # Two communes in one group order make one group order, not two; one loan is one loan.
    total.group_orders = len(group_orders)
    total.loans_borrowed = total.loans_lent = len(loans)
    return communes, total


def _over(proposal: ProposalRow, today: dt.date) -> bool:
    """Whether a proposal's time has passed: a loan's last day, or another's deadline."""
    if proposal.kind is ProposalKind.LOAN:
        last = proposal.end or proposal.start
    else:
        last = proposal.deadline
    return last is not None and last < today


def _within(proposal: ProposalRow, first: dt.date) -> bool:
    """Whether a loan ended within the semester that starts on `first` (or has no dates)."""
    last = proposal.end or proposal.start
    return last is None or last >= first


def _overlap(proposal: ProposalRow, first: dt.date, last: dt.date) -> int:
    """Days of the loan that fall within [first, last]."""
    if proposal.start is None:
        return 0
    start, end = max(proposal.start, first), min(proposal.end or proposal.start, last)
    return max(0, (end - start).days + 1)


def _saving(
    proposal: ProposalRow,
    share: Share,
    first_share: bool,
    prices: PriceBook,
    group_saving_rate: float,
) -> float:
    """What a commune saves by one of its shares of a proposal, where its price is known.

    A loan spares the borrower the purchase of what it borrows; a group order earns each
    member the configured discount on its part (`_bought`); a joint purchase of one item by
    n communes spares each the price of its own copy, less its part of the shared one.
    """
    if proposal.kind is ProposalKind.GROUP_ORDER:
        return _bought(proposal, share, first_share, prices) * group_saving_rate
    known = prices.get(proposal.item_id)
    if known is None:
        return 0.0
    if proposal.kind is ProposalKind.LOAN:
        borrows = share.role is ParticipantRole.BORROWER
        return known.amount * (share.quantity or 0) if borrows else 0.0
    if not first_share:
        return 0.0  # one copy spared per commune, whatever its days of use
    communes = len({s.insee for s in proposal.shares})
    return known.amount * (communes - 1) / communes if communes else 0.0


def _bought(proposal: ProposalRow, share: Share, first_share: bool, prices: PriceBook) -> float:
    """What a member commune pays in a group order, in euros: its part of the price obtained
    when a coordinator recorded one (by the order's cost key, counted once a commune), else
    its quantity at its item's unit price (in a family's order, the item of its own need)."""
    cost = proposal.cost_key or {}
    if cost.get("obtained"):
        own = (cost.get("shares") or {}).get(share.insee)
        return float(own) if own is not None and first_share else 0.0
    known = prices.get(proposal.item_id or share.item_id)
    return known.amount * (share.quantity or 0) if known else 0.0
