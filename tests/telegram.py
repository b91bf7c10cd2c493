"""A chat to drive the bot's dispatcher in tests: the offline chat of `bot/offline.py`, with
a session that can also ask to wait as Telegram's flood control does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from aiogram import Dispatcher
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import AnswerCallbackQuery, TelegramMethod

from bot.middlewares import RetryAfterMiddleware
from bot.offline import BOT_ID, OfflineChat, OfflineSession, keyboard

__all__ = ["BOT_ID", "ChatDriver", "RecordingSession", "alerts", "buttons", "texts"]


class RecordingSession(OfflineSession):
    """Records the calls; answers with plausible results; can ask to wait once."""

    def __init__(self) -> None:
        super().__init__()
        self.flood: dict[str, int] = {}  # method name -> seconds to ask to wait, once
        self.waits: list[float] = []

        async def sleep(seconds: float) -> None:
            self.waits.append(seconds)

        self.middleware(RetryAfterMiddleware(sleep))

    def refuse(self, method: TelegramMethod[Any]) -> None:
        name = type(method).__name__
        if name in self.flood:
            raise TelegramRetryAfter(method, "Too Many Requests", self.flood.pop(name))


class ChatDriver(OfflineChat):
    """People writing to the bot and pressing its buttons, with a recording session."""

    session: RecordingSession

    def __init__(
        self,
        dispatcher: Dispatcher,
        clock: Callable[[], dt.datetime],
        numbers: Iterator[int] | None = None,
    ) -> None:
        super().__init__(dispatcher, clock, RecordingSession(), numbers)


def texts(calls: list[TelegramMethod[Any]]) -> str:
    """Everything the bot wrote or showed in these calls, one block."""
    found = [getattr(call, "text", None) for call in calls]
    return "\n".join(text for text in found if isinstance(text, str))


def buttons(calls: list[TelegramMethod[Any]]) -> dict[str, str]:
    """The buttons of the last keyboard in these calls: label -> callback data."""
    for call in reversed(calls):
        if shown := keyboard(call):
            return shown
    return {}


def alerts(calls: list[TelegramMethod[Any]]) -> list[str]:
    """What pressed buttons answered in a pop-up."""
    return [c.text or "" for c in calls if isinstance(c, AnswerCallbackQuery) and c.show_alert]
