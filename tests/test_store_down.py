"""The store down under the bot: with the SQLite file locked by another writer, or the
PostgreSQL database refusing connections, Telegram updates are not confirmed (long polling)
or answered with a 5xx (webhook); once the store is back each is handled exactly once."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import sqlite3
from collections.abc import AsyncIterator

import asyncpg
import pytest
from aiohttp import ClientSession
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.service import running_bot
from handlers import replies
from handlers.cli.ports import Port, opened
from handlers.inbox import Inbox
from handlers.settings import Settings
from storage import database
from storage.database import create_engine, session_factory
from storage.members import add_member
from storage.models import Commune, InboundMessage, Need, Role, TelegramUpdate
from tests.botapi import BotAPI, Call, serving
from tests.conftest import _admin_dsn
from tests.readers import shared_reader
from tests.test_bot_service import to
from tests.test_service import free_port

ANNE, STRANGER = 1001, 666
NEED = "il nous faudrait 200 ganivelles pour le 21 juin"


@contextlib.asynccontextmanager
async def store_down(url: str) -> AsyncIterator[None]:
    """The store unavailable for the block: the SQLite file held by another writer
    (BEGIN EXCLUSIVE), or the PostgreSQL database closed to connections, its own cut."""
    if url.startswith("sqlite"):
        holder = sqlite3.connect(make_url(url).database or "", isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    name = make_url(url).database
    admin = await asyncpg.connect(_admin_dsn())
    try:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
        yield
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.close()


@pytest.fixture
async def bot_sessions(
    store_url: str,
    sessions: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """The bot's own engine, whose SQLite writers give up on a lock after 0.2 s (10 s in
    service) so that the test sees many failed attempts; Anne is on Telegram."""
    async with sessions.begin() as session:
        riantec = await session.get(Commune, "56193")
        assert riantec is not None
        await add_member(session, riantec, Role.CORRESPONDENT, name="Anne", telegram_id=ANNE)
    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_MS", 200)
    engine = create_engine(store_url)
    yield session_factory(engine)
    await engine.dispose()


def settings(port: int, **more: object) -> Settings:
    return Settings(
        telegram_token=SecretStr("42:TEST-TOKEN"),
        telegram_api=f"http://127.0.0.1:{port}",
        store_retry=0.2,
        **more,  # type: ignore[arg-type]
    )


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def count(sessions: async_sessionmaker[AsyncSession], model: type) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def sent(api: BotAPI, user: int) -> list[Call]:
    return [c for c in api.calls if to(user)(c)]


async def test_polling_confirms_nothing_while_the_store_is_down(
    store_url: str, bot_sessions: async_sessionmaker[AsyncSession]
) -> None:
    inbox = Inbox(bot_sessions, shared_reader())
    async with serving() as (api, port), running_bot(settings(port), inbox, now) as (_, _flush):
        async with store_down(store_url):
            await api.message(ANNE, NEED)
            await api.message(STRANGER, NEED)
            await asyncio.sleep(1.5)  # several attempts, every one refused by the store
            assert sent(api, ANNE) == [] and sent(api, STRANGER) == []
            assert len(api.updates) == 2  # not confirmed: Telegram keeps them
        card = await api.wait_for(lambda c: to(ANNE)(c) and "Confirmer" in c.buttons)
        refusal = await api.wait_for(to(STRANGER))
        assert "pas encore inscrit" in refusal.text
        assert card.message_id is not None
        await api.press(ANNE, card.buttons["Confirmer"], card.message_id)
        edited = await api.wait_for(to(ANNE, "editMessageText"))
        assert "Enregistré" in edited.text
        await asyncio.sleep(0.5)  # time for a wrong second handling to show
        assert len([c for c in sent(api, ANNE) if "Confirmer" in c.buttons]) == 1
        assert len(sent(api, STRANGER)) == 1
        assert all(replies.APOLOGY not in c.text for c in api.calls)
    assert await count(bot_sessions, InboundMessage) == 2
    assert await count(bot_sessions, Need) == 1
    assert await count(bot_sessions, TelegramUpdate) == 3


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_a_paused_person_does_not_hold_up_the_others(
    bot_sessions: async_sessionmaker[AsyncSession],
) -> None:
    inbox = Inbox(bot_sessions, shared_reader())
    async with serving() as (api, port):
        paced = settings(port, sender_limit=1, sender_window=600)
        async with running_bot(paced, inbox, now):
            await api.message(ANNE, "/aide")
            await api.message(ANNE, "/aide")  # waits ten minutes
            await api.wait_for(lambda c: to(ANNE)(c) and replies.SLOW_DOWN in c.text)
            await api.message(STRANGER, "/aide")
            await api.wait_for(to(STRANGER), seconds=5)  # served at once


async def test_the_webhook_answers_5xx_while_the_store_is_down(
    store_url: str, bot_sessions: async_sessionmaker[AsyncSession]
) -> None:
    hook = free_port()
    url = f"http://127.0.0.1:{hook}/telegram"
    update = {
        "update_id": 7,
        "message": {
            "message_id": 1, "date": 0, "chat": {"id": ANNE, "type": "private"},
            "from": {"id": ANNE, "is_bot": False, "first_name": "Anne"}, "text": NEED,
        },
    }  # fmt: skip
    inbox = Inbox(bot_sessions, shared_reader())
    async with serving() as (api, port):
        hooked = settings(port, telegram_webhook_url=url, telegram_webhook_port=hook)
        # The webhook's port opened first, as `mutualise run` opens every port.
        port_of_hook = Port("127.0.0.1", hook, "webhook Telegram", "TELEGRAM_WEBHOOK")
        with opened([port_of_hook]) as (webhook,):
            async with running_bot(hooked, inbox, now, webhook=webhook), ClientSession() as client:
                async with store_down(store_url), client.post(url, json=update) as response:
                    assert response.status >= 500  # Telegram will send it again
                assert sent(api, ANNE) == []
                for _ in range(2):  # sent again, then once more by an impatient Telegram
                    async with client.post(url, json=update) as response:
                        assert response.status == 200
    assert len([c for c in sent(api, ANNE) if "Confirmer" in c.buttons]) == 1
    assert await count(bot_sessions, InboundMessage) == 1
