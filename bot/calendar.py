"""The calendar in the chat: /calendrier, and the buttons of the questions asked ahead of a
recurring event (Oui / Modifier / Pas cette année)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.keyboards import ANTICIPATION_ANSWERS, AnticipationCB
from bot.listing import acknowledge, communes_only, members_only
from bot.sending import plain, say
from handlers import replies
from handlers.conversation import STALE
from handlers.requests import Requests
from storage.models import Member


async def calendar(
    message: Message, bot: Bot, requests: Requests, member: Member | None,
    clock: Callable[[], dt.datetime],
) -> None:  # fmt: skip
    """/calendrier: the territory's manifestations of the coming weeks."""
    if member is None:
        await say(bot, message.chat.id, plain(replies.STRANGER))
        return
    text = await requests.calendar(member.territory_id, clock().astimezone(requests.zone).date())
    await say(bot, message.chat.id, plain(text))


async def anticipate(
    query: CallbackQuery,
    callback_data: AnticipationCB,
    bot: Bot,
    requests: Requests,
    member: Member,
    clock: Callable[[], dt.datetime],
) -> None:
    """Oui records last year's equipment as needs; the answer goes under the question."""
    choice = ANTICIPATION_ANSWERS.get(callback_data.v)
    if choice is None:
        await query.answer(STALE, show_alert=True)
        return
    assert member.commune_insee is not None  # `communes_only`
    answering = requests.anticipate(callback_data.i, member.commune_insee, choice, clock())
    await acknowledge(query, bot, answering)


def make_router() -> Router:
    """A router of these handlers (one per dispatcher: a router has one parent)."""
    router = Router(name="calendar")
    router.callback_query.outer_middleware(members_only)
    router.callback_query.middleware(communes_only)
    router.message.register(calendar, Command("calendrier"))
    router.callback_query.register(anticipate, AnticipationCB.filter())
    return router
