"""What every update and every Bot API call goes through: an update is handled once, the
writer is known, flood control is waited out."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import TelegramObject, Update, User

from handlers import replies
from handlers.batching import Gatherer
from handlers.inbox import Inbox
from handlers.pacing import Pace
from storage.database import standalone
from storage.errors import store_unavailable
from storage.inbox import handled_among
from storage.members import members_by_telegram
from storage.models import Member

log = logging.getLogger("mutualise.bot")
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
# Updates handed over together are looked up together: at most this many in one query. 25
# people writing at once made 50 queries (handled already? who writes?), each a round trip
# and its share of the process's time while the others waited for their answer; now 2.
LOOKUPS = 64


class OnceMiddleware(BaseMiddleware):
    """An update Telegram delivers twice (a retry, two instances) is handled once: its id
    is written in the store once it is handled. It is not written when the store could not
    take it, so that the update, fetched again, is handled once the store is back; the chat
    lock of the dispatcher keeps two deliveries of one update from running side by side.

    The member behind the Telegram account (None for a stranger) is put in `member`, looked
    up at the same time on a connection of its own: one round trip's wait, not two one
    after the other, before the update is handled."""

    def __init__(self, inbox: Inbox, clock: Callable[[], dt.datetime]) -> None:
        self.inbox = inbox
        self.clock = clock
        self._seen: Gatherer[int, bool] = Gatherer(self._handled, LOOKUPS)
        self._members: Gatherer[int, Member | None] = Gatherer(self._find, LOOKUPS)

    async def _handled(self, update_ids: list[int]) -> list[bool | BaseException]:
        known = await handled_among(self.inbox.sessions, update_ids)
        return [u in known for u in update_ids]

    async def _find(self, telegram_ids: list[int]) -> list[Member | BaseException | None]:
        async with standalone(self.inbox.sessions) as session:
            found = await members_by_telegram(session, telegram_ids)
        return [found[i] for i in telegram_ids]

    async def _member(self, user: User | None) -> Member | None:
        return await self._members(user.id) if user else None

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        seen, data["member"] = await asyncio.gather(
            self._seen(event.update_id), self._member(data.get("event_from_user"))
        )
        if seen:
            log.info("update %s delivered again: skipped", event.update_id)
            return None
        try:
            result = await handler(event, data)
        except Exception as exc:
            if not store_unavailable(exc):  # a bug: apologised for, not tried again
                await self.inbox.handled(event.update_id, self.clock())
            raise
        await self.inbox.handled(event.update_id, self.clock())
        return result


class PaceMiddleware(BaseMiddleware):
    """A person flooding the bot is slowed down, alone: their next update waits its turn
    (told once), while the others' are handled as they come. Nothing is dropped."""

    def __init__(
        self, pace: Pace, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    ) -> None:
        self.pace = pace
        self.sleep = sleep

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        told = False
        while (wait := self.pace.wait(str(user.id))) > 0:
            bot: Bot | None = data.get("bot")
            if not told and bot is not None:
                told = True
                log.warning("Telegram user %s is writing too fast: waiting %.0f s", user.id, wait)
                with contextlib.suppress(Exception):
                    await bot.send_message(user.id, replies.SLOW_DOWN)
            await self.sleep(wait)
        return await handler(event, data)


class RetryAfterMiddleware(BaseRequestMiddleware):
    """Flood control: wait as long as Telegram asks, then send again; never drop."""

    def __init__(self, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.sleep = sleep

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                log.warning(
                    "flood control on %s: waiting %s s", type(method).__name__, exc.retry_after
                )
                await self.sleep(exc.retry_after)
