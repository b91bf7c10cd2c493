"""The scheduler inside `mutualise run`: APScheduler 3.11 on the service's event loop, and
the outbox's sender.

Only the instance holding the store's lease runs jobs and sends: several instances may
start with the scheduler on, one sends. Every job tries again what is due, so a run missed
while the service was down happens once when it comes back.

The sender goes as soon as a commit queues messages (the doorbell: rung by this
instance's commits and, on PostgreSQL, by every instance's); failing that, it looks for
due messages every few seconds (what another instance on SQLite queued, retries) and
flushes every `outbox_interval` whatever happens.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import secrets
import socket
import time
from collections.abc import Awaitable, Callable, Sequence
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from scheduler.jobs import Jobs
from storage.outbox import Doorbell, waiting
from storage.runs import hold_lease, release_lease

log = logging.getLogger("mutualise.scheduler")

LEASE = "scheduler"
LEASE_TTL = dt.timedelta(seconds=60)
LEASE_RENEW = 20.0
# How often the sender looks for due messages when nothing rang.
POLL = 2.0

Clock = Callable[[], dt.datetime]
Flush = Callable[[], Awaitable[object]]


def instance_name() -> str:
    """This process, as the lease and the run records name it."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Scheduler:
    """The periodic jobs of one service instance."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        jobs: Jobs,
        flushes: Sequence[Flush],
        outbox_interval: float,
        clock: Clock,
        doorbell: Doorbell | None = None,
    ) -> None:
        self.sessions = sessions
        self.jobs = jobs
        self.flushes = flushes
        self.clock = clock
        self.leader = False
        self.outbox_interval = outbox_interval
        self.doorbell = doorbell or Doorbell()
        self._sender: asyncio.Task[None] | None = None
        self._stopping = False
        tz: ZoneInfo = jobs.timezone
        self._apscheduler = AsyncIOScheduler(timezone=tz)
        every = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 3600}
        hour = jobs.hour
        add = self._apscheduler.add_job
        add(self._renew, IntervalTrigger(seconds=LEASE_RENEW), id="lease", **every)
        add(self._due, CronTrigger(day_of_week="mon-fri", hour=hour, timezone=tz), id="matching",
            **every)  # fmt: skip
        add(self._due, CronTrigger(month="1,7", day=1, hour=hour, timezone=tz), id="semester",
            **every)  # fmt: skip
        add(self._due, CronTrigger(hour=hour, minute=1, timezone=tz), id="reminders", **every)

    async def start(self) -> None:
        """Take the lease if free, catch up what was missed, and start the triggers."""
        await self._renew()
        await self._due()
        await self._flush()
        self._apscheduler.start()
        self._sender = asyncio.create_task(self._send())

    async def stop(self) -> None:
        """Stop the triggers and step down, so that another instance takes over at once."""
        if self._apscheduler.running:
            self._apscheduler.shutdown(wait=False)
        if self._sender is not None:
            # Stopped between two rounds, never in the middle of one (a query, a send).
            self._stopping = True
            self.doorbell.ring()
            try:
                await asyncio.wait_for(self._sender, 30)
            except TimeoutError:
                log.warning("the outbox sender did not stop within 30 s")
        if self.leader:
            await release_lease(self.sessions, LEASE, self.jobs.instance)
            self.leader = False

    async def _renew(self) -> None:
        try:
            leader = await hold_lease(self.sessions, LEASE, self.jobs.instance, self.clock(),
                                      LEASE_TTL)  # fmt: skip
        except Exception:
            log.exception("could not renew the scheduler lease")
            leader = False
        if leader != self.leader:
            log.info("scheduler lease %s by %s", "taken" if leader else "lost", self.jobs.instance)
        self.leader = leader

    async def _due(self) -> None:
        await self._renew()
        if not self.leader:
            return
        try:
            await self.jobs.due(self.clock())
        except Exception:  # the run was rolled back: the next trigger tries again
            log.exception("scheduled job failed")

    async def _send(self) -> None:
        """The sender: at once when rung, else when something is due, else every interval."""
        last = time.monotonic()
        while True:
            rung = await self.doorbell.wait(min(POLL, self.outbox_interval))
            if self._stopping:
                return
            if not self.leader:
                continue
            late = time.monotonic() - last >= self.outbox_interval
            if rung or late or await self._waiting():
                last = time.monotonic()
                await self._flush()

    async def _waiting(self) -> bool:
        try:
            async with self.sessions() as session:
                return await waiting(session, self.clock())
        except Exception:  # the store is down: the interval's flush will tell
            log.warning("could not look for due messages", exc_info=True)
            return False

    async def _flush(self) -> None:
        if not self.leader:
            return
        for flush in self.flushes:
            try:
                await flush()
            except Exception:  # the outbox keeps everything: the next round retries
                log.exception("outbox flush failed")
