"""Telegram's side of the outbox: due notices rendered and sent (with the buttons of the
answers they invite, files after the text), each marked sent or failed."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramNotFound
from aiogram.types import BufferedInputFile
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.notices import render
from bot.sending import say
from handlers.notices import Notice
from storage.models import Channel, OutboxMessage
from storage.outbox import attachments_of, mark_failed, mark_sent, pages

log = logging.getLogger("mutualise.bot")
# The person blocked the bot, or the chat is gone: trying again will not help.
PERMANENT = (TelegramForbiddenError, TelegramNotFound, TelegramBadRequest)


async def deliver_due(
    sessions: async_sessionmaker[AsyncSession], bot: Bot, clock: Callable[[], dt.datetime]
) -> int:
    """Send the due Telegram messages of the outbox; returns how many left."""
    sent = 0
    async for message_id in pages(sessions, Channel.TELEGRAM, clock):
        # One transaction per message: what left is recorded at once.
        async with sessions.begin() as session:
            message = await session.get(OutboxMessage, message_id)
            if message is not None and await _attempt(session, message, bot, clock):
                sent += 1
    return sent


async def _attempt(
    session: AsyncSession, message: OutboxMessage, bot: Bot, clock: Callable[[], dt.datetime]
) -> bool:
    text, markup = render(Notice.of(message))
    files = await attachments_of(session, message.id)
    try:
        await say(bot, message.recipient, text, markup)
        for attachment in files:
            document = BufferedInputFile(attachment.content, filename=attachment.filename)
            await bot.send_document(message.recipient, document)
    except Exception as exc:
        log.warning("outbox %s to Telegram failed: %s", message.id, exc)
        mark_failed(message, clock(), f"{type(exc).__name__}: {exc}", isinstance(exc, PERMANENT))
        return False
    mark_sent(message, clock())
    return True
