"""`mutualise digest matching|semester`: render a digest into a folder, and send it."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
from collections.abc import AsyncGenerator
from pathlib import Path

from handlers.cli.context import Context
from handlers.cli.days import day_option
from handlers.cli.output import plural, writable_folder
from handlers.digests import DigestConfig, DigestKind, Rendered, each_territory
from handlers.settings import Settings
from storage import views
from storage.errors import MutualiseError

# The French words of the two digests, and the English ones of the contract.
KINDS = {
    "rapprochements": DigestKind.MATCHING,
    "semestre": DigestKind.SEMESTER,
    **{kind.value: kind for kind in DigestKind},
}


class DigestError(MutualiseError):
    """A digest cannot be made as asked."""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the digest command."""
    digest = commands.add_parser(
        "digest", help="produit le digest des rapprochements ou l'état des lieux semestriel"
    )
    digest.add_argument(
        "kind",
        type=str.lower,
        choices=list(KINDS),
        metavar="rapprochements|semestre",
        help="rapprochements : les propositions du jour ; semestre : l'état des lieux "
        "semestriel (matching et semester sont aussi acceptés)",
    )
    digest.add_argument("--now", metavar="JJ/MM/AAAA", help="comme si l'on était ce jour-là")
    digest.add_argument("--out", metavar="DOSSIER", required=True, help="dossier de sortie")
    digest.add_argument("--send", action="store_true", help="l'envoie aussi aux coordinateurs")
    digest.set_defaults(run=run_digest)


def digest_config(settings: Settings) -> DigestConfig:
    """How digests are made, from the environment."""
    domain = settings.mail_from.rpartition("@")[2] or "mutualise"
    templates = Path(settings.templates) if settings.templates else None
    return DigestConfig(templates, settings.group_saving_rate, domain, settings.anticipation_weeks)


def _now(value: str | None, settings: Settings) -> dt.datetime:
    day = day_option(value, "--now")
    if day is None:
        return settings.clock()()
    return dt.datetime.combine(day, dt.time(settings.digest_hour), settings.zone)


async def _render(
    ctx: Context, kind: DigestKind, now: dt.datetime, only: set[str] | None = None
) -> AsyncGenerator[Rendered, None]:
    """Each territory's digest in turn (of some EPCIs only, if given), without sending."""
    async with ctx.sessions() as session:
        async for rendered in each_territory(session, kind, now, digest_config(ctx.settings), only):
            yield rendered


async def run_digest(ctx: Context, args: argparse.Namespace) -> int:
    """Render the digest of each territory into the folder; with --send, then queue it,
    through the scheduler's own jobs: what they record, the schedule will not redo."""
    from scheduler.jobs import Jobs
    from scheduler.service import instance_name

    kind = KINDS[args.kind]
    settings = ctx.settings
    now = _now(args.now, settings)
    # Checked before anything is rendered or queued: a digest is sent only once written.
    out = writable_folder(Path(args.out))
    async with ctx.sessions() as session:
        count = len(await views.territories(session))
    if not count:
        msg = "Aucun territoire dans la base : lancez d'abord « mutualise init »."
        raise DigestError(msg)
    several = count > 1

    async def write(digest: Rendered, quiet: bool = False) -> None:
        folder = out / digest.scope.epci if several else out
        written = digest.write(folder)
        if quiet:
            return
        ctx.out.print(f"{digest.subject} : {', '.join(p.name for p in written)} dans {folder}.")
        if kind is DigestKind.MATCHING and not digest.news and not args.send:
            ctx.out.print("Rien de nouveau depuis le dernier digest : il ne serait pas envoyé.")

    # Written first, sent after: a digest that cannot be written is neither queued nor
    # recorded as sent. Closed even when writing fails: its session goes back first.
    async with contextlib.aclosing(_render(ctx, kind, now)) as digests:
        async for digest in digests:
            await write(digest)
    if not args.send:
        return 0
    jobs = Jobs(ctx.sessions, digest_config(settings), f"cli:{instance_name()}",
                settings.zone, settings.digest_hour)  # fmt: skip

    async def keep(digest: Rendered) -> None:  # the files again, as exactly sent
        await write(digest, quiet=True)

    if kind is DigestKind.SEMESTER:
        results = await jobs.semester(now, now.date(), keep=keep)
    else:
        results = await jobs.matching(now, force=True, keep=keep)
    for result in results:
        where = f" ({result.period.partition('/')[0]})" if several else ""
        if not result.ran:
            ctx.out.print(f"Déjà traité pour cette période{where} (par le service ou un envoi "
                          "précédent) : rien n'est renvoyé.")  # fmt: skip
        elif result.queued:
            ctx.out.print(f"Envoyé{where} à {plural(result.queued, 'destinataire')} par la "
                          "boîte d'envoi.")  # fmt: skip
        else:
            ctx.out.print(f"Aucun coordinateur joignable sur ce territoire{where} : rien n'est "
                          "envoyé (mutualise members add --role coordinateur).")  # fmt: skip
    return 0
