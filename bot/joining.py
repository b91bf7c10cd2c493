"""Joining with an invitation (/start CODE), help, and dropping what is in progress."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import BotCommandScopeChat, Message

from bot.sending import COORDINATOR_COMMANDS, plain, say
from handlers import replies
from handlers.inbox import Inbox
from handlers.requests import Requests
from storage.errors import MutualiseError
from storage.models import Member, Role

# Wrong invitation codes allowed per Telegram account and hour.
MAX_WRONG_CODES = 5
WINDOW = 3600


def helping(member: Member) -> str:
    """The help a member reads."""
    extra = replies.HELP_COORDINATOR if member.role is Role.COORDINATOR else ""
    return replies.HELP + extra


async def start(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    bot: Bot,
    requests: Requests,
    member: Member | None,
    clock: Callable[[], dt.datetime],
) -> None:
    """/start CODE joins; /start alone greets a member, or explains to a stranger."""
    assert message.from_user is not None
    if not command.args:
        await say(bot, message.chat.id, plain(helping(member) if member else replies.STRANGER))
        return
    # Counted in the FSM storage, beside the conversation but apart from it: shared by
    # every instance when it is Redis, and not reset by /annuler.
    key = StorageKey(bot.id, message.chat.id, message.from_user.id, destiny="invitations")
    attempts = [
        t for t in (await state.storage.get_data(key)).get("wrong", []) if t > time.time() - WINDOW
    ]
    if len(attempts) >= MAX_WRONG_CODES:
        await say(bot, message.chat.id, plain(replies.WRONG_CODES))
        return
    user = message.from_user
    try:
        joined = await requests.join(command.args, user.id, user.full_name, clock())
    except MutualiseError as exc:
        await state.storage.set_data(key, {"wrong": [*attempts, time.time()]})
        await say(bot, message.chat.id, plain(str(exc)))
        return
    coordinator = joined.role is Role.COORDINATOR
    if coordinator:
        scope = BotCommandScopeChat(chat_id=message.chat.id)
        await bot.set_my_commands(COORDINATOR_COMMANDS, scope=scope)
    text = replies.welcome(user.full_name, joined.place, coordinator)
    await say(bot, message.chat.id, plain(text))


async def help_(message: Message, bot: Bot, member: Member | None) -> None:
    """/aide."""
    await say(bot, message.chat.id, plain(helping(member) if member else replies.STRANGER))


async def drop(message: Message, state: FSMContext, bot: Bot, inbox: Inbox) -> None:
    """/annuler: the declaration in progress is dropped, nothing recorded."""
    pending = (await state.get_data()).get("message")
    await state.clear()
    if pending is None:
        await say(bot, message.chat.id, plain(replies.NOTHING_PENDING))
        return
    await inbox.abandon(pending)
    await say(bot, message.chat.id, plain(replies.DROPPED))


def make_router() -> Router:
    """A router of these handlers (one per dispatcher: a router has one parent)."""
    router = Router(name="joining")
    router.message.register(start, CommandStart())
    router.message.register(help_, Command("aide", "help"))
    router.message.register(drop, Command("annuler"))
    return router
