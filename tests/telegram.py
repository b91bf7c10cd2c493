"""A chat to drive the bot's dispatcher in tests: updates fed with `feed_update`, and a
session that records every Bot API call and answers it as Telegram would."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import AsyncGenerator, Callable, Iterator
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    GetMe,
    SendDocument,
    SendMessage,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import Chat, InlineKeyboardMarkup, Message, Update, User

from bot.middlewares import RetryAfterMiddleware

BOT_ID = 42


class RecordingSession(BaseSession):
    """Records the calls; answers with plausible results; can ask to wait once."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[TelegramMethod[Any]] = []
        self.flood: dict[str, int] = {}  # method name -> seconds to ask to wait, once
        self.waits: list[float] = []
        self._ids = itertools.count(1000)

        async def sleep(seconds: float) -> None:
            self.waits.append(seconds)

        self.middleware(RetryAfterMiddleware(sleep))

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 (aiogram's signature)
    ) -> TelegramType:
        name = type(method).__name__
        if name in self.flood:
            raise TelegramRetryAfter(method, "Too Many Requests", self.flood.pop(name))
        self.calls.append(method)
        return self._result(method)  # type: ignore[no-any-return]

    def _result(self, method: TelegramMethod[Any]) -> Any:
        now = dt.datetime.now(dt.UTC)
        if isinstance(method, GetMe):
            return User(id=BOT_ID, is_bot=True, first_name="mutualise", username="mutualise_bot")
        if isinstance(method, (SendMessage, SendDocument)):
            chat = Chat(id=int(method.chat_id), type="private")
            text = getattr(method, "text", None)
            return Message(message_id=next(self._ids), date=now, chat=chat, text=text)
        if isinstance(method, (EditMessageText, EditMessageReplyMarkup)):
            return True
        if isinstance(method, AnswerCallbackQuery):
            return True
        return True

    async def close(self) -> None:
        pass

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 (aiogram's signature)
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield b""


class ChatDriver:
    """People writing to the bot and pressing its buttons, one update at a time."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        clock: Callable[[], dt.datetime],
        numbers: Iterator[int] | None = None,
    ) -> None:
        self.session = RecordingSession()
        self.bot = Bot(f"{BOT_ID}:TEST", session=self.session)
        self.dispatcher = dispatcher
        self.clock = clock
        # Update and message numbers: one sequence, shared by instances of one bot.
        self._updates = numbers or itertools.count(1)
        self._messages = self._updates

    async def feed(self, raw: dict[str, Any]) -> None:
        update = Update.model_validate(raw, context={"bot": self.bot})
        await self.dispatcher.feed_update(self.bot, update)

    def message(self, user: int, text: str) -> dict[str, Any]:
        """A raw update: `user` writes `text` in their private chat."""
        return {
            "update_id": next(self._updates),
            "message": {
                "message_id": next(self._messages),
                "date": int(self.clock().timestamp()),
                "chat": {"id": user, "type": "private"},
                "from": {"id": user, "is_bot": False, "first_name": f"Personne {user}"},
                "text": text,
            },
        }

    async def say(self, user: int, text: str) -> list[TelegramMethod[Any]]:
        """`user` writes; returns the calls the bot made in answer."""
        before = len(self.session.calls)
        await self.feed(self.message(user, text))
        return self.session.calls[before:]

    async def press(self, user: int, data: str, message_id: int = 1) -> list[TelegramMethod[Any]]:
        """`user` presses a button carrying `data` on message `message_id`."""
        before = len(self.session.calls)
        await self.feed(
            {
                "update_id": next(self._updates),
                "callback_query": {
                    "id": str(next(self._updates)),
                    "from": {"id": user, "is_bot": False, "first_name": f"Personne {user}"},
                    "chat_instance": str(user),
                    "data": data,
                    "message": {
                        "message_id": message_id,
                        "date": int(self.clock().timestamp()),
                        "chat": {"id": user, "type": "private"},
                        "text": "…",
                    },
                },
            }
        )
        return self.session.calls[before:]


def texts(calls: list[TelegramMethod[Any]]) -> str:
    """Everything the bot wrote or showed in these calls, one block."""
    found = []
    for call in calls:
        for attribute in ("text",):
            value = getattr(call, attribute, None)
            if isinstance(value, str):
                found.append(value)
    return "\n".join(found)


def buttons(calls: list[TelegramMethod[Any]]) -> dict[str, str]:
    """The buttons of the last keyboard in these calls: label -> callback data."""
    for call in reversed(calls):
        markup = getattr(call, "reply_markup", None)
        if isinstance(markup, InlineKeyboardMarkup):
            return {b.text: str(b.callback_data) for row in markup.inline_keyboard for b in row}
    return {}


def alerts(calls: list[TelegramMethod[Any]]) -> list[str]:
    """What pressed buttons answered in a pop-up."""
    return [c.text or "" for c in calls if isinstance(c, AnswerCallbackQuery) and c.show_alert]
