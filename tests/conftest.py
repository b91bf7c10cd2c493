"""Shared fixtures: a real SQLite file and, when MUTUALISE_TEST_POSTGRES names one, the real
PostgreSQL server, each test on a database of its own."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.database import create_engine

POSTGRES_ENV = "MUTUALISE_TEST_POSTGRES"
POSTGRES_ADMIN_URL = os.environ.get(POSTGRES_ENV, "")
_skipped_postgres: list[str] = []


def _admin_dsn() -> str:
    return make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql").render_as_string(False)


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    if not POSTGRES_ADMIN_URL:
        pytest.skip(f"PostgreSQL half skipped: set {POSTGRES_ENV} to run it")
    name = f"mutualise_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(_admin_dsn())
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(False)
    admin = await asyncpg.connect(_admin_dsn())
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
def sqlite_url(tmp_path: object) -> str:
    """A SQLite file of its own for one test."""
    return f"sqlite:///{tmp_path}/mutualise.db"


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """Run the test once on each backend."""
    return str(request.param)


@pytest.fixture
def store_url(backend: str, request: pytest.FixtureRequest) -> str:
    """The database address of the backend under test."""
    fixture = "sqlite_url" if backend == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture
async def engine(store_url: str) -> AsyncIterator[AsyncEngine]:
    """An async engine on an empty database of the backend under test."""
    engine = create_engine(store_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def sessions(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A store brought to the current schema, with Lorient Agglomération, the catalogue, and
    one correspondent of Riantec writing from a webmail address (anne@gmail.com)."""
    from storage.catalogue import load_catalogue
    from storage.database import session_factory
    from storage.members import add_member
    from storage.models import Commune, Role
    from storage.reference import install_catalogue, install_territory
    from storage.schema import upgrade
    from storage.territory import load_territory

    await upgrade(engine)
    factory = session_factory(engine)
    async with factory.begin() as session:
        await install_territory(session, load_territory())
        await install_catalogue(session, load_catalogue())
        riantec = await session.get(Commune, "56193")
        assert riantec is not None
        await add_member(session, riantec, Role.CORRESPONDENT, emails=["anne@gmail.com"])
    yield factory


@pytest.fixture(autouse=True)
def _quiet_cwd(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # The command line writes mutualise.log and mutualise.db in the working directory.
    monkeypatch.chdir(str(tmp_path))
    yield


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and POSTGRES_ENV in str(report.longrepr):
        _skipped_postgres.append(report.nodeid)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _skipped_postgres:
        terminalreporter.write_sep(
            "!",
            f"PostgreSQL half skipped ({len(_skipped_postgres)} tests): "
            f"set {POSTGRES_ENV}=postgresql://postgres@127.0.0.1:5432/test to run it",
            yellow=True,
        )
    elif POSTGRES_ADMIN_URL:
        shown = make_url(POSTGRES_ADMIN_URL).render_as_string(hide_password=True)
        terminalreporter.write_line(f"PostgreSQL half ran against {shown}")
