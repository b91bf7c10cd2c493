"""Shared fixtures: a real SQLite file and, when MUTUALISE_TEST_POSTGRES names one, the real
PostgreSQL server, each test on a database of its own.

The migrated store with its territory and catalogue is built once per run and backend,
then copied for each test that wants one (`sessions`): the file, for SQLite; `CREATE
DATABASE … TEMPLATE`, for PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

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
async def postgres_url(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards: empty, or a copy of
    the seeded template when the test wants `sessions`."""
    if not POSTGRES_ADMIN_URL:
        pytest.skip(f"PostgreSQL half skipped: set {POSTGRES_ENV} to run it")
    name = f"mutualise_test_{uuid.uuid4().hex[:12]}"
    if "sessions" in request.fixturenames:
        template = request.getfixturevalue("postgres_template")
        await _admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    else:
        await _admin(f'CREATE DATABASE "{name}"')
    yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(False)
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A SQLite file of its own for one test: none yet, or a copy of the seeded template
    when the test wants `sessions`."""
    path = tmp_path / "mutualise.db"
    if "sessions" in request.fixturenames:
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
    return f"sqlite:///{path}"


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


async def seed(engine: AsyncEngine) -> None:
    """Bring an empty store to the current schema, with Lorient Agglomération, the catalogue,
    and one correspondent of Riantec writing from a webmail address (anne@gmail.com)."""
    from storage.catalogue import load_catalogue
    from storage.database import session_factory
    from storage.members import add_member
    from storage.models import Commune, Role
    from storage.reference import install_catalogue, install_territory
    from storage.schema import upgrade
    from storage.territory import load_territory

    await upgrade(engine)
    async with session_factory(engine).begin() as session:
        await install_territory(session, load_territory())
        await install_catalogue(session, load_catalogue())
        riantec = await session.get(Commune, "56193")
        assert riantec is not None
        await add_member(session, riantec, Role.CORRESPONDENT, emails=["anne@gmail.com"])


def _apart(work: Callable[[], Awaitable[None]]) -> None:
    """Run a coroutine to its end on a loop of its own (fixtures may be inside one)."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, work()).result()  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded SQLite file, built once per run, copied by each test that wants one."""
    path = tmp_path_factory.mktemp("template") / "seeded.db"

    async def build() -> None:
        engine = create_engine(f"sqlite:///{path}")
        try:
            await seed(engine)
        finally:
            await engine.dispose()  # the last connection checkpoints the WAL into the file

    _apart(build)
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A seeded PostgreSQL database, built once per run, the template of each test's."""
    name = f"mutualise_template_{uuid.uuid4().hex[:12]}"

    async def build() -> None:
        await _admin(f'CREATE DATABASE "{name}"')
        engine = create_engine(
            make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(False)
        )
        try:
            await seed(engine)
        finally:
            await engine.dispose()  # a template must have no one connected

    async def drop() -> None:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    _apart(build)
    yield name
    _apart(drop)


async def _admin(statement: str) -> None:
    admin = await asyncpg.connect(_admin_dsn())
    try:
        await admin.execute(statement)
    finally:
        await admin.close()


@pytest.fixture
async def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """The store under test, seeded (see `seed`): its database is a copy of the run's
    template (`sqlite_url`, `postgres_url`)."""
    from storage.database import session_factory

    return session_factory(engine)


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
