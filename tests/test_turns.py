"""Turns to write: one writer at a time on SQLite, the urgent first; none on PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import session_factory
from storage.turns import LATER, URGENT, Turns, turn


async def _writer(turns: Turns, rank: int, name: str, order: list[str]) -> None:
    await turns.take(rank)
    order.append(name)
    await asyncio.sleep(0)
    turns.give()


async def test_one_writer_at_a_time_the_urgent_first() -> None:
    turns, order = Turns(), list[str]()
    await turns.take(LATER)  # someone is writing
    waiting = [
        asyncio.create_task(_writer(turns, rank, name, order))
        for rank, name in [(LATER, "match 1"), (URGENT, "store 1"), (LATER, "send"),
                           (URGENT, "mark")]
    ]  # fmt: skip
    await asyncio.sleep(0)
    assert order == []
    turns.give()
    await asyncio.gather(*waiting)
    assert order == ["store 1", "mark", "match 1", "send"]
    await turns.take(LATER)  # free again: taken at once
    turns.give()


@pytest.mark.parametrize("handed", [False, True])
async def test_a_writer_that_gives_up_waiting_passes_its_turn_on(handed: bool) -> None:
    """Cancelled while it waits, or just as the turn is handed to it: the next one writes."""
    turns, order = Turns(), list[str]()
    await turns.take(LATER)
    gone = asyncio.create_task(_writer(turns, URGENT, "gone", order))
    after = asyncio.create_task(_writer(turns, LATER, "after", order))
    await asyncio.sleep(0)
    if handed:
        turns.give()
        gone.cancel()
    else:
        gone.cancel()
        turns.give()
    with contextlib.suppress(asyncio.CancelledError):
        await gone
    await after
    assert order == ["after"]


def test_turns_on_sqlite_only(engine: AsyncEngine, backend: str) -> None:
    taken = turn(session_factory(engine))
    assert isinstance(taken, contextlib.nullcontext) is (backend == "postgresql")
