"""The one path every inbound message takes: log, identify, read, record, match, reply."""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import anticipation, replies
from handlers.answers import answer
from handlers.batching import Coalescer
from handlers.completion import complete, original_message
from handlers.inbound import Inbound
from handlers.matching import MatchingConfig, ReferenceCache, match
from handlers.notices import notify, proposal_asked, verdict
from handlers.reading.intents import Intent
from handlers.reading.reader import Reader, Reading
from handlers.recording import Author, Recorded, record
from storage.errors import MutualiseError, store_unavailable
from storage.inbox import Arrival, claim, failed, log_many, mark_handled, set_outcome
from storage.members import (
    Sender,
    identify_sender,
    identify_senders,
    member_by_telegram,
    normalise_address,
)
from storage.models import (
    Channel,
    Commune,
    InboundMessage,
    InboundStatus,
    Member,
    Proposal,
    Role,
)

log = logging.getLogger("mutualise.inbox")
PARIS = ZoneInfo("Europe/Paris")
# At most this many messages share one transaction and one matching pass.
BATCH = 64
# At most this many items recorded from one message.
MAX_ITEMS = 30


class Fate(enum.StrEnum):
    """What became of a message, as the channels need to know it."""

    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    QUARANTINED = "quarantined"
    REFUSED = "refused"
    ANSWERED = "answered"
    TO_CONFIRM = "to_confirm"
    RECORDED = "recorded"
    FAILED = "failed"


@dataclass
class Outcome:
    fate: Fate
    reply: str | None = None
    message_id: int | None = None
    reading: Reading | None = None
    commune: str | None = None
    proposals: list[Proposal] = field(default_factory=list)


Responder = Callable[[AsyncSession, "Outcome"], Awaitable[None]]


@dataclass
class _Speaker:
    commune: Commune
    member: Member | None


@dataclass
class _Batch:
    """What the messages of one transaction recorded: matched once, when all are in."""

    items: set[str] = field(default_factory=set)
    at: dt.datetime | None = None
    recorded: list[tuple[Outcome, set[str]]] = field(default_factory=list)
    # Who wrote the batch's emails, found for all of them at once.
    senders: dict[str, Sender | None] = field(default_factory=dict)

    def add(self, outcome: Outcome, items: set[str], at: dt.datetime) -> None:
        self.items |= items
        self.at = at if self.at is None else max(self.at, at)
        self.recorded.append((outcome, items))


@dataclass
class _Work:
    """Handling one message: `step` inside a transaction shared with others, `alone` in a
    transaction of its own when the shared one failed."""

    step: Callable[[AsyncSession, _Batch], Awaitable[Outcome]]
    alone: Callable[[], Awaitable[Outcome]]
    email: str | None = None  # the sender of an email, to identify with the others


class Inbox:
    """Receives messages from any channel; built once with the store and the reader."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        reader: Reader,
        matching: MatchingConfig | None = None,
    ) -> None:
        self.sessions = sessions
        self.reader = reader
        self.matching = matching or MatchingConfig()
        # The communes and the catalogue, read once a minute rather than for every message.
        self.reference = ReferenceCache()
        # Messages arriving together are stored in one transaction, then handled in one;
        # the two take turns rather than wait on each other's lock in the store.
        self._writing = asyncio.Lock()
        self._logging = Coalescer(self._log_many, BATCH)
        self._working = Coalescer(self._work_many, BATCH)
        self._marking = Coalescer(self._mark_many, BATCH)

    async def receive(
        self, inbound: Inbound, *, confirmed: bool = True, respond: Responder | None = None
    ) -> Outcome:
        """Handle one message; it is stored before anything else, and recorded once.

        `respond`, when given, is called inside the transaction that records the message,
        so that a reply is queued if and only if what it speaks of is stored.
        """
        message = await self._logging(_arrival(inbound))
        if message is None:
            return Outcome(Fate.DUPLICATE)
        return await self.process(inbound, message.id, confirmed=confirmed, respond=respond)

    async def process(
        self,
        inbound: Inbound,
        message_id: int,
        *,
        confirmed: bool = True,
        respond: Responder | None = None,
    ) -> Outcome:
        """Handle a message already in the inbound log: just received, or taken up again
        after a crash or a failure. However many try at once, it is handled once."""
        if inbound.quarantine:
            log.warning("message %s quarantined: %s", message_id, inbound.quarantine)
            async with self.sessions.begin() as session:
                await set_outcome(
                    session, message_id, InboundStatus.QUARANTINED, inbound.quarantine
                )
            return Outcome(Fate.QUARANTINED, None, message_id)
        if inbound.automatic:
            async with self.sessions.begin() as session:
                await set_outcome(
                    session, message_id, InboundStatus.IGNORED, f"automatique : {inbound.automatic}"
                )
            return Outcome(Fate.IGNORED, None, message_id)

        async def step(session: AsyncSession, batch: _Batch) -> Outcome:
            return await self._handle(session, inbound, message_id, confirmed, respond, batch)

        email = inbound.sender if inbound.channel is Channel.EMAIL else None
        return await self._working(_Work(step, lambda: self._alone(message_id, step), email))

    async def confirm(self, message_id: int, reading: Reading, at: dt.datetime) -> Outcome:
        """Record what the writer confirmed (the reading of a message received with
        `confirmed=False`, perhaps completed or corrected since), then match and notify as
        a confirmed message is. Confirmed twice, it is recorded once."""

        async def step(session: AsyncSession, batch: _Batch) -> Outcome:
            return await self._confirm(session, message_id, reading, at, batch)

        return await self._working(_Work(step, lambda: self._alone(message_id, step)))

    async def _confirm(
        self, session: AsyncSession, message_id: int, reading: Reading, at: dt.datetime,
        batch: _Batch,
    ) -> Outcome:  # fmt: skip
        if not await claim(session, message_id, InboundStatus.RECORDED):  # confirmed already
            return Outcome(Fate.DUPLICATE, None, message_id)
        message = await session.get(InboundMessage, message_id)
        assert message is not None
        inbound = Inbound(message.channel, message.sender, message.text or "", at, "")
        speaker = await self._identify(session, inbound, batch)
        if speaker is None:  # no longer a member since the card was shown
            await set_outcome(session, message_id, InboundStatus.REFUSED, "expéditeur inconnu")
            return Outcome(Fate.REFUSED, replies.UNKNOWN_SENDER, message_id)
        commune = self._commune(speaker, reading, inbound)
        return await self._record(
            session, inbound, message_id, reading, speaker, commune, batch, ask=False
        )

    async def handled(self, update_id: int, at: dt.datetime) -> None:
        """Record that a chat update was handled (its id, delivered again, is skipped):
        with the other updates handled meanwhile, in one commit."""
        await self._marking((update_id, at))

    async def _mark_many(
        self, updates: list[tuple[int, dt.datetime]]
    ) -> list[BaseException | None]:
        async with self._writing:
            await mark_handled(self.sessions, updates)
        return [None] * len(updates)

    async def _log_many(
        self, arrivals: list[Arrival]
    ) -> list[InboundMessage | BaseException | None]:
        async with self._writing:
            return list(await log_many(self.sessions, arrivals))

    async def _work_many(self, works: list[_Work]) -> list[Outcome | BaseException]:
        """Handle messages in one transaction, matched once; if it fails, each alone."""
        async with self._writing:
            return await self._work_together(works)

    async def _work_together(self, works: list[_Work]) -> list[Outcome | BaseException]:
        if len(works) > 1:
            try:
                async with self.sessions.begin() as session:
                    batch = _Batch()
                    emails = {work.email for work in works if work.email}
                    batch.senders = await identify_senders(session, emails)
                    outcomes = [await work.step(session, batch) for work in works]
                    await self._settle(session, batch)
                return list(outcomes)
            except Exception:
                log.warning("%d messages failed together: each alone", len(works), exc_info=True)
        return [await _caught(work.alone()) for work in works]

    async def _alone(
        self, message_id: int, step: Callable[[AsyncSession, _Batch], Awaitable[Outcome]]
    ) -> Outcome:
        try:
            async with self.sessions.begin() as session:
                batch = _Batch()
                outcome = await step(session, batch)
                await self._settle(session, batch)
            return outcome
        except Exception as exc:
            return await self._failed(message_id, exc)

    async def _settle(self, session: AsyncSession, batch: _Batch) -> None:
        """Match what the batch recorded, once, and tell the communes of new proposals."""
        if batch.at is None:
            return
        reference = await self.reference.get(session)
        report = await match(session, self.matching, batch.items, batch.at, reference)
        await notify(session, report.created, batch.at)
        for outcome, items in batch.recorded:
            outcome.proposals = [p for p in report.created if p.item_id in items]

    async def abandon(self, message_id: int) -> None:
        """The writer dropped what the bot understood: nothing is recorded from it."""
        async with self.sessions.begin() as session:
            message = await session.get(InboundMessage, message_id)
            if message is not None and message.status is InboundStatus.RECEIVED:
                await set_outcome(session, message_id, InboundStatus.ANSWERED, "abandonné")

    async def note(self, inbound: Inbound, about: int) -> None:
        """Log a message that answers the bot's question about message `about`: what it
        says goes into that message's reading, not into a record of its own."""
        message = await self._logging(_arrival(inbound))
        if message is not None:
            async with self.sessions.begin() as session:
                await set_outcome(
                    session, message.id, InboundStatus.ANSWERED, f"complète le message {about}"
                )

    async def _failed(self, message_id: int, exc: BaseException) -> Outcome:
        log.error("message %s could not be handled", message_id, exc_info=exc)
        if not store_unavailable(exc):  # what the message holds: trying again would fail too
            async with self.sessions.begin() as session:
                reason = f"impossible à enregistrer ({type(exc).__name__})"
                await set_outcome(session, message_id, InboundStatus.REFUSED, reason)
            return Outcome(Fate.FAILED, replies.UNRECORDABLE, message_id)
        async with self.sessions.begin() as session:
            await failed(session, message_id)
        return Outcome(
            Fate.FAILED,
            "Votre message est bien reçu, mais je n'ai pas pu le traiter tout de suite. "
            "Il est conservé et sera repris ; inutile de le renvoyer.",
            message_id,
        )

    async def _handle(
        self,
        session: AsyncSession,
        inbound: Inbound,
        message_id: int,
        confirmed: bool,
        respond: Responder | None,
        batch: _Batch,
    ) -> Outcome:
        if not await claim(session, message_id):  # handled meanwhile, elsewhere
            return Outcome(Fate.DUPLICATE, None, message_id)
        outcome = await self._decide(session, inbound, message_id, confirmed, batch)
        if respond is not None and outcome.fate is not Fate.TO_CONFIRM:
            await respond(session, outcome)
        return outcome

    async def _decide(
        self,
        session: AsyncSession,
        inbound: Inbound,
        message_id: int,
        confirmed: bool,
        batch: _Batch,
    ) -> Outcome:
        speaker = await self._identify(session, inbound, batch)
        if speaker is None:
            await set_outcome(session, message_id, InboundStatus.REFUSED, "expéditeur inconnu")
            return Outcome(Fate.REFUSED, replies.UNKNOWN_SENDER, message_id)
        reading = self.reader.read(inbound.text, inbound.at.astimezone(PARIS).date())
        commune = self._commune(speaker, reading, inbound)
        member_id = speaker.member.id if speaker.member else None
        if len(reading.items) > MAX_ITEMS:  # a list to split, or junk: nothing recorded
            await set_outcome(
                session, message_id, InboundStatus.ANSWERED, f"{len(reading.items)} articles",
                member_id=member_id, commune_insee=commune,
            )  # fmt: skip
            return Outcome(Fate.ANSWERED, replies.too_many(len(reading.items), MAX_ITEMS),
                           message_id, commune=commune)  # fmt: skip
        if inbound.answers is not None and not reading.items:
            done = await self._answer_anticipation(session, inbound, message_id, commune)
            # A proposal is answered for the commune its notice went to: the writer's own.
            mine = speaker.commune.insee
            done = done or await self._answer_proposal(session, inbound, message_id, mine)
            done = done or await self._complete(session, inbound, message_id, commune, reading)
            if done is not None:
                return done
        if reading.intent is Intent.UNKNOWN:
            await set_outcome(
                session, message_id, InboundStatus.ANSWERED, "rien à enregistrer",
                member_id=member_id, commune_insee=commune,
            )  # fmt: skip
            return Outcome(Fate.ANSWERED, replies.NOTHING_UNDERSTOOD, message_id, reading)
        if not confirmed:
            return Outcome(Fate.TO_CONFIRM, None, message_id, reading, commune)
        return await self._record(session, inbound, message_id, reading, speaker, commune, batch)

    @staticmethod
    def _commune(speaker: _Speaker, reading: Reading, inbound: Inbound) -> str:
        authenticated = inbound.channel is Channel.TELEGRAM or inbound.authenticated
        if (speaker.member and speaker.member.role is Role.COORDINATOR and reading.commune
                and authenticated):  # fmt: skip
            return reading.commune  # a coordinator may write for any commune, authenticated
        return speaker.commune.insee

    async def _record(
        self,
        session: AsyncSession,
        inbound: Inbound,
        message_id: int,
        reading: Reading,
        speaker: _Speaker,
        commune: str,
        batch: _Batch,
        ask: bool = True,
    ) -> Outcome:
        """Record, leaving matching to the batch; `ask` adds the question a reply by mail
        answers."""
        member_id = speaker.member.id if speaker.member else None
        author = Author(commune, member_id, inbound.channel, message_id)
        recorded = await record(session, reading, author)
        name = await commune_name(session, commune)
        summary = _summary(reading, recorded)
        if commune != speaker.commune.insee:  # a coordinator writing for another commune
            how = inbound.authenticated or "compte Telegram"
            summary += f" ; pour {commune} par le coordinateur n° {member_id} ({how})"
            log.info("message %s: %s", message_id, summary)
        await set_outcome(
            session, message_id, InboundStatus.RECORDED, summary,
            member_id=member_id, commune_insee=commune,
        )  # fmt: skip
        asked = ""
        if ask and (recorded.needs or recorded.offers):
            asked = replies.still_missing(reading.missing)
        outcome = Outcome(
            Fate.RECORDED, replies.recorded(reading, recorded, name) + asked, message_id, reading,
            commune,
        )  # fmt: skip
        batch.add(outcome, _items(recorded), inbound.at)
        return outcome

    async def _answer_proposal(
        self, session: AsyncSession, inbound: Inbound, message_id: int, commune: str
    ) -> Outcome | None:
        """An answer to a proposal we presented: accept or decline it for the commune."""
        assert inbound.answers is not None
        proposal_id = await proposal_asked(session, inbound.answers)
        decision = verdict(inbound.text) if proposal_id is not None else None
        if proposal_id is None or decision is None:
            return None
        try:
            result = await answer(
                session, proposal_id, commune, decision, inbound.at, self.matching
            )
        except MutualiseError as exc:  # closed, unknown, or not this commune's proposal
            await set_outcome(session, message_id, InboundStatus.ANSWERED, str(exc))
            return Outcome(Fate.ANSWERED, str(exc), message_id, commune=commune)
        if result.report is not None:
            await notify(session, result.report.created, inbound.at)
        await set_outcome(
            session, message_id, InboundStatus.RECORDED,
            f"{'accepte' if decision else 'refuse'} la proposition {proposal_id}",
            commune_insee=commune,
        )  # fmt: skip
        return Outcome(Fate.RECORDED, replies.answered(proposal_id, decision, result.confirmed),
                       message_id, commune=commune)  # fmt: skip

    async def _answer_anticipation(
        self, session: AsyncSession, inbound: Inbound, message_id: int, commune: str
    ) -> Outcome | None:
        """An answer to "Même matériel que l'an dernier ?": oui records the needs."""
        assert inbound.answers is not None
        asked = await anticipation.asked_in(session, inbound.answers)
        choice = anticipation.choice_in(inbound.text) if asked is not None else None
        if asked is None or choice is None:
            return None
        try:
            reply = await anticipation.answer(
                session, asked, commune, choice, inbound.at, self.matching, inbound.channel
            )
        except anticipation.AnticipationError as exc:
            reply = str(exc)
        await set_outcome(
            session, message_id, InboundStatus.RECORDED, f"répond {choice.value} à {asked}",
            commune_insee=commune,
        )  # fmt: skip
        return Outcome(Fate.RECORDED, reply, message_id, commune=commune)

    async def _complete(
        self,
        session: AsyncSession,
        inbound: Inbound,
        message_id: int,
        commune: str,
        reading: Reading,
    ) -> Outcome | None:
        """An answer to the bot's question: it completes the needs it was about."""
        assert inbound.answers is not None
        original = await original_message(session, inbound.answers)
        if original is None:
            return None
        today = inbound.at.astimezone(PARIS).date()
        completion = await complete(session, original, commune, inbound.text, self.reader, today)
        if completion is None:
            return None
        items = {n.item_id for n in completion.needs if n.item_id}
        report = await match(
            session, self.matching, items, inbound.at, await self.reference.get(session)
        )
        await notify(session, report.created, inbound.at)
        await set_outcome(
            session, message_id, InboundStatus.RECORDED, f"complète le message {original}",
            commune_insee=commune,
        )  # fmt: skip
        reply = replies.completed(completion.describe(), completion.missing)
        return Outcome(Fate.RECORDED, reply, message_id, reading, commune)

    async def _identify(
        self, session: AsyncSession, inbound: Inbound, batch: _Batch
    ) -> _Speaker | None:
        if inbound.channel is Channel.TELEGRAM:
            telegram_id = inbound.telegram_id
            member = await member_by_telegram(session, telegram_id) if telegram_id else None
            return _Speaker(member.commune, member) if member else None
        address = normalise_address(inbound.sender)
        if address in batch.senders:
            sender = batch.senders[address]
        else:
            sender = await identify_sender(session, address)
        return _Speaker(sender.commune, sender.member) if sender else None


async def commune_name(session: AsyncSession, insee: str) -> str:
    """The name of a commune, or its code when the store does not know it."""
    commune = await session.get(Commune, insee)
    return commune.name if commune else insee


def _arrival(inbound: Inbound) -> Arrival:
    raw = inbound.raw or inbound.text.encode()
    return Arrival(
        inbound.channel, inbound.external_id, inbound.sender, raw, inbound.text, inbound.at
    )


async def _caught(outcome: Awaitable[Outcome]) -> Outcome | BaseException:
    """The outcome, or the exception its caller must see (the store is unavailable)."""
    try:
        return await outcome
    except Exception as exc:
        return exc


def _items(recorded: Recorded) -> set[str]:
    """The items a message touched: only their matching can change."""
    needs = [*recorded.needs, *recorded.withdrawn_needs]
    offers = [*recorded.offers, *recorded.withdrawn_offers]
    ids = [n.item_id for n in needs] + [o.item_id for o in offers]
    return {i for i in ids if i is not None}


def _summary(reading: Reading, recorded: Recorded) -> str:
    return (
        f"{reading.intent.value}: {len(recorded.needs)} besoin(s), {len(recorded.offers)} "
        f"offre(s), {len(recorded.withdrawn_needs) + len(recorded.withdrawn_offers)} retrait(s)"
    )
