"""Long polling that loses nothing: Telegram is told an update is done with (the getUpdates
offset moves past it) only once it is handled. An update the store could not take is
fetched again after a pause; the others are handled meanwhile, each in its own task as
aiogram's polling does, so that one person made to wait holds up nobody else."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiogram import Bot, Dispatcher
from aiogram.types import Update

from storage.errors import store_unavailable

log = logging.getLogger("mutualise.bot")


class Polling:
    """getUpdates in a loop, the offset held at the oldest update not yet handled."""

    def __init__(
        self,
        bot: Bot,
        dispatcher: Dispatcher,
        *,
        timeout: int = 10,
        retry: float = 5.0,
        idle: float = 0.5,
        grace: float = 1.0,
    ) -> None:
        self.bot = bot
        self.dispatcher = dispatcher
        self.timeout = timeout  # how long one getUpdates waits for news
        self.retry = retry  # pause before an update the store refused is tried again
        self.idle = idle  # pause when a fetch brings only updates already in hand
        self.grace = grace  # how long updates in hand may finish when polling stops
        self._pending: dict[int, asyncio.Task[None] | None] = {}  # None: to fetch again
        self._done: set[int] = set()  # handled, above the oldest pending: skipped if fetched
        self._next = 0  # past the newest update seen
        self._changed = asyncio.Event()

    @property
    def offset(self) -> int:
        """What to confirm to Telegram: every update below it is handled."""
        return min(self._pending) if self._pending else self._next

    async def run(self) -> None:
        """Fetch and handle updates until cancelled."""
        allowed = self.dispatcher.resolve_used_update_types()
        failures = 0
        try:
            while True:
                try:
                    updates = await self.bot.get_updates(
                        offset=self.offset, timeout=self.timeout, allowed_updates=allowed
                    )
                except Exception as exc:  # Telegram unreachable: never stop polling
                    failures += 1
                    delay = min(60.0, 2.0**failures)
                    log.warning("getUpdates failed (%s): trying again in %.0f s", exc, delay)
                    await asyncio.sleep(delay)
                    continue
                failures = 0
                if not self._take(updates):
                    self._changed.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._changed.wait(), self.idle)
        finally:
            await self._stop()

    def _take(self, updates: list[Update]) -> int:
        """Start a task for each update not already in hand; how many were started."""
        started = 0
        for update in updates:
            number = update.update_id
            self._next = max(self._next, number + 1)
            if number in self._done or self._pending.get(number) is not None:
                continue
            self._pending[number] = asyncio.create_task(self._handle(update))
            started += 1
        floor = self.offset
        self._done = {n for n in self._done if n >= floor}
        return started

    async def _handle(self, update: Update) -> None:
        number = update.update_id
        try:
            await self.dispatcher.feed_update(self.bot, update)
        except Exception as exc:
            if store_unavailable(exc):
                log.warning("update %s: store unavailable (%s), fetched again later", number, exc)
                await asyncio.sleep(self.retry)
                self._pending[number] = None
                self._changed.set()
                return
            log.exception("update %s failed", number)
        del self._pending[number]
        self._done.add(number)
        self._changed.set()

    async def _stop(self) -> None:
        """Let the updates in hand finish for a moment; the rest Telegram delivers again."""
        tasks = [t for t in self._pending.values() if t is not None]
        if not tasks:
            return
        _, late = await asyncio.wait(tasks, timeout=self.grace)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
