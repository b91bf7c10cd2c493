"""The commune's needs and offers (/besoins), its proposals (/propositions), and the
buttons on them: withdraw, accept, refuse."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message, TelegramObject

from bot import keyboards
from bot.keyboards import DECLARATIONS, ProposalCB, WithdrawCB
from bot.middlewares import Handler
from bot.notices import render
from bot.sending import plain, rewrite, say
from handlers import replies
from handlers.requests import Declaration, Requests, StaleError
from storage.models import Member


async def members_only(handler: Handler, query: TelegramObject, data: dict[str, Any]) -> Any:
    """Buttons act for a commune: a stranger's press does nothing."""
    if data.get("member") is None:
        assert isinstance(query, CallbackQuery)
        return await query.answer(replies.STRANGER, show_alert=True)
    return await handler(query, data)


async def communes_only(handler: Handler, query: TelegramObject, data: dict[str, Any]) -> Any:
    """This router's buttons act for the member's commune: a coordinator's press does
    nothing (they belong to the territory, and answer for no commune). Inner: it sees only
    the presses the router handles."""
    refusal = _refusal(data.get("member"))
    if refusal is not None:
        assert isinstance(query, CallbackQuery)
        return await query.answer(refusal[:200], show_alert=True)
    return await handler(query, data)


def _refusal(member: Member | None) -> str | None:
    """Why this writer cannot act for a commune, or None: a stranger, or a coordinator."""
    if member is None:
        return replies.STRANGER
    return replies.NO_COMMUNE if member.commune_insee is None else None


# Telegram keyboards stay usable up to a few dozen buttons; more is listed without one.
MAX_BUTTONS = 30
MAX_PROPOSALS = 10


async def needs(message: Message, bot: Bot, requests: Requests, member: Member | None) -> None:
    """/besoins: what the commune asks and offers, each with a button to withdraw it."""
    refusal = _refusal(member)
    if refusal is not None:
        await say(bot, message.chat.id, plain(refusal))
        return
    assert member is not None and member.commune is not None
    found = await requests.declarations(member.commune.insee)
    lines = [f"{n + 1}. {d.text}" for n, d in enumerate(found)]
    text = replies.declarations(member.commune.name, lines)
    buttons = [(d.kind, d.id) for d in found[:MAX_BUTTONS]]
    markup = keyboards.withdrawals(buttons) if buttons else None
    await say(bot, message.chat.id, plain(text), markup)


async def proposals(message: Message, bot: Bot, requests: Requests, member: Member | None) -> None:
    """/propositions: each proposal for the commune, with Accepter / Refuser when due."""
    refusal = _refusal(member)
    if refusal is not None:
        await say(bot, message.chat.id, plain(refusal))
        return
    assert member is not None and member.commune_insee is not None
    notices = await requests.proposals(member.commune_insee)
    if not notices:
        await say(bot, message.chat.id, plain(replies.NO_PROPOSALS))
        return
    for notice in notices[:MAX_PROPOSALS]:
        await say(bot, message.chat.id, *render(notice))


async def withdraw(
    query: CallbackQuery,
    callback_data: WithdrawCB,
    bot: Bot,
    requests: Requests,
    member: Member,
    clock: Callable[[], dt.datetime],
) -> None:
    """Retirer: the need or offer is withdrawn, with the proposals built on it."""
    kinds = {short: kind for kind, short in DECLARATIONS.items()}
    kind = kinds.get(callback_data.k, Declaration.OFFER)
    assert member.commune_insee is not None  # `communes_only`
    await acknowledge(
        query, bot, requests.withdraw(member.commune_insee, kind, callback_data.i, clock())
    )


async def acknowledge(query: CallbackQuery, bot: Bot, action: Awaitable[str]) -> None:
    """Say what a pressed button did, or answer a stale one with an alert."""
    try:
        done = await action
    except StaleError as exc:
        await query.answer(str(exc), show_alert=True)
        return
    await query.answer()
    assert query.message is not None
    await say(bot, query.message.chat.id, plain(done))


async def answer(
    query: CallbackQuery,
    callback_data: ProposalCB,
    bot: Bot,
    requests: Requests,
    member: Member,
    clock: Callable[[], dt.datetime],
) -> None:
    """Accepter / Refuser, for the member's own commune; the message shows the new state."""
    accept = callback_data.a == "y"
    assert query.message is not None
    chat = query.message.chat.id
    assert member.commune_insee is not None  # `communes_only`
    try:
        done = await requests.answer(
            callback_data.p, member.commune_insee, accept, clock(), str(chat)
        )
    except StaleError as exc:
        await query.answer(str(exc), show_alert=True)
        return
    await query.answer(done.reply[:200])
    text, markup = render(done.notice)
    await rewrite(bot, chat, query.message.message_id, text, markup)


def make_router() -> Router:
    """A router of these handlers (one per dispatcher: a router has one parent)."""
    router = Router(name="listing")
    router.callback_query.outer_middleware(members_only)
    router.callback_query.middleware(communes_only)
    router.message.register(needs, Command("besoins"))
    router.message.register(proposals, Command("propositions"))
    router.callback_query.register(withdraw, WithdrawCB.filter())
    router.callback_query.register(answer, ProposalCB.filter())
    return router
