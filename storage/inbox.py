"""The inbound log: every message is stored, raw, before anything is made of it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Channel, InboundMessage, InboundStatus, TelegramUpdate


@dataclass(frozen=True)
class Arrival:
    """A message as a channel delivered it, before it is stored."""

    channel: Channel
    external_id: str
    sender: str
    raw: bytes
    text: str
    received_at: dt.datetime

    def model(self) -> InboundMessage:
        return InboundMessage(
            channel=self.channel,
            external_id=self.external_id,
            sender=self.sender[:254],
            raw=self.raw,
            text=self.text,
            received_at=self.received_at,
            status=InboundStatus.RECEIVED,
        )


async def log_inbound(
    sessions: async_sessionmaker[AsyncSession], arrival: Arrival
) -> InboundMessage | None:
    """Store and commit one message; None when the channel delivered it already."""
    message = arrival.model()
    try:
        async with sessions.begin() as session:
            session.add(message)
    except IntegrityError:
        async with sessions() as session:
            known = await session.scalar(
                select(InboundMessage.id).where(
                    InboundMessage.channel == arrival.channel,
                    InboundMessage.external_id == arrival.external_id,
                )
            )
        if known is None:
            raise
        return None
    return message


async def log_many(
    sessions: async_sessionmaker[AsyncSession], arrivals: Sequence[Arrival]
) -> list[InboundMessage | None]:
    """Store and commit many messages in one transaction (one commit for all); None for
    each one delivered already, before or earlier in the same batch."""
    if len(arrivals) == 1:
        return [await log_inbound(sessions, arrivals[0])]
    try:
        async with sessions.begin() as session:
            stored = {
                (channel, external_id)
                for channel, external_id in await session.execute(
                    select(InboundMessage.channel, InboundMessage.external_id).where(
                        InboundMessage.external_id.in_({a.external_id for a in arrivals})
                    )
                )
            }
            logged: list[InboundMessage | None] = []
            for arrival in arrivals:
                key = (arrival.channel, arrival.external_id)
                if key in stored:
                    logged.append(None)
                    continue
                stored.add(key)
                logged.append(arrival.model())
            session.add_all([m for m in logged if m is not None])
        return logged
    except IntegrityError:  # another instance stored one of them meanwhile: one at a time
        return [await log_inbound(sessions, a) for a in arrivals]


async def set_outcome(
    session: AsyncSession,
    message_id: int,
    status: InboundStatus,
    outcome: str,
    *,
    member_id: int | None = None,
    commune_insee: str | None = None,
) -> None:
    """Record what became of a message (one UPDATE: the message, raw bytes and all, is
    not read back for it)."""
    await session.execute(
        update(InboundMessage)
        .where(InboundMessage.id == message_id)
        .values(status=status, outcome=outcome, member_id=member_id, commune_insee=commune_insee)
    )


async def handled_already(sessions: async_sessionmaker[AsyncSession], update_id: int) -> bool:
    """Whether a chat update was handled before (Telegram delivered it twice)."""
    async with sessions() as session:
        known = await session.get(TelegramUpdate, update_id)
    return known is not None


async def mark_handled(
    sessions: async_sessionmaker[AsyncSession], updates: Sequence[tuple[int, dt.datetime]]
) -> None:
    """Record chat updates (id, when) as handled, in one transaction; one marked already
    (two instances raced) stays as it was."""
    ids = {update_id for update_id, _ in updates}
    try:
        async with sessions.begin() as session:
            known = set(
                await session.scalars(
                    select(TelegramUpdate.update_id).where(TelegramUpdate.update_id.in_(ids))
                )
            )
            for update_id, at in updates:
                if update_id not in known:
                    known.add(update_id)
                    session.add(TelegramUpdate(update_id=update_id, handled_at=at))
    except IntegrityError:
        if len(updates) > 1:  # another instance marked one meanwhile: each on its own
            for update in updates:
                await mark_handled(sessions, [update])


# A message whose handling failed is taken up again this many times, then left for a person.
MAX_ATTEMPTS = 3
_FAILED = "erreur interne"


async def claim(
    session: AsyncSession, message_id: int, status: InboundStatus = InboundStatus.RECEIVED
) -> bool:
    """Take a message to handle it in this transaction, leaving it in `status`; False when
    it is already handled.

    The conditional UPDATE locks the row until the transaction ends: another instance (or
    a sweep after a crash) trying the same message waits, then finds it handled.
    """
    taken = await session.execute(
        update(InboundMessage)
        .where(
            InboundMessage.id == message_id,
            InboundMessage.status.in_((InboundStatus.RECEIVED, InboundStatus.FAILED)),
        )
        .values(status=status)
    )
    return bool(taken.rowcount)  # type: ignore[attr-defined]


async def failed(session: AsyncSession, message_id: int) -> None:
    """Mark a message whose handling failed, counting the attempts."""
    message = await session.get(InboundMessage, message_id)
    if message is None:
        return
    attempts = _attempts(message.outcome) + 1 if message.status is InboundStatus.FAILED else 1
    message.status = InboundStatus.FAILED
    message.outcome = f"{_FAILED} (tentative {attempts})"


def _attempts(outcome: str | None) -> int:
    match = re.search(r"tentative (\d+)", outcome or "")
    return int(match.group(1)) if match else 1


async def pending(
    session: AsyncSession, channel: Channel, received_before: dt.datetime, limit: int = 500
) -> Sequence[InboundMessage]:
    """Messages of a channel stored but never handled (the process died on them), or whose
    handling failed fewer than MAX_ATTEMPTS times; oldest first."""
    rows = await session.scalars(
        select(InboundMessage)
        .where(
            InboundMessage.channel == channel,
            InboundMessage.status.in_((InboundStatus.RECEIVED, InboundStatus.FAILED)),
            InboundMessage.received_at < received_before,
        )
        .order_by(InboundMessage.id)
        .limit(limit)
    )
    return [
        m for m in rows if m.status is InboundStatus.RECEIVED or _attempts(m.outcome) < MAX_ATTEMPTS
    ]


# Mail nobody may act on: kept whole for a while (to see what was held, and why), then
# only its header, so that junk does not fill the store for ever.
_UNWANTED = (InboundStatus.REFUSED, InboundStatus.QUARANTINED, InboundStatus.IGNORED)
HEADER_KEPT = 16 * 1024
_TRIMMED = "\r\n\r\n[corps effacé : message refusé, mis en quarantaine ou ignoré]\r\n".encode()


async def trim_unwanted(session: AsyncSession, before: dt.datetime, batch: int = 200) -> int:
    """Mail refused, held or ignored, received before `before`, keeps only its header block
    (at most HEADER_KEPT bytes); returns how many were trimmed, `batch` at most."""
    rows = await session.execute(
        select(InboundMessage.id, InboundMessage.raw)
        .where(
            InboundMessage.status.in_(_UNWANTED),
            InboundMessage.received_at < before,
            func.length(InboundMessage.raw) > HEADER_KEPT + len(_TRIMMED),
        )
        .limit(batch)
    )
    trimmed = 0
    for message_id, raw in rows:
        end = raw.find(b"\r\n\r\n")
        head = raw[: end if 0 <= end < HEADER_KEPT else HEADER_KEPT]
        await session.execute(
            update(InboundMessage)
            .where(InboundMessage.id == message_id)
            .values(raw=head + _TRIMMED)
        )
        trimmed += 1
    return trimmed
