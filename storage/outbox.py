"""The outbox: every message to send waits here, with its attempts, until it has left.

A message is written in the same transaction as what caused it; a sender takes the due
ones, and marks each sent, or failed with the time of its next attempt. A commit that
queued messages rings the `Doorbell` its sessions were made with, and on PostgreSQL also
notifies every instance listening (`listening`): the sender goes at once, not at its next
round.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Channel, OutboxAttachment, OutboxMessage, OutboxStatus
from storage.turns import turn

# Marks a session whose transaction queued messages (in `Session.info`).
QUEUED = "mutualise.outbox.queued"
# The PostgreSQL notification a commit that queued messages sends.
CHANNEL = "mutualise_outbox"


class Doorbell:
    """Rung after each commit that queued outbound messages; the sender waits on it."""

    def __init__(self) -> None:
        self._rung = asyncio.Event()

    def ring(self) -> None:
        """Something is waiting to be sent."""
        self._rung.set()

    async def wait(self, seconds: float) -> bool:
        """Until rung (True), or for `seconds` (False)."""
        try:
            await asyncio.wait_for(self._rung.wait(), seconds)
        except TimeoutError:
            return False
        self._rung.clear()
        return True


@contextlib.asynccontextmanager
async def listening(url: str, doorbell: Doorbell) -> AsyncIterator[None]:
    """While the block runs, ring the doorbell when any instance on this PostgreSQL store
    queues messages (LISTEN/NOTIFY); on SQLite, nothing (the sender polls)."""
    target = make_url(url)
    if target.get_backend_name() != "postgresql":
        yield
        return
    dsn = target.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.add_listener(CHANNEL, lambda *_: doorbell.ring())
        yield
    finally:
        await connection.close()


async def waiting(session: AsyncSession, now: dt.datetime) -> bool:
    """Whether any message, of any channel, is due to be sent."""
    found = await session.scalar(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.FAILED)),
            OutboxMessage.next_attempt_at <= now,
        )
        .limit(1)
    )
    return found is not None


# Waits between attempts; past the last one (about a day in all), the message is given up.
BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=15),
    dt.timedelta(hours=1),
    dt.timedelta(hours=3),
    dt.timedelta(hours=6),
    dt.timedelta(hours=12),
)


def draft(
    *,
    channel: Channel,
    recipient: str,
    body: str,
    now: dt.datetime,
    subject: str | None = None,
    html: str | None = None,
    brief: str | None = None,
    actions: list[dict[str, Any]] | None = None,
    headers: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
    in_reply_to: int | None = None,
    edits: int | None = None,
) -> OutboxMessage:
    """A message to send, not yet in the outbox; with `edits`, a new text for the message
    of that outbox id, rewritten where it was shown."""
    return OutboxMessage(
        channel=channel,
        recipient=recipient,
        subject=subject,
        body=body,
        html=html,
        brief=brief,
        actions=actions or None,
        headers=headers,
        dedupe_key=dedupe_key,
        in_reply_to=in_reply_to,
        edits=edits,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )


async def enqueue(
    session: AsyncSession,
    message: OutboxMessage,
    attachments: Sequence[tuple[str, str, bytes]] = (),
) -> OutboxMessage | None:
    """Add a message to send (a `draft`), with its attached files (name, content type,
    bytes); None when a message with the same dedupe key exists."""
    if not await enqueue_many(session, [message]):
        return None
    await session.flush()
    for filename, content_type, content in attachments:
        session.add(
            OutboxAttachment(
                outbox_id=message.id,
                filename=filename,
                content_type=content_type,
                content=content,
            )
        )
    return message


async def enqueue_many(
    session: AsyncSession, messages: Sequence[OutboxMessage]
) -> list[OutboxMessage]:
    """Add these drafts to the outbox, their dedupe keys checked in one query; those whose
    key is known already, or repeated among them, are left out. Returns those added."""
    keys = {m.dedupe_key for m in messages if m.dedupe_key is not None}
    known = set()
    if keys:
        known = set(
            await session.scalars(
                select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(keys))
            )
        )
    added: list[OutboxMessage] = []
    for message in messages:
        if message.dedupe_key is not None:
            if message.dedupe_key in known:
                continue
            known.add(message.dedupe_key)
        added.append(message)
    session.add_all(added)
    if added and not session.info.get(QUEUED):
        session.info[QUEUED] = True
        if session.get_bind().dialect.name == "postgresql":  # delivered to listeners on commit
            await session.execute(text(f"NOTIFY {CHANNEL}"))
    return added


async def actions_of(session: AsyncSession, outbox_id: int) -> list[dict[str, Any]]:
    """The answers an outbox message invited (as stored), none when it is unknown."""
    found = await session.scalar(select(OutboxMessage.actions).where(OutboxMessage.id == outbox_id))
    return list(found or [])


async def attachments_of(
    session: AsyncSession, outbox_ids: Sequence[int]
) -> dict[int, list[OutboxAttachment]]:
    """The files to send with each of these outbox messages, in the order they were added
    (messages without files are left out)."""
    files: dict[int, list[OutboxAttachment]] = {}
    if not outbox_ids:
        return files
    query = (
        select(OutboxAttachment)
        .where(OutboxAttachment.outbox_id.in_(outbox_ids))
        .order_by(OutboxAttachment.id)
    )
    for attachment in await session.scalars(query):
        files.setdefault(attachment.outbox_id, []).append(attachment)
    return files


async def due(
    session: AsyncSession, channel: Channel, now: dt.datetime, limit: int = 50
) -> Sequence[OutboxMessage]:
    """Messages of a channel whose time to be sent has come, oldest first."""
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.FAILED)),
            OutboxMessage.next_attempt_at <= now,
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    return (await session.scalars(query)).all()


@dataclass
class Wave:
    """Due messages of one channel, loaded with all that sending them needs (their files,
    the messages their edits rewrite), so that they go out without another read."""

    messages: list[OutboxMessage]
    files: dict[int, list[OutboxAttachment]]
    originals: dict[int, OutboxMessage]


Send = Callable[[Wave], Awaitable[None]]


async def send_due(
    sessions: async_sessionmaker[AsyncSession],
    channel: Channel,
    now: Callable[[], dt.datetime],
    send: Send,
    size: int = 25,
    most: int = 40,
) -> None:
    """Hand a channel's due messages to `send`, a wave of `size` at a time, until none is
    left (or `most` waves: the next flush takes the rest). `send` marks each message of its
    wave sent or failed; the marks of a wave are committed together, in the store's turn:
    one commit for a wave, not one a message (a crash between a send and that commit sends
    at most the wave again). A message tried is sent, or due again only later: no wave
    comes back twice."""
    for _ in range(most):
        async with sessions() as session:
            wave = await _loaded(session, channel, now(), size)
            if wave.messages:
                await send(wave)
                async with turn(sessions):
                    await session.commit()
        if len(wave.messages) < size:
            return


async def _loaded(session: AsyncSession, channel: Channel, now: dt.datetime, size: int) -> Wave:
    messages = list(await due(session, channel, now, size))
    files = await attachments_of(session, [m.id for m in messages])
    originals: dict[int, OutboxMessage] = {}
    edited = {m.edits for m in messages if m.edits is not None}
    if edited:
        found = await session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(edited)))
        originals = {m.id: m for m in found}
    return Wave(messages, files, originals)


async def in_chats(session: AsyncSession, key: str) -> Sequence[OutboxMessage]:
    """The Telegram messages queued under `key` (a notice's key, as `post` was given it),
    sent or still to send, not given up, oldest first."""
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.channel == Channel.TELEGRAM,
            OutboxMessage.dedupe_key.like(f"{key}:telegram:%"),
            OutboxMessage.edits.is_(None),
            OutboxMessage.status != OutboxStatus.DEAD,
        )
        .order_by(OutboxMessage.id)
    )
    return (await session.scalars(query)).all()


def mark_sent(message: OutboxMessage, now: dt.datetime, shown_as: int | None = None) -> None:
    """The message has left (numbered `shown_as` by its channel, if it says)."""
    message.shown_as = shown_as
    message.status = OutboxStatus.SENT
    message.sent_at = now
    message.attempts += 1
    message.last_error = None


def mark_failed(message: OutboxMessage, now: dt.datetime, error: str, permanent: bool) -> None:
    """An attempt failed: try again later, or give up (permanent error, or out of tries)."""
    message.attempts += 1
    message.last_error = error[:2000]
    if permanent or message.attempts > len(BACKOFF):
        message.status = OutboxStatus.DEAD
        return
    message.status = OutboxStatus.FAILED
    message.next_attempt_at = now + BACKOFF[message.attempts - 1]


async def replies_since(session: AsyncSession, recipient: str, since: dt.datetime) -> int:
    """How many replies to received mail were queued for an address since an instant."""
    count = await session.scalar(
        select(func.count()).where(
            OutboxMessage.recipient == recipient,
            OutboxMessage.in_reply_to.is_not(None),
            OutboxMessage.created_at >= since,
        )
    )
    return int(count or 0)


async def replied_message(session: AsyncSession, outbox_id: int) -> int | None:
    """The inbound message an outbox message answered (a question about it), if any."""
    return await session.scalar(
        select(OutboxMessage.in_reply_to).where(OutboxMessage.id == outbox_id)
    )


async def stranger_replies_since(session: AsyncSession, since: dt.datetime) -> int:
    """How many answers to senders not recognised (held or unknown) were queued since an
    instant, to any address: what keeps the service from being a mail cannon."""
    count = await session.scalar(
        select(func.count()).where(
            OutboxMessage.dedupe_key.like("stranger:%"), OutboxMessage.created_at >= since
        )
    )
    return int(count or 0)


async def sent_to(session: AsyncSession, outbox_id: int) -> str | None:
    """The address an outbox email went to, if there is such a message."""
    return await session.scalar(
        select(OutboxMessage.recipient).where(
            OutboxMessage.id == outbox_id, OutboxMessage.channel == Channel.EMAIL
        )
    )
