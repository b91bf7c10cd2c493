"""Turning a reading into records: needs, offers, events, or the withdrawal of some."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.reading.intents import Intent
from handlers.reading.reader import ItemReading, Reading
from handlers.recurrence import editions
from storage.declarations import (
    held_records,
    live_needs,
    open_offers,
    proposals_built_on,
    recorded_event,
    recurring_event,
)
from storage.models import (
    Channel,
    Event,
    EventItem,
    Need,
    NeedKind,
    NeedStatus,
    Offer,
    OfferStatus,
    ProposalStatus,
)
from storage.names import fold

# A quantity above this is no town hall's (a misread number, or a hostile one): it is
# recorded as unknown, and asked for, rather than overflowing the store's integers.
MAX_QUANTITY = 1_000_000


def _quantity(value: int | None) -> int | None:
    return value if value is not None and 0 < value <= MAX_QUANTITY else None


@dataclass
class Author:
    """Who a message speaks for, and through which message it came."""

    commune: str
    member_id: int | None
    channel: Channel
    message_id: int | None


@dataclass
class Recorded:
    """What one message changed in the store."""

    needs: list[Need] = field(default_factory=list)
    offers: list[Offer] = field(default_factory=list)
    event: Event | None = None
    withdrawn_needs: list[Need] = field(default_factory=list)
    withdrawn_offers: list[Offer] = field(default_factory=list)
    cancelled_proposals: int = 0

    def __bool__(self) -> bool:
        return bool(
            self.needs or self.offers or self.event or self.withdrawn_needs or self.withdrawn_offers
        )


async def record(
    session: AsyncSession, reading: Reading, author: Author, *, held: bool = False
) -> Recorded:
    """Store what the reading says, for the author's commune; `held`, its needs and offers
    wait for the writer's confirmation, out of matching and of the other communes' view."""
    recorded = Recorded()
    if reading.intent is Intent.CANCEL:
        await _withdraw(session, reading, author, recorded)
        return recorded
    if reading.intent in (Intent.BORROW, Intent.EVENT) and reading.event and reading.start:
        recorded.event = await _event(session, reading, author)
    if reading.intent in (Intent.PURCHASE, Intent.BORROW):
        kind = NeedKind.PURCHASE if reading.intent is Intent.PURCHASE else NeedKind.BORROW
        for item in reading.items:
            status = NeedStatus.PENDING if held else NeedStatus.OPEN
            need = Need(kind=kind, status=status, **_common(item, reading, author))
            need.deadline = reading.deadline
            need.volunteer = reading.volunteer
            need.event_id = recorded.event.id if recorded.event else None
            session.add(need)
            recorded.needs.append(need)
    elif reading.intent is Intent.LEND:
        for item in reading.items:
            offered = OfferStatus.PENDING if held else OfferStatus.OPEN
            offer = Offer(status=offered, **_common(item, reading, author))
            session.add(offer)
            recorded.offers.append(offer)
    await session.flush()
    return recorded


def _common(item: ItemReading, reading: Reading, author: Author) -> dict[str, object]:
    return {
        "commune_insee": author.commune,
        "member_id": author.member_id,
        "item_id": item.item,
        "item_label": item.label,
        "quantity": _quantity(item.quantity),
        "unit": item.unit,
        "start": reading.start,
        "end": reading.end,
        "channel": author.channel,
        "message_id": author.message_id,
    }


async def _event(session: AsyncSession, reading: Reading, author: Author) -> Event:
    assert reading.event is not None and reading.start is not None
    known = await recorded_event(session, author.commune, reading.event, reading.start)
    known = known or await _recurring(session, author.commune, reading.event, reading.start)
    if known is not None:
        if reading.recurrence and known.rule is None:
            known.recurring, known.rule = True, reading.recurrence
        return known
    event = Event(
        commune_insee=author.commune,
        name=reading.event,
        start=reading.start,
        end=reading.end or reading.start,
        recurring=reading.recurrence is not None,
        rule=reading.recurrence,
        message_id=author.message_id,
        items=[
            EventItem(item_id=i.item, item_label=i.label, quantity=_quantity(i.quantity))
            for i in reading.items
        ],
    )
    session.add(event)
    await session.flush()
    return event


async def _recurring(
    session: AsyncSession, commune: str, name: str, start: dt.date
) -> Event | None:
    """The commune's recurring event of that name, when `start` is one of its occurrences:
    next year's edition is the same event."""
    event = await recurring_event(session, commune, name)
    if event is None or event.rule is None:
        return None
    found = editions(event.start, event.end, event.rule, start, start)
    return event if any(o.start == start for o in found) else None


def _same_item(item: ItemReading, item_id: str | None, label: str) -> bool:
    if item.item is not None:
        return item.item == item_id
    return fold(item.label) == fold(label)


def _overlaps(reading: Reading, start: dt.date | None, end: dt.date | None) -> bool:
    if reading.start is None or start is None:
        return True
    return start <= (reading.end or reading.start) and reading.start <= (end or start)


async def _withdraw(
    session: AsyncSession, reading: Reading, author: Author, recorded: Recorded
) -> None:
    """Withdraw the author's needs and offers that the message names, and their proposals."""
    needs = await live_needs(session, author.commune)
    offers = await open_offers(session, author.commune)
    if reading.items:
        needs = [
            n for n in needs if any(_same_item(i, n.item_id, n.item_label) for i in reading.items)
        ]
        offers = [
            o for o in offers if any(_same_item(i, o.item_id, o.item_label) for i in reading.items)
        ]
    elif reading.event:
        event = await recorded_event(session, author.commune, reading.event, None)
        needs = [n for n in needs if event is not None and n.event_id == event.id]
        offers = []
    else:
        return
    needs = [n for n in needs if _overlaps(reading, n.start, n.end)]
    offers = [o for o in offers if _overlaps(reading, o.start, o.end)]
    for need in needs:
        need.status, need.status_reason = NeedStatus.CANCELLED, "retiré par la commune"
    for offer in offers:
        offer.status = OfferStatus.WITHDRAWN
    proposals = await proposals_built_on(session, [n.id for n in needs], [o.id for o in offers])
    for proposal in proposals:
        proposal.status = ProposalStatus.CANCELLED
    recorded.withdrawn_needs, recorded.withdrawn_offers = list(needs), list(offers)
    recorded.cancelled_proposals = len(proposals)
    await session.flush()


async def held_from(
    session: AsyncSession, message_id: int, commune: str
) -> tuple[list[Need], list[Offer]]:
    """The needs and offers recorded from a message and held for its writer's confirmation."""
    needs, offers = await held_records(session, message_id, commune)
    return list(needs), list(offers)


def release(needs: list[Need], offers: list[Offer], keep: bool) -> set[str]:
    """Confirm (`keep`) or drop what was held; the items whose matching may change."""
    for need in needs:
        need.status = NeedStatus.OPEN if keep else NeedStatus.CANCELLED
    for offer in offers:
        offer.status = OfferStatus.OPEN if keep else OfferStatus.WITHDRAWN
    ids = [n.item_id for n in needs] + [o.item_id for o in offers]
    return {i for i in ids if i is not None}
