"""The store's contract, run against a real SQLite file and the real PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.catalogue import load_catalogue
from storage.database import session_factory
from storage.members import MemberError, add_member, identify_sender, identify_senders
from storage.models import (
    Channel,
    Commune,
    InboundMessage,
    InboundStatus,
    Member,
    Need,
    NeedKind,
    NeedStatus,
    Role,
)
from storage.reference import install_catalogue, install_territory
from storage.schema import current_revision, head_revision, upgrade
from storage.territory import TerritoryError, load_territory, read_territory_file
from tests.snapshot import dump


def _message(external_id: str, received_at: dt.datetime | None = None) -> InboundMessage:
    message = InboundMessage(
        channel=Channel.EMAIL,
        external_id=external_id,
        sender="mairie@caudan.fr",
        raw=b"raw",
        status=InboundStatus.RECEIVED,
    )
    if received_at is not None:
        message.received_at = received_at
    return message


async def _initialise(engine: AsyncEngine) -> None:
    await upgrade(engine)
    async with session_factory(engine).begin() as session:
        await install_territory(session, load_territory())
        await install_catalogue(session, load_catalogue())


async def test_upgrade_reaches_head_and_is_idempotent(engine: AsyncEngine) -> None:
    assert await current_revision(engine) is None
    assert await upgrade(engine) == (None, head_revision())
    assert await upgrade(engine) == (head_revision(), head_revision())


async def test_init_twice_leaves_the_same_contents(engine: AsyncEngine) -> None:
    await _initialise(engine)
    first = await dump(engine)
    await _initialise(engine)
    assert await dump(engine) == first
    assert len(first["communes"]) == 25
    assert len(first["catalogue_items"]) >= 100


async def test_reinstall_reports_no_change_then_applies_an_edit(engine: AsyncEngine) -> None:
    await _initialise(engine)
    territory = load_territory()
    sessions = session_factory(engine)
    async with sessions.begin() as session:
        assert not await install_territory(session, territory)
        assert not await install_catalogue(session, load_catalogue())
    first, *rest = territory.communes
    moved = type(territory)(
        territory.epci,
        territory.name,
        territory.kind,
        territory.source,
        (type(first)(**{**first.__dict__, "population": first.population + 1}), *rest),
    )
    async with sessions.begin() as session:
        changes = await install_territory(session, moved)
    assert (changes.added, changes.updated) == (0, 1)
    async with sessions() as session:
        commune = await session.get(Commune, first.insee)
        assert commune is not None and commune.population == first.population + 1


async def test_one_territory_per_store(engine: AsyncEngine, tmp_path: object) -> None:
    await _initialise(engine)
    other = tmp_path / "other.json"  # type: ignore[operator]
    other.write_text(
        '{"epci": "200000000", "name": "Ailleurs", "kind": "CC", "source": "test", '
        '"communes": [{"insee": "99999", "name": "Nulle-Part", "population": 1, '
        '"town_hall": {"latitude": null, "longitude": null}}]}',
        "utf-8",
    )
    async with session_factory(engine).begin() as session:
        with pytest.raises(TerritoryError, match="sert déjà Lorient Agglomération"):
            await install_territory(session, read_territory_file(other))


async def test_foreign_keys_are_enforced(engine: AsyncEngine) -> None:
    await _initialise(engine)
    need = Need(
        kind=NeedKind.BORROW,
        commune_insee="00000",
        item_label="podium",
        channel=Channel.EMAIL,
    )
    with pytest.raises(IntegrityError):
        async with session_factory(engine).begin() as session:
            session.add(need)


async def test_instants_come_back_aware_in_utc(engine: AsyncEngine) -> None:
    await _initialise(engine)
    paris = dt.timezone(dt.timedelta(hours=2))
    written = dt.datetime(2027, 6, 21, 9, 30, tzinfo=paris)
    async with session_factory(engine).begin() as session:
        session.add(_message("<a@b>", written))
    async with session_factory(engine)() as session:
        message = await session.scalar(select(InboundMessage))
    assert message is not None
    assert message.received_at == written
    assert message.received_at.utcoffset() == dt.timedelta(0)


async def test_naive_instants_are_refused(engine: AsyncEngine) -> None:
    await _initialise(engine)
    with pytest.raises(Exception, match="naive datetime"):
        async with session_factory(engine).begin() as session:
            session.add(_message("<naive@b>", dt.datetime(2027, 1, 1, 8, 0)))


async def test_a_message_is_logged_once_per_channel_and_id(engine: AsyncEngine) -> None:
    await _initialise(engine)

    sessions = session_factory(engine)
    async with sessions.begin() as session:
        session.add(_message("<same@id>"))
    with pytest.raises(IntegrityError):
        async with sessions.begin() as session:
            session.add(_message("<same@id>"))
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(InboundMessage)) == 1


async def test_members_and_senders(engine: AsyncEngine) -> None:
    await _initialise(engine)
    sessions = session_factory(engine)
    async with sessions.begin() as session:
        caudan = await session.get(Commune, "56036")
        assert caudan is not None
        await add_member(
            session,
            caudan,
            Role.CORRESPONDENT,
            name="Anne Le Goff",
            emails=["Anne.LeGoff@Gmail.com"],
            telegram_id=123456789012,
        )
    async with sessions() as session:
        member = await identify_sender(session, "anne.legoff@gmail.com")
        assert member is not None and member.member is not None and member.commune is not None
        assert (member.commune.name, member.member.name) == ("Caudan", "Anne Le Goff")
        town_hall = await identify_sender(session, "services.techniques@lorient.bzh")
        assert town_hall is not None and town_hall.member is None and town_hall.commune
        assert town_hall.commune.insee == "56121"
        assert (await identify_sender(session, "x@st.lorient.bzh")) is not None
        assert await identify_sender(session, "someone@gmail.com") is None
        assert await identify_sender(session, "mairie@lorient.bzh.evil.com") is None
        together = await identify_senders(
            session, ["Anne.LeGoff@gmail.com", "x@st.lorient.bzh", "someone@gmail.com"]
        )
        assert {
            a: s and s.commune and (s.commune.name, s.member is not None)
            for a, s in together.items()
        } == {
            "anne.legoff@gmail.com": ("Caudan", True),
            "x@st.lorient.bzh": ("Lorient", False),
            "someone@gmail.com": None,
        }
    async with sessions.begin() as session:
        lorient = await session.get(Commune, "56121")
        assert lorient is not None
        with pytest.raises(MemberError, match="déjà celle d'un autre membre"):
            await add_member(session, lorient, Role.COORDINATOR, emails=["anne.legoff@gmail.com"])
        with pytest.raises(MemberError, match="déjà celui d'un autre membre"):
            await add_member(session, lorient, Role.COORDINATOR, telegram_id=123456789012)
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Member)) == 1


async def test_need_defaults(engine: AsyncEngine) -> None:
    await _initialise(engine)
    async with session_factory(engine).begin() as session:
        need = Need(
            kind=NeedKind.PURCHASE,
            commune_insee="56193",
            item_id="ganivelle",
            item_label="ganivelles",
            quantity=200,
            deadline=dt.date(2027, 6, 1),
            channel=Channel.TELEGRAM,
        )
        session.add(need)
    async with session_factory(engine)() as session:
        stored = await session.get(Need, need.id)
        assert stored is not None
        assert stored.status is NeedStatus.OPEN
        assert stored.created_at.tzinfo is not None


async def test_sqlite_is_set_up_for_a_service(sqlite_url: str) -> None:
    from storage.database import SQLITE_BUSY_TIMEOUT_MS, create_engine

    engine = create_engine(sqlite_url)
    try:
        async with engine.connect() as connection:
            pragmas = {
                name: (await connection.execute(text(f"PRAGMA {name}"))).scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout")
            }
    finally:
        await engine.dispose()
    assert pragmas == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": SQLITE_BUSY_TIMEOUT_MS,
    }
