"""Who hears about what: the members of a commune or the coordinators of a territory, each
on the channel they use (Telegram when they registered there, else email)."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import Channel, Commune, InboundMessage, Member, Need, Offer, Role


@dataclass(frozen=True, order=True)
class Recipient:
    channel: Channel
    address: str  # an email address, or a Telegram chat id


def _of(members: Collection[Member]) -> list[Recipient]:
    found: set[Recipient] = set()
    for member in members:
        if member.telegram_id is not None:
            found.add(Recipient(Channel.TELEGRAM, str(member.telegram_id)))
        else:
            found.update(Recipient(Channel.EMAIL, e.address) for e in member.emails)
    return sorted(found)


async def coordinators(session: AsyncSession, territory_id: int) -> list[Recipient]:
    """The territory's active coordinators."""
    members = await session.scalars(
        select(Member)
        .join(Commune, Commune.insee == Member.commune_insee)
        .where(
            Commune.territory_id == territory_id,
            Member.role == Role.COORDINATOR,
            Member.active.is_(True),
        )
        .options(selectinload(Member.emails))
    )
    return _of(list(members))


async def of_commune(
    session: AsyncSession, insee: str, needs: Collection[int] = (), offers: Collection[int] = ()
) -> list[Recipient]:
    """The commune's active members; failing any, the town hall addresses that wrote the
    given needs or offers by email."""
    members = await session.scalars(
        select(Member)
        .where(Member.commune_insee == insee, Member.active.is_(True))
        .options(selectinload(Member.emails))
    )
    found = _of(list(members))
    if found or not (needs or offers):
        return found
    return [Recipient(Channel.EMAIL, s) for s in await writers(session, needs, offers)]


async def writers(
    session: AsyncSession, needs: Collection[int], offers: Collection[int]
) -> list[str]:
    """The addresses that wrote these needs and offers by email: a town hall with no member
    registered is answered where it wrote from."""
    messages = (
        select(Need.message_id)
        .where(Need.id.in_(needs))
        .union(select(Offer.message_id).where(Offer.id.in_(offers)))
    )
    senders = await session.scalars(
        select(InboundMessage.sender)
        .where(InboundMessage.id.in_(messages), InboundMessage.channel == Channel.EMAIL)
        .distinct()
    )
    return sorted(senders)


def dedupe_key(*parts: str | Recipient) -> str:
    """A key naming what is sent to whom, within the outbox's 200 characters."""
    key = ":".join(
        f"{p.channel.value}:{p.address}" if isinstance(p, Recipient) else p for p in parts
    )
    if len(key) <= 200:
        return key
    return f"{key[:150]}~{hashlib.sha256(key.encode()).hexdigest()[:40]}"
