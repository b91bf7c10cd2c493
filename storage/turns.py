"""Turns to write. SQLite takes one writer at a time: the writers of a process take turns
here, each handed the turn as soon as the one before has committed, rather than in SQLite's
busy handler, which sleeps 1 to 100 ms between tries (a writer behind a 5 ms commit waited
up to 100 ms there, and held up every writer behind it). Urgent writers go first: what a
person is waiting for at once (their message stored, the card read back to them) before
what they wait seconds for (matching, the outbox's sending). On PostgreSQL there are no
turns: writers go side by side.

A writer in its turn must not wait for another turn of the same store: it would wait for
ever.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

# Where a session factory keeps its turns (in its sessions' `info`).
TURNS = "mutualise.turns"
URGENT, LATER = 0, 1


class Turns:
    """One writer at a time: the urgent first, then in the order they came."""

    def __init__(self) -> None:
        self._busy = False
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    async def take(self, rank: int) -> None:
        """Wait for the turn; `rank` URGENT goes before LATER."""
        if not self._busy and not self._waiting:
            self._busy = True
            return
        handed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (rank, next(self._order), handed))
        try:
            await handed
        except BaseException:
            if handed.done() and not handed.cancelled():  # handed over as it was cancelled
                self.give()
            raise

    def give(self) -> None:
        """The turn ends: handed to the next writer waiting, if any."""
        while self._waiting:
            handed = heapq.heappop(self._waiting)[2]
            if not handed.done():  # a writer that gave up waiting is skipped
                handed.set_result(None)
                return
        self._busy = False


class Turn:
    """A writer's turn, of some rank, as an `async with` block (reusable)."""

    def __init__(self, turns: Turns, rank: int) -> None:
        self._turns = turns
        self._rank = rank

    async def __aenter__(self) -> None:
        await self._turns.take(self._rank)

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._turns.give()


def takes_turns(sessions: async_sessionmaker[AsyncSession]) -> bool:
    """Whether the writers of this store take turns (SQLite), or go side by side."""
    return TURNS in sessions.kw.get("info", {})


def turn(
    sessions: async_sessionmaker[AsyncSession], urgent: bool = False
) -> contextlib.AbstractAsyncContextManager[Any]:
    """What a transaction that writes holds while it writes and commits: its turn on
    SQLite, nothing on PostgreSQL."""
    turns = sessions.kw.get("info", {}).get(TURNS)
    if turns is None:
        return contextlib.nullcontext()
    return Turn(turns, URGENT if urgent else LATER)


@contextlib.asynccontextmanager
async def writing(
    sessions: async_sessionmaker[AsyncSession], urgent: bool = False
) -> AsyncIterator[AsyncSession]:
    """A transaction that writes, committed at the end of the block, in its turn."""
    async with turn(sessions, urgent), sessions.begin() as session:
        yield session
