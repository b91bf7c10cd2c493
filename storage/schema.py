"""Bringing a database to the current schema with the Alembic migrations."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


def alembic_config() -> Config:
    """The Alembic configuration of the migrations shipped in `storage/migrations`."""
    config = Config()
    config.set_main_option("script_location", "storage:migrations")
    return config


def head_revision() -> str:
    """The newest migration shipped with this version of mutualise."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        msg = "no migration found in storage/migrations/versions"
        raise RuntimeError(msg)
    return head


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    async with engine.connect() as connection:
        return await connection.run_sync(_current)


async def upgrade(engine: AsyncEngine) -> tuple[str | None, str]:
    """Apply every missing migration; returns the revisions before and after."""

    def run(connection: Connection) -> tuple[str | None, str]:
        before = _current(connection)
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        return before, head_revision()

    async with engine.connect() as connection:
        # SQLite rebuilds a table to alter it: dropping the old one would delete or refuse
        # the rows that refer to it, unless foreign keys are off, which only works outside
        # a transaction (Alembic's advice for batch migrations).
        await _foreign_keys(connection, on=False)
        try:
            done = await connection.run_sync(run)
            await connection.commit()
        finally:
            await connection.rollback()
            await _foreign_keys(connection, on=True)
        return done


async def _foreign_keys(connection: AsyncConnection, *, on: bool) -> None:
    """Turn SQLite's foreign keys on or off for this connection (between transactions)."""
    if connection.dialect.name == "sqlite":
        await connection.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
        await connection.commit()
