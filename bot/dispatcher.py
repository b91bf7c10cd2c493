"""The dispatcher: routers, middlewares, the services handlers receive, and the error
handler that keeps tracebacks out of the chat."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from aiogram import Bot, Dispatcher, F
from aiogram.enums import ChatType
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation
from aiogram.types import ErrorEvent

from bot import calendar, coordinating, declaring, joining, listing, page
from bot.digests import Digests, not_yet
from bot.middlewares import OnceMiddleware, PaceMiddleware
from bot.sending import plain
from handlers import replies
from handlers.inbox import Inbox
from handlers.pacing import Pace
from handlers.requests import Requests
from storage.errors import store_unavailable
from storage.models import Channel

log = logging.getLogger("mutualise.bot")


def build_dispatcher(
    inbox: Inbox,
    clock: Callable[[], dt.datetime],
    storage: BaseStorage | None = None,
    digests: Digests = not_yet,
    isolation: BaseEventIsolation | None = None,
    pace: Pace | None = None,
    web_url: str = "",
) -> Dispatcher:
    """A dispatcher serving the inbox; conversation state in `storage` (memory by default),
    one update of a chat at a time."""
    requests = Requests(inbox, Channel.TELEGRAM)
    dispatcher = Dispatcher(
        storage=storage or MemoryStorage(),
        events_isolation=isolation or SimpleEventIsolation(),
        inbox=inbox,
        requests=requests,
        clock=clock,
        digests=digests,
        web_url=web_url,
    )
    dispatcher.update.outer_middleware(OnceMiddleware(inbox, clock))
    if pace is not None:
        dispatcher.update.outer_middleware(PaceMiddleware(pace))
    # Private chats only: in a group, a member's /besoins would show the commune's needs to
    # everyone there, and anyone could press the buttons under a card.
    dispatcher.message.filter(F.chat.type == ChatType.PRIVATE)
    dispatcher.callback_query.filter(F.message.chat.type == ChatType.PRIVATE)
    # Commands first: "/annuler" must not be read as an answer to a question.
    dispatcher.include_routers(
        joining.make_router(),
        listing.make_router(),
        calendar.make_router(),
        page.make_router(),
        coordinating.make_router(),
        declaring.make_router(),
    )
    # A store that is down is no bug: the error goes on to the polling loop (or the webhook,
    # as a 5xx), and Telegram delivers the update again once the store is back.
    dispatcher.errors.register(_apologise, _not_an_outage)
    return dispatcher


def _not_an_outage(event: ErrorEvent) -> bool:
    return not store_unavailable(event.exception)


async def _apologise(event: ErrorEvent, bot: Bot) -> None:
    """Log the failure; the person reads a short apology, never a traceback."""
    log.error("update %s failed", event.update.update_id, exc_info=event.exception)
    update = event.update
    chat_id = None
    if update.message is not None:
        chat_id = update.message.chat.id
    elif update.callback_query is not None and update.callback_query.message is not None:
        chat_id = update.callback_query.message.chat.id
    if chat_id is None:
        return
    try:
        await bot.send_message(chat_id, plain(replies.APOLOGY))
    except Exception:  # the chat may be what fails: nothing more to do
        log.exception("apology to chat %s failed", chat_id)
