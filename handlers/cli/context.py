"""What a command needs: the settings, the store, and where to print."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from handlers.clock import Clock
from handlers.inbox import Inbox
from handlers.reading.sources import stored_reader
from handlers.settings import Settings
from storage.database import create_engine, session_factory
from storage.errors import MutualiseError
from storage.outbox import Doorbell
from storage.schema import current_revision, head_revision


class StoreNotReadyError(MutualiseError):
    """The database has not been created or is older than this version of mutualise."""


@dataclass
class Context:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    out: Console
    clock: Clock
    # Rung by each commit that queues outbound messages: the service's sender waits on it.
    doorbell: Doorbell

    async def inbox(self) -> Inbox:
        """The inbox every command and the service share: the store's reader, the
        territory's matching settings, the time zone of the settings."""
        async with self.sessions() as session:
            reader = await stored_reader(session)
        return Inbox(self.sessions, reader, self.settings.matching(), self.settings.zone,
                     self.settings.web_url)  # fmt: skip

    async def ensure_ready(self) -> None:
        """Refuse to work on a store that `mutualise init` has not brought to this version;
        a SQLite file that does not exist is not created (a mistyped --db would be)."""
        if (path := _missing_sqlite_file(self.engine)) is not None:
            msg = (
                f"La base SQLite {path} n'existe pas : vérifiez --db (ou MUTUALISE_DB), ou "
                "lancez d'abord « mutualise init »."
            )
            raise StoreNotReadyError(msg)
        revision = await current_revision(self.engine)
        if revision != head_revision():
            state = "vide" if revision is None else f"au schéma {revision}"
            msg = f"La base est {state} : lancez d'abord « mutualise init »."
            raise StoreNotReadyError(msg)

    def ensure_creatable(self) -> None:
        """Refuse to create a SQLite file in a folder that does not exist, with a sentence
        rather than the driver's failure."""
        path = _sqlite_path(self.engine)
        if path is not None and not path.parent.is_dir():
            msg = (
                f"Le dossier {path.parent} de la base SQLite {path} n'existe pas : créez-le, "
                "ou vérifiez --db (ou MUTUALISE_DB)."
            )
            raise StoreNotReadyError(msg)


def _sqlite_path(engine: AsyncEngine) -> Path | None:
    """The engine's SQLite file, if it is one (not in memory)."""
    url = engine.url
    path = url.database if url.get_backend_name() == "sqlite" else None
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return Path(path)


def _missing_sqlite_file(engine: AsyncEngine) -> str | None:
    """The path of the engine's SQLite file when it does not exist (yet)."""
    path = _sqlite_path(engine)
    return None if path is None or path.exists() else str(path)


@asynccontextmanager
async def open_context(settings: Settings, out: Console) -> AsyncIterator[Context]:
    """Open the store for one command, and close it whatever happens."""
    engine = create_engine(settings.db)
    try:
        doorbell = Doorbell()
        sessions = session_factory(engine, doorbell)
        yield Context(settings, engine, sessions, out, settings.clock(), doorbell)
    finally:
        await engine.dispose()
