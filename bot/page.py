"""/web: a one-time link to the territory's shared page, for a registered member."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import Message

from bot.sending import plain, say
from handlers import replies
from handlers.requests import Requests
from storage.models import Member


async def link(
    message: Message, bot: Bot, requests: Requests, member: Member | None,
    clock: Callable[[], dt.datetime], web_url: str,
) -> None:  # fmt: skip
    """Send the member a link that opens the page once, for them alone."""
    if member is None or message.from_user is None:
        await say(bot, message.chat.id, plain(replies.STRANGER))
        return
    text = await requests.web_link(message.from_user.id, clock(), web_url)
    await say(bot, message.chat.id, plain(text))


def make_router() -> Router:
    """A router of this handler (one per dispatcher: a router has one parent)."""
    router = Router(name="page")
    router.message.register(link, Command("web"))
    return router
