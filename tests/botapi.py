"""A small Bot API server on loopback, for `mutualise run` to talk to as it would to
Telegram: long polling with offset and timeout, messages, edits, buttons, commands,
documents, and flood control (429 with retry_after) when asked."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT = {"id": 42, "is_bot": True, "first_name": "mutualise", "username": "mutualise_test_bot"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    message_id: int | None = None  # of the message it sent, if it sent one

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def buttons(self) -> dict[str, str]:
        markup = json.loads(self.params.get("reply_markup") or "{}")
        rows = markup.get("inline_keyboard", [])
        return {b["text"]: b["callback_data"] for row in rows for b in row}


@dataclass
class BotAPI:
    """The server's state: updates waiting to be fetched, and every call received."""

    updates: list[dict[str, Any]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    flood: dict[str, int] = field(default_factory=dict)  # method -> retry_after, once
    floods: int = 0
    fixed: set[int] = field(default_factory=set)  # messages that can no longer be edited
    closed: bool = False
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        return app

    async def push(self, kind: str, payload: dict[str, Any]) -> None:
        """A new update for the bot to fetch."""
        async with self._changed:
            self.updates.append({"update_id": next(self._numbers), kind: payload})
            self._changed.notify_all()

    async def message(self, user: int, text: str) -> None:
        await self.push(
            "message",
            {
                "message_id": next(self._numbers),
                "date": int(time.time()),
                "chat": {"id": user, "type": "private"},
                "from": {"id": user, "is_bot": False, "first_name": f"Personne {user}"},
                "text": text,
            },
        )

    async def press(self, user: int, data: str, message_id: int) -> None:
        await self.push(
            "callback_query",
            {
                "id": str(next(self._numbers)),
                "from": {"id": user, "is_bot": False, "first_name": f"Personne {user}"},
                "chat_instance": str(user),
                "data": data,
                "message": {
                    "message_id": message_id,
                    "date": int(time.time()),
                    "chat": {"id": user, "type": "private"},
                    "text": "…",
                },
            },
        )

    async def close(self) -> None:
        """Answer the long polls still waiting, so that the server stops at once."""
        async with self._changed:
            self.closed = True
            self._changed.notify_all()

    async def wait_for(self, test: Callable[[Call], bool], seconds: float = 20) -> Call:
        """The first call (past or to come) that passes the test."""

        def found() -> Call | None:
            return next((c for c in self.calls if test(c)), None)

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(found), seconds)
            call = found()
            assert call is not None
            return call

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        form = await request.post()
        params = {k: v for k, v in form.items() if isinstance(v, str)}
        params.update({k: v.filename for k, v in form.items() if isinstance(v, web.FileField)})
        if method in self.flood:
            self.floods += 1
            retry_after = self.flood.pop(method)
            body = {
                "ok": False,
                "error_code": 429,
                "description": f"Too Many Requests: retry after {retry_after}",
                "parameters": {"retry_after": retry_after},
            }
            return web.json_response(body, status=429)
        if method == "editMessageText" and int(params.get("message_id", 0)) in self.fixed:
            body = {"ok": False, "error_code": 400,
                    "description": "Bad Request: message can't be edited"}  # fmt: skip
            return web.json_response(body, status=400)
        if method == "getUpdates":
            return web.json_response({"ok": True, "result": await self._updates(params)})
        result = self._result(method, params)
        async with self._changed:
            sent = result.get("message_id") if isinstance(result, dict) else None
            self.calls.append(Call(method, params, sent))
            self._changed.notify_all()
        return web.json_response({"ok": True, "result": result})

    async def _updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset", 0))
        async with self._changed:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            timeout = float(params.get("timeout", 0))
            if not self.updates and timeout:
                try:
                    ready = self._changed.wait_for(lambda: self.updates or self.closed)
                    await asyncio.wait_for(ready, timeout)
                except TimeoutError:
                    return []
            return list(self.updates)

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT
        if method in ("sendMessage", "sendDocument", "editMessageText"):
            return {
                "message_id": int(params.get("message_id") or next(self._numbers)),
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "text": params.get("text", ""),
            }
        return True


@contextlib.asynccontextmanager
async def serving() -> AsyncIterator[tuple[BotAPI, int]]:
    """A Bot API server on a free loopback port: its state, and the port."""
    api = BotAPI()
    runner = web.AppRunner(api.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield api, site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    finally:
        await api.close()
        await runner.cleanup()
