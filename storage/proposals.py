"""Proposals and their participants: the queries matching and the commands use."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.errors import MutualiseError
from storage.models import (
    Answer,
    CatalogueItem,
    Commune,
    Need,
    Offer,
    ParticipantRole,
    Proposal,
    ProposalKind,
    ProposalParticipant,
    ProposalStatus,
    Territory,
)

ACTIVE = (ProposalStatus.PROPOSED, ProposalStatus.ACCEPTED)


class UnknownProposalError(MutualiseError):
    """No proposal has that number."""


async def proposal(session: AsyncSession, proposal_id: int) -> Proposal:
    """One proposal with its participants; a French error when there is none."""
    found = await session.scalar(
        select(Proposal)
        .where(Proposal.id == proposal_id)
        .options(selectinload(Proposal.participants))
    )
    if found is None:
        msg = f"Aucune proposition n° {proposal_id}."
        raise UnknownProposalError(msg)
    return found


async def proposal_with_participants(session: AsyncSession, proposal_id: int) -> Proposal | None:
    """One proposal with its participants loaded, or none when no proposal has that number."""
    return await session.get(Proposal, proposal_id, options=[selectinload(Proposal.participants)])


def carrier_of(proposal: Proposal) -> str | None:
    """The commune (INSEE code) that carries a group order's procedure, if one does."""
    return next((p.commune_insee for p in proposal.participants
                 if p.role is ParticipantRole.CARRIER), None)  # fmt: skip


async def hold(session: AsyncSession, proposal_id: int) -> None:
    """Take the proposal for the rest of the transaction: another transaction that holds it
    waits until this one ends, then reads what it did. One write as the first statement: a
    row lock on PostgreSQL, the store's write lock on SQLite (other processes included),
    where reads alone would let two coordinators act at once on what each read."""
    await session.execute(
        update(Proposal)
        .where(Proposal.id == proposal_id)
        .values(updated_at=Proposal.updated_at)
        .execution_options(synchronize_session=False)
    )


async def items_of(session: AsyncSession, proposal: Proposal) -> set[str]:
    """The catalogue items a proposal is about: its own, and those of its needs and offers
    (a group order of a family names no item of its own)."""
    needs = [p.need_id for p in proposal.participants if p.need_id is not None]
    offers = [p.offer_id for p in proposal.participants if p.offer_id is not None]
    rows = await session.scalars(
        select(Need.item_id)
        .where(Need.id.in_(needs))
        .union(select(Offer.item_id).where(Offer.id.in_(offers)))
    )
    return {i for i in [proposal.item_id, *rows] if i is not None}


async def active_proposals(
    session: AsyncSession,
    items: Collection[str] | None = None,
    families: Collection[str] | None = None,
) -> Sequence[Proposal]:
    """Proposals still in play, with their participants; about some items only, if given."""
    query = (
        select(Proposal)
        .where(Proposal.status.in_(ACTIVE))
        .options(selectinload(Proposal.participants))
        .order_by(Proposal.id)
    )
    if items is not None:
        query = query.where(Proposal.item_id.in_(items) | Proposal.family_id.in_(families or ()))
    return (await session.scalars(query)).all()


async def all_proposals(session: AsyncSession) -> Sequence[Proposal]:
    """Every proposal ever made, with its participants, oldest first."""
    query = select(Proposal).options(selectinload(Proposal.participants)).order_by(Proposal.id)
    return (await session.scalars(query)).all()


async def refused_pairs(session: AsyncSession) -> set[tuple[int, int]]:
    """(need, offer) pairs of loans a party declined: never proposed again."""
    refused = select(Proposal.id).where(
        Proposal.id.in_(
            select(ProposalParticipant.proposal_id).where(
                ProposalParticipant.answer == Answer.REFUSED
            )
        )
    )
    rows = await session.scalars(
        select(ProposalParticipant).where(ProposalParticipant.proposal_id.in_(refused))
    )
    by_proposal: dict[int, list[ProposalParticipant]] = {}
    for row in rows:
        by_proposal.setdefault(row.proposal_id, []).append(row)
    pairs: set[tuple[int, int]] = set()
    for parts in by_proposal.values():
        needs = [p.need_id for p in parts if p.need_id is not None]
        offers = [p.offer_id for p in parts if p.offer_id is not None]
        pairs.update((n, o) for n in needs for o in offers)
    return pairs


async def declined_needs(session: AsyncSession) -> set[int]:
    """Needs whose commune declined a group order or a joint purchase: not grouped again."""
    rows = await session.scalars(
        select(ProposalParticipant.need_id)
        .join(Proposal)
        .where(
            ProposalParticipant.answer == Answer.REFUSED,
            ProposalParticipant.need_id.is_not(None),
            Proposal.kind != ProposalKind.LOAN,
        )
    )
    return {need_id for need_id in rows if need_id is not None}


async def communes_with_places(session: AsyncSession) -> Sequence[tuple[Commune, str]]:
    """Every commune, with its population and town hall position, and its territory's EPCI
    code."""
    rows = await session.execute(
        select(Commune, Territory.epci).join(Territory, Territory.id == Commune.territory_id)
    )
    return [(commune, epci) for commune, epci in rows]


async def catalogue_items(session: AsyncSession) -> Sequence[CatalogueItem]:
    """Every catalogue item, with its family."""
    return (
        await session.scalars(select(CatalogueItem).options(selectinload(CatalogueItem.family)))
    ).all()


async def in_play_for(session: AsyncSession, commune: str) -> Sequence[Proposal]:
    """The proposals still in play in which a commune takes part, newest first."""
    taking_part = select(ProposalParticipant.proposal_id).where(
        ProposalParticipant.commune_insee == commune
    )
    query = (
        select(Proposal)
        .where(Proposal.id.in_(taking_part), Proposal.status.in_(ACTIVE))
        .options(selectinload(Proposal.participants))
        .order_by(Proposal.id.desc())
    )
    return (await session.scalars(query)).all()


async def load_participants(session: AsyncSession, proposals: Sequence[Proposal]) -> None:
    """Read the participants of these proposals (just made by matching) in one query."""
    await session.scalars(
        select(Proposal)
        .where(Proposal.id.in_([p.id for p in proposals]))
        .options(selectinload(Proposal.participants))
        .execution_options(populate_existing=True)
    )
