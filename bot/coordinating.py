"""What coordinators alone may ask: the matching digest now (/digest), the semester
summary (/semestre)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message

from bot.digests import DigestKind, Digests
from bot.sending import plain, say
from handlers import replies
from storage.models import Member, Role

KINDS: dict[str, DigestKind] = {"digest": "matching", "semestre": "semester"}


async def digest(
    message: Message,
    command: CommandObject,
    bot: Bot,
    member: Member | None,
    digests: Digests,
    clock: Callable[[], dt.datetime],
) -> None:
    """Render the digest asked for and send it, with its files."""
    if member is None:
        await say(bot, message.chat.id, plain(replies.STRANGER))
        return
    if member.role is not Role.COORDINATOR:
        await say(bot, message.chat.id, plain(replies.COORDINATORS_ONLY))
        return
    rendered = await digests(KINDS[command.command], clock())
    await say(bot, message.chat.id, rendered.html)
    for name, content in rendered.files:
        await bot.send_document(message.chat.id, BufferedInputFile(content, filename=name))


def make_router() -> Router:
    """A router of these handlers (one per dispatcher: a router has one parent)."""
    router = Router(name="coordinating")
    router.message.register(digest, Command(*KINDS))
    return router
