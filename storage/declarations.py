"""Needs, offers and events as recorded: the queries matching and the commands use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import (
    Anticipation,
    Event,
    Need,
    NeedKind,
    NeedStatus,
    Offer,
    OfferStatus,
    Proposal,
    ProposalParticipant,
    ProposalStatus,
)

LIVE_NEEDS = (NeedStatus.OPEN, NeedStatus.MATCHED)


async def live_needs(
    session: AsyncSession, commune: str | None = None, items: Collection[str] | None = None
) -> Sequence[Need]:
    """Needs still wanted (open or matched), oldest first; of some items only, if given."""
    query = select(Need).where(Need.status.in_(LIVE_NEEDS)).order_by(Need.created_at, Need.id)
    if commune is not None:
        query = query.where(Need.commune_insee == commune)
    if items is not None:
        query = query.where(Need.item_id.in_(items))
    return (await session.scalars(query)).all()


async def open_offers(
    session: AsyncSession, commune: str | None = None, items: Collection[str] | None = None
) -> Sequence[Offer]:
    """Offers still standing, oldest first; of some items only, if given."""
    query = (
        select(Offer).where(Offer.status == OfferStatus.OPEN).order_by(Offer.created_at, Offer.id)
    )
    if commune is not None:
        query = query.where(Offer.commune_insee == commune)
    if items is not None:
        query = query.where(Offer.item_id.in_(items))
    return (await session.scalars(query)).all()


async def all_declarations(
    session: AsyncSession, commune: str | None = None
) -> tuple[Sequence[Need], Sequence[Offer]]:
    """Every need and offer ever recorded (any status), for listings."""
    needs = select(Need).order_by(Need.id)
    offers = select(Offer).order_by(Offer.id)
    if commune is not None:
        needs = needs.where(Need.commune_insee == commune)
        offers = offers.where(Offer.commune_insee == commune)
    return (await session.scalars(needs)).all(), (await session.scalars(offers)).all()


async def recorded_event(
    session: AsyncSession, commune: str, name: str, start: dt.date | None
) -> Event | None:
    """The event of that commune with that name (and start, when known)."""
    query = select(Event).where(Event.commune_insee == commune, Event.name == name)
    if start is not None:
        query = query.where(Event.start == start)
    return await session.scalar(query.order_by(Event.id.desc()))


async def proposals_built_on(
    session: AsyncSession, needs: Sequence[int], offers: Sequence[int]
) -> Sequence[Proposal]:
    """Proposals still in play that use any of these needs or offers."""
    participant = select(ProposalParticipant.proposal_id).where(
        ProposalParticipant.need_id.in_(needs) | ProposalParticipant.offer_id.in_(offers)
    )
    query = select(Proposal).where(
        Proposal.id.in_(participant),
        Proposal.status.in_((ProposalStatus.PROPOSED, ProposalStatus.ACCEPTED)),
    )
    return (await session.scalars(query)).all()


async def needs_of_message(session: AsyncSession, message_id: int, commune: str) -> Sequence[Need]:
    """The live needs a message recorded for a commune."""
    query = select(Need).where(
        Need.message_id == message_id,
        Need.commune_insee == commune,
        Need.status.in_(LIVE_NEEDS),
    )
    return (await session.scalars(query)).all()


async def recurring_event(session: AsyncSession, commune: str, name: str) -> Event | None:
    """The commune's recurring event of that name, if it has one."""
    return await session.scalar(
        select(Event).where(
            Event.commune_insee == commune, Event.name == name, Event.rule.is_not(None)
        )
    )


async def recurring_events(session: AsyncSession, communes: Collection[str]) -> Sequence[Event]:
    """The recurring events of these communes, with what they asked for."""
    query = (
        select(Event)
        .where(Event.rule.is_not(None), Event.commune_insee.in_(list(communes)))
        .options(selectinload(Event.items))
        .order_by(Event.id)
    )
    return (await session.scalars(query)).all()


async def last_edition_needs(session: AsyncSession, event_id: int) -> Sequence[Need]:
    """The borrow needs of an event's latest edition (those not withdrawn)."""
    latest = await session.scalar(
        select(func.max(Need.start)).where(Need.event_id == event_id, Need.kind == NeedKind.BORROW)
    )
    if latest is None:
        return []
    query = (
        select(Need)
        .where(Need.event_id == event_id, Need.kind == NeedKind.BORROW, Need.start == latest)
        .where(Need.status != NeedStatus.CANCELLED)
        .order_by(Need.id)
    )
    return (await session.scalars(query)).all()


async def anticipation_with_event(
    session: AsyncSession, anticipation_id: int
) -> Anticipation | None:
    """One question asked ahead of an event, with its event loaded; none when no question has
    that number."""
    return await session.get(
        Anticipation, anticipation_id, options=[selectinload(Anticipation.event)]
    )


async def edition_settled(session: AsyncSession, event_id: int, start: dt.date) -> bool:
    """Whether the commune was asked about this edition of its event already, or wrote
    its needs for it itself."""
    asked = await session.scalar(
        select(Anticipation.id).where(
            Anticipation.event_id == event_id, Anticipation.occurrence == start
        )
    )
    written = await session.scalar(
        select(Need.id).where(Need.event_id == event_id, Need.start == start).limit(1)
    )
    return asked is not None or written is not None


async def held_records(
    session: AsyncSession, message_id: int, commune: str
) -> tuple[Sequence[Need], Sequence[Offer]]:
    """The needs and offers a message recorded for a commune and held (read with doubts)
    until its writer confirms them."""
    needs = await session.scalars(
        select(Need).where(
            Need.message_id == message_id, Need.commune_insee == commune,
            Need.status == NeedStatus.PENDING,
        )
    )  # fmt: skip
    offers = await session.scalars(
        select(Offer).where(
            Offer.message_id == message_id, Offer.commune_insee == commune,
            Offer.status == OfferStatus.PENDING,
        )
    )  # fmt: skip
    return needs.all(), offers.all()
