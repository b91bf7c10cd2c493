"""Shared fixtures: a real SQLite file and, when MUTUALISE_TEST_POSTGRES names one, the real
PostgreSQL server, each test on a database of its own.

The migrated store with its territory and catalogue is built once per run and backend,
then copied for each test that wants one (`sessions`): the file, for SQLite; `CREATE
DATABASE … TEMPLATE`, for PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.database import create_engine

POSTGRES_ENV = "MUTUALISE_TEST_POSTGRES"
POSTGRES_ADMIN_URL = os.environ.get(POSTGRES_ENV, "")
_skipped_postgres: list[str] = []
T = TypeVar("T")


def _admin_dsn() -> str:
    return make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql").render_as_string(False)


@pytest.fixture
async def postgres_url(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards: empty, or a copy of
    the seeded template when the test wants `sessions`."""
    if not POSTGRES_ADMIN_URL:
        pytest.skip(f"PostgreSQL half skipped: set {POSTGRES_ENV} to run it")
    databases: _Databases = request.getfixturevalue("postgres_databases")
    seeded = "sessions" in request.fixturenames
    template = request.getfixturevalue("postgres_template") if seeded else None
    name = await databases.take(template)
    yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(False)
    databases.drop(name)


class _Databases:
    """This worker's PostgreSQL databases, made and dropped on a thread of their own while
    the tests run: the next seeded copy is made during the test before it (a `CREATE
    DATABASE … TEMPLATE` takes a few tenths of a second), and a used database is dropped
    once its test has ended, without holding up the next one (a `DROP DATABASE` makes the
    server checkpoint: from a tenth of a second to over one when the server is busy).
    Creating and dropping share one connection: dropping on a second one, beside the
    copies being made, was slower, each drop flushing what the copies had just written."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._lock = asyncio.Lock()  # one statement at a time on the admin connection
        self._admin: asyncpg.Connection | None = None
        self._next: tuple[str, Future[str]] | None = None  # template, its copy being made
        self._pending: list[Future[None]] = []

    def _submit(self, work: Coroutine[Any, Any, T]) -> Future[T]:
        return asyncio.run_coroutine_threadsafe(work, self._loop)

    async def _execute(self, statement: str) -> None:
        async with self._lock:
            if self._admin is None:
                self._admin = await asyncpg.connect(_admin_dsn())
            await self._admin.execute(statement)

    async def _create(self, template: str | None) -> str:
        name = f"mutualise_test_{uuid.uuid4().hex[:12]}"
        copied = f' TEMPLATE "{template}"' if template else ""
        await self._execute(f'CREATE DATABASE "{name}"{copied}')
        return name

    async def take(self, template: str | None) -> str:
        """A new database for one test: empty, or a copy of `template`."""
        if template is None:
            return await asyncio.wrap_future(self._submit(self._create(None)))
        if self._next is not None and self._next[0] == template:
            made = self._next[1]
        else:
            made = self._submit(self._create(template))
        self._next = (template, self._submit(self._create(template)))
        return await asyncio.wrap_future(made)

    def drop(self, name: str) -> None:
        """Drop a database its test no longer uses, in the background."""
        statement = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
        self._pending.append(self._submit(self._execute(statement)))

    def forget_ahead(self) -> None:
        """Drop the copy made ahead (its template is about to go)."""
        if self._next is not None:
            self.drop(self._next[1].result())
            self._next = None

    def close(self) -> None:
        """Drop what is left, then stop the thread."""
        self.forget_ahead()
        for pending in self._pending:
            pending.result()
        if self._admin is not None:
            self._submit(self._admin.close()).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[_Databases]:
    """The worker's maker of test databases (see `_Databases`)."""
    databases = _Databases()
    yield databases
    databases.close()


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
def postgres_template(postgres_databases: _Databases) -> Iterator[str]:
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
    postgres_databases.forget_ahead()
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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest tests first (the service as a process of its own, the browser): the
    workers share them out at the start, rather than one ending the run alone on one."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is None
               and item.get_closest_marker("browser") is None)  # fmt: skip


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
