"""Telegram's side of the outbox: due notices rendered and sent (with the buttons of the
answers they invite, files after the text), each marked sent or failed, with the id of the
message it became; a notice that rewrites one already shown edits it in place. Several
chats are written to at once, each chat's messages in their order."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramNotFound
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.notices import render
from bot.sending import rewrite, say
from bot.splitting import split
from handlers.notices import Notice
from storage.models import Channel, OutboxMessage, OutboxStatus
from storage.outbox import Wave, mark_failed, mark_sent, send_due

log = logging.getLogger("mutualise.bot")
# The person blocked the bot, or the chat is gone: trying again will not help.
PERMANENT = (TelegramForbiddenError, TelegramNotFound, TelegramBadRequest)
# Telegram's words (in its Bad Request) for an edit that changes nothing: done already.
UNCHANGED = "message is not modified"
# ... and for a message no longer there (deleted in the chat): nothing left to rewrite.
GONE = "message to edit not found"


# Chats written to at once in a wave: one chat's messages go one after the other, in order,
# while other chats' go side by side (Telegram answers each call in tens of milliseconds;
# one after the other, a burst's proposals to 50 chats waited seconds). Flood control, if
# Telegram asks for it, is waited out by the session's middleware.
CHATS_AT_ONCE = 8


async def deliver_due(
    sessions: async_sessionmaker[AsyncSession], bot: Bot, clock: Callable[[], dt.datetime]
) -> int:
    """Send the due Telegram messages of the outbox; returns how many left."""
    sent = 0

    async def send(wave: Wave) -> None:
        nonlocal sent
        chats: dict[str, list[OutboxMessage]] = {}
        for message in wave.messages:
            chats.setdefault(message.recipient, []).append(message)
        room = asyncio.Semaphore(CHATS_AT_ONCE)

        async def chat(messages: list[OutboxMessage]) -> int:
            async with room:
                return sum([await _attempt(wave, m, bot, clock) for m in messages])

        sent += sum(await asyncio.gather(*(chat(m) for m in chats.values())))

    await send_due(sessions, Channel.TELEGRAM, clock, send)
    return sent


async def _attempt(
    wave: Wave, message: OutboxMessage, bot: Bot, clock: Callable[[], dt.datetime]
) -> bool:
    try:
        text, markup = render(Notice.of(message))
        if message.edits is not None:
            original = wave.originals.get(message.edits)
            shown = await _edit(original, message, bot, text, markup)
        else:
            shown = (await say(bot, message.recipient, text, markup)).message_id
        for attachment in wave.files.get(message.id, []):
            document = BufferedInputFile(attachment.content, filename=attachment.filename)
            await bot.send_document(message.recipient, document)
    except Exception as exc:
        log.warning("outbox %s to Telegram failed: %s", message.id, exc)
        mark_failed(message, clock(), f"{type(exc).__name__}: {exc}", isinstance(exc, PERMANENT))
        return False
    mark_sent(message, clock(), shown)
    return True


async def _edit(
    original: OutboxMessage | None,
    message: OutboxMessage,
    bot: Bot,
    text: str,
    markup: InlineKeyboardMarkup | None,
) -> int | None:
    """Rewrite the message shown for outbox message `message.edits` (`original`); where it cannot be
    edited (too long now, too old), send the new text as a new message, which later
    rewrites edit. Not sent yet, the message leaves with the new text. Returns the id of
    the message that shows the text, if any."""
    if original is None or original.status is OutboxStatus.DEAD:
        return None
    if original.status is not OutboxStatus.SENT:
        original.subject, original.body = message.subject, message.body
        original.actions = message.actions
        return None
    target = original.shown_as
    if target is None:
        return None  # sent before messages kept their number: nothing to rewrite
    if len(split(text)) == 1:
        try:
            await rewrite(bot, message.recipient, target, text, markup)
            return target
        except TelegramBadRequest as exc:
            said = exc.message.lower()
            if UNCHANGED in said:
                return target
            if GONE in said:
                return None
            log.info("outbox %s: message %s not editable (%s), sent anew", message.id, target, exc)
    shown = (await say(bot, message.recipient, text, markup)).message_id
    original.shown_as = shown
    return shown
