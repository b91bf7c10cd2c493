"""The bot with no token and no network: updates fed to the real dispatcher, and a session
that keeps what the bot would send to Telegram instead of sending it (the demo, the
benchmark, and the tests build on it)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import AsyncGenerator, Callable, Iterator
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.session.base import BaseSession
from aiogram.methods import GetMe, SendDocument, SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Chat, InlineKeyboardMarkup, Message, Update, User

BOT_ID = 42
# Any token of the right shape: it never leaves the process.
OFFLINE_TOKEN = f"{BOT_ID}:OFFLINE"


class OfflineSession(BaseSession):
    """Keeps every Bot API call and answers it as Telegram would, without a network."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[TelegramMethod[Any]] = []
        self.results: list[Any] = []
        self._ids = itertools.count(1000)

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 (aiogram's signature)
    ) -> TelegramType:
        self.refuse(method)
        result = self._result(method)
        self.calls.append(method)
        self.results.append(result)
        return result  # type: ignore[no-any-return]

    def refuse(self, method: TelegramMethod[Any]) -> None:
        """Raise here what Telegram would answer instead (nothing, offline)."""

    def _result(self, method: TelegramMethod[Any]) -> Any:
        if isinstance(method, GetMe):
            return User(id=BOT_ID, is_bot=True, first_name="mutualise", username="mutualise_bot")
        if isinstance(method, (SendMessage, SendDocument)):
            chat = Chat(id=int(method.chat_id), type="private")
            text = getattr(method, "text", None)
            now = dt.datetime.now(dt.UTC)
            return Message(message_id=next(self._ids), date=now, chat=chat, text=text)
        return True  # edits, answers to button presses, commands menus

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


class OfflineChat:
    """People writing to the bot and pressing its buttons, one update at a time."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        clock: Callable[[], dt.datetime],
        session: OfflineSession | None = None,
        numbers: Iterator[int] | None = None,
    ) -> None:
        self.session = session or OfflineSession()
        self.bot = Bot(OFFLINE_TOKEN, session=self.session)
        self.dispatcher = dispatcher
        self.clock = clock
        # Update and message numbers: one sequence, shared by instances of one bot.
        self._updates = numbers or itertools.count(1)
        self.names: dict[int, str] = {}

    async def feed(self, raw: dict[str, Any]) -> None:
        """Hand one raw update to the dispatcher, as polling or the webhook would."""
        update = Update.model_validate(raw, context={"bot": self.bot})
        await self.dispatcher.feed_update(self.bot, update)

    def _person(self, user: int) -> dict[str, Any]:
        name = self.names.get(user, f"Personne {user}")
        return {"id": user, "is_bot": False, "first_name": name}

    def message(self, user: int, text: str) -> dict[str, Any]:
        """A raw update: `user` writes `text` in their private chat."""
        return {
            "update_id": next(self._updates),
            "message": {
                "message_id": next(self._updates),
                "date": int(self.clock().timestamp()),
                "chat": {"id": user, "type": "private"},
                "from": self._person(user),
                "text": text,
            },
        }

    def button(self, user: int, data: str, message_id: int = 1) -> dict[str, Any]:
        """A raw update: `user` presses a button carrying `data` on message `message_id`."""
        return {
            "update_id": next(self._updates),
            "callback_query": {
                "id": str(next(self._updates)),
                "from": self._person(user),
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

    async def say(self, user: int, text: str) -> list[TelegramMethod[Any]]:
        """`user` writes; returns the calls the bot made in answer."""
        before = len(self.session.calls)
        await self.feed(self.message(user, text))
        return self.session.calls[before:]

    async def press(self, user: int, data: str, message_id: int = 1) -> list[TelegramMethod[Any]]:
        """`user` presses a button carrying `data` on message `message_id`."""
        before = len(self.session.calls)
        await self.feed(self.button(user, data, message_id))
        return self.session.calls[before:]


def keyboard(method: TelegramMethod[Any]) -> dict[str, str]:
    """The buttons a call shows: label -> callback data."""
    markup = getattr(method, "reply_markup", None)
    if not isinstance(markup, InlineKeyboardMarkup):
        return {}
    return {b.text: str(b.callback_data) for row in markup.inline_keyboard for b in row}
