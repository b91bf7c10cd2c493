"""`mutualise demo`: the whole job on the embedded default, with no token and no network.

A fresh store for Lorient Agglomération; a bundled scenario of town hall emails sent
through a real SMTP conversation with the service's own mail server on loopback;
Telegram conversations through the real dispatcher, offline (`chats.py`); the needs,
offers and proposals that come out, with why; one loan accepted by both communes and its
agreement written; the digests; the replies the service would send, kept as .eml files.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import smtplib
from collections.abc import Sequence
from email.message import EmailMessage
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from rich.progress import Progress
from rich.table import Table

from handlers.cli import records, reference
from handlers.cli.chats import run_chats
from handlers.cli.context import Context, open_context
from handlers.cli.output import log_into
from handlers.reading.reader import Reader
from handlers.reading.sources import stored_reader
from handlers.wording import day, stretch
from storage.members import communes
from storage.models import Channel, InboundMessage, OutboxMessage, ProposalKind
from storage.outbox import due
from storage.proposals import all_proposals

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

DEMO_ADDRESS = "besoins@lorient-agglo.example"
DEMO_AUTHSERV = "mx.lorient-agglo.example"

# Messages in the voices of the communes, read as if written on this day.
WRITTEN_ON = dt.date(2027, 5, 17)
# The morning after the scenario: its listings and the digest of its proposals.
MORNING = "2027-05-19"
SAMPLES = (
    "il nous faudrait 200 ganivelles et un podium pour le 21 juin",
    "La commune de Quéven souhaiterait emprunter 50 barrières de police du 12 au 15 juillet",
    "Nous devons acheter 12 ordinateurs portables avant septembre. Mairie de Pont-Scorff",
    "nos 300 ganivelles sont dispo de juillet à septembre si qqn en a besoin. ST Lorient",
    "Bonjour, on n'a plus besoin du podium, merci !",
)
INTENTS = {
    "purchase": "achat",
    "borrow": "emprunt",
    "lend": "prêt proposé",
    "event": "manifestation",
    "cancel": "retrait",
    "unknown": "autre",
}


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the demo command to the command line."""
    demo = commands.add_parser("demo", help="démonstration complète sur une base neuve")
    demo.add_argument(
        "--dir",
        type=Path,
        default=Path("mutualise-demo"),
        help="dossier de la démonstration (par défaut ./mutualise-demo)",
    )
    demo.set_defaults(run=run_demo, needs_store=False)


def _fresh_store(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    store = folder / "demo.db"
    for leftover in (store, Path(f"{store}-wal"), Path(f"{store}-shm")):
        leftover.unlink(missing_ok=True)
    return store


async def run_demo(ctx: Context, args: argparse.Namespace) -> int:
    """Run the bundled scenario on a fresh demo store and show what comes out."""
    folder: Path = args.dir
    store = _fresh_store(folder)
    if "MUTUALISE_LOG_FILE" not in os.environ:
        log_into(folder / "mutualise.log")  # the demo leaves nothing outside its folder
    settings = ctx.settings.model_copy(update={"db": f"sqlite:///{store}"})
    ctx.out.rule("mutualise : démonstration")
    async with open_context(settings, ctx.out) as demo:
        await reference.run_init(demo, argparse.Namespace(epci=None, catalogue=[]))
        ctx.out.print()
        await reference.run_communes(demo, argparse.Namespace(json=False))
        async with demo.sessions() as session:
            reader = await stored_reader(session)
            names = {c.insee: c.name for c in await communes(session)}
        ctx.out.print(_readings(reader, names))
        await _scenario(demo, reader)
        ctx.out.print(await _answers(demo, 3))
        inbox = await demo.inbox()
        updates = await run_chats(demo, inbox)
        ctx.out.print(f"{updates} messages et boutons Telegram traités par le bot.")
        ctx.out.print()
        # Listed as of the morning after the scenario; the proposals once a loan is accepted.
        await records.run_needs(demo, argparse.Namespace(json=False, commune=None, now=MORNING))
        written = await _agreement(demo, folder)
        await records.run_proposals(demo, argparse.Namespace(json=False, all=False, now=MORNING))
        await _digests(demo, folder)
        mails = await _outbox(demo, folder / "courriels")
    ctx.out.print(
        f"\nTout est dans {folder}/ : la base (demo.db), {written}, le digest des "
        "rapprochements et l'état des lieux semestriel (synthese/), et les "
        f"{mails} courriels que le service enverrait (courriels/*.eml), et le journal "
        "(mutualise.log)."
    )
    return 0


async def _scenario(ctx: Context, reader: Reader) -> None:
    """Each email of the scenario, through SMTP on loopback, at the time it was written."""
    from mail.server import Mailbox, MailHandler, Trust, serve  # adapters load only here

    lines = resources.files("storage").joinpath("data/demo-scenario.jsonl").read_text("utf-8")
    scenario = [json.loads(line) for line in lines.splitlines() if line.strip()]
    clock = [ctx.clock()]
    inbox = await ctx.inbox()
    handler = MailHandler(inbox, Mailbox.of(DEMO_ADDRESS), lambda: clock[0], Trust({DEMO_AUTHSERV}))
    server = await serve(handler, "127.0.0.1", 0, 10 * 1024 * 1024)
    port = server.sockets[0].getsockname()[1]
    try:
        with Progress(transient=True, console=ctx.out) as progress:
            task = progress.add_task("Courriels des mairies, par SMTP", total=len(scenario))
            for number, entry in enumerate(scenario, start=1):
                clock[0] = ctx.clock.local(dt.datetime.fromisoformat(entry["at"]))
                raw = _email(entry, number)
                await asyncio.to_thread(_send, port, entry["from"], raw)
                progress.advance(task)
    finally:
        server.close()
        await server.wait_closed()
        await handler.close()
    ctx.out.print(f"{len(scenario)} courriels reçus par le serveur SMTP de mutualise.")


async def _answers(ctx: Context, count: int) -> Table:
    """A few of the emails received and the answers mutualise wrote them, in their thread."""
    table = Table(title="Quelques courriels des mairies et la réponse de mutualise")
    table.add_column("Courriel reçu")
    table.add_column("Réponse")
    async with ctx.sessions() as session:
        answers = [m for m in await _queued_emails(ctx, session) if m.in_reply_to]
        for answer in answers[:count]:
            inbound = await session.get(InboundMessage, answer.in_reply_to)
            received = _lines(inbound.text if inbound else "", 4)
            table.add_row(received, f"{answer.subject or ''}\n{_lines(answer.body, 6)}")
    return table


async def _queued_emails(ctx: Context, session: AsyncSession) -> Sequence[OutboxMessage]:
    """Every email the demo queued: its clock runs in 2027, so all is taken, due or not."""
    later = dt.datetime(2100, 1, 1, tzinfo=ctx.clock.zone)
    return await due(session, Channel.EMAIL, later, limit=1000)


def _lines(text: str | None, count: int) -> str:
    """The first lines of a text that say something."""
    kept = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return "\n".join(kept[:count]) + ("\n…" if len(kept) > count else "")


def _email(entry: dict[str, str], number: int) -> bytes:
    message = EmailMessage()
    domain = entry["from"].rpartition("@")[2]
    # The verdict the territory's mail server writes in front of mutualise (docs/deploy.md).
    message["Authentication-Results"] = f"{DEMO_AUTHSERV}; dmarc=pass header.from={domain}"
    message["From"] = entry["from"]
    message["To"] = DEMO_ADDRESS
    message["Subject"] = "Mutualisation"
    message["Message-ID"] = f"<demo-{number}@{domain}>"
    message.set_content(entry["text"])
    return message.as_bytes()


def _send(port: int, sender: str, raw: bytes) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.sendmail(sender, [DEMO_ADDRESS], raw)


async def _agreement(ctx: Context, folder: Path) -> str:
    """Both communes of the first loan accept it; its agreement is written."""
    from handlers.agreements import LoanTerms, agreement, render_docx, render_html
    from handlers.proposals import answer

    async with ctx.sessions.begin() as session:
        loans = [p for p in await all_proposals(session) if p.kind is ProposalKind.LOAN]
        if not loans:
            return "aucun prêt à conventionner"
        loan = loans[0]
        # Accepted the morning after the scenario, the day the agreement is then dated.
        now = ctx.clock.local(dt.datetime.fromisoformat(f"{MORNING}T09:00"))
        for commune in dict.fromkeys(p.commune_insee for p in loan.participants):
            await answer(session, loan.id, commune, True, now)
    async with ctx.sessions() as session:
        context = await agreement(session, loan.id, LoanTerms(), now.date(), ctx.clock.zone)
    (folder / "convention.html").write_text(render_html(context), "utf-8")
    (folder / "convention.docx").write_bytes(render_docx(context))
    ctx.out.print(
        f"Prêt n° {loan.id} accepté par les deux communes : convention écrite "
        f"({folder}/convention.docx et convention.html)."
    )
    return "la convention du premier prêt (convention.docx, convention.html)"


async def _digests(ctx: Context, folder: Path) -> None:
    """The morning digest after the scenario, and the summary of 1 July 2027."""
    from handlers.cli.digest import run_digest

    for kind, when, where in (
        ("matching", MORNING, "rapprochements"),
        ("semester", "2027-07-01", "semestre"),
    ):
        out = folder / "synthese" / where
        await run_digest(ctx, argparse.Namespace(kind=kind, now=when, out=out, send=False))


async def _outbox(ctx: Context, folder: Path) -> int:
    """The emails the service would send, as files a mail client opens."""
    from mail.sending import Relay, compose

    relay = Relay("127.0.0.1", 25, DEMO_ADDRESS)
    async with ctx.sessions() as session:
        messages = await _queued_emails(ctx, session)
        files = {f"{m.id:03d}.eml": bytes(compose(m, relay)) for m in messages}
    _write_all(folder, files)
    return len(files)


def _write_all(folder: Path, files: dict[str, bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.eml"):
        old.unlink()
    for name, content in files.items():
        (folder / name).write_bytes(content)


def _readings(reader: Reader, names: dict[str, str]) -> Table:
    table = Table(title=f"Ce que le bot comprend (messages écrits le {day(WRITTEN_ON)})")
    for column in ("Message", "Intention", "Matériel", "Dates", "Commune"):
        table.add_column(column)
    for text in SAMPLES:
        reading = reader.read(text, WRITTEN_ON)
        things = ", ".join(
            f"{i.quantity if i.quantity is not None else '?'} × {i.label}" for i in reading.items
        )
        when = stretch(reading.start, reading.end) if reading.start else ""
        if reading.deadline:
            when = f"avant le {day(reading.deadline)}"
        commune = names.get(reading.commune or "", "")
        table.add_row(text, INTENTS[reading.intent.value], things, when, commune)
    return table
