"""`mutualise calendar-token add|list|revoke`, and the small HTTP server that `mutualise run`
starts to serve the calendar feed.

The server lives here rather than in an adapter folder: it is one read-only route beside the
service, not a channel that reaches the inbox, so it does not deserve a folder of its own
(`bot/` is Telegram, `mail/` is SMTP). What it serves is decided in handlers/feed.py; this
module only maps a path to that answer and the answer to a status.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import logging
import socket
from collections.abc import AsyncIterator, Callable, Sequence
from typing import TYPE_CHECKING

from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.calendar_feed import feed as calendar_feed
from handlers.calendar_feed import issue, revoke, subscription_url, tokens
from handlers.cli.context import Context

if TYPE_CHECKING:
    from aiohttp import web

log = logging.getLogger("mutualise.feed")
ICS = "text/calendar; charset=utf-8"
NOT_FOUND = "Calendrier introuvable : l'adresse est inconnue ou a été révoquée.\n"
FAILED = "Le calendrier est momentanément indisponible ; votre agenda réessaiera.\n"


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the calendar-token commands."""
    group = commands.add_parser(
        "calendar-token", help="adresses secrètes du calendrier par abonnement (coordinateurs)"
    )
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="une nouvelle adresse pour un coordinateur")
    who = add.add_mutually_exclusive_group(required=True)
    who.add_argument("--member", type=int, metavar="N", help="numéro du membre")
    who.add_argument("--email", metavar="ADRESSE", help="adresse électronique du membre")
    add.set_defaults(run=run_add)
    listing = actions.add_parser("list", help="les adresses données, révoquées comprises")
    listing.set_defaults(run=run_list)
    cut = actions.add_parser("revoke", help="coupe l'accès d'une adresse")
    cut.add_argument("id", type=int, metavar="N", help="numéro de l'adresse (voir list)")
    cut.set_defaults(run=run_revoke)


async def run_add(ctx: Context, args: argparse.Namespace) -> int:
    """Issue a token and print its subscription address, once."""
    async with ctx.sessions.begin() as session:
        issued = await issue(session, member_id=args.member, email=args.email)
    base = ctx.settings.calendar_url
    ctx.out.print(f"Adresse de calendrier n° {issued.id} pour {issued.member} :")
    ctx.out.print(subscription_url(base or "", issued.secret), markup=False)
    if not base:
        ctx.out.print("MUTUALISE_CALENDAR_URL n'est pas donnée : ajoutez devant le chemin "
                      "l'adresse publique du service (https://…).")  # fmt: skip
    ctx.out.print("Elle n'est montrée qu'une fois : seule son empreinte est gardée.")
    return 0


async def run_list(ctx: Context, args: argparse.Namespace) -> int:
    """List the tokens issued, without their secrets (which are not kept)."""
    async with ctx.sessions() as session:
        rows = await tokens(session)
    if not rows:
        ctx.out.print("Aucune adresse de calendrier. Donnez-en une avec "
                      "« mutualise calendar-token add --member N ».")  # fmt: skip
        return 0
    table = Table(title="Adresses du calendrier")
    for column in ("N°", "Membre", "Commune ou territoire", "Créée le", "État"):
        table.add_column(column)
    for token in rows:
        member = token.member
        who = member.name or ", ".join(e.address for e in member.emails) or f"n° {member.id}"
        state = f"révoquée le {token.revoked_at:%d/%m/%Y}" if token.revoked_at else "active"
        table.add_row(str(token.id), who, member.place,
                      f"{token.created_at:%d/%m/%Y}", state)  # fmt: skip
    ctx.out.print(table)
    return 0


async def run_revoke(ctx: Context, args: argparse.Namespace) -> int:
    """Cut a token's access."""
    async with ctx.sessions.begin() as session:
        await revoke(session, args.id, dt.datetime.now(dt.UTC))
    ctx.out.print(f"Adresse de calendrier n° {args.id} révoquée : elle ne donne plus rien.")
    return 0


def feed_app(
    sessions: async_sessionmaker[AsyncSession],
    now: Callable[[], dt.datetime],
    domain: str = "mutualise",
) -> web.Application:
    """The web application: GET /calendrier/<token>.ics and nothing else."""
    from aiohttp import web  # loaded by `mutualise run` only, not by every command

    async def serve(request: web.Request) -> web.Response:
        try:
            async with sessions() as session:
                body = await calendar_feed(session, request.match_info["token"], now(), domain)
        except Exception:  # never a traceback in a response; the token is not logged
            log.exception("calendar feed failed")
            return web.Response(status=503, text=FAILED, content_type="text/plain")
        if body is None:
            return web.Response(status=404, text=NOT_FOUND, content_type="text/plain")
        return web.Response(
            body=body,
            headers={
                "Content-Type": ICS,
                "Content-Disposition": 'inline; filename="mutualise.ics"',
                "Cache-Control": "private, max-age=300",
            },
        )

    app = web.Application()
    app.router.add_get("/calendrier/{token}.ics", serve)
    without_versions(app)
    return app


def without_versions(app: web.Application) -> None:
    """Answer with "Server: mutualise" instead of aiohttp's and Python's versions, which
    tell an attacker which known flaws to try."""

    async def name_only(request: web.Request, response: web.StreamResponse) -> None:
        response.headers["Server"] = "mutualise"

    app.on_response_prepare.append(name_only)


@contextlib.asynccontextmanager
async def serving_feed(
    sessions: async_sessionmaker[AsyncSession],
    host: str,
    port: int,
    now: Callable[[], dt.datetime],
    domain: str = "mutualise",
    sockets: Sequence[socket.socket] = (),
) -> AsyncIterator[int]:
    """Serve the feed on host:port (or the `sockets` opened for it) while the block runs;
    yields the port bound (0 picks one)."""
    async with serving(feed_app(sessions, now, domain), host, port, sockets) as bound:
        yield bound


async def start_sites(
    runner: web.AppRunner, host: str, port: int, sockets: Sequence[socket.socket] = ()
) -> None:
    """Serve a runner's application on the sockets opened for it, or else on host:port."""
    from aiohttp import web

    sites: list[web.BaseSite] = [web.SockSite(runner, sock) for sock in sockets]
    for site in sites or [web.TCPSite(runner, host, port)]:
        await site.start()


@contextlib.asynccontextmanager
async def serving(
    app: web.Application, host: str, port: int, sockets: Sequence[socket.socket] = ()
) -> AsyncIterator[int]:
    """Serve an application on host:port, or on the `sockets` opened for it, while the block
    runs; yields the port bound (0 picks one). No access log: each line would hold a secret
    (a token, a login link)."""
    from aiohttp import web

    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await start_sites(runner, host, port, sockets)
        yield int(runner.addresses[0][1])
    finally:
        await runner.cleanup()
