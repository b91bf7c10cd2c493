"""Matching: from the needs and offers in the store to proposals, incrementally.

Each run plans everything still open from scratch, keeps the proposals whose plan is
found again (same signature), withdraws those no longer planned, and adds the new ones.
Proposals a party has already accepted are commitments: their capacity stays promised
and their needs are not planned again. Running twice on an unchanged store changes
nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.costs import CostKey, PriceBook, price_book
from handlers.matching.groups import plan_group_orders, plan_joint_purchases
from handlers.matching.loans import Stock, commit, lender_order, plan_loans
from handlers.matching.plans import (
    NeedView,
    OfferView,
    Place,
    Plan,
    Planning,
    Pricing,
    collector_paused,
)
from handlers.shortage import demand_and_supply, figures, short_runs, worst_by_year
from storage.declarations import live_needs, open_offers
from storage.models import (
    Answer,
    Need,
    NeedKind,
    NeedStatus,
    Offer,
    Proposal,
    ProposalKind,
    ProposalParticipant,
    ProposalStatus,
)
from storage.proposals import (
    active_proposals,
    catalogue_items,
    communes_with_places,
    declined_needs,
    refused_pairs,
)


@dataclass(frozen=True)
class MatchingConfig:
    """The territory's matching settings."""

    group_horizon: dt.timedelta = dt.timedelta(days=183)
    joint_minimum: int = 3
    joint_window: dt.timedelta = dt.timedelta(days=365)
    group_cost_key: CostKey = field(default_factory=lambda: CostKey.parse("quantite"))
    joint_cost_key: CostKey = field(default_factory=lambda: CostKey.parse("egal:50,population:50"))
    # Where a territory keeps its own prices file beside its edited templates, if anywhere.
    price_folders: tuple[Path, ...] = ()


@dataclass
class MatchReport:
    """What a run changed."""

    created: list[Proposal] = field(default_factory=list)
    withdrawn: list[Proposal] = field(default_factory=list)
    kept: int = 0


def _committed(proposal: Proposal) -> bool:
    # A group order whose price the coordinator recorded was bought: a need arriving later
    # does not dissolve it into a new plan, and the price obtained stays its cost.
    return (
        proposal.status is ProposalStatus.ACCEPTED
        or any(p.answer is Answer.ACCEPTED for p in proposal.participants)
        or _obtained(proposal.cost_key)
    )


def _obtained(cost_key: dict[str, object] | None) -> bool:
    return bool(cost_key and cost_key.get("obtained"))


@dataclass(frozen=True)
class Reference:
    """What matching reads that seldom changes: where the communes are, in which order each
    borrows from the others, the catalogue's names and families, and each territory's price
    book (by EPCI code: its prices file, the catalogue's, the reference estimates)."""

    places: dict[str, Place]
    order: dict[str, list[str]]
    labels: dict[str, tuple[str, str]]
    family_of: dict[str, str]
    families: dict[str, str]
    books: dict[str, PriceBook]


async def read_reference(session: AsyncSession, price_folders: Iterable[Path] = ()) -> Reference:
    """The reference as the store holds it now, its prices files read from `price_folders`
    too (`MatchingConfig.price_folders`)."""
    places = {
        c.insee: Place(c.name, c.population, c.latitude, c.longitude, epci)
        for c, epci in await communes_with_places(session)
    }
    catalogue = await catalogue_items(session)
    priced = {i.id: i.price for i in catalogue}
    folders = list(price_folders)
    return Reference(
        places=places,
        order=lender_order(places),
        labels={i.id: (i.label, i.plural) for i in catalogue},
        family_of={i.id: i.family_id for i in catalogue},
        families={i.family_id: i.family.label for i in catalogue},
        books={
            epci: price_book(epci, priced, folders)
            for epci in sorted({p.epci for p in places.values()})
        },
    )


class ReferenceCache:
    """The reference kept a little while by a long-lived caller (the service's inbox): it
    changes only with `mutualise init` or an edited prices file, which a running service
    sees within `ttl` seconds. Reading it for every message was a fifth of the time a
    message takes; each territory's prices files are read once per reading, not per
    message."""

    def __init__(
        self,
        ttl: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        price_folders: Iterable[Path] = (),
    ) -> None:
        self.ttl = ttl
        self.clock = clock
        self.price_folders = tuple(price_folders)
        self._kept: tuple[float, Reference] | None = None

    async def get(self, session: AsyncSession) -> Reference:
        now = self.clock()
        if self._kept is None or now - self._kept[0] > self.ttl:
            self._kept = (now, await read_reference(session, self.price_folders))
        return self._kept[1]


async def match(
    session: AsyncSession,
    config: MatchingConfig | None = None,
    items: Collection[str] | None = None,
    now: dt.datetime | None = None,
    reference: Reference | None = None,
) -> MatchReport:
    """Bring the proposals in line with the needs and offers in the store; when `items` is
    given, only for those items and the families they belong to (what one message can
    change), which keeps a match quick however large the store. New proposals are dated
    `now` (the time of the message that caused them), else the clock's time."""
    config = config or MatchingConfig()
    known = (
        reference if reference is not None else await read_reference(session, config.price_folders)
    )
    places, labels = known.places, known.labels
    family_of, families = known.family_of, known.families
    scope: set[str] | None = None
    touched: set[str] | None = None
    if items is not None:
        touched = {family_of[i] for i in items if i in family_of}
        scope = {i for i, f in family_of.items() if f in touched} | set(items)
    needs = list(await live_needs(session, items=scope))
    offers = list(await open_offers(session, items=scope))
    proposals = list(await active_proposals(session, scope, touched))
    committed = [p for p in proposals if _committed(p)]
    replannable = {p.signature: p for p in proposals if not _committed(p) and p.signature}
    held = {part.need_id for p in committed for part in p.participants if part.need_id}

    stocks = {o.id: Stock(_offer_view(o)) for o in offers}
    for proposal in committed:
        if proposal.kind is ProposalKind.LOAN and proposal.start:
            for part in proposal.participants:
                if part.offer_id is not None:
                    end = proposal.end or proposal.start
                    commit(stocks, part.offer_id, proposal.start, end, part.quantity or 1)

    views = [_need_view(n, family_of) for n in needs if n.id not in held]
    borrows = [v for v in views if v.kind == NeedKind.BORROW.value]
    declined = await declined_needs(session)
    purchases = [v for v in views if v.kind == NeedKind.PURCHASE.value and v.id not in declined]
    outcome = Planning()
    refused = await refused_pairs(session)
    lent = {o.item_id for o in offers if o.item_id is not None}
    pricing = Pricing(known.books, config.group_cost_key, config.joint_cost_key)
    joint = [v for v in borrows if v.id not in declined]
    with collector_paused():  # plain computation, no await: nothing else runs meanwhile
        plan_loans(borrows, stocks, places, labels, refused, outcome, known.order)
        short = recurring_shortages(needs, offers)
        plan_joint_purchases(
            joint, lent, places, labels, config.joint_minimum, config.joint_window, outcome,
            pricing, short,
        )  # fmt: skip
        plan_group_orders(
            purchases, places, labels, families, config.group_horizon, outcome, pricing
        )
    report = _apply(session, outcome.plans, replannable, now)
    _set_statuses(needs, held, outcome)
    await session.flush()
    return report


def recurring_shortages(needs: Sequence[Need], offers: Sequence[Offer]) -> dict[str, str]:
    """The lent items asked more than they can be lent in at least two different years,
    with the figures of the worst day of each year: what a joint purchase would end."""
    asked, lent = demand_and_supply(needs, offers)
    found = {}
    for item, wanted in asked.items():
        if item not in lent:
            continue  # nobody lends it: the joint purchase needs no figures to be suggested
        worst = worst_by_year(short_runs(wanted, lent[item]))
        if len(worst) >= 2:
            found[item] = figures(worst)
    return found


def _apply(
    session: AsyncSession,
    plans: list[Plan],
    existing: dict[str, Proposal],
    now: dt.datetime | None,
) -> MatchReport:
    report = MatchReport()
    wanted = {plan.signature: plan for plan in plans}
    for signature, proposal in existing.items():
        if signature in wanted:
            report.kept += 1
            # The same plan valued again: a prices file edited since shows in its shares.
            if proposal.cost_key != wanted[signature].cost_key:
                proposal.cost_key = wanted[signature].cost_key
        else:
            proposal.status = ProposalStatus.CANCELLED
            report.withdrawn.append(proposal)
    for signature, plan in wanted.items():
        if signature in existing:
            continue
        proposal = Proposal(
            kind=plan.kind,
            item_id=plan.item,
            family_id=plan.family if plan.item is None else None,
            quantity=plan.quantity,
            start=plan.start,
            end=plan.end,
            deadline=plan.deadline,
            status=ProposalStatus.PROPOSED,
            reason=plan.sentence(),
            cost_key=plan.cost_key,
            signature=signature,
            **({"created_at": now, "updated_at": now} if now is not None else {}),
            participants=[
                ProposalParticipant(
                    commune_insee=part.commune,
                    role=part.role,
                    need_id=part.need_id,
                    offer_id=part.offer_id,
                    quantity=part.quantity,
                    answer=Answer.PENDING,
                )
                for part in plan.parts
            ],
        )
        session.add(proposal)
        report.created.append(proposal)
    return report


def _set_statuses(needs: list[Need], held: set[int], outcome: Planning) -> None:
    planned = {part.need_id for plan in outcome.plans for part in plan.parts if part.need_id}
    for need in needs:
        if need.id in held or need.id in planned:
            need.status, need.status_reason = NeedStatus.MATCHED, None
        else:
            need.status = NeedStatus.OPEN
            need.status_reason = outcome.unmatched.get(need.id, need.status_reason)


def _need_view(need: Need, family_of: dict[str, str]) -> NeedView:
    return NeedView(
        id=need.id,
        kind=need.kind.value,
        commune=need.commune_insee,
        item=need.item_id,
        label=need.item_label,
        family=family_of.get(need.item_id or ""),
        quantity=need.quantity,
        start=need.start,
        end=need.end,
        deadline=need.deadline,
        order=need.id,
        volunteer=need.volunteer,
    )


def _offer_view(offer: Offer) -> OfferView:
    return OfferView(
        offer.id, offer.commune_insee, offer.item_id, offer.quantity, offer.start, offer.end
    )
