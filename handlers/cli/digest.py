"""`mutualise digest matching|semester`: render a digest into a folder, and send it."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from handlers.cli.context import Context
from handlers.digests import (
    DigestConfig,
    DigestKind,
    Rendered,
    facts,
    matching_digest,
    semester_summary,
)
from handlers.settings import Settings
from storage.errors import MutualiseError
from storage.runs import detail_of, last_run


class DigestError(MutualiseError):
    """A digest cannot be made as asked."""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the digest command."""
    digest = commands.add_parser(
        "digest", help="produit le digest des rapprochements ou l'état des lieux semestriel"
    )
    digest.add_argument(
        "kind",
        choices=["matching", "semester"],
        metavar="matching|semester",
        help="matching : rapprochements ; semester : état des lieux semestriel",
    )
    digest.add_argument("--now", metavar="AAAA-MM-JJ", help="comme si l'on était ce jour-là")
    digest.add_argument("--out", metavar="DOSSIER", required=True, help="dossier de sortie")
    digest.add_argument("--send", action="store_true", help="l'envoie aussi aux coordinateurs")
    digest.set_defaults(run=run_digest)


def digest_config(settings: Settings) -> DigestConfig:
    """How digests are made, from the environment."""
    domain = settings.mail_from.rpartition("@")[2] or "mutualise"
    templates = Path(settings.templates) if settings.templates else None
    return DigestConfig(templates, settings.group_saving_rate, domain)


def _now(value: str | None, settings: Settings) -> dt.datetime:
    zone = ZoneInfo(settings.timezone)
    if not value:
        return dt.datetime.now(zone)
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as exc:
        msg = f"Date --now illisible : « {value} » (attendu : AAAA-MM-JJ)."
        raise DigestError(msg) from exc
    return dt.datetime.combine(day, dt.time(settings.digest_hour), zone)


async def _render(ctx: Context, kind: DigestKind, now: dt.datetime) -> list[Rendered]:
    config = digest_config(ctx.settings)
    rendered = []
    async with ctx.sessions() as session:
        items = await facts.catalogue(session)
        for scope in await facts.territories(session):
            if kind is DigestKind.SEMESTER:
                rendered.append(await semester_summary(session, scope, items, now, config))
                continue
            previous = await last_run(session, "matching", f"{scope.epci}/", now)
            since = previous.started_at if previous else None
            seen = (detail_of(previous) or {}).get("seen")
            rendered.append(await matching_digest(session, scope, items, now, since, seen, config))
    return rendered


async def _send(ctx: Context, kind: DigestKind, now: dt.datetime) -> dict[str, int | None]:
    """Send through the scheduler's own jobs: what they record, the schedule will not redo."""
    from scheduler.jobs import Jobs
    from scheduler.service import instance_name

    settings = ctx.settings
    jobs = Jobs(ctx.sessions, digest_config(settings), f"cli:{instance_name()}",
                ZoneInfo(settings.timezone), settings.digest_hour)  # fmt: skip
    if kind is DigestKind.SEMESTER:
        results = await jobs.semester(now, now.date())
    else:
        results = await jobs.matching(now, force=True)
    return {r.period.partition("/")[0]: r.queued if r.ran else None for r in results}


async def run_digest(ctx: Context, args: argparse.Namespace) -> int:
    """Render the digest of each territory into the folder; with --send, queue it too."""
    kind = DigestKind(args.kind)
    now = _now(args.now, ctx.settings)
    out = Path(args.out)
    rendered = await _render(ctx, kind, now)
    if not rendered:
        msg = "Aucun territoire dans la base : lancez d'abord « mutualise init »."
        raise DigestError(msg)
    sent = await _send(ctx, kind, now) if args.send else {}
    for digest in rendered:
        folder = out if len(rendered) == 1 else out / digest.scope.epci
        written = digest.write(folder)
        ctx.out.print(f"{digest.subject} : {', '.join(p.name for p in written)} dans {folder}.")
        if args.send:
            queued = sent.get(digest.scope.epci)
            ctx.out.print(
                "Déjà traité pour cette période (par le service ou un envoi précédent) : "
                "rien n'est renvoyé."
                if queued is None
                else f"Envoyé à {queued} destinataire(s) par la boîte d'envoi."
                if queued
                else "Aucun coordinateur joignable sur ce territoire : rien n'est envoyé "
                "(mutualise members add --role coordinator)."
            )
        elif kind is DigestKind.MATCHING and not digest.news:
            ctx.out.print("Rien de nouveau depuis le dernier digest : il ne serait pas envoyé.")
    return 0
