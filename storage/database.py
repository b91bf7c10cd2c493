"""Opening the store: one async engine, SQLite by default, PostgreSQL to scale."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection
from sqlalchemy.util import await_only

from storage.errors import MutualiseError
from storage.outbox import QUEUED, Doorbell
from storage.turns import TURNS, Turns

DEFAULT_URL = "sqlite:///mutualise.db"

# A writer waits this long for another writer before SQLite answers "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 10_000
# SQLite connections kept open (each is a thread of aiosqlite): as many as the chats of a
# burst read at once, so that none waits for a connection or opens one (a thread, four
# PRAGMAs) only to close it when the burst is over. SQLAlchemy's default is 5.
SQLITE_POOL = 20
# PostgreSQL connections kept open, for the same reason: a connection opened for a burst and
# closed after it cost a TCP connection, a login, two type codecs and, lost with it, every
# statement it had prepared (SQLAlchemy's default pool of 5 opened some forty in a latency
# benchmark of 25 chats; a pool of 20, with up to 25 taken at once, still opened and closed
# the overflow ones, 35 in all).
POSTGRES_POOL = 30
# A PostgreSQL connection used this recently is taken as alive without asking the server
# (HikariCP's "alive bypass window" is 0.5 s); one idle longer is pinged in one round trip
# before it is handed out. SQLAlchemy's pre-ping asked every time, in three round trips
# (BEGIN, the ping, ROLLBACK): at five connections taken for one Telegram update, 15 of its
# 32 round trips. A connection the server has closed (a restart, a terminated backend) is
# known as such without a round trip, and replaced.
PING_AFTER_IDLE_S = 1.0
# The pool hands out the connection given back last (LIFO), not the one idle longest (FIFO,
# SQLAlchemy's default): a burst uses the few connections it needs, which keep their
# statements prepared and are known alive without a ping.
POOL_LIFO = True
# Where a connection's pool record keeps when it was last given back.
_RETURNED = "mutualise.returned"
# Where a PostgreSQL session factory keeps its standalone sessions (`standalone`).
_STANDALONE = "mutualise.standalone"

_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}


class DatabaseURLError(MutualiseError):
    """The database address cannot be used."""


def async_url(url: str) -> URL:
    """Turn a plain `sqlite:///` or `postgresql://` address into its async-driver form."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        msg = f"Adresse de base de données illisible : {url!r}."
        raise DatabaseURLError(msg) from exc
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        msg = f"Base de données non prise en charge : {backend} (SQLite ou PostgreSQL attendus)."
        raise DatabaseURLError(msg)
    if "+" not in parsed.drivername:
        parsed = parsed.set(drivername=_ASYNC_DRIVERS[parsed.drivername])
    return parsed


def _configure_sqlite(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # WAL lets the scheduler read while a handler writes; foreign keys are off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Every commit reaches the disk (fsync) before it returns: a message acknowledged is
    # stored for good, power cut included. Messages arriving together share one commit.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def create_engine(url: str = DEFAULT_URL, **kwargs: Any) -> AsyncEngine:
    """Create the async engine for `url`, with the settings a long-running service needs."""
    target = async_url(url)
    if target.get_backend_name() == "sqlite":
        if target.database not in (None, "", ":memory:"):
            kwargs.setdefault("pool_size", SQLITE_POOL)
        engine = create_async_engine(target, **kwargs)
        event.listen(engine.sync_engine, "connect", _configure_sqlite)
        return engine
    kwargs.setdefault("pool_size", POSTGRES_POOL)
    kwargs.setdefault("pool_use_lifo", POOL_LIFO)
    engine = create_async_engine(target, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        event.listen(engine.sync_engine, "checkout", _alive)
        event.listen(engine.sync_engine, "checkin", _returned)
    return engine


def _returned(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info[_RETURNED] = time.monotonic()


def _alive(dbapi_connection: Any, record: ConnectionPoolEntry, _: PoolProxiedConnection) -> None:
    """A PostgreSQL connection handed out is alive: closed by the server, or idle and not
    answering a ping, it is replaced (the pool opens another)."""
    driver = dbapi_connection.driver_connection
    if driver.is_closed():
        raise exc.DisconnectionError("connection closed by the server")
    returned = record.info.get(_RETURNED)
    if returned is None or time.monotonic() - returned < PING_AFTER_IDLE_S:
        return  # new, or used a moment ago
    try:
        await_only(driver.execute("SELECT 1"))
    except Exception as error:
        raise exc.DisconnectionError("ping failed") from error


def session_factory(
    engine: AsyncEngine, doorbell: Doorbell | None = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit; given a doorbell, each
    commit that queued outbound messages rings it (the sender goes at once). On SQLite the
    factory holds the turns its writers take (`storage.turns`)."""
    info: dict[str, Any] = {TURNS: Turns()} if engine.dialect.name == "sqlite" else {}
    if engine.dialect.name == "postgresql":
        alone = engine.execution_options(isolation_level="AUTOCOMMIT")
        info[_STANDALONE] = async_sessionmaker(alone, expire_on_commit=False)
    if doorbell is None:
        return async_sessionmaker(engine, expire_on_commit=False, info=info)

    class Ringing(Session):
        """A session whose commits tell the doorbell about the messages they queued."""

    def committed(session: Session) -> None:
        if session.info.pop(QUEUED, False):
            doorbell.ring()

    def rolled_back(session: Session) -> None:
        session.info.pop(QUEUED, None)

    event.listen(Ringing, "after_commit", committed)
    event.listen(Ringing, "after_rollback", rolled_back)
    return async_sessionmaker(engine, expire_on_commit=False, info=info, sync_session_class=Ringing)


def standalone(sessions: async_sessionmaker[AsyncSession]) -> AsyncSession:
    """A session for reads that need no snapshot of their own, or for one statement that
    writes, then `commit()`, queuing nothing to send. On PostgreSQL its statements run
    outside any transaction, each committed as it is done: one round trip each, where a
    transaction adds a BEGIN and a COMMIT or ROLLBACK (at READ COMMITTED, each statement
    sees what was committed when it began either way). On SQLite, an ordinary session."""
    alone = sessions.kw.get("info", {}).get(_STANDALONE)
    return alone() if alone is not None else sessions()
