"""Scheduled runs and the scheduler's lease, kept in the store.

A job claims its (job, period) row in the transaction that does its work: if the work fails,
the claim goes with it and the run happens again; once committed, it never happens twice,
whichever instance tries. The lease makes one instance the scheduler while it renews it.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import JobRun, Lease


async def claim(
    session: AsyncSession, job: str, period: str, instance: str, now: dt.datetime
) -> JobRun | None:
    """Record that `job` runs for `period`; None when it already ran (or runs elsewhere)."""
    known = await session.scalar(
        select(JobRun.id).where(JobRun.job == job, JobRun.period == period)
    )
    if known is not None:
        return None
    run = JobRun(job=job, period=period, started_at=now, instance=instance)
    try:
        async with session.begin_nested():
            session.add(run)
    except IntegrityError:  # another instance claimed it between our read and our write
        return None
    return run


def finish(run: JobRun, now: dt.datetime, detail: dict[str, Any]) -> None:
    """Close a claimed run with what it did (kept as JSON for the next run to read)."""
    run.finished_at = now
    run.detail = json.dumps(detail, ensure_ascii=False)


async def last_run(
    session: AsyncSession, job: str, prefix: str, before: dt.datetime
) -> JobRun | None:
    """The latest finished run of `job` whose period starts with `prefix`, before an instant."""
    query = (
        select(JobRun)
        .where(
            JobRun.job == job,
            JobRun.period.startswith(prefix, autoescape=True),
            JobRun.finished_at.is_not(None),
            JobRun.started_at < before,
        )
        .order_by(JobRun.started_at.desc(), JobRun.id.desc())
        .limit(1)
    )
    return await session.scalar(query)


def detail_of(run: JobRun | None) -> dict[str, Any] | None:
    """What a finished run recorded, if it recorded anything readable."""
    if run is None or not run.detail:
        return None
    try:
        value = json.loads(run.detail)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


async def hold_lease(
    sessions: async_sessionmaker[AsyncSession],
    name: str,
    holder: str,
    now: dt.datetime,
    ttl: dt.timedelta,
) -> bool:
    """Take or renew the lease `name` for `holder`; False while another holder keeps it.

    One conditional UPDATE, then an INSERT for the first holder ever: both are atomic on
    SQLite and PostgreSQL, so two instances can never both believe they hold it.
    """
    expires = now + ttl
    async with sessions.begin() as session:
        renewed = await session.execute(
            update(Lease)
            .where(Lease.name == name, (Lease.holder == holder) | (Lease.expires_at <= now))
            .values(holder=holder, expires_at=expires)
        )
        if renewed.rowcount:  # type: ignore[attr-defined]
            return True
        if await session.scalar(select(Lease.name).where(Lease.name == name)) is not None:
            return False
    try:
        async with sessions.begin() as session:
            await session.execute(
                insert(Lease).values(name=name, holder=holder, expires_at=expires)
            )
    except IntegrityError:
        return False
    return True


async def release_lease(sessions: async_sessionmaker[AsyncSession], name: str, holder: str) -> None:
    """Give the lease up at shutdown, so that another instance takes over at once."""
    async with sessions.begin() as session:
        await session.execute(
            update(Lease)
            .where(Lease.name == name, Lease.holder == holder)
            .values(expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        )


async def periods_run(session: AsyncSession, job: str) -> set[str]:
    """The periods a job has run for (or is running for)."""
    return set(await session.scalars(select(JobRun.period).where(JobRun.job == job)))
