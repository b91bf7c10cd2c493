"""Group commit: calls made together are written together, each caller gets its own answer."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from handlers.batching import Coalescer, Gatherer, GroupCommit


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


async def test_reads_asked_in_one_turn_go_together_and_never_wait_for_another() -> None:
    reader = Writer()
    gatherer = Gatherer(reader.write, limit=3)
    burst = [asyncio.create_task(gatherer(n)) for n in (1, 2, 3, -4)]
    for _ in range(3):
        await asyncio.sleep(0)
    assert reader.batches == [[1, 2, 3]]  # one read for the turn's calls, `limit` at a time
    alone = asyncio.create_task(gatherer(5))  # the burst's read is still under way
    for _ in range(3):
        await asyncio.sleep(0)
    assert reader.batches == [[1, 2, 3], [5]]  # read at once, beside it, not after it
    reader.release.set()
    assert await alone == 10
    results = await asyncio.gather(*burst, return_exceptions=True)
    assert results[:3] == [2, 4, 6] and isinstance(results[3], ValueError)


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


class Transactions:
    """Stands for the store's session factory: records the transactions begun and how
    each ended."""

    def __init__(self) -> None:
        self.ended: list[str] = []

    def begin(self) -> contextlib.AbstractAsyncContextManager[object]:
        @contextlib.asynccontextmanager
        async def transaction() -> AsyncIterator[object]:
            try:
                yield object()
            except Exception:
                self.ended.append("rollback")
                raise
            self.ended.append("commit")

        return transaction()


async def test_work_arriving_together_shares_a_transaction_and_a_bad_item_goes_alone() -> None:
    store = Transactions()
    worked: list[list[int]] = []

    async def work(session: object, items: list[int]) -> list[int]:
        worked.append(items)
        if any(i < 0 for i in items):
            raise ValueError("a bad item")
        return [2 * i for i in items]

    async def failed(item: int) -> int:
        return 0

    group = GroupCommit(store, work, failed, limit=10)  # type: ignore[arg-type]
    assert list(await asyncio.gather(group(1), group(2))) == [2, 4]
    assert (worked, store.ended) == ([[1, 2]], ["commit"])
    worked.clear()
    store.ended.clear()
    first = asyncio.create_task(group(1))
    await asyncio.sleep(0)
    assert list(await asyncio.gather(first, group(3), group(-1), group(4))) == [2, 6, 0, 8]
    # 1 alone; then 3, -1 and 4 together, which fails, then each alone.
    assert worked == [[1], [3, -1, 4], [3], [-1], [4]]
    assert store.ended == ["commit", "rollback", "commit", "rollback", "commit"]


async def test_work_side_by_side_never_waits_for_a_transaction_under_way() -> None:
    store = Transactions()
    worked: list[list[int]] = []
    release = asyncio.Event()

    async def work(session: object, items: list[int]) -> list[int]:
        worked.append(items)
        if 1 in items:
            await release.wait()
        return [2 * i for i in items]

    async def failed(item: int) -> int:
        return 0

    group = GroupCommit(store, work, failed, limit=10, side_by_side=True)  # type: ignore[arg-type]
    first = asyncio.create_task(group(1))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    # The first transaction is under way: the calls of this turn have theirs at once.
    later = [asyncio.create_task(group(n)) for n in (2, 3)]
    for _ in range(5):
        await asyncio.sleep(0)
    assert all(task.done() for task in later) and not first.done()
    assert [task.result() for task in later] == [4, 6]
    assert (worked, store.ended) == ([[1], [2, 3]], ["commit"])
    release.set()
    assert await first == 2
    assert store.ended == ["commit", "commit"]
