"""Semester summaries rendered on every core: a store of many territories (all of France's
EPCIs) is rendered by worker processes, each with its own event loop and connection to the
store, while the scheduler records and sends each summary in turn.

Rendering is pure CPU (templates, workbook, calendar): one process per core is what makes
the whole country fit in the time of one job. A store of a few territories is rendered in
the scheduler's own process, as before.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import multiprocessing
import os
from collections import deque
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from handlers.digests import DigestConfig, Rendered, semester_summary
from storage import views
from storage.views import Item, Scope

# Below this many territories, starting worker processes costs more than it saves.
PARALLEL_FROM = 8


class _Worker:
    """What one worker process keeps between two territories: its loop, its store."""

    loop: asyncio.AbstractEventLoop
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    items: dict[str, Item]


_worker = _Worker()


def _start(url: str) -> None:
    from storage.database import create_engine, session_factory

    _worker.loop = asyncio.new_event_loop()
    _worker.engine = create_engine(url)
    _worker.sessions = session_factory(_worker.engine)
    _worker.items = _worker.loop.run_until_complete(_catalogue(_worker.sessions))


async def _catalogue(sessions: async_sessionmaker[AsyncSession]) -> dict[str, Item]:
    async with sessions() as session:
        return await views.catalogue(session)


def _render(scope: Scope, now: dt.datetime, config: DigestConfig) -> Rendered:
    async def render() -> Rendered:
        async with _worker.sessions() as session:
            return await semester_summary(session, scope, _worker.items, now, config)

    return _worker.loop.run_until_complete(render())


def workers() -> int:
    """One worker per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


async def rendered_in_parallel(
    url: str, scopes: Sequence[Scope], now: dt.datetime, config: DigestConfig, processes: int
) -> AsyncIterator[Rendered]:
    """Each territory's summary, in the order given, rendered `processes` at a time; no more
    than two per worker wait to be taken, so that memory stays flat."""
    context = multiprocessing.get_context("spawn")  # no event loop or connection inherited
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(processes, mp_context=context, initializer=_start,
                             initargs=(url,)) as pool:  # fmt: skip
        waiting: deque[Future[Rendered]] = deque()
        todo = deque(scopes)
        while todo or waiting:
            while todo and len(waiting) < 2 * processes:
                waiting.append(pool.submit(_render, todo.popleft(), now, config))
            yield await asyncio.wrap_future(waiting.popleft(), loop=loop)
