"""The inbound log: every message is stored, raw, before anything is made of it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Channel, InboundMessage, InboundStatus, TelegramUpdate


async def log_inbound(
    sessions: async_sessionmaker[AsyncSession],
    *,
    channel: Channel,
    external_id: str,
    sender: str,
    raw: bytes,
    text: str,
    received_at: dt.datetime,
) -> InboundMessage | None:
    """Store and commit one message; None when the channel delivered it already."""
    message = InboundMessage(
        channel=channel,
        external_id=external_id,
        sender=sender[:254],
        raw=raw,
        text=text,
        received_at=received_at,
        status=InboundStatus.RECEIVED,
    )
    try:
        async with sessions.begin() as session:
            session.add(message)
    except IntegrityError:
        async with sessions() as session:
            known = await session.scalar(
                select(InboundMessage.id).where(
                    InboundMessage.channel == channel, InboundMessage.external_id == external_id
                )
            )
        if known is None:
            raise
        return None
    return message


async def set_outcome(
    session: AsyncSession,
    message_id: int,
    status: InboundStatus,
    outcome: str,
    *,
    member_id: int | None = None,
    commune_insee: str | None = None,
) -> None:
    """Record what became of a message."""
    message = await session.get(InboundMessage, message_id)
    if message is None:
        return
    message.status = status
    message.outcome = outcome
    message.member_id = member_id
    message.commune_insee = commune_insee


async def first_delivery(
    sessions: async_sessionmaker[AsyncSession], update_id: int, now: dt.datetime
) -> bool:
    """Record a chat update as handled; False when it was already (delivered twice)."""
    try:
        async with sessions.begin() as session:
            session.add(TelegramUpdate(update_id=update_id, handled_at=now))
    except IntegrityError:
        return False
    return True
