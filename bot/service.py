"""The bot as part of `mutualise run`: long polling (or a webhook behind a reverse proxy),
and the Telegram side of the outbox, started and stopped together."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import PRODUCTION, TelegramAPIServer
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation
from aiogram.fsm.storage.redis import RedisStorage
from aiohttp import web

from bot.delivery import deliver_due
from bot.digests import Digests, not_yet
from bot.dispatcher import build_dispatcher
from bot.middlewares import RetryAfterMiddleware
from bot.polling import Polling
from bot.sending import COMMANDS
from handlers.inbox import Inbox
from handlers.pacing import Pace
from handlers.settings import Settings

log = logging.getLogger("mutualise.bot")
# How long one getUpdates waits for news before asking again.
POLLING_TIMEOUT = 10


def make_bot(settings: Settings) -> Bot:
    """The Bot on the configured Bot API server, waiting out flood control."""
    api = (
        TelegramAPIServer.from_base(settings.telegram_api) if settings.telegram_api else PRODUCTION
    )
    session = AiohttpSession(api=api)
    session.middleware(RetryAfterMiddleware())
    return Bot(settings.telegram_token.get_secret_value(), session=session)


def make_storage(settings: Settings) -> tuple[BaseStorage, BaseEventIsolation]:
    """Conversation state: Redis when configured (several instances), else memory."""
    if settings.redis_url:
        redis = RedisStorage.from_url(settings.redis_url)
        return redis, redis.create_isolation()
    return MemoryStorage(), SimpleEventIsolation()


async def bot_username(settings: Settings) -> str | None:
    """The bot's username for invitation links: configured, else asked of the Bot API."""
    if settings.telegram_bot:
        return settings.telegram_bot.removeprefix("@")
    if not settings.telegram_token.get_secret_value():
        return None
    bot = make_bot(settings)
    try:
        return (await bot.get_me()).username
    finally:
        await bot.session.close()


@contextlib.asynccontextmanager
async def running_bot(
    settings: Settings,
    inbox: Inbox,
    clock: Callable[[], dt.datetime],
    digests: Digests = not_yet,
    webhook: Sequence[socket.socket] = (),
) -> AsyncIterator[tuple[str, Callable[[], Awaitable[int]]]]:
    """Serve the bot until the block ends; yields how it listens, in French, and the flush
    of the Telegram outbox, which the scheduler's lease holder runs (one sender). A webhook
    listens on the `webhook` sockets opened for it, if given."""
    bot = make_bot(settings)
    storage, isolation = make_storage(settings)
    pace = Pace(settings.sender_limit, settings.sender_window)
    dispatcher = build_dispatcher(inbox, clock, storage, digests, isolation, pace,
                                  settings.web_url)  # fmt: skip
    tasks: list[asyncio.Task[None]] = []
    runner: web.AppRunner | None = None
    try:
        me = await bot.get_me()
        await bot.set_my_commands(COMMANDS)
        if settings.telegram_webhook_url:
            runner = await _webhook(settings, bot, dispatcher, webhook)
            how = f"par webhook ({settings.telegram_webhook_host}:{settings.telegram_webhook_port})"
        else:
            await bot.delete_webhook()
            polling = Polling(bot, dispatcher, timeout=POLLING_TIMEOUT, retry=settings.store_retry)
            tasks.append(asyncio.create_task(polling.run()))
            how = "par interrogation longue"
        flush = functools.partial(deliver_due, inbox.sessions, bot, clock)
        yield f"Bot Telegram @{me.username} à l'écoute {how}.", flush
    finally:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if runner is not None:
            await runner.cleanup()
        await storage.close()
        await isolation.close()
        await bot.session.close()


async def _webhook(
    settings: Settings, bot: Bot, dispatcher: Dispatcher, sockets: Sequence[socket.socket]
) -> web.AppRunner:
    """An aiohttp app receiving updates behind the reverse proxy; the secret is checked."""
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application

    from handlers.cli.calendar_feed import start_sites, without_versions

    secret = settings.telegram_webhook_secret.get_secret_value() or None
    app = web.Application()
    path = urlsplit(settings.telegram_webhook_url).path or "/"
    # Answered once handled: a store that is down makes a 5xx, and Telegram sends it again.
    handler = SimpleRequestHandler(dispatcher, bot, handle_in_background=False, secret_token=secret)
    handler.register(app, path=path)
    setup_application(app, dispatcher, bot=bot)
    without_versions(app)
    runner = web.AppRunner(app)
    await runner.setup()
    host, port = settings.telegram_webhook_host, settings.telegram_webhook_port
    await start_sites(runner, host, port, sockets)
    await bot.set_webhook(
        settings.telegram_webhook_url,
        secret_token=secret,
        allowed_updates=dispatcher.resolve_used_update_types(),
    )
    return runner
