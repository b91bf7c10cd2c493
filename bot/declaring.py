"""Declaring in conversation: a free text is read, shown as a card, completed by questions,
corrected on request, and recorded only on Confirmer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot import keyboards
from bot.keyboards import AskedCB, CardCB, FixCB, ReplyCB
from bot.sending import plain, say
from handlers import conversation, replies
from handlers.inbound import TELEGRAM_PREFIX, Inbound
from handlers.inbox import Fate, Inbox, Outcome
from handlers.notices import ActionKind
from handlers.requests import Requests
from storage.models import Channel


class Declaring(StatesGroup):
    asking = State()  # a question about a missing or wrong part is waiting for its answer
    confirming = State()  # the card is shown
    naming = State()  # a coordinator was asked for which commune their message is


def inbound(message: Message) -> Inbound:
    """A Telegram message as the inbound message `handlers/` knows."""
    assert message.from_user is not None
    return Inbound(
        Channel.TELEGRAM,
        f"{TELEGRAM_PREFIX}{message.from_user.id}",
        message.text or "",
        message.date,
        f"{message.chat.id}:{message.message_id}",
        message.model_dump_json(exclude_none=True).encode(),
    )


async def _next(bot: Bot, chat_id: int, state: FSMContext, data: dict[str, Any]) -> None:
    """Ask the next missing thing, or show the card."""
    reading = conversation.from_state(data["reading"])
    field = conversation.to_ask(reading, data["skipped"])
    message_id = data["message"]
    if field is not None:
        await state.set_state(Declaring.asking)
        await state.set_data({**data, "field": field, "correcting": False})
        markup = keyboards.replies(message_id, field)
        await say(bot, chat_id, plain(conversation.question(field, reading)), markup)
        return
    await state.set_state(Declaring.confirming)
    await state.set_data(data)
    text = conversation.card(reading, data["commune"])
    markup = keyboards.card(message_id, conversation.yearly(reading))
    await say(bot, chat_id, plain(text), markup)


async def _pending(
    query: CallbackQuery, state: FSMContext, message_id: int, step: State
) -> dict[str, Any] | None:
    """The conversation's data if the button belongs to the declaration in progress at
    that step; else the button is answered as stale."""
    data = await state.get_data()
    if data.get("message") != message_id or await state.get_state() != step.state:
        await query.answer(conversation.STALE, show_alert=True)
        return None
    return data


async def answer(message: Message, state: FSMContext, bot: Bot, inbox: Inbox) -> None:
    """The answer to the question asked: it fills the reading, or the question comes again."""
    data = await state.get_data()
    await inbox.note(inbound(message), data["message"])
    reading = conversation.from_state(data["reading"])
    today = message.date.astimezone(inbox.zone).date()
    field = data["field"]
    filled = conversation.fill(
        reading, field, message.text or "", inbox.reader, today, data["correcting"]
    )
    if filled is None:
        again = f"{replies.ASK_AGAIN} {conversation.question(field, reading)}"
        await say(bot, message.chat.id, plain(again), keyboards.replies(data["message"], field))
        return
    await _next(bot, message.chat.id, state, {**data, "reading": conversation.to_state(filled)})


async def declare(
    message: Message, state: FSMContext, bot: Bot, inbox: Inbox, requests: Requests
) -> None:
    """A new message: logged and read by the inbox, shown back before anything is recorded.
    After « Pour quelle commune ? », it may be that commune, for the message asked about."""
    naming = await state.get_state() == Declaring.naming.state
    about = (await state.get_data()).get("message") if naming else None
    outcome = await inbox.receive(inbound(message), confirmed=False, about=about)
    if outcome.fate is Fate.REFUSED:
        await say(bot, message.chat.id, plain(replies.STRANGER))
        return
    if outcome.fate is not Fate.TO_CONFIRM or outcome.reading is None:
        if outcome.reply:  # a question's answer carries its button to declare the need
            markup = keyboards.actions(outcome.actions)
            await say(bot, message.chat.id, plain(outcome.reply), markup)
        await _await_commune(state, inbox, outcome)
        return
    await _begin(bot, message.chat.id, state, inbox, requests, outcome)


async def _await_commune(state: FSMContext, inbox: Inbox, outcome: Outcome) -> None:
    """« Pour quelle commune ? » was asked: the next message may name it."""
    about = next((a.target for a in outcome.actions if a.kind is ActionKind.NAME_COMMUNE), None)
    if about is None:
        return
    await _replace(state, inbox, about)
    await state.set_state(Declaring.naming)
    await state.set_data({"message": about})


async def _replace(state: FSMContext, inbox: Inbox, message_id: int) -> None:
    """The declaration left unconfirmed in the chat, if another, is dropped for this one."""
    previous = (await state.get_data()).get("message")
    if previous not in (None, message_id):
        await inbox.abandon(previous)


async def on_asked(
    query: CallbackQuery, callback_data: AskedCB, state: FSMContext, bot: Bot, inbox: Inbox,
    requests: Requests,
) -> None:  # fmt: skip
    """Déclarer ce besoin, under the answer to a question: what it asked goes through the
    card (questions, Confirmer) as a declaration written now would."""
    assert query.message is not None
    sender = f"{TELEGRAM_PREFIX}{query.from_user.id}"
    outcome = await inbox.question(callback_data.m, sender)
    if outcome is None:  # declared already, or not this person's question
        await query.answer(replies.DECLARED_ALREADY, show_alert=True)
        return
    await query.answer()
    await _begin(bot, query.message.chat.id, state, inbox, requests, outcome)


async def _begin(
    bot: Bot, chat_id: int, state: FSMContext, inbox: Inbox, requests: Requests, outcome: Outcome
) -> None:
    """A declaration begins: its reading is completed, then shown on a card."""
    assert outcome.message_id is not None and outcome.commune is not None
    assert outcome.reading is not None
    await _replace(state, inbox, outcome.message_id)
    data = {
        "message": outcome.message_id,
        "reading": conversation.to_state(outcome.reading),
        "commune": outcome.commune_name or await requests.commune(outcome.commune),
        "skipped": [],
    }
    await _next(bot, chat_id, state, data)


async def ready_answer(
    query: CallbackQuery,
    callback_data: ReplyCB,
    state: FSMContext,
    bot: Bot,
    inbox: Inbox,
    clock: Callable[[], dt.datetime],
) -> None:
    """A ready answer pressed: a number, or skip the question."""
    data = await _pending(query, state, callback_data.m, Declaring.asking)
    if data is None:
        return
    await query.answer()
    assert query.message is not None
    chat_id = query.message.chat.id
    if callback_data.v == "skip":
        await _next(bot, chat_id, state, {**data, "skipped": [*data["skipped"], data["field"]]})
        return
    reading = conversation.from_state(data["reading"])
    today = clock().astimezone(inbox.zone).date()
    filled = conversation.fill(
        reading, data["field"], callback_data.v, inbox.reader, today, data["correcting"]
    )
    if filled is not None:
        data = {**data, "reading": conversation.to_state(filled)}
    await _next(bot, chat_id, state, data)


async def on_card(
    query: CallbackQuery,
    callback_data: CardCB,
    state: FSMContext,
    bot: Bot,
    inbox: Inbox,
    clock: Callable[[], dt.datetime],
) -> None:
    """Confirmer records; Corriger offers the parts to rewrite; Annuler drops; the yearly
    button makes the event come back every year (or not) before it is confirmed."""
    data = await _pending(query, state, callback_data.m, Declaring.confirming)
    if data is None:
        return
    assert query.message is not None
    chat_id = query.message.chat.id
    reading = conversation.from_state(data["reading"])
    shown = plain(conversation.card(reading, data["commune"]))
    if callback_data.a == "fix":
        await query.answer()
        parts = conversation.corrections(reading)
        markup = keyboards.fixes(callback_data.m, parts)
        await bot.edit_message_text(
            f"{shown}\n\n{plain(replies.WHAT_TO_FIX)}",
            chat_id=chat_id,
            message_id=query.message.message_id,
            reply_markup=markup,
        )
        return
    if callback_data.a == "year":  # set when confirming: the event comes back every year
        conversation.toggle_yearly(reading)
        await state.set_data({**data, "reading": conversation.to_state(reading)})
        await query.answer()
        await bot.edit_message_text(
            plain(conversation.card(reading, data["commune"])),
            chat_id=chat_id,
            message_id=query.message.message_id,
            reply_markup=keyboards.card(callback_data.m, conversation.yearly(reading)),
        )
        return
    if callback_data.a == "no":
        await state.clear()
        await inbox.abandon(callback_data.m)
        await query.answer()
        await _close_card(bot, query, f"{shown}\n\n<i>{plain(replies.DROPPED)}</i>")
        return
    outcome = await inbox.confirm(callback_data.m, reading, clock())
    if outcome.fate is not Fate.FAILED:  # a failure keeps the card for another try
        await state.clear()
    if outcome.fate is Fate.DUPLICATE:
        await query.answer(conversation.STALE, show_alert=True)
        return
    await query.answer(replies.CONFIRMED if outcome.fate is Fate.RECORDED else None)
    if outcome.fate is Fate.RECORDED:
        await _close_card(bot, query, f"{shown}\n\n<i>{plain(replies.CONFIRMED)}</i>")
    if outcome.reply:
        await say(bot, chat_id, plain(outcome.reply))


async def on_fix(
    query: CallbackQuery, callback_data: FixCB, state: FSMContext, bot: Bot, inbox: Inbox
) -> None:
    """The part chosen is asked again; "all" drops the declaration for a rewrite."""
    data = await _pending(query, state, callback_data.m, Declaring.confirming)
    if data is None:
        return
    await query.answer()
    assert query.message is not None
    chat_id = query.message.chat.id
    await bot.edit_message_reply_markup(
        chat_id=chat_id, message_id=query.message.message_id, reply_markup=None
    )
    if callback_data.f == "all":
        await inbox.abandon(callback_data.m)
        await state.clear()
        await say(bot, chat_id, plain(replies.REWRITE))
        return
    reading = conversation.from_state(data["reading"])
    await state.set_state(Declaring.asking)
    await state.set_data({**data, "field": callback_data.f, "correcting": True})
    await say(bot, chat_id, plain(conversation.question(callback_data.f, reading)))


async def _close_card(bot: Bot, query: CallbackQuery, text: str) -> None:
    """The card shows its end and loses its buttons."""
    assert query.message is not None
    await bot.edit_message_text(
        text, chat_id=query.message.chat.id, message_id=query.message.message_id
    )


def make_router() -> Router:
    """A router of these handlers (one per dispatcher: a router has one parent)."""
    router = Router(name="declaring")
    router.message.register(answer, Declaring.asking, F.text, ~F.text.startswith("/"))
    router.message.register(declare, F.text, ~F.text.startswith("/"))
    router.callback_query.register(ready_answer, ReplyCB.filter())
    router.callback_query.register(on_card, CardCB.filter())
    router.callback_query.register(on_fix, FixCB.filter())
    router.callback_query.register(on_asked, AskedCB.filter())
    return router
