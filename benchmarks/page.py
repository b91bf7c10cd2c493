"""Benchmark: the shared page of one territory with 10,000 needs, fetched over HTTP.

Run: .venv/bin/python benchmarks/page.py [--runs 7] [--db FILE] [--rows FILE] [--postgres URL]

Builds the store of `benchmarks/digests.py` with Lorient Agglomération only (10,000 needs,
with offers, proposals and events in proportion), signs a coordinator in through a one-time
link, then times `GET /` (the whole page: needs, group orders, calendar, indicators with
their charts), `GET /?article=…&du=…&au=…` (a search of lendable equipment) and
`GET /propositions/N` (a pending proposal's answers, where a coordinator answers for a
commune), each the median of `--runs`, served on loopback by aiohttp and read by an aiohttp
client, and the very first `GET /` after the server starts (its templates compiled then).
With `--postgres URL`, the same store is copied into a new database of that server (dropped
after) and measured there. The reference, interleaved with it in the same run: the same
territory's need rows read with a plain column query and written as CSV. Goal: the page
under 300 ms. A report, never a pass/fail.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from benchmarks.digests import NOW, reference
from benchmarks.latency import _admin
from benchmarks.report import Row, write_rows
from handlers.cli.calendar_feed import serving
from handlers.logins import issue_link
from handlers.web.app import WebConfig, make_app
from storage import views
from storage.database import create_engine, session_factory
from storage.members import add_member
from storage.models import (
    Base,
    Commune,
    Need,
    Proposal,
    ProposalParticipant,
    ProposalStatus,
    Role,
)
from storage.schema import upgrade
from storage.territory import DEFAULT_EPCI

GOAL = 0.300
SEARCH = {"article": "barrière", "du": "2027-07-14", "au": "2027-07-14"}


def _time(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 1 else f"{seconds:,.2f} s"


async def copied(path: Path, server: str, database: str) -> str:
    """A new database `database` on the PostgreSQL `server`, made by the migrations and
    holding the rows of the SQLite store at `path`; its URL."""
    await _admin(server, f'CREATE DATABASE "{database}"')
    url = make_url(server).set(database=database).render_as_string(False)
    source, target = create_engine(f"sqlite:///{path}"), create_engine(url)
    try:
        await upgrade(target)
        async with source.connect() as read, target.begin() as write:
            for table in Base.metadata.sorted_tables:
                rows = [dict(r) for r in (await read.execute(table.select())).mappings()]
                if rows:
                    await write.execute(table.insert(), rows)
                    top = max(r["id"] for r in rows) if "id" in table.c else None
                    if isinstance(top, int):  # the next row stored takes the next number
                        serial = f"pg_get_serial_sequence('{table.name}', 'id')"
                        await write.execute(text(f"SELECT setval({serial}, {top})"))
    finally:
        await source.dispose()
        await target.dispose()
    return url


async def measure(url: str, runs: int) -> dict[str, Any]:
    """The first page after the server starts, then the page and the search, each with the
    reference interleaved, after a warm-up."""
    engine = create_engine(url)
    sessions = session_factory(engine)
    try:
        async with sessions.begin() as session:
            scope = next(s for s in await views.territories(session) if s.epci == DEFAULT_EPCI)
            lorient = await session.get(Commune, "56121")
            assert lorient is not None
            member = await add_member(session, lorient, Role.COORDINATOR, name="Banc d'essai")
            secret = (await issue_link(session, NOW, member_id=member.id)).secret
            needs = await session.scalar(
                select(func.count())
                .select_from(Need)
                .join(Commune, Commune.insee == Need.commune_insee)
                .where(Commune.territory_id == scope.id)
            )
            waiting = await session.scalar(
                select(Proposal.id)
                .join(ProposalParticipant)
                .join(Commune, Commune.insee == ProposalParticipant.commune_insee)
                .where(Commune.territory_id == scope.id, Proposal.status == ProposalStatus.PROPOSED)
                .order_by(Proposal.id)
                .limit(1)
            )
            assert waiting is not None, "no pending proposal in the store"
        app = make_app(WebConfig(sessions, lambda: NOW, secure=False))
        async with (
            serving(app, "127.0.0.1", 0) as port,
            aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as client,
        ):
            site = f"http://127.0.0.1:{port}"
            async with client.post(f"{site}/connexion/{secret}", allow_redirects=False) as r:
                assert r.status == 303, r.status

            async def fetch(
                params: dict[str, str] | None = None, path: str = "/"
            ) -> tuple[float, int]:
                started = time.perf_counter()
                async with client.get(f"{site}{path}", params=params) as response:
                    body = await response.read()
                    assert response.status == 200, response.status
                return time.perf_counter() - started, len(body)

            async def csv() -> float:
                started = time.perf_counter()
                async with sessions() as session:
                    await reference(session, scope)
                return time.perf_counter() - started

            first = (await fetch())[0]  # the first: templates compiled then
            await fetch(SEARCH)
            answers = f"/propositions/{waiting}"
            await fetch(path=answers)
            await csv()
            page, search, proposal, theirs = [], [], [], []
            size = 0
            # No collection forced between the fetches, out of their time: as in the
            # service, each pays its share of the collector's passes.
            for _ in range(runs):
                spent, size = await fetch()
                page.append(spent)
                search.append((await fetch(SEARCH))[0])
                proposal.append((await fetch(path=answers))[0])
                theirs.append(await csv())
    finally:
        await engine.dispose()
    return {
        "needs": needs,
        "first": first,
        "page": statistics.median(page),
        "search": statistics.median(search),
        "proposal": statistics.median(proposal),
        "reference": statistics.median(theirs),
        "bytes": size,
        "runs": runs,
    }


def rows(results: dict[str, Any]) -> list[Row]:
    """The figures for the table of `benchmarks/all.py`: the reference's time over ours."""
    theirs = results["reference"]
    csv = f"its need rows read and written as CSV: {_time(theirs)}"
    where = results.get("where", "")
    return [
        Row("page", f"the first GET / after the server starts{where}",
            _time(results["first"]), csv, f"{theirs / results['first']:.3f}",
            f"under 300 ms: {'yes' if results['first'] < GOAL else 'no'}"),
        Row("page", f"shared page of one territory ({results['needs']:,} needs), GET /{where}",
            _time(results["page"]), csv, f"{theirs / results['page']:.3f}",
            f"under 300 ms: {'yes' if results['page'] < GOAL else 'no'}"),
        Row("page", "the same page with a search of lendable equipment by dates",
            _time(results["search"]), csv, f"{theirs / results['search']:.3f}",
            f"under 300 ms: {'yes' if results['search'] < GOAL else 'no'}"),
        Row("page", "a pending proposal's answers (answering for a commune), GET /propositions/N",
            _time(results["proposal"]), csv, f"{theirs / results['proposal']:.3f}",
            f"under 300 ms: {'yes' if results['proposal'] < GOAL else 'no'}"),
    ]  # fmt: skip


def report(console: Console, results: dict[str, Any], built: str) -> None:
    table = Table(title=f"Shared page, median of {results['runs']} runs ({built})")
    for column in ("figure", "ours", "reference", "ratio (ref/ours)", "goal"):
        table.add_column(column)
    for row in rows(results):
        table.add_row(row.figure, row.ours, row.reference, row.ratio, row.goal)
    console.print(table)
    console.print(f"page size: {results['bytes'] / 1e3:,.0f} kB of HTML")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each fetch")
    parser.add_argument("--db", type=Path, help="store file: reused if it exists, else kept")
    parser.add_argument("--rows", type=Path, help="append the figures here (JSON lines)")
    parser.add_argument("--postgres", help="measure on this PostgreSQL server (a database is "
                        "made there from the store, and dropped)")  # fmt: skip
    args = parser.parse_args()
    console = Console(highlight=False)
    if not console.is_terminal:
        console.width = 150
    with tempfile.TemporaryDirectory(prefix="mutualise-bench-") as folder:
        path = args.db or Path(folder) / "page.db"
        if path.exists():
            built = f"{path} reused"
        else:
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, str(Path(__file__).with_name("digests.py")), "--build-only",
                 "--db", str(path), "--scale", "0"],
                check=True,
            )  # fmt: skip
            built = f"store built in {time.perf_counter() - started:,.1f} s, not measured"
        if args.postgres is None:
            results = asyncio.run(measure(f"sqlite:///{path}", args.runs))
        else:
            database = f"mutualise_page_{os.getpid()}"
            try:
                url = asyncio.run(copied(path, args.postgres, database))
                results = asyncio.run(measure(url, args.runs)) | {"where": ", PostgreSQL"}
            finally:
                drop = f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'
                asyncio.run(_admin(args.postgres, drop))
        report(console, results, built)
        write_rows(args.rows, rows(results))


if __name__ == "__main__":
    main()
