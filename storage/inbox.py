"""The inbound log: every message is stored, raw, before anything is made of it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.dml import Insert

from storage.database import standalone
from storage.models import Base, Channel, InboundMessage, InboundStatus, TelegramUpdate


@dataclass(frozen=True)
class Arrival:
    """A message as a channel delivered it, before it is stored."""

    channel: Channel
    external_id: str
    sender: str
    raw: bytes
    text: str
    received_at: dt.datetime

    def row(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "external_id": self.external_id,
            "sender": self.sender[:254],
            "raw": self.raw,
            "text": self.text,
            "received_at": self.received_at,
            "status": InboundStatus.RECEIVED,
        }


async def log_many(
    sessions: async_sessionmaker[AsyncSession], arrivals: Sequence[Arrival]
) -> list[int | None]:
    """Store and commit messages, in one statement (one commit for all): the id of each,
    None for each one delivered already, before or earlier in the same batch. When a
    statement for many fails on a constraint, each is stored on its own."""
    try:
        async with standalone(sessions) as session:
            keys = ["channel", "external_id"]
            storing = _new(session, InboundMessage, [a.row() for a in arrivals], keys)
            returned = storing.returning(
                InboundMessage.id, InboundMessage.channel, InboundMessage.external_id
            )
            rows = (await session.execute(returned)).all()
            await session.commit()
    except IntegrityError:
        if len(arrivals) == 1:
            raise
        return [(await log_many(sessions, [a]))[0] for a in arrivals]
    ids = {(channel, external_id): ident for ident, channel, external_id in rows}
    # A message twice in the batch is stored once: the first gets its id, the next None.
    return [ids.pop((a.channel, a.external_id), None) for a in arrivals]


def _new(
    session: AsyncSession, model: type[Base], rows: list[dict[str, Any]], keys: list[str]
) -> Insert:
    """INSERT of the rows, leaving out those whose `keys` are stored already (ON CONFLICT
    DO NOTHING, as each backend spells it)."""
    if session.get_bind().dialect.name == "sqlite":
        return sqlite.insert(model).values(rows).on_conflict_do_nothing(index_elements=keys)
    return postgresql.insert(model).values(rows).on_conflict_do_nothing(index_elements=keys)


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


@dataclass(frozen=True)
class Written:
    """Who wrote a stored message, through which channel, and what it says."""

    channel: Channel
    sender: str
    text: str


async def written(
    sessions: async_sessionmaker[AsyncSession], message_ids: Collection[int]
) -> dict[int, Written]:
    """Stored messages by id, in one query (their raw bytes left in the store); one not
    stored is left out."""
    async with standalone(sessions) as session:
        rows = await session.execute(
            select(InboundMessage.id, InboundMessage.channel, InboundMessage.sender,
                   InboundMessage.text).where(InboundMessage.id.in_(set(message_ids)))
        )  # fmt: skip
    return {ident: Written(channel, sender, text or "") for ident, channel, sender, text in rows}


async def handled_among(
    sessions: async_sessionmaker[AsyncSession], update_ids: Collection[int]
) -> set[int]:
    """Which of these chat updates were handled before (Telegram delivered them twice), in
    one query."""
    async with standalone(sessions) as session:
        known = await session.scalars(
            select(TelegramUpdate.update_id).where(TelegramUpdate.update_id.in_(set(update_ids)))
        )
    return set(known)


async def mark_handled(
    sessions: async_sessionmaker[AsyncSession], updates: Sequence[tuple[int, dt.datetime]]
) -> None:
    """Record chat updates (id, when) as handled, in one statement; one marked already (two
    instances raced, or twice in `updates`) stays as it was first marked."""
    first: dict[int, dt.datetime] = {}
    for update_id, at in updates:
        first.setdefault(update_id, at)
    async with standalone(sessions) as session:
        rows = [{"update_id": u, "handled_at": at} for u, at in first.items()]
        await session.execute(_new(session, TelegramUpdate, rows, ["update_id"]))
        await session.commit()


# A message whose handling failed is taken up again this many times, then left for a person.
MAX_ATTEMPTS = 3
_FAILED = "erreur interne"


# What a message is in while nobody has handled it: received, or its handling failed.
UNHANDLED = (InboundStatus.RECEIVED, InboundStatus.FAILED)


async def claim_many(
    session: AsyncSession,
    message_ids: Collection[int],
    status: InboundStatus = InboundStatus.RECEIVED,
    taking: Collection[InboundStatus] = UNHANDLED,
    *,
    lock: bool = True,
) -> set[int]:
    """Take messages to handle them in this transaction, leaving them in `status`: the ids
    taken, in one statement (those left out, in none of the statuses `taking`, are handled
    already).

    The conditional UPDATE locks the rows until the transaction ends: another instance (or
    a sweep after a crash) trying one of the messages waits, then finds it handled. Without
    `lock`, the messages are only read: a transaction that records nothing (a card shown)
    writes nothing, and its commit costs no write to disk (the UPDATE, changing nothing,
    still did).
    """
    if not message_ids:
        return set()
    unhandled = (
        InboundMessage.id.in_(set(message_ids)),
        InboundMessage.status.in_(tuple(taking)),
    )
    if not lock:
        return set(await session.scalars(select(InboundMessage.id).where(*unhandled)))
    taken = await session.scalars(
        update(InboundMessage).where(*unhandled).values(status=status).returning(InboundMessage.id)
    )
    return set(taken)


@dataclass(frozen=True)
class Question:
    """A question the bot answered without recording anything ("qui peut nous prêter un
    podium ?"): what it said, when, and for which commune."""

    message_id: int
    text: str
    at: dt.datetime
    commune: str | None


_QUESTION = (
    InboundMessage.id,
    InboundMessage.text,
    InboundMessage.received_at,
    InboundMessage.commune_insee,
)


async def question(session: AsyncSession, message_id: int, sender: str) -> Question | None:
    """The question of that number by that sender, if it is still undeclared."""
    row = (
        await session.execute(
            select(*_QUESTION).where(
                InboundMessage.id == message_id,
                InboundMessage.sender == sender,
                InboundMessage.status == InboundStatus.ASKED,
            )
        )
    ).first()
    return _question(row)


async def take_question(session: AsyncSession, message_id: int, outcome: str) -> Question | None:
    """Take an undeclared question to declare what it asked, in one statement (however
    many try at once, one takes it); None when it is declared already, or no question."""
    row = (
        await session.execute(
            update(InboundMessage)
            .where(InboundMessage.id == message_id, InboundMessage.status == InboundStatus.ASKED)
            .values(status=InboundStatus.RECORDED, outcome=outcome)
            .returning(*_QUESTION)
        )
    ).first()
    return _question(row)


def _question(row: Any) -> Question | None:
    if row is None:
        return None
    message_id, text, at, commune = row
    return Question(message_id, text or "", at, commune)


# What a coordinator's message naming no commune was answered: « Pour quelle commune ? ».
# Nothing was recorded from it; a reply that names the commune takes it up again.
COMMUNE_ASKED = "coordinateur : commune non nommée"


@dataclass(frozen=True)
class Unnamed:
    """A message whose writer was asked for which commune it speaks, as it was received."""

    message_id: int
    channel: Channel
    external_id: str
    sender: str
    text: str
    at: dt.datetime


_ASKED_FOR_COMMUNE = (
    InboundMessage.status == InboundStatus.ANSWERED,
    InboundMessage.outcome == COMMUNE_ASKED,
)


async def unnamed(session: AsyncSession, message_id: int, sender: str) -> Unnamed | None:
    """That sender's message of that number, if it still waits for its commune."""
    row = (
        await session.execute(
            select(
                InboundMessage.id,
                InboundMessage.channel,
                InboundMessage.external_id,
                InboundMessage.sender,
                InboundMessage.text,
                InboundMessage.received_at,
            ).where(
                InboundMessage.id == message_id,
                InboundMessage.sender == sender,
                *_ASKED_FOR_COMMUNE,
            )
        )
    ).first()
    if row is None:
        return None
    ident, channel, external_id, writer, text, at = row
    return Unnamed(ident, channel, external_id, writer, text or "", at)


async def take_unnamed(session: AsyncSession, message_id: int) -> bool:
    """Take up a message that waited for its commune, to handle it again now that it is
    named (received anew, in one statement: however many replies name it at once, one takes
    it); False when it no longer waits."""
    taken = await session.scalar(
        update(InboundMessage)
        .where(InboundMessage.id == message_id, *_ASKED_FOR_COMMUNE)
        .values(status=InboundStatus.RECEIVED, outcome=None)
        .returning(InboundMessage.id)
    )
    return taken is not None


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
