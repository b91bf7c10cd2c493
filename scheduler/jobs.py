"""The scheduled jobs, each run at most once per territory and period.

A run claims its (job, period) row, renders, and queues its messages in the outbox in one
transaction: a crash leaves nothing half-sent and the run happens again; a committed run is
never repeated, on this instance or another. APScheduler only decides when to try.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.anticipation import ask_ahead
from handlers.digests import DigestConfig, Rendered, next_matching_digest, semester_summary
from handlers.digests.delivery import deliver
from handlers.holidays import region_of_territory, working_day
from handlers.reminders import send_reminders
from scheduler.periods import daily_due, semester_due
from scheduler.rendering import PARALLEL_FROM, rendered_in_parallel, workers
from storage import views
from storage.inbox import trim_unwanted
from storage.runs import claim, finish, periods_run
from storage.views import Item, Scope

log = logging.getLogger("mutualise.scheduler")

MATCHING, SEMESTER, REMINDERS, ANTICIPATION = "matching", "semester", "reminders", "anticipation"
RETENTION = "retention"
# Given each territory's rendering before it is dropped (the CLI writes it into a folder).
Keep = Callable[[Rendered], Awaitable[None]]


@dataclass
class RunResult:
    """What one job did for one territory."""

    job: str
    period: str
    ran: bool  # False: it had already run for this period
    queued: int = 0
    rendered: Rendered | None = None


def period_key(scope: Scope, day: dt.date) -> str:
    return f"{scope.epci}/{day.isoformat()}"


@dataclass
class Jobs:
    sessions: async_sessionmaker[AsyncSession]
    config: DigestConfig
    instance: str
    timezone: ZoneInfo
    hour: int = 8
    # Worker processes for the semester summaries of a store of many territories (0: one
    # per core).
    processes: int = 0
    # Days that mail refused, held or ignored is kept whole.
    retention_days: int = 30

    def local(self, now: dt.datetime) -> dt.datetime:
        return now.astimezone(self.timezone)

    async def _each(
        self,
        job: str,
        day: dt.date,
        now: dt.datetime,
        work: Callable[[AsyncSession, Scope, dict[str, Item], str], Awaitable[RunResult]],
        keep: Keep | None = None,
        scopes: list[Scope] | None = None,
    ) -> list[RunResult]:
        async with self.sessions() as session:
            if scopes is None:
                scopes = await views.territories(session)
            items = await views.catalogue(session)
        results = []
        for scope in scopes:  # one transaction per territory
            period = period_key(scope, day)
            async with self.sessions.begin() as session:
                run = await claim(session, job, period, self.instance, now)
                if run is None:
                    results.append(RunResult(job, period, ran=False))
                    continue
                result = await work(session, scope, items, period)
                finish(run, now, {"queued": result.queued, **(_seen(result.rendered))})
            log.info("%s %s: %d message(s) queued", job, period, result.queued)
            if keep is not None and result.rendered is not None:
                await keep(result.rendered)
            result.rendered = None  # what was rendered goes with its territory: memory stays flat
            results.append(result)
        return results

    async def matching(
        self,
        now: dt.datetime,
        *,
        force: bool = False,
        keep: Keep | None = None,
        scopes: list[Scope] | None = None,
    ) -> list[RunResult]:
        """The matching digest of the day, for every territory (or those given); sent only
        when something is new (or forced)."""
        local = self.local(now)

        async def work(
            session: AsyncSession, scope: Scope, items: dict[str, Item], period: str
        ) -> RunResult:
            rendered = await next_matching_digest(session, scope, items, local, self.config)
            queued = await deliver(session, rendered, period, now) if rendered.news or force else 0
            return RunResult(MATCHING, period, True, queued, rendered)

        return await self._each(MATCHING, local.date(), now, work, keep, scopes)

    async def semester(
        self, now: dt.datetime, day: dt.date | None = None, keep: Keep | None = None
    ) -> list[RunResult]:
        """The semester summary, under the period of its due day (1 January or 1 July)."""
        local = self.local(now)

        async def work(
            session: AsyncSession, scope: Scope, items: dict[str, Item], period: str
        ) -> RunResult:
            rendered = await semester_summary(session, scope, items, local, self.config)
            queued = await deliver(session, rendered, period, now)
            return RunResult(SEMESTER, period, True, queued, rendered)

        async with self.sessions() as session:
            scopes = await views.territories(session)
        processes = self.processes or workers()
        if len(scopes) >= PARALLEL_FROM and processes > 1:
            return await self._semester_in_parallel(
                now, day or local.date(), processes, keep, scopes
            )
        return await self._each(SEMESTER, day or local.date(), now, work, keep, scopes)

    async def _semester_in_parallel(
        self,
        now: dt.datetime,
        day: dt.date,
        processes: int,
        keep: Keep | None,
        scopes: list[Scope],
    ) -> list[RunResult]:
        """Many territories: rendered on every core, then each recorded and sent in a
        transaction of its own (claimed there, so that it is still sent once only)."""
        async with self.sessions() as session:
            done = await periods_run(session, SEMESTER)
        results = [RunResult(SEMESTER, period_key(s, day), ran=False) for s in scopes
                   if period_key(s, day) in done]  # fmt: skip
        todo = [s for s in scopes if period_key(s, day) not in done]
        url = self.sessions.kw["bind"].url.render_as_string(hide_password=False)
        async for rendered in rendered_in_parallel(url, todo, self.local(now), self.config,
                                                   processes):  # fmt: skip
            period = period_key(rendered.scope, day)
            async with self.sessions.begin() as session:
                run = await claim(session, SEMESTER, period, self.instance, now)
                if run is None:
                    results.append(RunResult(SEMESTER, period, ran=False))
                    continue
                queued = await deliver(session, rendered, period, now)
                finish(run, now, {"queued": queued})
            log.info("%s %s: %d message(s) queued", SEMESTER, period, queued)
            if keep is not None:
                await keep(rendered)
            results.append(RunResult(SEMESTER, period, True, queued))
        return results

    async def reminders(self, now: dt.datetime) -> list[RunResult]:
        """The day's reminders to the communes concerned."""
        local = self.local(now)

        async def work(
            session: AsyncSession, scope: Scope, items: dict[str, Item], period: str
        ) -> RunResult:
            queued = await send_reminders(session, scope, items, local)
            return RunResult(REMINDERS, period, True, queued)

        return await self._each(REMINDERS, local.date(), now, work)

    async def anticipation(self, now: dt.datetime) -> list[RunResult]:
        """The day's questions ahead of recurring events ("Même matériel que l'an dernier ?")."""
        local = self.local(now)

        async def work(
            session: AsyncSession, scope: Scope, items: dict[str, Item], period: str
        ) -> RunResult:
            queued = await ask_ahead(session, scope, local, self.config.anticipation_weeks)
            return RunResult(ANTICIPATION, period, True, queued)

        return await self._each(ANTICIPATION, local.date(), now, work)

    async def due(self, now: dt.datetime) -> list[RunResult]:
        """Run whatever is due and has not run: at its hour, or on restart after a miss."""
        local = self.local(now)
        results = []
        if (day := semester_due(local, self.hour)) is not None:
            results += await self.semester(now, day)
        if (today := daily_due(local, self.hour)) is not None:
            async with self.sessions() as session:
                scopes = await views.territories(session)
            # The digest goes out on each territory's working days, which its holidays set.
            working = [s for s in scopes if working_day(today, region_of_territory(s.communes))]
            if working:
                results += await self.matching(now, scopes=working)
            results += await self.reminders(now)
            results += await self.anticipation(now)
            results += await self.retention(now)
        return results

    async def retention(self, now: dt.datetime) -> list[RunResult]:
        """Once a day, for the whole store: unwanted mail older than the retention period
        keeps only its header."""
        period = self.local(now).date().isoformat()
        trimmed = 0
        async with self.sessions.begin() as session:
            run = await claim(session, RETENTION, period, self.instance, now)
            if run is None:
                return [RunResult(RETENTION, period, ran=False)]
            before = now - dt.timedelta(days=self.retention_days)
            while batch := await trim_unwanted(session, before):
                trimmed += batch
            finish(run, now, {"trimmed": trimmed})
        if trimmed:
            log.info("%d unwanted mail(s) older than %d days trimmed to their header", trimmed,
                     self.retention_days)  # fmt: skip
        return [RunResult(RETENTION, period, True)]


def _seen(rendered: Rendered | None) -> dict[str, object]:
    return {"seen": rendered.seen} if rendered is not None and rendered.seen else {}
