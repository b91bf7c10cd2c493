"""Shared fixtures: a real SQLite file and, when MUTUALISE_TEST_POSTGRES names one, the real
PostgreSQL server, each test on a database of its own.

The migrated store with its territory and catalogue (or the fuller start a module asks for,
`store_start`) is built once per worker and backend for the tests that want one
(`sessions`): for SQLite, a file copied for each test; for PostgreSQL, a database put back
in that state after each test (`_Databases`)."""

from __future__ import annotations

import asyncio
import atexit
import gc
import io
import os
import shutil
import threading
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Start:
    """How the store of a test that wants `sessions` starts: `build` brings an empty store
    there. Built once per worker and backend under its `name`, then copied or put back."""

    name: str
    build: Callable[[AsyncEngine], Awaitable[None]]


def _start(request: pytest.FixtureRequest) -> Start | None:
    """The test's start (`store_start`), or none: an empty database."""
    if "sessions" not in request.fixturenames:
        return None
    start: Start = request.getfixturevalue("store_start")
    return start


@pytest.fixture
async def postgres_url(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A PostgreSQL database for one test, as new: empty, or at its start (`store_start`)
    when the test wants `sessions`. Each worker keeps one database of each kind and puts it
    back in that state once the test has ended (see `_Databases`)."""
    if not POSTGRES_ADMIN_URL:
        pytest.skip(f"PostgreSQL half skipped: set {POSTGRES_ENV} to run it")
    databases: _Databases = request.getfixturevalue("postgres_databases")
    start = _start(request)
    name = databases.take(start)
    yield _url(name)
    databases.reset(start)


def _url(database: str) -> str:
    return make_url(POSTGRES_ADMIN_URL).set(database=database).render_as_string(False)


def _dsn(database: str | None = None) -> str:
    url = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql")
    return (url.set(database=database) if database else url).render_as_string(False)


def _admin_dsn() -> str:
    return _dsn()


_TABLES = """
    SELECT quote_ident(c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY c.relname"""

# The tables written since they were last emptied and vacuumed: VACUUM gives back a table's
# pages once they hold no live row, so a table never written, or emptied, has none.
_WRITTEN = """
    SELECT quote_ident(c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'r' AND pg_relation_size(c.oid) > 0
      AND NOT quote_ident(c.relname) = ANY($1::text[])"""

# What the schema is made of (tables, columns, types, indexes, constraints): a test that
# changes it leaves a database that emptying the tables cannot mend.
_SCHEMA_PRINT = """
    SELECT md5(string_agg(item, ',' ORDER BY item)) FROM (
        SELECT c.relname || '.' || a.attname || ':' || format_type(a.atttypid, a.atttypmod)
               || ':' || a.attnotnull AS item
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
          AND a.attnum > 0 AND NOT a.attisdropped
        UNION ALL
        SELECT conrelid::regclass || ':' || pg_get_constraintdef(oid) FROM pg_constraint
        WHERE connamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
        UNION ALL
        SELECT t.typname || ':' || e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
        UNION ALL
        SELECT nspname FROM pg_namespace
    ) AS schema"""


def _print_of(table: str) -> str:
    """A query for the print of a table's rows where they lie: any change to them, even
    one writing the same values, moves them and changes it."""
    return f"(SELECT md5(string_agg(ctid::text || row::text, ',' ORDER BY ctid)) FROM {table} row)"


class _Seed:
    """The seeded database as `seed` left it, and how to bring it back: the seeded tables'
    rows in their order, the sequences, a print of the schema.

    After a test, the rows it wrote are deleted and the tables it wrote vacuumed, which
    gives their pages back, so that the next test writes, as in a new database, into
    empty tables; a seeded table the test changed gets its rows back, in their order.
    (Emptying with TRUNCATE makes new files for each table and index: ten times slower.)"""

    def __init__(self, rows: dict[str, bytes], sequences: str, schema: str) -> None:
        self.rows, self.sequences, self.schema = rows, sequences, schema
        self.prints: dict[str, str] = {}  # seeded table: the print of its rows as restored

    @classmethod
    async def read(cls, connection: asyncpg.Connection) -> _Seed:
        """Take the seeded state of the database `connection` is on."""
        rows: dict[str, bytes] = {}
        for (table,) in await connection.fetch(_TABLES):
            if await connection.fetchval(f"SELECT EXISTS (SELECT FROM {table})"):
                out = io.BytesIO()
                await connection.copy_from_table(table.strip('"'), output=out, format="binary")
                rows[table] = out.getvalue()
        sequences = ", ".join(
            f"setval('{name}', {last or start}, {last is not None})"
            for name, last, start in await connection.fetch(
                "SELECT quote_ident(sequencename), last_value, start_value FROM pg_sequences "
                "WHERE schemaname = 'public'"
            )
        )
        schema = await connection.fetchval(_SCHEMA_PRINT)
        seeded = cls(rows, f"SELECT {sequences}" if sequences else "", schema)
        await seeded._print(connection, list(rows))
        return seeded

    async def _print(self, connection: asyncpg.Connection, tables: list[str]) -> None:
        if tables:
            row = await connection.fetchrow(f"SELECT {', '.join(map(_print_of, tables))}")
            self.prints.update(zip(tables, row, strict=True))

    async def restore(self, connection: asyncpg.Connection) -> None:
        """Bring the database back to the seeded state, or fail if that cannot be done."""
        if await connection.fetchval(_SCHEMA_PRINT) != self.schema:
            raise _CannotRestoreError
        seeded = list(self.rows)
        prints = await connection.fetchrow(f"SELECT {', '.join(map(_print_of, seeded))}")
        changed = [t for t, now in zip(seeded, prints, strict=True) if now != self.prints[t]]
        written = [t for (t,) in await connection.fetch(_WRITTEN, seeded)] + changed
        if written:
            async with connection.transaction():
                # Rows go and come back whole, references included: no check on the way.
                await connection.execute("SET LOCAL session_replication_role = replica")
                await connection.execute("; ".join(f"DELETE FROM {t}" for t in written))
            for _ in range(3):  # a page pinned by the autovacuum daemon stays as it was
                await connection.execute(f"VACUUM {', '.join(written)}")
                if not await connection.fetchval(_LEFT, written):
                    break
            else:
                raise _CannotRestoreError
        async with connection.transaction():
            await connection.execute("SET LOCAL session_replication_role = replica")
            for table in changed:  # into empty files: in their order, as seeded
                source = io.BytesIO(self.rows[table])
                await connection.copy_to_table(table.strip('"'), source=source, format="binary")
            if self.sequences:
                await connection.execute(self.sequences)
        await self._print(connection, changed)


# Whether some of the tables emptied still hold pages after VACUUM.
_LEFT = """
    SELECT EXISTS (SELECT FROM unnest($1::text[]) AS t(name)
                   WHERE pg_relation_size(('public.' || name)::regclass) > 0)"""


class _CannotRestoreError(Exception):
    """A test changed the seeded database's schema, or left rows that VACUUM could not
    take away: the database is made anew."""


# A test that closes its database to connections (test_store_down) opens it again, even
# when it fails.
_LET_IN = """
    DO $$ BEGIN
        IF NOT (SELECT datallowconn FROM pg_database WHERE datname = '{name}') THEN
            ALTER DATABASE "{name}" ALLOW_CONNECTIONS true;
        END IF;
    END $$"""


class _Databases:
    """This worker's PostgreSQL databases, one empty and one for each start (`Start`), made
    at their first use and put back after each test: the empty one by dropping its schemas,
    the others by emptying what the test wrote and copying their rows back (`_Seed`). Making a
    database for each test, even as a copy of a template, cost the suite over a minute:
    each copy writes the whole catalogue of a database, and each drop makes the server
    checkpoint. A database that cannot be put back (`_CannotRestoreError`) is dropped and
    made anew.

    The work runs on an event loop of its own, on its own thread, since each test has its
    own loop and an asyncpg connection belongs to the loop that opened it. A database is put
    back while the worker goes on to its next test (40 to 230 ms, mostly VACUUM or dropping
    the schemas, 178 times a run); the next test that takes one waits for it to be done."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._admin: asyncpg.Connection | None = None
        self._names: dict[str, str] = {}  # the start's name, or "empty": the database's name
        self._seeds: dict[str, _Seed] = {}  # the start's name: its rows
        self._resetting: Future[None] | None = None  # the last test's database put back

    def _run(self, work: Coroutine[Any, Any, T]) -> T:
        self._reset_done()
        return asyncio.run_coroutine_threadsafe(work, self._loop).result()

    def _reset_done(self) -> None:
        """Wait for the last test's database to be put back (raising what that raised)."""
        resetting, self._resetting = self._resetting, None
        if resetting is not None:
            resetting.result()

    async def _execute(self, statement: str, *args: object) -> None:
        if self._admin is None:
            self._admin = await asyncpg.connect(_dsn())
        await self._admin.execute(statement, *args)

    async def _make(self, start: Start | None) -> None:
        kind = start.name if start else "empty"
        name = f"mutualise_test_{kind}_{uuid.uuid4().hex[:12]}"
        await self._execute(f'CREATE DATABASE "{name}"')
        try:
            if start:
                self._seeds[kind] = await _seeded(name, start)
        except BaseException:
            await self._execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            raise
        self._names[kind] = name

    def take(self, start: Start | None) -> str:
        """The name of the worker's database of that kind, empty or at that start."""
        self._reset_done()
        if (start.name if start else "empty") not in self._names:
            self._run(self._make(start))
        return self._names[start.name if start else "empty"]

    def reset(self, start: Start | None) -> None:
        """Start putting the database of that kind back as new, once its test has ended; the
        next `take` waits for it."""
        self._reset_done()
        work = self._reset(start.name if start else "empty")
        self._resetting = asyncio.run_coroutine_threadsafe(work, self._loop)

    async def _reset(self, kind: str) -> None:
        name = self._names[kind]
        await self._execute(_LET_IN.format(name=name))
        # Whatever the test left connected goes, and is gone before the cleaning starts.
        await self._execute(
            "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
        connection = await asyncpg.connect(_dsn(name))
        try:
            if kind in self._seeds:
                await self._seeds[kind].restore(connection)
            else:
                await _empty(connection)
        except _CannotRestoreError:
            await connection.close()
            await self._drop(kind)
        else:
            await connection.close()

    async def _drop(self, kind: str) -> None:
        name = self._names.pop(kind)
        self._seeds.pop(kind, None)
        await self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    async def _drop_all(self) -> None:
        """Drop every database at once, each from a connection of its own: each drop waits
        for a checkpoint of the whole server (PostgreSQL 15), and drops waiting together
        share one, where one after the other each waited for its own."""
        names, self._names, self._seeds = list(self._names.values()), {}, {}

        async def drop(name: str) -> None:
            connection = await asyncpg.connect(_dsn())
            try:
                await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await connection.close()

        await asyncio.gather(*map(drop, names))

    def close(self) -> None:
        """Drop the databases, then stop the thread."""
        self._run(self._drop_all())
        if self._admin is not None:
            self._run(self._admin.close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()


async def _seeded(name: str, start: Start) -> _Seed:
    """Bring the new database `name` to `start`, and what it then holds."""
    engine = create_engine(_url(name))
    try:
        await start.build(engine)
    finally:
        await engine.dispose()
    connection = await asyncpg.connect(_dsn(name))
    try:
        return await _Seed.read(connection)
    finally:
        await connection.close()


async def _empty(connection: asyncpg.Connection) -> None:
    """Drop every schema a test made, and make `public` again as a new database has it."""
    schemas = await connection.fetch(
        "SELECT quote_ident(nspname) FROM pg_namespace "
        "WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'"
    )
    async with connection.transaction():
        for (schema,) in schemas:
            await connection.execute(f"DROP SCHEMA {schema} CASCADE")
        await connection.execute(
            "CREATE SCHEMA public AUTHORIZATION pg_database_owner;"
            "COMMENT ON SCHEMA public IS 'standard public schema';"
            "GRANT USAGE ON SCHEMA public TO PUBLIC"
        )


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[_Databases]:
    """The worker's test databases (see `_Databases`)."""
    databases = _Databases()
    yield databases
    databases.close()


@pytest.fixture
def sqlite_url(tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A SQLite file of its own for one test: none yet, or a copy of the worker's file at the
    test's start (`store_start`) when the test wants `sessions`."""
    path = tmp_path / "mutualise.db"
    start = _start(request)
    if start:
        templates: _Templates = request.getfixturevalue("sqlite_templates")
        shutil.copyfile(templates.path(start), path)
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


SEEDED = Start("seeded", seed)


@pytest.fixture
def store_start() -> Start:
    """Where the store of a test that wants `sessions` starts: `seed`'s. A module whose
    tests begin further on overrides this fixture (tests/test_web.py)."""
    return SEEDED


class _Templates:
    """The worker's SQLite file for each start, built at its first use, copied by each test
    that begins there."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.paths: dict[str, Path] = {}

    def path(self, start: Start) -> Path:
        """The file at `start`."""
        if start.name not in self.paths:
            path = self.folder / f"{start.name}.db"

            async def build() -> None:
                engine = create_engine(f"sqlite:///{path}")
                try:
                    await start.build(engine)
                finally:
                    await engine.dispose()  # the last connection checkpoints the WAL into the file

            _apart(build)
            self.paths[start.name] = path
        return self.paths[start.name]


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> _Templates:
    """The worker's SQLite files, one for each start (see `_Templates`)."""
    return _Templates(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def sqlite_template(sqlite_templates: _Templates) -> Path:
    """The seeded SQLite file, built once per run, copied by each test that wants one."""
    return sqlite_templates.path(SEEDED)


@pytest.fixture(scope="session")
def initialised_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file as `mutualise init` leaves it, made once per run by the command itself
    (in this process, as `tests/cli.py` runs it); `tests/test_cli.py` runs init on its own."""
    from tests.cli import mutualise

    folder = tmp_path_factory.mktemp("initialised")
    path = folder / "mutualise.db"
    result = mutualise("init", db=f"sqlite:///{path}", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert not path.with_name(f"{path.name}-wal").exists()  # all of it in the file copied
    return path


@pytest.fixture
def initialised_url(tmp_path: Path, initialised_template: Path) -> str:
    """A SQLite file of its own for one test, as `mutualise init` leaves it: a copy of the
    run's `initialised_template`, rather than the migrations and the territory's load again
    in every test of the command line (a quarter of a second each)."""
    path = tmp_path / "mutualise.db"
    shutil.copyfile(initialised_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
async def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """The store under test at its start (`store_start`, by default seeded: see `seed`): a
    copy of the worker's SQLite file (`sqlite_url`), or the worker's PostgreSQL database
    put back (`postgres_url`)."""
    from storage.database import session_factory

    return session_factory(engine)


@pytest.fixture(autouse=True)
def _quiet_cwd(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # The command line writes mutualise.log and mutualise.db in the working directory.
    monkeypatch.chdir(str(tmp_path))
    yield


def pytest_configure(config: pytest.Config) -> None:
    """A full pass of the cyclic collector walks everything a worker holds (the modules,
    aiogram's models, the reader's words): 0.25 to 0.5 s, about twenty times in a worker's
    run, 9 % of its time. Ten times fewer full passes; the younger garbage still goes as
    often.

    Once pytest is done with a process (its last collection for unraisable exceptions
    included), what the process holds is frozen out of the collector: the interpreter's
    own passes at exit walked it all again, 5 to 8 s of each run's end, the workers'
    exits being what the run waits for last."""
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, 100)
    atexit.register(gc.freeze)  # at the exit of the process, once pytest has returned


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection built (the modules, aiogram's models, the tests' parameters) lives
    until the process ends: frozen out of the collector, each full pass walks only what
    the tests made since, and pytest's own passes at the end (for unraisable exceptions,
    still raised by whatever a test left behind) no longer walk it all (0.25 s a pass)."""
    gc.freeze()


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
