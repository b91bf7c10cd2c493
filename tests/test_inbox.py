"""The whole path of a message, on a real SQLite file and the real PostgreSQL:
logged, identified, read, recorded, matched, answered."""

from __future__ import annotations

import asyncio
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from handlers.inbound import Inbound
from handlers.inbox import Fate, Inbox
from handlers.matching import match
from handlers.reading.reader import Reading
from storage.models import (
    InboundMessage,
    InboundStatus,
    Need,
    NeedStatus,
    Proposal,
    ProposalKind,
    ProposalStatus,
)
from tests.readers import shared_reader

PARIS = ZoneInfo("Europe/Paris")
READER = shared_reader()


def message(sender: str, text: str, day: int, hour: int = 9) -> Inbound:
    return Inbound.from_line(sender, text, dt.datetime(2027, 5, day, hour, tzinfo=PARIS))


SCENARIO = [
    message("st@lorient.bzh", "Nous pouvons prêter nos 300 ganivelles de juin à septembre.", 2),
    message("anne@gmail.com", "il nous faudrait 150 ganivelles pour le 21 juin", 3),
    message("mairie@mairie-queven.fr", "Quéven souhaiterait emprunter 200 ganivelles le 21 juin", 3, 11),
    message("mairie@caudan.fr", "Nous devons acheter 2 tondeuses autoportées avant septembre", 4),
    message("mairie@cleguer.fr", "Besoin d'acheter une tondeuse autoportée d'ici fin juillet", 5),
]  # fmt: skip


async def count(sessions: async_sessionmaker[AsyncSession], model: type) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def proposals(sessions: async_sessionmaker[AsyncSession]) -> list[Proposal]:
    async with sessions() as session:
        query = (
            select(Proposal)
            .where(Proposal.status == ProposalStatus.PROPOSED)
            .options(selectinload(Proposal.participants))
        )
        return list((await session.scalars(query.order_by(Proposal.id))).all())


async def test_messages_become_needs_offers_and_proposals(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    inbox = Inbox(sessions, READER)
    outcomes = [await inbox.receive(m) for m in SCENARIO]
    assert [o.fate for o in outcomes] == [Fate.RECORDED] * 5
    assert "Besoin enregistré pour Riantec : 150 ganivelles le 21 juin 2027" in (
        outcomes[1].reply or ""
    )
    found = await proposals(sessions)
    assert sorted(p.kind for p in found) == [ProposalKind.GROUP_ORDER, ProposalKind.LOAN]
    loan = next(p for p in found if p.kind is ProposalKind.LOAN)
    assert loan.quantity == 150 and "Lorient peut prêter 150 ganivelles à Riantec" in loan.reason
    async with sessions() as session:
        queven = await session.scalar(select(Need).where(Need.commune_insee == "56185"))
        assert queven is not None and queven.status is NeedStatus.OPEN
        assert "pas assez de matériel disponible à ces dates (150 sur 200)" in (
            queven.status_reason or ""
        )


async def test_the_same_messages_twice_change_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    inbox = Inbox(sessions, READER)
    for m in SCENARIO:
        await inbox.receive(m)
    before = ([p.signature for p in await proposals(sessions)], await count(sessions, Need))
    again = [await inbox.receive(m) for m in SCENARIO]
    assert {o.fate for o in again} == {Fate.DUPLICATE}
    async with sessions.begin() as session:
        report = await match(session)
    assert (report.created, report.withdrawn) == ([], [])
    after = ([p.signature for p in await proposals(sessions)], await count(sessions, Need))
    assert after == before
    assert await count(sessions, InboundMessage) == len(SCENARIO)


async def test_a_cancellation_withdraws_the_need_and_frees_the_capacity(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    inbox = Inbox(sessions, READER)
    for m in SCENARIO:
        await inbox.receive(m)
    outcome = await inbox.receive(message("anne@gmail.com", "on n'a plus besoin des ganivelles", 6))
    assert outcome.fate is Fate.RECORDED and "retirée" in (outcome.reply or "")
    async with sessions() as session:
        statuses = {
            n.commune_insee: n.status
            for n in await session.scalars(select(Need).where(Need.item_id == "ganivelle"))
        }
    assert statuses == {"56193": NeedStatus.CANCELLED, "56185": NeedStatus.MATCHED}
    loans = [p for p in await proposals(sessions) if p.kind is ProposalKind.LOAN]
    assert [p.quantity for p in loans] == [200]
    assert "à Quéven" in loans[0].reason


async def test_strangers_record_nothing(sessions: async_sessionmaker[AsyncSession]) -> None:
    inbox = Inbox(sessions, READER)
    outcome = await inbox.receive(message("someone@gmail.com", "besoin de 3 barnums le 3 juin", 2))
    assert outcome.fate is Fate.REFUSED and "inscrits" in (outcome.reply or "")
    assert await count(sessions, Need) == 0
    async with sessions() as session:
        logged = await session.scalar(select(InboundMessage))
    assert logged is not None and logged.status is InboundStatus.REFUSED


async def test_nothing_to_record_gets_a_helpful_answer(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    outcome = await Inbox(sessions, READER).receive(message("mairie@caudan.fr", "Bonjour !", 2))
    assert outcome.fate is Fate.ANSWERED and "il nous faudrait" in (outcome.reply or "")


async def test_answers_confirm_or_free_the_capacity(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    from handlers.proposals import answer

    inbox = Inbox(sessions, READER)
    await inbox.receive(
        message("st@lorient.bzh", "Nous pouvons prêter nos 300 ganivelles en juin.", 2)
    )
    await inbox.receive(
        message("mairie@lanester.bzh", "Nous pouvons prêter 200 ganivelles en juin.", 2, 10)
    )
    await inbox.receive(
        message("anne@gmail.com", "il nous faudrait 150 ganivelles pour le 21 juin", 3)
    )
    first = (await proposals(sessions))[0]
    now = dt.datetime(2027, 5, 4, 9, tzinfo=PARIS)
    lender = next(p.commune_insee for p in first.participants if p.offer_id is not None)
    other, other_name = ("56098", "Lanester") if lender == "56121" else ("56121", "Lorient")
    async with sessions.begin() as session:
        declined = await answer(session, first.id, lender, False, now)
        created = await inbox.settle(session, declined.touched, now)
    assert declined.proposal.status is ProposalStatus.REFUSED
    assert declined.touched == {"ganivelle"} and len(created) == 1
    again = created[0]
    assert f"{other_name} peut prêter 150 ganivelles à Riantec" in again.reason
    async with sessions.begin() as session:
        assert not (await answer(session, again.id, "56193", True, now)).confirmed
        assert (await answer(session, again.id, other, True, now)).confirmed


async def test_group_orders_carry_their_costs(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    inbox = Inbox(sessions, READER)
    await inbox.receive(
        message("mairie@caudan.fr", "Nous devons acheter 20 ramettes de papier avant septembre", 2)
    )
    await inbox.receive(
        message("mairie@cleguer.fr", "Besoin d'acheter 10 ramettes de papier d'ici fin juillet", 3)
    )
    group = (await proposals(sessions))[0]
    assert group.kind is ProposalKind.GROUP_ORDER and group.quantity == 30
    assert group.cost_key is not None  # paper has a reference price, like every item
    shares = {c: float(v) for c, v in group.cost_key["shares"].items()}
    assert shares["56036"] == pytest.approx(2 * shares["56040"])
    assert "au prorata des quantités" in group.cost_key["explanation"]
    assert "source : estimation d'après" in group.cost_key["explanation"]


async def test_the_service_reads_the_catalogue_once_a_minute(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    from handlers.matching import ReferenceCache

    clock = [0.0]
    cache = ReferenceCache(ttl=60, clock=lambda: clock[0])
    async with sessions() as session:
        first = await cache.get(session)
        assert "56193" in first.places and first.labels["ganivelle"] == ("ganivelle", "ganivelles")
        clock[0] = 59
        assert await cache.get(session) is first
        clock[0] = 61
        again = await cache.get(session)
    assert again is not first and again == first  # read again, unchanged


def commits(sessions: async_sessionmaker[AsyncSession]) -> list[int]:
    """A counter of the store's commits, kept up to date from now on."""
    counted = [0]

    def one(_connection: object) -> None:
        counted[0] += 1

    engine = sessions.kw["bind"]
    event.listen(engine.sync_engine, "commit", one)
    return counted


async def test_messages_arriving_together_share_their_transactions(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    inbox = Inbox(sessions, READER)
    counted = commits(sessions)
    outcomes = await asyncio.gather(*(inbox.receive(m) for m in SCENARIO))
    assert [o.fate for o in outcomes] == [Fate.RECORDED] * 5
    assert "150 ganivelles le 21 juin 2027" in (outcomes[1].reply or "")
    # Stored together (one commit), then recorded and matched together (one commit).
    assert counted[0] == 2
    found = await proposals(sessions)
    assert sorted(p.kind for p in found) == [ProposalKind.GROUP_ORDER, ProposalKind.LOAN]
    loan = next(p for p in outcomes[1].proposals if p.kind is ProposalKind.LOAN)
    assert "Lorient peut prêter 150 ganivelles à Riantec" in loan.reason
    assert outcomes[3].proposals == outcomes[4].proposals != []


async def test_a_message_sent_twice_at_once_is_recorded_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    inbox = Inbox(sessions, READER)
    first, second = await asyncio.gather(inbox.receive(SCENARIO[1]), inbox.receive(SCENARIO[1]))
    assert {first.fate, second.fate} == {Fate.RECORDED, Fate.DUPLICATE}
    assert (await count(sessions, InboundMessage), await count(sessions, Need)) == (1, 1)


async def test_a_message_that_fails_does_not_take_its_batch_down(
    sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = Inbox(sessions, READER)
    read = inbox.reader.read

    def breaks_on_tondeuses(text: str, today: dt.date) -> Reading:
        if "tondeuse" in text:
            raise RuntimeError("a bug in the reading")
        return read(text, today)

    monkeypatch.setattr(inbox.reader, "read", breaks_on_tondeuses)
    outcomes = await asyncio.gather(*(inbox.receive(m) for m in SCENARIO))
    assert [o.fate for o in outcomes] == [Fate.RECORDED] * 3 + [Fate.FAILED] * 2
    assert "conservé" in (outcomes[3].reply or "")
    assert [p.kind for p in await proposals(sessions)] == [ProposalKind.LOAN]
    async with sessions() as session:
        statuses = list(await session.scalars(select(InboundMessage.status)))
    # What fails on its content would fail again: refused, with an answer, not retried.
    assert sorted(statuses) == sorted([InboundStatus.RECORDED] * 3 + [InboundStatus.REFUSED] * 2)


async def test_a_message_shown_back_writes_nothing_but_its_storing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    inbox = Inbox(sessions, READER)
    writes: list[str] = []

    def noted(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            writes.append(statement.split("(")[0].strip())

    event.listen(sessions.kw["bind"].sync_engine, "before_cursor_execute", noted)
    outcome = await inbox.receive(SCENARIO[1], confirmed=False)
    assert outcome.fate is Fate.TO_CONFIRM and outcome.reading is not None
    # Shown to be confirmed, it is only checked as not handled yet, not locked by an
    # UPDATE that changed nothing and cost a commit to disk.
    assert writes == ["INSERT INTO inbound_messages"]
    recorded = await inbox.confirm(outcome.message_id or 0, outcome.reading, SCENARIO[1].at)
    assert recorded.fate is Fate.RECORDED
    again = await inbox.confirm(outcome.message_id or 0, outcome.reading, SCENARIO[1].at)
    assert again.fate is Fate.DUPLICATE
    assert await count(sessions, Need) == 1
