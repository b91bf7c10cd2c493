"""The read model: what the digests, the shared page, the calendar feed, the reminders and
the chat's calendar show, read from the store for one territory at a time.

Rows are plain values read with column queries, not ORM objects: a territory with ten
thousand needs is read in a few queries, and nothing outlives the territory's rendering.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.declarations import LIVE_NEEDS
from storage.labels import (
    LOAN_OVER,
    LOAN_UNDER_WAY,
    NEED_KINDS,
    NEED_STATUSES,
    PROPOSAL_KINDS,
    PROPOSAL_SHORT_KINDS,
    PROPOSAL_STATES,
    PROPOSAL_STATUSES,
    UNANSWERED_PAST_DATES,
    UNANSWERED_PAST_DEADLINE,
    amount,
)
from storage.models import (
    Answer,
    CatalogueFamily,
    CatalogueItem,
    Commune,
    Event,
    EventItem,
    InboundMessage,
    Need,
    NeedKind,
    NeedStatus,
    Offer,
    OfferStatus,
    ParticipantRole,
    Proposal,
    ProposalKind,
    ProposalParticipant,
    ProposalStatus,
    Territory,
    UTCDateTime,
)

__all__ = ["LIVE_NEEDS"]

IN_PLAY = (ProposalStatus.PROPOSED, ProposalStatus.ACCEPTED)
CONFIRMED = (ProposalStatus.ACCEPTED, ProposalStatus.DONE)
WAITING = PROPOSAL_STATUSES[ProposalStatus.PROPOSED]

# Letters that sort as two (Unicode's collation expands them); accents in the order French
# dictionaries give them when two words differ by accents only (cote, coté, côte, côté).
_EXPANSIONS = {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"}
_ACCENTS = "\u0301\u0300\u0306\u0302\u030c\u030a\u0308\u030b\u0303\u0307\u0327\u0328\u0304"
# Between words, as Unicode's collation weighs them: before any letter or digit, a space
# before a hyphen before an apostrophe ("Bas Ségala", "Bas-Mauco", "Bois d'Amont").
_WORD_BREAKS = str.maketrans(  # dashes with the hyphen
    {
        " ": "\x01",
        "\u00a0": "\x01",
        "-": "\x02",
        "\u2013": "\x02",
        "\u2014": "\x02",
        "'": "\x03",
        "\u2019": "\x03",
    }
)


@lru_cache(maxsize=8192)  # the same names come back on every row
def french_key(text: str) -> tuple[str, tuple[tuple[int, ...], ...], str, str]:
    """A sort key that orders names as a French reader does: letters first, accents and
    case ignored (Gâvres before Guidel, Quéven before Quistinic; a word ends before any
    letter: Port-Louis before Portes); then, among names equal so far, unaccented before
    accented, lower case before upper.

    The three levels of the Unicode collation algorithm, on the letters of Latin-script
    names; the text itself breaks the last ties so that the order is total. On the 34 753
    names of French communes it gives ICU's French order but for a few accent ties."""
    letters: list[str] = []
    marks: list[tuple[int, ...]] = []
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char):
            if marks:
                rank = _ACCENTS.find(char)
                marks[-1] += (rank if rank >= 0 else len(_ACCENTS) + ord(char),)
            continue
        for letter in _EXPANSIONS.get(char, char):
            letters.append(letter)
            marks.append(())
    plain = "".join(letters)
    primary = " ".join(plain.split()).translate(_WORD_BREAKS).casefold()
    return primary, tuple(marks), plain.swapcase(), text


@dataclass(frozen=True)
class Item:
    label: str
    plural: str
    family_id: str
    family: str
    price: float | None


# Not frozen, but with slots and a hash as if it were: read 10,000 at a time for a page, a
# frozen dataclass costs three times as much to build (each field set through
# `object.__setattr__`), and a slotted row is one object for the collector, not two. Rows
# are never changed in place: `dataclasses.replace` makes the copy that differs.
@dataclass(slots=True, unsafe_hash=True)
class NeedRow:
    id: int
    insee: str
    commune: str
    kind: NeedKind
    item_id: str | None
    label: str
    plural: str
    family: str
    quantity: int | None
    unit: str | None
    start: dt.date | None
    end: dt.date | None
    deadline: dt.date | None
    status: NeedStatus
    declared: dt.date
    reason: str | None = None
    # Where its proposal stands ("prêt confirmé"), when `with_progress` found one.
    progress: str | None = None

    @property
    def kind_label(self) -> str:
        return NEED_KINDS[self.kind]

    @property
    def what(self) -> str:
        """ "200 ganivelles", "1 podium"."""
        return amount(self.quantity, self.label, self.plural)

    @property
    def status_label(self) -> str:
        return self.progress or NEED_STATUSES[self.status]

    def past(self, today: dt.date) -> bool:
        """Whether the need's time is over: its deadline, or its last day of use, is gone."""
        last = self.deadline if self.kind is NeedKind.PURCHASE else (self.end or self.start)
        return last is not None and last < today

    @property
    def due(self) -> dt.date | None:
        """The day by which something must happen: the deadline, or the first day of use."""
        return self.deadline if self.kind is NeedKind.PURCHASE else self.start


@dataclass(frozen=True)
class OfferRow:
    """What a commune lends: an item, how many (None: a lot of unknown size), and when
    (None: no bound on that side)."""

    id: int
    insee: str
    item_id: str | None
    quantity: int | None
    start: dt.date | None
    end: dt.date | None


@dataclass(frozen=True)
class Share:
    insee: str
    commune: str
    role: ParticipantRole
    quantity: int | None
    answer: Answer
    need_id: int | None
    offer_id: int | None = None
    # What its need buys or asks for: in a family's group order, its own item.
    item_id: str | None = None


@dataclass(frozen=True)
class ProposalRow:
    id: int
    kind: ProposalKind
    item_id: str | None
    label: str
    plural: str
    quantity: int | None
    start: dt.date | None
    end: dt.date | None
    deadline: dt.date | None
    status: ProposalStatus
    reason: str
    created_at: dt.datetime
    shares: tuple[Share, ...]
    # Its costs as matching estimated them or the coordinator recorded them: key, total,
    # each commune's share by INSEE code, the French sentence.
    cost_key: dict[str, Any] | None = field(default=None, compare=False)
    # The family a group order of several items buys from (None for one of a single item).
    family_id: str | None = None

    @property
    def kind_label(self) -> str:
        return PROPOSAL_KINDS[self.kind]

    @property
    def costs(self) -> str:
        """What it costs each commune, in one French paragraph; empty when not known."""
        return str(self.cost_key.get("explanation", "")) if self.cost_key else ""

    @property
    def cost_total(self) -> Decimal | None:
        """Its total cost in euros, estimated or obtained, when known."""
        total = self.cost_key.get("total") if self.cost_key else None
        return Decimal(str(total)) if total is not None else None

    @property
    def cost_shares(self) -> dict[str, Decimal]:
        """Each commune's share of the cost in euros, by commune name; empty when unknown."""
        raw = self.cost_key.get("shares") if self.cost_key else None
        if not isinstance(raw, dict):
            return {}
        names = {s.insee: s.commune for s in self.shares}
        return {names.get(str(k)) or str(k): Decimal(str(v)) for k, v in raw.items()}

    @property
    def obtained(self) -> bool:
        """Whether its cost is the price the coordinator recorded, not an estimate."""
        return bool(self.cost_key and self.cost_key.get("obtained"))

    @property
    def what(self) -> str:
        return amount(self.quantity, self.label, self.plural)

    @property
    def status_label(self) -> str:
        return PROPOSAL_STATUSES[self.status]

    def state_label(self, today: dt.date) -> str:
        """Where the proposal stands on `today` (`state_of`)."""
        return state_of(self.kind, self.status, (self.start, self.end, self.deadline), today)

    @property
    def communes(self) -> list[str]:
        return list(dict.fromkeys(s.commune for s in self.shares))

    @property
    def lenders(self) -> list[str]:
        return list(
            dict.fromkeys(s.commune for s in self.shares if s.role is ParticipantRole.LENDER)
        )

    @property
    def borrower(self) -> str | None:
        return next((s.commune for s in self.shares if s.role is ParticipantRole.BORROWER), None)

    @property
    def carrier(self) -> str | None:
        return next((s.commune for s in self.shares if s.role is ParticipantRole.CARRIER), None)

    @property
    def parts(self) -> list[tuple[str, int | None]]:
        """Each member commune with the quantity it asked (group orders, joint purchases)."""
        found: dict[str, int | None] = {}
        for share in self.shares:
            if share.role is ParticipantRole.MEMBER:
                known = found.get(share.commune)
                if share.quantity is None:
                    found.setdefault(share.commune, None)
                else:
                    found[share.commune] = (known or 0) + share.quantity
        return list(found.items())

    @property
    def awaiting(self) -> list[str]:
        """The communes that have not answered yet."""
        return list(dict.fromkeys(s.commune for s in self.shares if s.answer is Answer.PENDING))

    @property
    def days(self) -> int:
        if self.start is None:
            return 0
        return ((self.end or self.start) - self.start).days + 1


def state_of(
    kind: ProposalKind,
    status: ProposalStatus,
    dates: tuple[dt.date | None, dt.date | None, dt.date | None],
    today: dt.date,
) -> str:
    """Where a proposal of this kind and status, with these (start, end, deadline), stands
    on `today`: a confirmed loan is "confirmé", then "en cours" from its first day, then
    "terminé" after its last; one left unanswered past its dates is no longer waiting.
    Agrees with the kind ("prêt", "groupement", "achat")."""
    start, end, deadline = dates
    last = (end or start) if kind is ProposalKind.LOAN else deadline
    over = last is not None and last < today
    if status is ProposalStatus.PROPOSED:
        if not over:
            return WAITING
        return UNANSWERED_PAST_DATES if start else UNANSWERED_PAST_DEADLINE
    if status is ProposalStatus.ACCEPTED and kind is ProposalKind.LOAN:
        if over:
            return LOAN_OVER
        if start is not None and start <= today:
            return LOAN_UNDER_WAY
    return PROPOSAL_STATES.get(status, PROPOSAL_STATUSES[status])


def with_progress(
    needs: Iterable[NeedRow], proposals: Iterable[ProposalRow], today: dt.date
) -> list[NeedRow]:
    """The needs, each with where its most advanced proposal stands on `today`
    (`progress`); a need with no proposal keeps its own status."""
    found = progress(proposals, today)
    return [replace(n, progress=found[n.id]) if n.id in found else n for n in needs]


def progress(proposals: Iterable[ProposalRow], today: dt.date) -> dict[int, str]:
    """By need, where its most advanced proposal stands on `today`: "prêt proposé"
    (answers awaited), "prêt confirmé", "prêt en cours", "prêt terminé", "groupement
    confirmé"… (a confirmed one wins over one that waits for answers)."""
    best: dict[int, ProposalRow] = {}
    for proposal in proposals:
        for share in proposal.shares:
            if share.need_id is None:
                continue
            kept = best.get(share.need_id)
            if kept is None or (kept.status not in CONFIRMED and proposal.status in CONFIRMED):
                best[share.need_id] = proposal
    found = {}
    for need, chosen in best.items():
        state = chosen.state_label(today)
        if state == WAITING:
            state = "proposé"  # short, for a column: "prêt proposé" waits for answers
        found[need] = f"{PROPOSAL_SHORT_KINDS[chosen.kind]} {state}"
    return found


async def needs_progress(session: AsyncSession, today: dt.date) -> dict[int, str]:
    """By need, of every territory, where its most advanced proposal stands on `today`
    (`progress`): what the command line's listing says, as the semester summary does."""
    items = await catalogue(session)
    found: dict[int, str] = {}
    for scope in await territories(session):
        found.update(progress(await proposals(session, scope, items), today))
    return found


@dataclass(frozen=True)
class EventItemRow:
    item_id: str | None
    label: str
    quantity: int | None


@dataclass(frozen=True)
class EventRow:
    """An event as recorded (a recurring one with its first dates and its rule), or one of
    its editions (`handlers.recurrence.dated`)."""

    id: int
    insee: str
    commune: str
    name: str
    start: dt.date
    end: dt.date
    recurring: bool
    rule: str | None
    items: tuple[EventItemRow, ...]

    @property
    def equipment(self) -> str:
        return ", ".join(f"{'?' if i.quantity is None else i.quantity} {i.label}"
                         for i in self.items)  # fmt: skip


@dataclass
class Scope:
    """The territory a digest is about, with its communes' names by INSEE code."""

    id: int
    epci: str
    name: str
    communes: dict[str, str] = field(default_factory=dict)


async def territories(session: AsyncSession) -> list[Scope]:
    """Every territory of the store with its communes, in EPCI order."""
    rows = await session.execute(select(Territory.id, Territory.epci, Territory.name))
    found = {tid: Scope(tid, epci, name) for tid, epci, name in rows}
    communes = await session.execute(select(Commune.territory_id, Commune.insee, Commune.name))
    for tid, insee, name in sorted(communes, key=lambda row: french_key(row.name)):
        found[tid].communes[insee] = name
    return sorted(found.values(), key=lambda t: t.epci)


async def catalogue(session: AsyncSession) -> dict[str, Item]:
    """The catalogue's items with their family label and price."""
    families = dict(
        (await session.execute(select(CatalogueFamily.id, CatalogueFamily.label))).all()
    )
    rows = await session.execute(
        select(
            CatalogueItem.id,
            CatalogueItem.label,
            CatalogueItem.plural,
            CatalogueItem.family_id,
            CatalogueItem.price,
        )
    )
    return {
        item_id: Item(label, plural, family, families.get(family, family), price)
        for item_id, label, plural, family, price in rows
    }


def _declared(model: type[Need] | type[Offer] | type[Event]) -> Any:
    """When a declaration was made: its message's time (an ingested message keeps its own),
    else when it was stored."""
    return func.coalesce(InboundMessage.received_at, model.created_at, type_=UTCDateTime())


async def _columns(session: AsyncSession, query: Any) -> Any:
    """The rows of a column query, read on the session's connection: the ORM's handling of
    a result adds nothing to plain columns but its cost (about 20 ms on 10,000 needs).
    What the session holds unwritten is flushed first, as its own execute would."""
    await session.flush()
    return await (await session.connection()).execute(query)


def _in_territory(column: Any, territory: Scope) -> Any:
    return column.in_(select(Commune.insee).where(Commune.territory_id == territory.id))


async def needs(
    session: AsyncSession,
    territory: Scope,
    items: dict[str, Item],
    statuses: Sequence[NeedStatus] | None = None,
    since: dt.datetime | None = None,
) -> list[NeedRow]:
    """The needs of the territory of some statuses, or declared since an instant, or both
    kinds in one reading when both are given; their day of declaration in `since`'s zone."""
    query = select(
        Need.id,
        Need.commune_insee,
        Need.kind,
        Need.item_id,
        Need.item_label,
        Need.quantity,
        Need.unit,
        Need.start,
        Need.end,
        Need.deadline,
        Need.status,
        _declared(Need).label("declared"),
        Need.status_reason,
    )
    query = query.outerjoin(InboundMessage, InboundMessage.id == Need.message_id).where(
        _in_territory(Need.commune_insee, territory)
    )
    wanted = []
    if statuses is not None:
        wanted.append(Need.status.in_(statuses))
    if since is not None:
        wanted.append(_declared(Need) >= since)
    if wanted:
        query = query.where(or_(*wanted))
    zone = since.tzinfo if since is not None else dt.UTC
    rows = []
    communes = territory.communes
    # Unpacked, not read by name: ten times quicker per row, a third of the whole on 10,000.
    for (need_id, insee, kind, item_id, item_label, quantity, unit, start, end, deadline,
         status, declared, reason) in await _columns(session, query.order_by(Need.id)):  # fmt: skip
        item = items.get(item_id) if item_id else None
        rows.append(
            NeedRow(
                id=need_id,
                insee=insee,
                commune=communes.get(insee, insee),
                kind=kind,
                item_id=item_id,
                label=item.label if item else item_label,
                plural=item.plural if item else item_label,
                family=item.family if item else "Hors catalogue",
                quantity=quantity,
                unit=unit,
                start=start,
                end=end,
                deadline=deadline,
                status=status,
                declared=declared.astimezone(zone).date(),
                reason=reason,
            )
        )
    return rows


async def offers(session: AsyncSession, territory: Scope) -> list[OfferRow]:
    """The open offers of the territory's communes."""
    rows = await session.execute(
        select(Offer.id, Offer.commune_insee, Offer.item_id, Offer.quantity, Offer.start,
               Offer.end)
        .where(_in_territory(Offer.commune_insee, territory), Offer.status == OfferStatus.OPEN)
        .order_by(Offer.id)
    )  # fmt: skip
    return [OfferRow(*row) for row in rows]


async def proposals(
    session: AsyncSession,
    territory: Scope,
    items: dict[str, Item],
    statuses: Iterable[ProposalStatus] = (*IN_PLAY, ProposalStatus.DONE),
) -> list[ProposalRow]:
    """The proposals with a commune of the territory, with their participants."""
    ours = select(ProposalParticipant.proposal_id).where(
        _in_territory(ProposalParticipant.commune_insee, territory)
    )
    shares: dict[int, list[Share]] = defaultdict(list)
    participants = await _columns(
        session,
        select(
            ProposalParticipant.proposal_id,
            ProposalParticipant.commune_insee,
            ProposalParticipant.role,
            ProposalParticipant.quantity,
            ProposalParticipant.answer,
            ProposalParticipant.need_id,
            ProposalParticipant.offer_id,
            Need.item_id,
        )
        .join(Proposal, Proposal.id == ProposalParticipant.proposal_id)
        .outerjoin(Need, Need.id == ProposalParticipant.need_id)
        .where(Proposal.id.in_(ours), Proposal.status.in_(tuple(statuses)))
        .order_by(ProposalParticipant.id),
    )
    for pid, insee, role, quantity, answer, need_id, offer_id, item_id in participants:
        name = territory.communes.get(insee, insee)
        shares[pid].append(Share(insee, name, role, quantity, answer, need_id, offer_id, item_id))
    rows = await _columns(
        session,
        select(
            Proposal.id,
            Proposal.kind,
            Proposal.item_id,
            Proposal.family_id,
            Proposal.quantity,
            Proposal.start,
            Proposal.end,
            Proposal.deadline,
            Proposal.status,
            Proposal.reason,
            Proposal.created_at,
            Proposal.cost_key,
        )
        .where(Proposal.id.in_(ours), Proposal.status.in_(tuple(statuses)))
        .order_by(Proposal.id),
    )
    families = {i.family_id: i.family for i in items.values()}
    found = []
    for row in rows:
        item = items.get(row.item_id) if row.item_id else None
        label = item.label if item else families.get(row.family_id, row.family_id or "")
        found.append(
            ProposalRow(
                row.id,
                row.kind,
                row.item_id,
                label,
                item.plural if item else label,
                row.quantity,
                row.start,
                row.end,
                row.deadline,
                row.status,
                row.reason,
                row.created_at,
                tuple(shares[row.id]),
                row.cost_key,
                row.family_id if item is None else None,
            )
        )
    return found


async def events(
    session: AsyncSession, territory: Scope | None, first: dt.date | None, last: dt.date | None
) -> list[EventRow]:
    """The events of the territory (of every territory: None) that may have an edition in
    [first, last] (either open): those recorded there, and the recurring ones begun by
    `last`. `handlers.recurrence.dated` turns them into their editions."""
    query = select(
        Event.id, Event.commune_insee, Commune.name.label("commune"), Event.name, Event.start,
        Event.end, Event.recurring, Event.rule,
    ).join(Commune, Commune.insee == Event.commune_insee)  # fmt: skip
    if territory is not None:
        query = query.where(_in_territory(Event.commune_insee, territory))
    if first is not None:
        query = query.where(or_(Event.rule.is_not(None), Event.end >= first))
    if last is not None:
        query = query.where(Event.start <= last)
    rows = (await session.execute(query.order_by(Event.start, Event.id))).all()
    things: dict[int, list[EventItemRow]] = defaultdict(list)
    if rows:
        equipment = await session.execute(
            select(EventItem.event_id, EventItem.item_id, EventItem.item_label, EventItem.quantity)
            .where(EventItem.event_id.in_([r.id for r in rows]))
            .order_by(EventItem.id)
        )
        for event_id, item_id, label, quantity in equipment:
            things[event_id].append(EventItemRow(item_id, label, quantity))
    return [
        EventRow(
            r.id,
            r.commune_insee,
            r.commune,
            r.name,
            r.start,
            r.end,
            r.recurring or r.rule is not None,
            r.rule,
            tuple(things[r.id]),
        )
        for r in rows
    ]


async def declarers(
    session: AsyncSession, territory: Scope, since: dt.datetime, needs: bool = True
) -> set[str]:
    """The communes that declared a need, an offer or an event since an instant (an offer
    or an event only, without `needs`: for a caller that has read those needs already)."""
    found: set[str] = set()
    for model in (Need, Offer, Event) if needs else (Offer, Event):
        rows = await session.scalars(
            select(model.commune_insee)
            .outerjoin(InboundMessage, InboundMessage.id == model.message_id)
            .where(_in_territory(model.commune_insee, territory), _declared(model) >= since)
            .distinct()
        )
        found.update(rows)
    return found
