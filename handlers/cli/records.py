"""Commands on what is recorded: `ingest`, `needs`, `proposals`."""

from __future__ import annotations

import argparse
import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

from rich.table import Table

from handlers import replies
from handlers.cli.context import Context
from handlers.cli.days import day_option, period_options
from handlers.cli.lines import LineError, read_line
from handlers.cli.output import plural, print_json
from handlers.inbound import Inbound
from handlers.inbox import Fate
from handlers.naming import commune_named
from handlers.recurrence import dated, describe
from handlers.wording import day, noun, stretch
from storage import views
from storage.declarations import LIVE_NEEDS, all_declarations
from storage.errors import MutualiseError, unreadable
from storage.labels import (
    NEED_KINDS,
    NEED_STATUSES,
    OFFER_KIND,
    OFFER_STATUSES,
    PROPOSAL_KINDS,
)
from storage.members import communes
from storage.models import ParticipantRole, Proposal, ProposalStatus
from storage.proposals import all_proposals, carrier_of

DATES = ("start", "end", "deadline")
WHY_A_COMMUNE = " : donnez le nom ou le code INSEE d'une commune"
SHOWN = (ProposalStatus.PROPOSED, ProposalStatus.ACCEPTED, ProposalStatus.DONE)
# What became of each line of `ingest`, as a count agrees with it: "1 enregistré", "2 enregistrés".
FATES = {
    Fate.RECORDED: ("enregistré", "enregistrés"),
    Fate.DUPLICATE: ("déjà reçu", "déjà reçus"),
    Fate.REFUSED: ("refusé (expéditeur inconnu)", "refusés (expéditeur inconnu)"),
    Fate.ANSWERED: ("sans rien à enregistrer", "sans rien à enregistrer"),
    Fate.ASKED: ("question (rien d'enregistré)", "questions (rien d'enregistré)"),
    Fate.FAILED: ("en échec, conservé pour reprise", "en échec, conservés pour reprise"),
    Fate.TO_CONFIRM: ("à confirmer", "à confirmer"),
}
UNREADABLE = ("illisible", "illisibles")
NOW_HELP = "les états (prêt en cours, terminé…) comme ce jour-là ; par défaut aujourd'hui"


class IngestError(MutualiseError):
    """The file to ingest cannot be read."""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the commands on needs and proposals."""
    ingest = commands.add_parser("ingest", help="traite un fichier de messages comme en direct")
    ingest.add_argument(
        "file", type=Path, metavar="FICHIER", help='lignes {"from": ..., "text": ..., "at": ...}'
    )
    ingest.set_defaults(run=run_ingest)

    needs = commands.add_parser("needs", help="liste les besoins et les offres enregistrés")
    needs.add_argument("--json", action="store_true", help="sortie JSON pour les scripts")
    needs.add_argument("--commune", help="seulement cette commune")
    needs.add_argument("--now", metavar="JJ/MM/AAAA", help=NOW_HELP)
    needs.set_defaults(run=run_needs)

    proposals = commands.add_parser("proposals", help="liste les propositions")
    proposals.add_argument("--json", action="store_true", help="sortie JSON pour les scripts")
    proposals.add_argument(
        "--all", action="store_true", help="aussi les propositions annulées ou refusées"
    )
    proposals.add_argument("--now", metavar="JJ/MM/AAAA", help=NOW_HELP)
    proposals.set_defaults(run=run_proposals)

    reply = commands.add_parser("answer", help="accepte ou refuse une proposition pour une commune")
    reply.add_argument("proposal", type=int, metavar="PROPOSITION", help="numéro de la proposition")
    reply.add_argument("--commune", required=True, help="la commune qui répond")
    choice = reply.add_mutually_exclusive_group(required=True)
    choice.add_argument("--accept", action="store_true", help="accepter")
    choice.add_argument("--refuse", action="store_true", help="refuser")
    reply.set_defaults(run=run_answer)

    convention = commands.add_parser("convention", help="écrit la convention d'un prêt confirmé")
    convention.add_argument("proposal", type=int, metavar="PROPOSITION", help="numéro du prêt")
    convention.add_argument(
        "--out", type=Path, required=True, metavar="FICHIER", help="FICHIER.docx ou FICHIER.html"
    )
    convention.set_defaults(run=run_convention)


async def run_ingest(ctx: Context, args: argparse.Namespace) -> int:
    """Handle each line as the bot would a live message from that sender at that time."""
    try:
        lines = args.file.read_text("utf-8").splitlines()
    except OSError as exc:
        msg = unreadable(args.file, exc)
        raise IngestError(msg) from exc
    inbox = await ctx.inbox()
    fates: Counter[tuple[str, str]] = Counter()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entry = read_line(line)
        except LineError as exc:
            ctx.out.print(f"ligne {number} : illisible, ignorée — {exc}", markup=False)
            fates[UNREADABLE] += 1
            continue
        inbound = Inbound.from_line(entry.sender, entry.text, ctx.clock.local(entry.at))
        outcome = await inbox.receive(inbound)
        fates[FATES[outcome.fate]] += 1
        detail = f" — {_gist(outcome.reply)}" if outcome.reply else ""
        ctx.out.print(f"ligne {number} : {FATES[outcome.fate][0]}{detail}", markup=False)
    handled = sum(n for fate, n in fates.items() if fate != UNREADABLE)
    if not handled:
        msg = _nothing_usable(args.file, fates[UNREADABLE])
        raise IngestError(msg)
    summary = ", ".join(f"{count} {noun(count, *fate)}" for fate, count in fates.items())
    ctx.out.print(f"{plural(sum(fates.values()), 'message')} : {summary}.")
    return 0


def _gist(reply: str) -> str:
    """The first line of an answer that says something: not its "Bonjour,"."""
    lines = [line for line in reply.splitlines() if line.strip()]
    said = [line for line in lines if line.strip() != replies.GREETING]
    return (said or lines)[0]


def _nothing_usable(path: Path, unreadable: int) -> str:
    """Why an ingest handled nothing: an empty file, or no line of the expected form."""
    if not unreadable:
        return f"Rien à traiter : {path} ne contient aucune ligne."
    lines = (
        f"la seule ligne de {path} est illisible"
        if unreadable == 1
        else f"les {unreadable} lignes de {path} sont illisibles"
    )
    return (
        f"Rien n'a été traité : {lines}. Chaque ligne doit être un objet JSON "
        '{"from": "adresse ou telegram:ID", "text": "…", "at": "2027-05-02T09:00"}.'
    )


async def run_needs(ctx: Context, args: argparse.Namespace) -> int:
    """List recorded needs and offers."""
    async with ctx.sessions() as session:
        known = await communes(session)
        commune = None
        if args.commune:
            commune = (await commune_named(session, args.commune, WHY_A_COMMUNE)).commune
        needs, offers = await all_declarations(session, commune.insee if commune else None)
        progress = await views.needs_progress(session, _today(ctx, args))
    rows: list[dict[str, Any]] = [
        {
            "id": n.id,
            "kind": n.kind.value,
            "commune": n.commune_insee,
            "item": n.item_id,
            "label": n.item_label,
            "quantity": n.quantity,
            "start": _iso(n.start),
            "end": _iso(n.end),
            "deadline": _iso(n.deadline),
            "status": n.status.value,
            "status_label": (
                progress[n.id]
                if n.id in progress and n.status in LIVE_NEEDS
                else NEED_STATUSES[n.status]
            ),
            "channel": n.channel.value,
            "reason": n.status_reason,
        }
        for n in needs
    ] + [
        {
            "id": o.id,
            "kind": "lend",
            "commune": o.commune_insee,
            "item": o.item_id,
            "label": o.item_label,
            "quantity": o.quantity,
            "start": _iso(o.start),
            "end": _iso(o.end),
            "deadline": None,
            "status": o.status.value,
            "status_label": OFFER_STATUSES[o.status],
            "channel": o.channel.value,
        }
        for o in offers
    ]
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        where = f" pour {commune.name}" if commune else ""
        ctx.out.print(f"Aucun besoin ni offre enregistré{where}.")
        return 0
    names = {c.insee: c.name for c in known}
    table = Table(title=f"Besoins et offres ({len(rows)})")
    for column in ("N°", "Sorte", "Commune", "Article", "Qté", "Dates", "Statut"):
        table.add_column(column)
    kinds = {**{k.value: label for k, label in NEED_KINDS.items()}, "lend": OFFER_KIND}
    for row in rows:
        table.add_row(
            str(row["id"]),
            kinds[row["kind"]],
            names.get(row["commune"], row["commune"]),
            row["label"],
            "" if row["quantity"] is None else str(row["quantity"]),
            _when(*(row[key] and dt.date.fromisoformat(row[key]) for key in DATES)),
            row["status_label"],
        )
    ctx.out.print(table)
    return 0


def proposal_json(proposal: Proposal, today: dt.date) -> dict[str, Any]:
    """A proposal in the contract's form, with where it stands on `today` in French."""
    parts = proposal.participants
    lenders = [p.commune_insee for p in parts if p.role is ParticipantRole.LENDER]
    borrower = next((p.commune_insee for p in parts if p.role is ParticipantRole.BORROWER), None)
    carrier = carrier_of(proposal)
    communes_in = list(dict.fromkeys(p.commune_insee for p in parts))
    return {
        "id": proposal.id,
        "kind": proposal.kind.value,
        "item": proposal.item_id,
        "family": proposal.family_id,
        "quantity": proposal.quantity,
        "communes": communes_in,
        "lenders": list(dict.fromkeys(lenders)),
        "borrower": borrower,
        "carrier": carrier,
        "shares": {
            p.commune_insee: p.quantity
            for p in parts
            if p.role is ParticipantRole.MEMBER and p.quantity is not None
        },
        "start": _iso(proposal.start),
        "end": _iso(proposal.end),
        "deadline": _iso(proposal.deadline),
        "status": proposal.status.value,
        "status_label": _state(proposal, today),
        "reason": proposal.reason,
        "costs": proposal.cost_key,
    }


async def run_proposals(ctx: Context, args: argparse.Namespace) -> int:
    """List proposals, those still in play unless --all."""
    today = _today(ctx, args)
    async with ctx.sessions() as session:
        found = [p for p in await all_proposals(session) if args.all or p.status in SHOWN]
    if args.json:
        print_json([proposal_json(p, today) for p in found])
        return 0
    if not found:
        ctx.out.print("Aucune proposition pour l'instant.")
        return 0
    table = Table(title=f"Propositions ({len(found)})")
    for column in ("N°", "Sorte", "Statut", "Pourquoi"):
        table.add_column(column)
    for proposal in found:
        table.add_row(
            str(proposal.id),
            PROPOSAL_KINDS[proposal.kind],
            _state(proposal, today),
            proposal.reason,
        )
    ctx.out.print(table)
    return 0


async def run_answer(ctx: Context, args: argparse.Namespace) -> int:
    """Accept or decline a proposal on behalf of a commune."""
    from handlers.proposals import answer
    from handlers.settlement import Settlement

    settle = Settlement(ctx.settings.matching())
    async with ctx.sessions.begin() as session:
        commune = (await commune_named(session, args.commune, WHY_A_COMMUNE)).commune
        now = ctx.clock()
        result = await answer(session, args.proposal, commune.insee, args.accept, now)
        created = await settle(session, result.touched, now)
    if not args.accept:
        again = len(created)
        ctx.out.print(
            f"Proposition n° {args.proposal} refusée par {commune.name}. "
            f"Nouvelles propositions : {again}."
        )
    elif result.confirmed:
        ctx.out.print(f"Proposition n° {args.proposal} confirmée : toutes les parties ont accepté.")
    else:
        ctx.out.print(
            f"Accord de {commune.name} noté pour la proposition n° {args.proposal} ; "
            "on attend les autres parties."
        )
    return 0


async def run_convention(ctx: Context, args: argparse.Namespace) -> int:
    """Write the loan agreement of a confirmed loan, in Word or HTML."""
    from decimal import Decimal

    from handlers.agreements import AgreementError, LoanTerms, agreement, render_docx, render_html
    from handlers.files import write_file

    suffix = args.out.suffix.lower()
    if suffix not in (".docx", ".html"):
        msg = f"Format inconnu « {suffix or args.out.name} » : donnez un fichier .docx ou .html."
        raise AgreementError(msg)
    settings = ctx.settings
    terms = LoanTerms(settings.loan_fee, Decimal(str(settings.loan_deposit)), settings.court)
    templates = Path(settings.templates) if settings.templates else None
    async with ctx.sessions() as session:
        context = await agreement(session, args.proposal, terms, ctx.clock.today(), ctx.clock.zone)
    if suffix == ".docx":
        write_file(args.out, render_docx(context, templates))
    else:
        write_file(args.out, render_html(context, templates).encode())
    ctx.out.print(f"Convention n° {context['number']} écrite dans {args.out}.")
    return 0


def _today(ctx: Context, args: argparse.Namespace) -> dt.date:
    """The day a listing's states are reckoned on: --now, else the service's clock."""
    return day_option(args.now, "--now") or ctx.clock.today()


def _state(proposal: Proposal, today: dt.date) -> str:
    """ "en attente de réponse", "confirmé", "en cours", "terminé"…: as the digests say it."""
    dates = (proposal.start, proposal.end, proposal.deadline)
    return views.state_of(proposal.kind, proposal.status, dates, today)


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _when(start: dt.date | None, end: dt.date | None, deadline: dt.date | None) -> str:
    """A need's or an offer's dates as a listing shows them: "du 12 au 15 juillet 2027",
    "avant le 31 août 2027"."""
    parts = [stretch(start, end)] if start else []
    if deadline:
        parts.append(f"avant le {day(deadline)}")
    return ", ".join(parts)


def register_events(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the events command."""
    events_parser = commands.add_parser("events", help="liste les manifestations")
    events_parser.add_argument("--json", action="store_true", help="sortie JSON pour les scripts")
    events_parser.add_argument("--from", dest="first", metavar="JJ/MM/AAAA", help="à partir du")
    events_parser.add_argument("--to", dest="last", metavar="JJ/MM/AAAA", help="jusqu'au")
    events_parser.set_defaults(run=run_events)


async def run_events(ctx: Context, args: argparse.Namespace) -> int:
    """List event occurrences, optionally between two dates."""
    first, last = period_options(args.first, args.last)
    async with ctx.sessions() as session:
        found = await views.events(session, None, first, last)
    # With no window, a recurring event is shown up to a year after the last known date.
    horizon = last or max((e.end for e in found), default=dt.date.min) + dt.timedelta(days=366)
    since = first or min((e.start for e in found), default=dt.date.min)
    shown = dated(found, since, horizon)
    if args.json:
        print_json([_event_json(e) for e in shown])
        return 0
    if not shown:
        ctx.out.print("Aucune manifestation enregistrée pour cette période.")
        return 0
    table = Table(title=f"Manifestations ({len(shown)})")
    for column in ("Dates", "Commune", "Manifestation", "Matériel"):
        table.add_column(column)
    for event in shown:
        name = event.name
        if event.rule:
            name += f" ({describe(event.rule, event.end - event.start)})"
        table.add_row(stretch(event.start, event.end), event.commune, name, event.equipment)
    ctx.out.print(table)
    return 0


def _event_json(event: views.EventRow) -> dict[str, Any]:
    """An event's edition in the contract's form."""
    return {
        "commune": event.insee,
        "name": event.name,
        "start": event.start.isoformat(),
        "end": event.end.isoformat(),
        "recurring": event.recurring,
        "items": [{"item": i.item_id, "quantity": i.quantity} for i in event.items],
    }
