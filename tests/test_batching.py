"""Group commit: calls made together are written together, each caller gets its own answer."""

from __future__ import annotations

import asyncio

import pytest

from handlers.batching import Coalescer


class Writer:
    """Doubles what it is given; fails for negative numbers; records its batches."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.release = asyncio.Event()

    async def write(self, items: list[int]) -> list[int | BaseException]:
        self.batches.append(items)
        await self.release.wait()
        return [ValueError(f"negative: {i}") if i < 0 else 2 * i for i in items]


async def test_calls_made_while_a_batch_is_written_form_the_next() -> None:
    writer = Writer()
    coalescer = Coalescer(writer.write, limit=3)
    first = asyncio.create_task(coalescer(1))
    await asyncio.sleep(0)  # the first batch starts alone, with no delay
    later = [asyncio.create_task(coalescer(n)) for n in range(2, 7)]
    await asyncio.sleep(0)
    writer.release.set()
    assert await asyncio.gather(first, *later) == [2, 4, 6, 8, 10, 12]
    assert writer.batches == [[1], [2, 3, 4], [5, 6]]


async def test_each_caller_gets_its_own_failure() -> None:
    writer = Writer()
    writer.release.set()
    coalescer = Coalescer(writer.write, limit=10)
    results = await asyncio.gather(
        coalescer(1), coalescer(-1), coalescer(2), return_exceptions=True
    )
    assert results[0] == 2 and results[2] == 4
    assert isinstance(results[1], ValueError)


async def test_a_batch_that_raises_fails_its_callers_and_the_next_batch_still_runs() -> None:
    calls: list[list[int]] = []

    async def write(items: list[int]) -> list[int | BaseException]:
        calls.append(items)
        if len(calls) == 1:
            raise OSError("store unavailable")
        return list(items)

    coalescer = Coalescer(write, limit=10)
    with pytest.raises(OSError, match="store unavailable"):
        await coalescer(1)
    assert await coalescer(2) == 2


async def test_a_caller_that_gives_up_leaves_its_item_written_and_the_others_answered() -> None:
    writer = Writer()
    coalescer = Coalescer(writer.write, limit=10)
    impatient = asyncio.create_task(coalescer(1))
    patient = asyncio.create_task(coalescer(2))
    await asyncio.sleep(0)
    impatient.cancel()
    await asyncio.sleep(0)
    writer.release.set()
    assert await patient == 4
    assert writer.batches == [[1, 2]]
    assert impatient.cancelled()
