"""`mutualise digest matching|semester`: render a digest into a folder, and send it."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
from collections.abc import AsyncGenerator
from pathlib import Path

from handlers.cli.context import Context
from handlers.digests import DigestConfig, DigestKind, Rendered, each_territory
from handlers.settings import Settings
from storage import views
from storage.errors import MutualiseError


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
    return DigestConfig(templates, settings.group_saving_rate, domain, settings.anticipation_weeks)


def _now(value: str | None, settings: Settings) -> dt.datetime:
    zone = settings.zone
    if not value:
        return settings.clock()()
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as exc:
        msg = f"Date --now illisible : « {value} » (attendu : AAAA-MM-JJ)."
        raise DigestError(msg) from exc
    return dt.datetime.combine(day, dt.time(settings.digest_hour), zone)


async def _render(
    ctx: Context, kind: DigestKind, now: dt.datetime, only: set[str] | None = None
) -> AsyncGenerator[Rendered, None]:
    """Each territory's digest in turn (of some EPCIs only, if given), without sending."""
    async with ctx.sessions() as session:
        async for rendered in each_territory(session, kind, now, digest_config(ctx.settings), only):
            yield rendered


async def run_digest(ctx: Context, args: argparse.Namespace) -> int:
    """Render the digest of each territory into the folder; with --send, queue it too,
    through the scheduler's own jobs: what they record, the schedule will not redo."""
    from scheduler.jobs import Jobs
    from scheduler.service import instance_name

    kind = DigestKind(args.kind)
    settings = ctx.settings
    now = _now(args.now, settings)
    out = Path(args.out)
    async with ctx.sessions() as session:
        count = len(await views.territories(session))
    if not count:
        msg = "Aucun territoire dans la base : lancez d'abord « mutualise init »."
        raise DigestError(msg)
    several = count > 1

    async def write(digest: Rendered, note: str | None = None) -> None:
        folder = out / digest.scope.epci if several else out
        written = digest.write(folder)
        ctx.out.print(f"{digest.subject} : {', '.join(p.name for p in written)} dans {folder}.")
        if note:
            ctx.out.print(note)
        elif kind is DigestKind.MATCHING and not digest.news and not args.send:
            ctx.out.print("Rien de nouveau depuis le dernier digest : il ne serait pas envoyé.")

    if not args.send:
        # Closed even when writing fails: its session goes back before the store closes.
        async with contextlib.aclosing(_render(ctx, kind, now)) as digests:
            async for digest in digests:
                await write(digest)
        return 0
    jobs = Jobs(ctx.sessions, digest_config(settings), f"cli:{instance_name()}",
                settings.zone, settings.digest_hour)  # fmt: skip
    if kind is DigestKind.SEMESTER:
        results = await jobs.semester(now, now.date(), keep=write)
    else:
        results = await jobs.matching(now, force=True, keep=write)
    for result in results:
        if result.ran:
            ctx.out.print(
                f"Envoyé à {result.queued} destinataire(s) par la boîte d'envoi."
                if result.queued
                else "Aucun coordinateur joignable sur ce territoire : rien n'est envoyé "
                "(mutualise members add --role coordinator)."
            )
    done = {r.period.partition("/")[0] for r in results if not r.ran}
    if done:
        async with contextlib.aclosing(_render(ctx, kind, now, done)) as digests:
            async for digest in digests:
                await write(
                    digest,
                    "Déjà traité pour cette période (par le service ou un envoi précédent) : "
                    "rien n'est renvoyé.",
                )
    return 0
