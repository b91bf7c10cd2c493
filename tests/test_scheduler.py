"""The schedule: due dates, each (job, period) once across restarts and instances, the lease
that makes one instance the sender, and the reminders."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from handlers.digests import DigestConfig
from handlers.holidays import Region, public_holidays, region_of, region_of_territory, working_day
from scheduler.jobs import Jobs
from scheduler.periods import daily_due, semester_due
from scheduler.service import Scheduler
from storage.database import session_factory
from storage.members import add_member
from storage.models import (
    Channel,
    Commune,
    JobRun,
    Need,
    NeedStatus,
    OutboxAttachment,
    OutboxMessage,
    Proposal,
    ProposalStatus,
    Role,
)
from storage.outbox import Doorbell, attachments_of, draft, enqueue, listening, waiting
from storage.runs import hold_lease, release_lease
from tests.test_digests import played, store_start  # noqa: F401 (the scenario's fixtures)

PARIS = ZoneInfo("Europe/Paris")


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
          ) -> dt.datetime:  # fmt: skip
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=PARIS)


def test_working_days_skip_weekends_and_french_holidays() -> None:
    assert dt.date(2027, 3, 29) in public_holidays(2027)  # lundi de Pâques
    assert dt.date(2027, 5, 6) in public_holidays(2027)  # Ascension
    assert dt.date(2027, 5, 17) in public_holidays(2027)  # lundi de Pentecôte
    assert not working_day(dt.date(2027, 7, 14))  # a Wednesday
    assert not working_day(dt.date(2027, 7, 3))  # a Saturday
    assert working_day(dt.date(2027, 7, 5))
    assert dt.date(2028, 4, 17) in public_holidays(2028)  # Easter Monday of a leap year


@pytest.mark.parametrize(
    ("insee", "region", "day", "holiday"),
    [
        ("56121", Region.MAINLAND, dt.date(2027, 12, 26), False),  # Lorient: a Sunday anyway
        ("57463", Region.ALSACE_MOSELLE, dt.date(2027, 3, 26), True),  # Metz: Vendredi saint
        ("67482", Region.ALSACE_MOSELLE, dt.date(2028, 12, 26), True),  # Strasbourg
        ("56121", Region.MAINLAND, dt.date(2028, 12, 26), False),
        ("97101", Region.GUADELOUPE, dt.date(2027, 5, 27), True),  # abolition of slavery
        ("97209", Region.MARTINIQUE, dt.date(2027, 5, 22), True),
        ("97302", Region.GUYANE, dt.date(2027, 6, 10), True),
        ("97411", Region.REUNION, dt.date(2027, 12, 20), True),
        ("97611", Region.MAYOTTE, dt.date(2027, 4, 27), True),
        ("2A004", Region.MAINLAND, dt.date(2027, 5, 27), False),  # Ajaccio
    ],
)
def test_holidays_depend_on_the_territory(
    insee: str, region: Region, day: dt.date, holiday: bool
) -> None:
    assert region_of(insee) is region
    assert (day in public_holidays(day.year, region)) is holiday
    assert region_of_territory([insee, insee, "56121"]) is region


def test_due_dates() -> None:
    assert daily_due(paris(2027, 7, 5, 7, 59), 8) is None
    assert daily_due(paris(2027, 7, 5, 8, 0), 8) == dt.date(2027, 7, 5)
    assert daily_due(paris(2027, 7, 14, 9), 8) == dt.date(2027, 7, 14)
    # The summary of 1 July is due from 8:00 that day, and caught up within a month.
    assert semester_due(paris(2027, 7, 1, 7), 8) is None  # 1 January is long past
    assert semester_due(paris(2027, 7, 1, 8), 8) == dt.date(2027, 7, 1)
    assert semester_due(paris(2027, 7, 3, 10), 8) == dt.date(2027, 7, 1)
    assert semester_due(paris(2027, 8, 5, 10), 8) is None
    assert semester_due(paris(2028, 1, 1, 9), 8) == dt.date(2028, 1, 1)
    assert semester_due(paris(2028, 1, 20, 9), 8) == dt.date(2028, 1, 1)


def jobs(sessions: async_sessionmaker[AsyncSession], instance: str = "a") -> Jobs:
    return Jobs(sessions, DigestConfig(), instance, PARIS, 8)


async def coordinators(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as session:
        lorient = await session.get(Commune, "56121")
        assert lorient is not None
        await add_member(session, lorient, Role.COORDINATOR, emails=["coord@agglo.example"])
        await add_member(session, lorient, Role.COORDINATOR, telegram_id=4242)


async def outbox(sessions: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with sessions() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def reminders(sessions: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    return [m for m in await outbox(sessions) if (m.dedupe_key or "").startswith("reminder:")]


@pytest.mark.usefixtures("played")
async def test_a_missed_summary_is_sent_once_on_restart(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await coordinators(sessions)
    # Down on 1 July; back on 3 July (a Saturday: no matching digest that day).
    results = await jobs(sessions).due(paris(2027, 7, 3, 10))
    assert [(r.job, r.period, r.ran) for r in results if r.job == "semester"] == [
        ("semester", "200042174/2027-07-01", True)
    ]
    sent = [m for m in await outbox(sessions) if m.dedupe_key and "semester" in m.dedupe_key]
    assert {(m.channel, m.recipient) for m in sent} == {
        (Channel.TELEGRAM, "4242"),
        (Channel.EMAIL, "coord@agglo.example"),
    }
    email = next(m for m in sent if m.channel is Channel.EMAIL)
    assert email.subject is not None and "1er juillet 2027" not in email.subject
    assert "3 juillet 2027" in email.subject and email.html and "<h1>" in email.html
    async with sessions() as session:
        files = (await attachments_of(session, [email.id]))[email.id]
    # The charts with something to show (no need declared since 1 July: none of those).
    assert [f.filename for f in files] == [
        "besoins.xlsx", "calendrier.ics", "graphique-economies.png", "graphique-pics.png",
    ]  # fmt: skip
    assert files[0].content[:2] == b"PK" and files[1].content.startswith(b"BEGIN:VCALENDAR")
    # Restarted again the same day, and by another instance: nothing more.
    again = await jobs(sessions).due(paris(2027, 7, 3, 18))
    other = await jobs(sessions, "b").due(paris(2027, 7, 4, 9))
    assert all(not r.ran for r in [*again, *other] if r.job == "semester")
    count = [m for m in await outbox(sessions) if m.dedupe_key and "semester" in m.dedupe_key]
    assert len(count) == 2


@pytest.mark.usefixtures("played")
async def test_two_instances_at_the_same_instant_send_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await coordinators(sessions)
    now = paris(2027, 7, 5, 8, 0, 5)
    first, second = await asyncio.gather(
        jobs(sessions, "a").matching(now), jobs(sessions, "b").matching(now)
    )
    assert sorted([first[0].ran, second[0].ran]) == [False, True]
    async with sessions() as session:
        runs = await session.scalar(select(func.count()).select_from(JobRun))
        queued = await session.scalar(
            select(func.count()).where(OutboxMessage.dedupe_key.like("matching:%"))
        )
        attachments = await session.scalar(select(func.count()).select_from(OutboxAttachment))
    assert runs == 1 and queued == 2 and attachments == 0


@pytest.mark.usefixtures("played")
async def test_the_matching_digest_is_sent_only_when_something_is_new(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await coordinators(sessions)
    monday = await jobs(sessions).due(paris(2027, 5, 24, 8, 30))
    queued = {"matching": 2, "reminders": 0, "anticipation": 0, "retention": 0}
    assert {r.job: r.queued for r in monday} == queued
    tuesday = await jobs(sessions).due(paris(2027, 5, 25, 8, 30))
    assert {r.job: (r.ran, r.queued) for r in tuesday}["matching"] == (True, 0)
    async with sessions() as session:
        details = (await session.scalars(select(JobRun.detail).order_by(JobRun.id))).all()
    assert '"queued": 0' in str(details[-1]) or '"queued": 0' in str(details)
    # 14 July, a Wednesday: no digest on a public holiday, the reminders still run.
    holiday = await jobs(sessions).due(paris(2027, 7, 14, 9))
    assert "matching" not in {r.job for r in holiday} and "reminders" in {r.job for r in holiday}


async def test_the_lease_makes_one_sender(sessions: async_sessionmaker[AsyncSession]) -> None:
    now = paris(2027, 7, 1, 8)
    ttl = dt.timedelta(seconds=60)
    assert await hold_lease(sessions, "scheduler", "a", now, ttl)
    assert not await hold_lease(sessions, "scheduler", "b", now + dt.timedelta(seconds=30), ttl)
    assert await hold_lease(sessions, "scheduler", "a", now + dt.timedelta(seconds=30), ttl)
    # Holder a dies: b takes over once the lease has expired.
    assert await hold_lease(sessions, "scheduler", "b", now + dt.timedelta(seconds=91), ttl)
    assert not await hold_lease(sessions, "scheduler", "a", now + dt.timedelta(seconds=92), ttl)
    await release_lease(sessions, "scheduler", "b")
    assert await hold_lease(sessions, "scheduler", "a", now + dt.timedelta(seconds=93), ttl)


@pytest.mark.usefixtures("played")
async def test_only_the_lease_holder_runs_jobs(sessions: async_sessionmaker[AsyncSession]) -> None:
    await coordinators(sessions)
    clock = lambda: paris(2027, 7, 3, 10)  # noqa: E731
    flushed: list[str] = []

    async def flush_a() -> None:
        flushed.append("a")

    async def flush_b() -> None:
        flushed.append("b")

    a = Scheduler(sessions, jobs(sessions, "a"), [flush_a], 3600, clock)
    b = Scheduler(sessions, jobs(sessions, "b"), [flush_b], 3600, clock)
    await a.start()
    await b.start()
    try:
        assert a.leader and not b.leader
        assert flushed == ["a"]
        async with sessions() as session:
            runs = (await session.scalars(select(JobRun.instance))).all()
        assert set(runs) == {"a"}
    finally:
        await a.stop()
        await b.stop()
    # a stepped down at shutdown: b takes over at its next renewal.
    await b._renew()
    assert b.leader
    await b.stop()


@pytest.mark.usefixtures("played")
async def test_reminders_reach_the_communes_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        # Nobody else buys a marquee... Caudan's computers lose their group.
        group = await session.scalar(select(Proposal).where(Proposal.id == 2))
        assert group is not None
        group.status = ProposalStatus.REFUSED
        for need_id in (2, 3):
            need = await session.get(Need, need_id)
            assert need is not None
            need.status = NeedStatus.OPEN
    # 15 June: the loan of 21 June starts within 7 days; Cléguer's purchase (31 July) is
    # not yet within 30 days, Caudan's (31 August) neither.
    results = await jobs(sessions).reminders(paris(2027, 6, 15, 8, 1))
    assert results[0].queued == 2  # Riantec (anne@gmail.com) and Lorient (st@lorient.bzh)
    pickup = await reminders(sessions)
    assert {m.recipient for m in pickup} == {"anne@gmail.com", "st@lorient.bzh"}
    assert all("retrait du matériel le 21 juin 2027" in (m.subject or "") for m in pickup)
    # The day before the end, the return; on 5 July, Cléguer's purchase.
    await jobs(sessions).reminders(paris(2027, 6, 20, 8, 1))
    await jobs(sessions).reminders(paris(2027, 6, 20, 9, 1))  # the same day again: nothing
    await jobs(sessions).reminders(paris(2027, 7, 5, 8, 1))
    subjects = [m.subject for m in await reminders(sessions)]
    assert subjects.count("Prêt n° 1 : retour du matériel après le 21 juin 2027") == 2
    assert subjects.count("Achat à lancer avant le 31 juillet 2027 : ordinateur portable") == 1
    assert len(subjects) == 5


async def test_many_territories_are_rendered_on_every_core_and_sent_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """A store of ten territories (France's 1,250 EPCIs in small): the summaries are rendered
    by two worker processes, each recorded and sent once, in the scheduler's transactions."""
    from storage.models import Member, MemberEmail, Need, NeedKind, Territory

    at = paris(2027, 5, 3, 9)
    async with sessions.begin() as session:
        for number in range(9):
            territory = Territory(epci=f"9000000{number:02d}", name=f"Territoire {number}",
                                  kind="CC", source="test")  # fmt: skip
            session.add(territory)
            await session.flush()
            insee = f"99{number:03d}"
            session.add(Commune(insee=insee, territory_id=territory.id, name=f"Ville {number}",
                                population=1000 + number))  # fmt: skip
            await session.flush()
            member = Member(territory_id=territory.id, role=Role.COORDINATOR, active=True)
            session.add(member)
            await session.flush()
            session.add(MemberEmail(member_id=member.id, address=f"coord{number}@example.org"))
            session.add(
                Need(
                    commune_insee=insee,
                    kind=NeedKind.PURCHASE,
                    item_id="papier",
                    item_label="ramette de papier",
                    quantity=10 + number,
                    deadline=dt.date(2027, 9, 1),
                    channel=Channel.EMAIL,
                    created_at=at,
                    updated_at=at,
                )
            )
    jobs = Jobs(sessions, DigestConfig(), "a", PARIS, 8, processes=2)
    results = await jobs.semester(paris(2027, 7, 1, 8), dt.date(2027, 7, 1))
    assert len(results) == 10 and all(r.ran for r in results)
    sent = [m for m in await outbox(sessions) if (m.dedupe_key or "").startswith("semester:")]
    assert sorted(m.recipient for m in sent) == [f"coord{n}@example.org" for n in range(9)]
    one = next(m for m in sent if m.recipient == "coord4@example.org")
    assert "14 ramettes de papier" in one.body and "Territoire 4" in (one.subject or "")
    again = await jobs.semester(paris(2027, 7, 1, 9), dt.date(2027, 7, 1))
    assert not any(r.ran for r in again)
    assert (
        len([m for m in await outbox(sessions) if (m.dedupe_key or "").startswith("semester:")])
        == 9
    )


def queued_reply(now: dt.datetime) -> OutboxMessage:
    return draft(channel=Channel.EMAIL, recipient="st@caudan.fr", body="Bien reçu.", now=now)


async def test_a_commit_that_queues_messages_wakes_the_sender_at_once(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    doorbell = Doorbell()
    ringing = session_factory(engine, doorbell)
    now = paris(2027, 7, 3, 10)
    flushed = asyncio.Event()

    async def flush() -> None:
        flushed.set()

    # An hour between two rounds: only the doorbell can make it go sooner.
    sender = Scheduler(ringing, jobs(ringing, "a"), [flush], 3600, lambda: now, doorbell)
    await sender.start()
    try:
        flushed.clear()
        with pytest.raises(RuntimeError):  # rolled back: nothing queued, nothing rung
            async with ringing.begin() as session:
                await enqueue(session, queued_reply(now))
                raise RuntimeError
        await asyncio.sleep(0.3)
        assert not flushed.is_set()
        started = time.monotonic()
        async with ringing.begin() as session:
            await enqueue(session, queued_reply(now))
        await asyncio.wait_for(flushed.wait(), 5)
        assert time.monotonic() - started < 0.5
    finally:
        await sender.stop()


async def test_another_instance_queueing_rings_through_postgresql_and_is_polled_on_sqlite(
    store_url: str, sessions: async_sessionmaker[AsyncSession], backend: str
) -> None:
    doorbell = Doorbell()
    now = paris(2027, 7, 3, 10)
    async with listening(store_url, doorbell):
        async with sessions.begin() as session:  # the other instance's store, no doorbell
            await enqueue(session, queued_reply(now))
        rung = await doorbell.wait(2)
    assert rung is (backend == "postgresql")
    async with sessions() as session:  # what the sender polls for, every few seconds
        assert await waiting(session, now)
