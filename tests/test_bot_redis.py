"""Conversation state in the real Redis (127.0.0.1:6379): a declaration begun with one bot
instance is finished with another, as behind a load balancer."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator

import pytest
from aiogram.fsm.storage.base import DefaultKeyBuilder
from aiogram.fsm.storage.redis import RedisStorage
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.dispatcher import build_dispatcher
from handlers.inbox import Inbox
from storage.members import add_member
from storage.models import Commune, Need, Role
from tests.telegram import ChatDriver, buttons, texts
from tests.test_bot import ANNE, READER, clock

REDIS_URL = "redis://127.0.0.1:6379/0"
SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except RedisConnectionError:
        await client.aclose()
        pytest.fail(f"Redis is not running at {REDIS_URL}: start it (see .ci/run)")
    yield client
    await client.aclose()


@SQLITE_ONLY
async def test_a_conversation_moves_between_two_instances(
    sessions: async_sessionmaker[AsyncSession], redis: Redis
) -> None:
    prefix = f"mutualise-test-{uuid.uuid4().hex[:12]}"
    async with sessions.begin() as session:
        riantec = await session.get(Commune, "56193")
        assert riantec is not None
        await add_member(session, riantec, Role.CORRESPONDENT, telegram_id=ANNE)
    inbox = Inbox(sessions, READER)
    instances, numbers = [], itertools.count(1)
    for _ in range(2):
        storage = RedisStorage(redis, key_builder=DefaultKeyBuilder(prefix=prefix))
        instances.append(ChatDriver(build_dispatcher(inbox, clock, storage), clock, numbers))
    first, second = instances
    try:
        calls = await first.say(ANNE, "nous voudrions emprunter des ganivelles le 21 juin")
        assert "Combien" in texts(calls)
        assert await redis.keys(f"{prefix}:*")  # the state lives in Redis, not in memory
        calls = await second.say(ANNE, "80")
        assert "80 ganivelles" in texts(calls)
        await first.press(ANNE, buttons(calls)["Confirmer"])
        async with sessions() as session:
            need = await session.scalar(select(Need))
            assert need is not None and need.quantity == 80
    finally:
        keys = await redis.keys(f"{prefix}:*")
        if keys:
            await redis.delete(*keys)
