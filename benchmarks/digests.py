"""Benchmark: the semester summary of one territory with 10 k needs, and of every EPCI.

Run: .venv/bin/python benchmarks/digests.py [--scale 1.0] [--runs 5] [--db FILE] [--rows FILE]

Builds a temporary SQLite store (in a child process, so that its memory is not counted):
Lorient Agglomération as `mutualise init` loads it, with 10,000 needs, and 1,250 synthetic
EPCIs of about 28 communes each sharing 1,000,000 needs, with offers, proposals and events
in proportion (`--scale 0.1`: 125 EPCIs and 100,000 needs; Lorient keeps its 10,000). The
summaries are made as the scheduler makes them on 1 July 2027 at 8:00, Paris time.

Measures the summary of Lorient (median of `--runs`, with the time spent reading the
store, in the templates, the workbook, the calendar and the charts), then every territory's summary
streamed as `scheduler/jobs.py` does it (a session per territory, the result dropped before
the next), and the process's memory after 10 territories and after all. Every time comes
with a reference measured in the same run, interleaved with it: the same territory's need
rows read with a plain column query and written with the csv module. Timings on a shared
machine are noisy, ratios much less so: a report, never a pass/fail.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import gc
import io
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console
from rich.table import Table
from sqlalchemy import Connection, delete, event, func, insert, select
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import handlers.digests as digests
from benchmarks.report import Row, write_rows
from handlers.digests import DigestConfig, Rendered, semester_summary
from scheduler.rendering import workers
from storage import views
from storage.catalogue import ItemRecord, load_catalogue
from storage.database import create_engine, session_factory
from storage.models import (
    Answer,
    Channel,
    Commune,
    Event,
    EventItem,
    InboundMessage,
    InboundStatus,
    JobRun,
    Need,
    NeedKind,
    NeedStatus,
    Offer,
    OfferStatus,
    ParticipantRole,
    Proposal,
    ProposalKind,
    ProposalParticipant,
    ProposalStatus,
    Territory,
)
from storage.reference import install_catalogue, install_territory
from storage.schema import upgrade
from storage.territory import DEFAULT_EPCI, load_territory
from storage.views import Item, Scope

PARIS = ZoneInfo("Europe/Paris")
NOW = dt.datetime(2027, 7, 1, 8, tzinfo=PARIS)  # the scheduler's due day and hour
TODAY = NOW.date()
SEMESTER = dt.date(2027, 1, 1)  # the half-year the summary reports on, to 30 June
ONE_TERRITORY_NEEDS = 10_000
EPCIS, EPCI_NEEDS = 1_250, 1_000_000
CHUNK = 20_000  # rows per INSERT batch while building
FIRST = 10  # memory is read after this many territories, and after all

# Per need of a territory: how many of each of the other rows it gets.
OFFERS, LOANS, GROUP_ORDERS, JOINT_PURCHASES, EVENTS = 0.10, 0.03, 0.008, 0.003, 0.01
BY_MESSAGE = 0.85  # share of declarations made by a message (the rest: the command line)
OFF_CATALOGUE = ("tréteaux de fête", "percolateur", "sono portable", "bancs de kermesse")
EVENT_NAMES = ("Fête de la musique", "Festival interceltique", "Marché de Noël",
               "Fête du port", "Forum des associations", "Course cycliste", "Fest-noz")  # fmt: skip
NEED_STATUSES = (
    (NeedStatus.OPEN, 0.70),
    (NeedStatus.MATCHED, 0.12),
    (NeedStatus.FULFILLED, 0.08),
    (NeedStatus.CANCELLED, 0.05),
    (NeedStatus.EXPIRED, 0.05),
)
TABLES = (Territory, Commune, InboundMessage, Need, Offer, Event, EventItem, Proposal,
          ProposalParticipant)  # fmt: skip
NEED_COLUMNS = (
    Need.id, Need.commune_insee, Need.kind, Need.item_id, Need.item_label, Need.quantity,
    Need.unit, Need.start, Need.end, Need.deadline, Need.status, Need.created_at,
    Need.status_reason,
)  # fmt: skip


# --- Building the store --------------------------------------------------------------


def _instant(rng: random.Random, first: dt.date, last: dt.date) -> dt.datetime:
    """An aware instant between two days, at a working hour."""
    day = first + dt.timedelta(days=rng.randrange((last - first).days + 1))
    return dt.datetime.combine(day, dt.time(rng.randrange(8, 19), rng.randrange(60)), PARIS)


class Builder:
    """Writes synthetic territories with core bulk inserts, a chunk of rows at a time."""

    def __init__(self, connection: Connection, seed: int = 7) -> None:
        self.connection = connection
        self.rng = random.Random(seed)
        catalogue = load_catalogue()
        self.lendable = [i for i in catalogue.items if i.lendable]
        self.consumable = [i for i in catalogue.items if not i.lendable]
        self.items = {i.id: i for i in catalogue.items}
        self.pending: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        self.next_id: dict[Any, int] = defaultdict(lambda: 1)

    def add(self, model: Any, row: dict[str, Any]) -> int:
        """Queue a row, with an id of its own when the table has one; returns the id."""
        if "id" in model.__table__.c and "id" not in row:
            row["id"] = self.next_id[model]
            self.next_id[model] += 1
        rows = self.pending[model]
        rows.append(row)
        if len(rows) >= CHUNK:
            self.flush(model)
        return int(row.get("id", 0))

    def flush(self, model: Any = None) -> None:
        for each in [model] if model is not None else list(self.pending):
            if self.pending[each]:
                self.connection.execute(insert(each), self.pending[each])
                self.pending[each] = []

    def start_ids(self) -> None:
        """Continue every id sequence after what `mutualise init` wrote."""
        for model in (m for m in TABLES if m is not Commune):
            top = self.connection.scalar(select(func.max(model.id))) or 0
            self.next_id[model] = top + 1

    def message(self, insee: str, created: dt.datetime, text: str) -> tuple[Channel, int | None]:
        """The message a declaration came by, if any: its channel and id."""
        if self.rng.random() >= BY_MESSAGE:
            return Channel.CLI, None
        channel = self.rng.choice((Channel.EMAIL, Channel.TELEGRAM))
        number = self.next_id[InboundMessage]
        mid = self.add(InboundMessage, {
            "channel": channel, "external_id": f"bench-{number}",
            "sender": f"mairie@{insee}.example" if channel is Channel.EMAIL else str(number),
            "received_at": created - dt.timedelta(minutes=self.rng.randrange(1, 30)),
            "raw": text.encode(), "text": text, "member_id": None, "commune_insee": insee,
            "status": InboundStatus.RECORDED, "outcome": None,
        })  # fmt: skip
        return channel, mid

    def territory(self, number: int, communes: int) -> tuple[int, list[str]]:
        """A synthetic EPCI with its communes; returns its id and their INSEE codes."""
        rng = self.rng
        tid = self.add(Territory, {
            "epci": f"{240_000_000 + number:09d}",
            "name": f"Communauté de communes n° {number}",
            "kind": "CC",
            "source": "benchmark",
        })  # fmt: skip
        codes = []
        for _ in range(communes):
            code = self.next_id["insee"]
            code = 57_000 if code // 1000 == 56 else code  # never Lorient's 56xxx
            self.next_id["insee"] = code + 1
            insee = f"{code:05d}"
            codes.append(insee)
            self.add(Commune, {
                "insee": insee, "territory_id": tid, "name": f"Commune {insee}",
                "population": int(rng.lognormvariate(7.3, 1.1)) + 50,
                "latitude": rng.uniform(42.5, 51.0), "longitude": rng.uniform(-4.5, 8.0),
            })  # fmt: skip
        return tid, codes

    def needs_of(self, communes: list[str], count: int) -> None:
        """`count` needs over the communes, then offers, events and proposals in proportion."""
        rng = self.rng
        weights = [rng.random() + 0.2 for _ in communes]
        borrows: dict[str | None, list[tuple[int, str, int]]] = defaultdict(list)
        purchases: dict[str | None, list[tuple[int, str, int]]] = defaultdict(list)
        for insee in rng.choices(communes, weights, k=count):
            borrow = rng.random() < 0.6
            item: ItemRecord | None = rng.choice(self.lendable if borrow else self.consumable)
            if rng.random() < 0.03:
                item = None
            quantity = rng.randint(1, 200 if borrow else 50)
            due = TODAY + dt.timedelta(
                days=-rng.randrange(1, 150) if rng.random() < 0.05 else rng.randrange(1, 366)
            )
            status = rng.choices(*zip(*NEED_STATUSES, strict=True))[0]
            created = _instant(rng, SEMESTER, TODAY - dt.timedelta(days=1))
            label = item.plural if item else rng.choice(OFF_CATALOGUE)
            channel, mid = self.message(insee, created, f"Il nous faudrait {quantity} {label}.")
            nid = self.add(Need, {
                "commune_insee": insee, "member_id": None,
                "item_id": item.id if item else None,
                "item_label": item.label if item else label,
                "quantity": quantity, "unit": item.unit if item else None,
                "start": due if borrow else None,
                "end": due + dt.timedelta(days=rng.randrange(4)) if borrow else None,
                "channel": channel, "message_id": mid, "created_at": created,
                "updated_at": created,
                "kind": NeedKind.BORROW if borrow else NeedKind.PURCHASE,
                "deadline": None if borrow else due, "event_id": None, "status": status,
                "status_reason": "déclaré deux fois" if status is NeedStatus.CANCELLED else None,
                "volunteer": not borrow and rng.random() < 0.1,
            })  # fmt: skip
            if item is not None:
                (borrows if borrow else purchases)[item.id].append((nid, insee, quantity))
        lent = self.offers(communes, round(count * OFFERS))
        self.events(communes, round(count * EVENTS))
        self.loans(communes, borrows, lent, round(count * LOANS))
        self.groups(purchases, ProposalKind.GROUP_ORDER, round(count * GROUP_ORDERS))
        self.groups(borrows, ProposalKind.JOINT_PURCHASE, round(count * JOINT_PURCHASES))

    def offers(self, communes: list[str], count: int) -> dict[str, list[int]]:
        """Offers of lendable items; returns their ids by commune."""
        rng = self.rng
        found: dict[str, list[int]] = defaultdict(list)
        for _ in range(count):
            item, insee = rng.choice(self.lendable), rng.choice(communes)
            first = TODAY + dt.timedelta(days=rng.randrange(-90, 90))
            created = _instant(rng, SEMESTER, TODAY - dt.timedelta(days=1))
            quantity = rng.randint(1, 400)
            channel, mid = self.message(insee, created, f"Nous prêtons {quantity} {item.plural}.")
            oid = self.add(Offer, {
                "commune_insee": insee, "member_id": None, "item_id": item.id,
                "item_label": item.label, "quantity": quantity, "unit": item.unit,
                "start": first, "end": first + dt.timedelta(days=rng.randrange(30, 200)),
                "channel": channel, "message_id": mid, "created_at": created,
                "updated_at": created, "conditions": None,
                "status": OfferStatus.OPEN if rng.random() < 0.9 else OfferStatus.WITHDRAWN,
            })  # fmt: skip
            found[insee].append(oid)
        return found

    def events(self, communes: list[str], count: int) -> None:
        rng = self.rng
        for _ in range(count):
            start = TODAY + dt.timedelta(days=rng.randrange(-10, 200))
            insee, name = rng.choice(communes), rng.choice(EVENT_NAMES)
            created = _instant(rng, SEMESTER, TODAY - dt.timedelta(days=1))
            _, mid = self.message(insee, created, f"{name} le {start:%d/%m}.")
            eid = self.add(Event, {
                "commune_insee": insee, "name": name, "start": start,
                "end": start + dt.timedelta(days=rng.randrange(3)),
                "recurring": rng.random() < 0.4, "message_id": mid, "created_at": created,
            })  # fmt: skip
            for item in rng.sample(self.lendable, rng.randint(1, 4)):
                self.add(EventItem, {
                    "event_id": eid, "item_id": item.id, "item_label": item.plural,
                    "quantity": rng.choice((None, rng.randint(1, 300))),
                })  # fmt: skip

    def proposal(self, kind: ProposalKind, status: ProposalStatus, **values: Any) -> int:
        # Some were made in the semester before: they count in the indicators only if a
        # loan's days fall in this one.
        created = _instant(self.rng, SEMESTER - dt.timedelta(days=60), TODAY - dt.timedelta(1))
        row = dict.fromkeys(("item_id", "family_id", "quantity", "start", "end", "deadline",
                             "cost_key", "signature"))  # fmt: skip
        row.update(values, kind=kind, status=status, created_at=created, updated_at=created)
        return self.add(Proposal, row)

    def share(self, pid: int, insee: str, role: ParticipantRole, **values: Any) -> None:
        row = {"need_id": None, "offer_id": None, "quantity": None, "answered_at": None, **values}
        self.add(ProposalParticipant, {"proposal_id": pid, "commune_insee": insee,
                                       "role": role, **row})  # fmt: skip

    def loans(
        self,
        communes: list[str],
        borrows: dict[Any, list[Any]],
        lent: dict[str, list[int]],
        count: int,
    ) -> None:
        """Loans of what a need asks, done, confirmed, proposed, refused or cancelled."""
        rng = self.rng
        wanted = [(item, need) for item, needs in borrows.items() for need in needs]
        for item_id, (nid, borrower, quantity) in rng.sample(wanted, min(count, len(wanted))):
            status = rng.choices(list(ProposalStatus), [0.35, 0.30, 0.05, 0.05, 0.25])[0]
            past = status is ProposalStatus.DONE or (
                status is ProposalStatus.ACCEPTED and rng.random() < 0.3
            )
            start = (SEMESTER + dt.timedelta(days=rng.randrange(170)) if past
                     else TODAY + dt.timedelta(days=rng.randrange(200)))  # fmt: skip
            end = start + dt.timedelta(days=rng.randrange(4))
            lenders = rng.sample([c for c in communes if c != borrower] or communes,
                                 1 if rng.random() < 0.9 else 2)  # fmt: skip
            item = self.items[item_id]
            pid = self.proposal(
                ProposalKind.LOAN, status, item_id=item_id, family_id=item.family,
                quantity=quantity, start=start, end=end,
                reason=f"{len(lenders)} commune(s) proche(s) prête(nt) {quantity} "
                f"{item.plural} déclarés disponibles à ces dates.",
            )  # fmt: skip
            answer = Answer.PENDING if status is ProposalStatus.PROPOSED else Answer.ACCEPTED
            for lender in lenders:
                offer = rng.choice(lent[lender]) if lent.get(lender) else None
                self.share(pid, lender, ParticipantRole.LENDER, answer=answer, offer_id=offer,
                           quantity=quantity // len(lenders) or 1)  # fmt: skip
            if status is ProposalStatus.REFUSED:
                answer = Answer.REFUSED
            self.share(pid, borrower, ParticipantRole.BORROWER, need_id=nid, quantity=quantity,
                       answer=answer)  # fmt: skip

    def groups(self, needs: dict[Any, list[Any]], kind: ProposalKind, count: int) -> None:
        """Group orders of purchases of one item, or joint purchases of a borrowed item."""
        rng = self.rng
        shared = [(item, found) for item, found in needs.items() if len(found) >= 2]
        for item_id, found in rng.sample(shared, min(count, len(shared))):
            members = rng.sample(found, min(len(found), rng.randint(2, 6)))
            status = ProposalStatus.PROPOSED if rng.random() < 0.65 else ProposalStatus.ACCEPTED
            item = self.items[item_id]
            group = kind is ProposalKind.GROUP_ORDER
            pid = self.proposal(
                kind, status, item_id=item_id, family_id=item.family,
                quantity=sum(q for _, _, q in members) if group else 1,
                deadline=TODAY + dt.timedelta(days=rng.randrange(30, 300)) if group else None,
                reason=f"{len(members)} communes ont besoin de {item.plural} : "
                + ("un seul marché pour toutes." if group else "un achat en commun suffirait."),
            )  # fmt: skip
            for nid, insee, quantity in members:
                answer = rng.choice((Answer.PENDING, Answer.ACCEPTED))
                self.share(pid, insee, ParticipantRole.MEMBER, need_id=nid,
                           quantity=quantity if group else None, answer=answer)  # fmt: skip
            if group:
                self.share(pid, members[0][1], ParticipantRole.CARRIER, answer=Answer.ACCEPTED)


async def _initialise(path: Path) -> None:
    """What `mutualise init` does: the schema, Lorient Agglomération and the catalogue."""
    engine = create_engine(f"sqlite:///{path}")
    try:
        await upgrade(engine)
        async with session_factory(engine).begin() as session:
            await install_territory(session, load_territory())
            await install_catalogue(session, load_catalogue())
    finally:
        await engine.dispose()


def build(path: Path, scale: float) -> None:
    """The whole store: Lorient with 10,000 needs, then the synthetic EPCIs."""
    asyncio.run(_initialise(path))
    engine = create_sync_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def fast(connection: Any, _record: Any) -> None:
        connection.execute("PRAGMA synchronous=OFF")  # a throwaway store: no fsync

    with engine.begin() as connection:
        builder = Builder(connection)
        builder.start_ids()
        builder.next_id["insee"] = 1_000
        lorient = list(
            connection.scalars(
                select(Commune.insee)
                .join(Territory)
                .where(Territory.epci == DEFAULT_EPCI)
                .order_by(Commune.insee)
            )
        )
        builder.needs_of(lorient, ONE_TERRITORY_NEEDS)
        epcis = round(EPCIS * scale)
        sizes = [builder.rng.randint(8, 48) for _ in range(epcis)]
        needs, spread = round(EPCI_NEEDS * scale), sum(sizes)
        given = 0
        for number, communes in enumerate(sizes, start=1):
            share = round(needs * sum(sizes[:number]) / spread) - given if spread else 0
            given += share
            _, codes = builder.territory(number, communes)
            builder.needs_of(codes, share)
        builder.flush()
    engine.dispose()


# --- Measuring ------------------------------------------------------------------------


class Stopwatch:
    """Time spent in the parts of `semester_summary`, by wrapping the names it calls."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)

    def install(self) -> None:
        # semester_summary looks these up in its module at each call: wrapping them there
        # times the real code path without copying it here.
        digests.semester.build = self._async("reading", digests.semester.build)  # type: ignore[method-assign]
        for part, name in (("templates", "render"), ("workbook", "workbook"),
                           ("calendar", "calendar"), ("charts", "picture")):  # fmt: skip
            setattr(digests, name, self._sync(part, getattr(digests, name)))

    def _sync(self, part: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.spent[part] += time.perf_counter() - started

        return timed

    def _async(self, part: str, function: Callable[..., Awaitable[Any]]) -> Callable[..., Any]:
        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await function(*args, **kwargs)
            finally:
                self.spent[part] += time.perf_counter() - started

        return timed

    def take(self) -> dict[str, float]:
        spent, self.spent = dict(self.spent), defaultdict(float)
        return spent


async def reference(session: AsyncSession, scope: Scope) -> int:
    """The territory's need rows, read with a plain column query and written as CSV."""
    communes = select(Commune.insee).where(Commune.territory_id == scope.id)
    rows = await session.execute(
        select(*NEED_COLUMNS).where(Need.commune_insee.in_(communes)).order_by(Need.id)
    )
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return len(buffer.getvalue())


def size(rendered: Rendered) -> int:
    """Bytes the rendered summary holds: HTML, text, the chat brief and the files."""
    texts = (rendered.html, rendered.text, rendered.brief)
    return sum(len(t.encode()) for t in texts) + sum(len(d) for _, d in rendered.files.values())


def rss() -> float:
    """The process's resident memory now, in MB (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 1e6


def peak_rss() -> float:
    """The process's peak resident memory so far, in MB (ru_maxrss is in kB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


async def timed(work: Awaitable[Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = await work
    return time.perf_counter() - started, result


async def one_territory(
    sessions: async_sessionmaker[AsyncSession],
    scope: Scope,
    items: dict[str, Item],
    runs: int,
    watch: Stopwatch,
) -> dict[str, Any]:
    """Lorient's summary `runs` times, each followed by the reference, after a warm-up."""
    config = DigestConfig()
    async with sessions() as session:  # warm: templates compiled, lazy imports, caches
        rendered = await semester_summary(session, scope, items, NOW, config)
        await reference(session, scope)
    watch.take()
    ours, theirs, parts = [], [], []
    for _ in range(runs):
        gc.collect()  # neither pays for the other's garbage
        async with sessions() as session:
            spent, _ = await timed(semester_summary(session, scope, items, NOW, config))
            ours.append(spent)
            parts.append(watch.take())
        gc.collect()
        async with sessions() as session:
            theirs.append((await timed(reference(session, scope)))[0])
    communes = select(Commune.insee).where(Commune.territory_id == scope.id)
    async with sessions() as session:
        needs = await session.scalar(select(func.count()).where(Need.commune_insee.in_(communes)))
    summary = await _shape(sessions, scope, items)
    return {
        "runs": runs,
        "ours": statistics.median(ours),
        "reference": statistics.median(theirs),
        "parts": {k: statistics.median(p.get(k, 0.0) for p in parts) for k in parts[0]},
        "needs": needs,
        "shape": summary,
        "files": {name: len(data) for name, (_, data) in rendered.files.items()},
        "html": len(rendered.html.encode()),
    }


async def _shape(
    sessions: async_sessionmaker[AsyncSession], scope: Scope, items: dict[str, Item]
) -> str:
    """What the summary holds, to show that every section has rows."""
    async with sessions() as session:
        s = await digests.semester.build(session, scope, items, NOW, 0.10)
    return (
        f"{s.open_needs:,} open needs in {len(s.families)} families, "
        f"{len(s.group_orders)} group orders, {len(s.joint_purchases)} joint purchases, "
        f"loans {len(s.loans_done)} done / {len(s.loans_coming)} coming / "
        f"{len(s.loans_pending)} pending, {len(s.events)} events, "
        f"{s.total.needs:,} needs declared this semester, {len(s.silent)} silent communes"
    )


async def every_territory(
    sessions: async_sessionmaker[AsyncSession], watch: Stopwatch, console: Console
) -> dict[str, Any]:
    """Every territory's summary, streamed as `Jobs.semester` does, each after its reference.

    As in `Jobs._each`: the territories are listed in one session, then each is rendered in
    a transaction of its own that reads the catalogue again; the result is dropped before
    the next territory (`Jobs._each` keeps it in its results: the table says how much).
    """
    config = DigestConfig()
    started = time.perf_counter()
    async with sessions() as session:
        scopes = await views.territories(session)
    ours, theirs, sizes = [time.perf_counter() - started], [], []
    memory: dict[str, float] = {"rss before": rss(), "peak before": peak_rss()}
    slowest = (0.0, "")
    watch.take()
    for done, scope in enumerate(scopes, start=1):
        async with sessions() as session:
            theirs.append((await timed(reference(session, scope)))[0])
        started = time.perf_counter()
        async with sessions.begin() as session:
            items = await views.catalogue(session)
            rendered = await semester_summary(session, scope, items, NOW, config)
        sizes.append(size(rendered))
        del rendered
        ours.append(time.perf_counter() - started)
        slowest = max(slowest, (ours[-1], scope.name))
        if done == min(FIRST, len(scopes)):
            memory.update({"rss first": rss(), "peak first": peak_rss()})
        if done % 100 == 0:
            console.print(f"  {done:,} / {len(scopes):,} territories, {sum(ours):.1f} s so far")
    memory.update({"rss all": rss(), "peak all": peak_rss()})
    return {
        "territories": len(scopes),
        "parts": watch.take(),
        "ours": ours,
        "reference": theirs,
        "slowest": slowest,
        "memory": memory,
        "sizes": sizes,
    }


async def measure(path: Path, runs: int, console: Console) -> dict[str, Any]:
    engine = create_engine(f"sqlite:///{path}")
    sessions = session_factory(engine)
    watch = Stopwatch()
    watch.install()
    try:
        async with sessions() as session:
            scopes = await views.territories(session)
            items = await views.catalogue(session)
            counts = {
                model.__tablename__: await session.scalar(select(func.count()).select_from(model))
                for model in TABLES
            }
        lorient = next(s for s in scopes if s.epci == DEFAULT_EPCI)
        console.print(f"one territory: {lorient.name}, {runs} runs ...")
        one = await one_territory(sessions, lorient, items, runs, watch)
        console.print(f"every territory: {len(scopes):,}, streamed ...")
        every = await every_territory(sessions, watch, console)
        console.print(f"every territory: Jobs.semester on {workers()} cores ...")
        every["jobs"] = await with_jobs(sessions)
    finally:
        await engine.dispose()
    return {"counts": counts, "one": one, "every": every, "lorient": lorient.name}


async def with_jobs(sessions: async_sessionmaker[AsyncSession]) -> float:
    """The scheduler's own job, as on 1 July: every territory rendered on every core, each
    recorded and queued for its coordinators in turn. Its runs are removed afterwards."""
    from scheduler.jobs import Jobs

    day = NOW.date()
    jobs = Jobs(sessions, DigestConfig(), "bench", ZoneInfo("Europe/Paris"), 8)
    started = time.perf_counter()
    results = await jobs.semester(NOW, day)
    seconds = time.perf_counter() - started
    assert all(r.ran for r in results)
    async with sessions.begin() as session:
        await session.execute(delete(JobRun).where(JobRun.instance == "bench"))
    return seconds


# --- Reporting ------------------------------------------------------------------------


def _time(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 1 else f"{seconds:,.2f} s"


def _ratio(ours: float, theirs: float) -> str:
    return f"x{ours / theirs:,.1f}" if theirs else "-"


PARTS = (
    ("reading", "reading (facts + build)"),
    ("templates", "templates (HTML + text)"),
    ("workbook", "workbook (xlsx)"),
    ("calendar", "calendar (ics)"),
    ("charts", "charts (3 PNG)"),
)


def _breakdown(table: Table, parts: dict[str, float], total: float, other: str) -> None:
    """Where the time of a figure went, each part with its share."""
    for part, label in PARTS:
        spent = parts.get(part, 0.0)
        table.add_row(f"  {label}", _time(spent), "", "", f"{spent / total:.0%}")
    rest = max(total - sum(parts.values()), 0.0)
    table.add_row(f"  other ({other})", _time(rest), "", "", f"{rest / total:.0%}")


def report(console: Console, results: dict[str, Any], scale: float, built: str) -> None:
    counts, one, every = results["counts"], results["one"], results["every"]
    console.print(f"store: {built}")
    console.print("rows: " + ", ".join(f"{name} {number:,}" for name, number in counts.items()))
    console.print(f"scale {scale:g}; summaries as of {NOW.isoformat()}")
    console.print(f"{results['lorient']}: {one['shape']}")
    files = ", ".join(f"{name} {number / 1e3:,.0f} kB" for name, number in one["files"].items())
    console.print(f"its summary: HTML {one['html'] / 1e3:,.0f} kB, {files}")

    table = Table(title="Semester summary: ours against a reference measured in the same run")
    for name, justify in (("measure", "left"), ("ours", "right"), ("reference", "right"),
                          ("ratio", "right"), ("note", "left")):  # fmt: skip
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    table.add_row(
        f"one territory ({one['needs']:,} needs), median of {one['runs']} runs",
        _time(one["ours"]), _time(one["reference"]), _ratio(one["ours"], one["reference"]),
        "goal: under 1 s; reference: its need rows read and written as CSV",
    )  # fmt: skip
    _breakdown(table, one["parts"], one["ours"], "Telegram text")
    table.add_section()
    ours, theirs = every["ours"], every["reference"]
    needs = counts["needs"]
    table.add_row(
        f"every territory ({every['territories']:,}, {needs:,} needs), streamed",
        _time(sum(ours)), _time(sum(theirs)), _ratio(sum(ours), sum(theirs)),
        "goal: under 2 min; a session per territory, as Jobs.semester",
    )  # fmt: skip
    _breakdown(table, every["parts"], sum(ours), "sessions, catalogue, Telegram text")
    table.add_row(
        f"  Jobs.semester on {workers()} cores (rendered in worker processes)",
        _time(every["jobs"]), _time(sum(theirs)), _ratio(every["jobs"], sum(theirs)),
        "goal: under 2 min; the scheduler's own job, recorded and queued",
    )  # fmt: skip
    table.add_row(
        "  mean per territory", _time(statistics.mean(ours[1:])),
        _time(statistics.mean(theirs)), _ratio(statistics.mean(ours[1:]), statistics.mean(theirs)),
        f"listing the territories: {_time(ours[0])}",
    )  # fmt: skip
    table.add_row(
        "  median per territory", _time(statistics.median(ours[1:])),
        _time(statistics.median(theirs)),
        _ratio(statistics.median(ours[1:]), statistics.median(theirs)),
        f"slowest: {every['slowest'][1]}, {_time(every['slowest'][0])}",
    )  # fmt: skip
    table.add_section()
    memory = every["memory"]
    first = min(FIRST, every["territories"])
    table.add_row(
        f"peak RSS after all / after {first} territories", f"{memory['peak all']:,.0f} MB",
        f"{memory['peak first']:,.0f} MB", _ratio(memory["peak all"], memory["peak first"]),
        f"ru_maxrss; {memory['peak before']:,.0f} MB before the streamed run",
    )  # fmt: skip
    table.add_row(
        f"RSS now after all / after {first} territories", f"{memory['rss all']:,.0f} MB",
        f"{memory['rss first']:,.0f} MB", _ratio(memory["rss all"], memory["rss first"]),
        f"/proc/self/statm; {memory['rss before']:,.0f} MB before the streamed run",
    )  # fmt: skip
    sizes = every["sizes"]
    table.add_row(
        "rendered per territory (HTML, text, files)", f"{statistics.mean(sizes) / 1e3:,.0f} kB",
        "", "", f"{sum(sizes) / 1e6:,.0f} MB for all: rendered, each dropped before the next",
    )  # fmt: skip
    console.print(table)


def rows(results: dict[str, Any]) -> list[Row]:
    """The figures for the table of `benchmarks/all.py`: the reference's time over ours."""
    one, every = results["one"], results["every"]
    ours, theirs = sum(every["ours"]), sum(every["reference"])
    memory = every["memory"]
    return [
        Row("digests", f"semester summary of one territory ({one['needs']:,} needs)",
            _time(one["ours"]), f"its need rows read and written as CSV: {_time(one['reference'])}",
            f"{one['reference'] / one['ours']:.3f}", "under 1 s"),
        Row("digests", f"every territory ({every['territories']:,}, "
            f"{results['counts']['needs']:,} needs), streamed",
            _time(ours), f"the same, CSV: {_time(theirs)}", f"{theirs / ours:.3f}",
            "under 2 min at full scale"),
        Row("digests", f"every territory, Jobs.semester on {workers()} cores",
            _time(every["jobs"]), f"the same, CSV: {_time(theirs)}",
            f"{theirs / every['jobs']:.3f}", "under 2 min at full scale"),
        Row("digests", "peak memory, after all territories", f"{memory['peak all']:,.0f} MB",
            f"after {min(FIRST, every['territories'])}: {memory['peak first']:,.0f} MB",
            f"{memory['peak first'] / memory['peak all']:.2f}", "flat: near 1"),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="share of the 1,250 EPCIs")
    parser.add_argument("--runs", type=int, default=5, help="runs of the one-territory summary")
    parser.add_argument("--db", type=Path, help="store file: reused if it exists, else kept")
    parser.add_argument("--rows", type=Path, help="append the figures here (JSON lines)")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_only:
        build(args.db, args.scale)
        return
    console = Console(highlight=False)
    if not console.is_terminal:
        console.width = 150  # the table on one line a row, in a file too
    with tempfile.TemporaryDirectory(prefix="mutualise-bench-") as folder:
        path = args.db or Path(folder) / "digests.db"
        if path.exists():
            built = f"{path} reused ({path.stat().st_size / 1e6:,.0f} MB), not rebuilt"
        else:
            console.print(f"building the store in {path} (scale {args.scale:g}) ...")
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, __file__, "--build-only", "--db", str(path),
                 "--scale", str(args.scale)],
                check=True,
            )  # fmt: skip
            built = (
                f"built in {time.perf_counter() - started:,.1f} s (not measured below), "
                f"{path.stat().st_size / 1e6:,.0f} MB"
            )
        with path.open("rb") as store:  # into the page cache, for ours and the reference
            while store.read(1 << 24):
                pass
        results = asyncio.run(measure(path, args.runs, console))
        report(console, results, args.scale, built)
        write_rows(args.rows, rows(results))


if __name__ == "__main__":
    main()
