"""The inbox: every inbound message, from any channel, is stored before anything else,
then taken through its chain of named steps (`handlers/chain.py`); what the messages of a
transaction touched is settled once, then each is answered. Messages arriving together
share that transaction (`GroupCommit`, `handlers/batching.py`).
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import replies
from handlers.batching import Batches, Gatherer, GroupCommit, batches
from handlers.chain import (
    AS_READ,
    CONFIRMED,
    TO_CONFIRM,
    Fate,
    Handling,
    Outcome,
    Responder,
    Turn,
    Work,
    answer,
    claim_all,
    go_through,
)
from handlers.clock import DEFAULT_ZONE
from handlers.inbound import Inbound
from handlers.matching import MatchingConfig
from handlers.reading.reader import Reader, Reading
from handlers.settlement import Settlement
from storage.database import standalone
from storage.errors import store_unavailable
from storage.inbox import (
    Arrival,
    Written,
    failed,
    log_many,
    mark_handled,
    question,
    set_outcome,
    written,
)
from storage.members import commune_name, identify_senders, members_by_telegram
from storage.models import Channel, InboundMessage, InboundStatus
from storage.turns import takes_turns, turn, writing

__all__ = ["BATCH", "Fate", "Inbox", "Outcome", "Responder"]

log = logging.getLogger("mutualise.inbox")
# At most this many messages share one transaction and one settlement.
BATCH = 64


class Inbox:
    """Receives messages from any channel; built once with the store and the reader."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        reader: Reader,
        matching: MatchingConfig | None = None,
        zone: ZoneInfo = DEFAULT_ZONE,
        web_url: str = "",
    ) -> None:
        self.sessions = sessions
        self.reader = reader
        self.zone = zone
        # The shared page's public address, for the links members ask by email.
        self.web_url = web_url
        self.settle = Settlement(matching)
        # Storing, handling and marking each gather the calls that arrive meanwhile into
        # one commit. On SQLite they take the store's turns (`storage.turns`) with the
        # process's other writers, storing and marking first, each batch after the one
        # before. On PostgreSQL, which takes several writers at once, storing, marking and
        # the cards shown back gather the calls of one turn of the event loop and never wait
        # for a batch under way (queued behind it, a message waited for the commit of the
        # one before, then for its own); the messages recorded still settle one batch at a
        # time.
        urgent, later = turn(sessions, urgent=True), turn(sessions)
        apart = not takes_turns(sessions)
        self._logging: Batches[Arrival, int | None] = batches(self._log_many, BATCH, urgent, apart)
        self._marking: Batches[tuple[int, dt.datetime], None] = batches(
            self._mark_many, BATCH, urgent, apart
        )
        self._handling = GroupCommit(sessions, self._handle, self._failed, BATCH, later)
        # Messages read to be shown back (a chat's card) record nothing and settle nothing:
        # batched apart, they do not wait for the matching of the messages recorded, and
        # go first.
        self._showing = GroupCommit(
            sessions, self._handle, self._failed, BATCH, urgent, side_by_side=apart
        )
        # The cards confirmed together are read back in one query, on one connection (25
        # people pressing Confirmer at once took 25 connections, each preparing its
        # statements anew).
        self._reading: Gatherer[int, Written | None] = Gatherer(self._written, BATCH)

    @property
    def matching(self) -> MatchingConfig:
        return self.settle.matching

    async def receive(
        self,
        inbound: Inbound,
        *,
        confirmed: bool = True,
        respond: Responder | None = None,
        about: int | None = None,
    ) -> Outcome:
        """Store the message, then handle it: recorded as read (`confirmed`), or shown back
        to be confirmed first; `about`, the message whose commune the chat asked for last,
        which this one may name. Delivered twice, it is handled once."""
        message_id = await self._logging(_arrival(inbound))
        if message_id is None:
            return Outcome(Fate.DUPLICATE)
        return await self.process(
            inbound, message_id, confirmed=confirmed, respond=respond, about=about
        )

    async def process(
        self,
        inbound: Inbound,
        message_id: int,
        *,
        confirmed: bool = True,
        respond: Responder | None = None,
        about: int | None = None,
    ) -> Outcome:
        """Handle a message already stored: just received, or taken up again after a crash
        or a failure. However many try at once, it is handled once."""
        if not confirmed:
            return await self._showing(Work(message_id, inbound, TO_CONFIRM, respond, about=about))
        return await self._handling(Work(message_id, inbound, AS_READ, respond, about=about))

    async def confirm(self, message_id: int, reading: Reading, at: dt.datetime) -> Outcome:
        """Record what the writer confirmed on the card of a message received unconfirmed
        (its reading, perhaps completed or corrected since)."""
        message = await self._reading(message_id)
        if message is None:
            return Outcome(Fate.DUPLICATE, None, message_id)
        inbound = Inbound(message.channel, message.sender, message.text, at, "")
        return await self._handling(Work(message_id, inbound, CONFIRMED, reading=reading))

    async def question(self, message_id: int, sender: str) -> Outcome | None:
        """A question the bot answered ("qui peut nous prêter un podium ?"), for its writer to
        declare: read again as of the day it was written; None once declared, or when it is
        not theirs."""
        async with standalone(self.sessions) as session:
            asked = await question(session, message_id, sender)
            if asked is None:
                return None
            name = await commune_name(session, asked.commune) if asked.commune else None
        reading = self.reader.read(asked.text, asked.at.astimezone(self.zone).date())
        # A coordinator may have named its commune in the answer to « Pour quelle commune ? »
        reading.commune = reading.commune or asked.commune
        return Outcome(Fate.ASKED, None, message_id, reading, asked.commune, commune_name=name)

    async def _handle(self, session: AsyncSession, works: list[Work]) -> list[Outcome]:
        """The messages of one transaction: each through its chain, what they touched
        settled once, then each answered."""
        emails = {w.inbound.sender for w in works if w.inbound.channel is Channel.EMAIL}
        senders = await identify_senders(session, emails)
        chats = {i for w in works if (i := w.inbound.telegram_id) is not None}
        turn = Turn(session, self.reader, self.settle, self.zone, senders, self.web_url,
                    await members_by_telegram(session, chats))  # fmt: skip
        handlings = [Handling(work) for work in works]
        await claim_all(turn, handlings)
        for msg in handlings:
            msg.outcome = await go_through(turn, msg)
        touched = {item for msg in handlings for item in msg.touched}
        at = max((msg.inbound.at for msg in handlings if msg.touched), default=None)
        created = await self.settle(session, touched, at) if at is not None else []
        for msg in handlings:
            await answer(turn, msg, created)
        return [msg.outcome for msg in handlings if msg.outcome is not None]

    async def _failed(self, work: Work) -> Outcome:
        """A message that failed alone: kept to try again when the store failed, refused
        with an answer when it is what the message holds (trying again would fail too).
        Called in the store's turn, which its transactions must not wait for again."""
        error = sys.exc_info()[1]
        log.error("message %s could not be handled", work.message_id, exc_info=error)
        if error is not None and not store_unavailable(error):
            async with self.sessions.begin() as session:
                reason = f"impossible à enregistrer ({type(error).__name__})"
                await set_outcome(session, work.message_id, InboundStatus.REFUSED, reason)
            return Outcome(Fate.FAILED, replies.UNRECORDABLE, work.message_id)
        async with self.sessions.begin() as session:
            await failed(session, work.message_id)
        return Outcome(Fate.FAILED, replies.NOT_HANDLED_YET, work.message_id)

    async def handled(self, update_id: int, at: dt.datetime) -> None:
        """Record that a chat update was handled (its id, delivered again, is skipped):
        with the other updates handled meanwhile, in one commit."""
        await self._marking((update_id, at))

    async def _mark_many(
        self, updates: list[tuple[int, dt.datetime]]
    ) -> list[BaseException | None]:
        await mark_handled(self.sessions, updates)
        return [None] * len(updates)

    async def _written(self, message_ids: list[int]) -> list[Written | BaseException | None]:
        found = await written(self.sessions, message_ids)
        return [found.get(i) for i in message_ids]

    async def _log_many(self, arrivals: list[Arrival]) -> list[int | BaseException | None]:
        return list(await log_many(self.sessions, arrivals))

    async def abandon(self, message_id: int) -> None:
        """The writer dropped what the bot understood: nothing is recorded from it."""
        async with writing(self.sessions, urgent=True) as session:
            message = await session.get(InboundMessage, message_id)
            if message is not None and message.status is InboundStatus.RECEIVED:
                await set_outcome(session, message_id, InboundStatus.ANSWERED, "abandonné")

    async def note(self, inbound: Inbound, about: int) -> None:
        """Log a message that answers the bot's question about message `about`: what it
        says goes into that message's reading, not into a record of its own."""
        message_id = await self._logging(_arrival(inbound))
        if message_id is not None:
            async with writing(self.sessions, urgent=True) as session:
                await set_outcome(
                    session, message_id, InboundStatus.ANSWERED, f"complète le message {about}"
                )


def _arrival(inbound: Inbound) -> Arrival:
    raw = inbound.raw or inbound.text.encode()
    return Arrival(
        inbound.channel, inbound.external_id, inbound.sender, raw, inbound.text, inbound.at
    )
