"""Opening the store: one async engine, SQLite by default, PostgreSQL to scale."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session
from sqlalchemy.pool import ConnectionPoolEntry

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
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(target, **kwargs)


def session_factory(
    engine: AsyncEngine, doorbell: Doorbell | None = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit; given a doorbell, each
    commit that queued outbound messages rings it (the sender goes at once). On SQLite the
    factory holds the turns its writers take (`storage.turns`)."""
    info: dict[str, Any] = {TURNS: Turns()} if engine.dialect.name == "sqlite" else {}
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
