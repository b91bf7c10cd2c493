"""`mutualise web-link`: a one-time link to the shared page for a registered member; and
the page's server as `mutualise run` starts it."""

from __future__ import annotations

import argparse
import contextlib
import socket
from collections.abc import AsyncIterator, Sequence

from handlers.cli.context import Context
from handlers.cli.digest import digest_config
from handlers.logins import issue_link, login_url

LOOPBACK = ("127.0.0.1", "::1", "localhost")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the web-link command."""
    link = commands.add_parser(
        "web-link", help="un lien de connexion à usage unique à la page du territoire"
    )
    who = link.add_mutually_exclusive_group(required=True)
    who.add_argument("--member", type=int, metavar="N", help="numéro du membre")
    who.add_argument("--email", metavar="ADRESSE", help="adresse électronique du membre")
    link.set_defaults(run=run_link)


async def run_link(ctx: Context, args: argparse.Namespace) -> int:
    """Issue a link and print it, once."""
    async with ctx.sessions.begin() as session:
        issued = await issue_link(session, ctx.clock(), member_id=args.member, email=args.email)
    base = ctx.settings.web_url
    until = issued.expires_at.astimezone(ctx.settings.zone)
    ctx.out.print(f"Lien de connexion pour {issued.member}, valable une seule fois, "
                  f"jusqu'à {until:%H:%M} :")  # fmt: skip
    ctx.out.print(login_url(base or "", issued.secret), markup=False)
    if not base:
        ctx.out.print("MUTUALISE_WEB_URL n'est pas donnée : ajoutez devant le chemin "
                      "l'adresse publique de la page (https://…).")  # fmt: skip
    return 0


@contextlib.asynccontextmanager
async def serving_page(ctx: Context, sockets: Sequence[socket.socket] = ()) -> AsyncIterator[int]:
    """The shared page on MUTUALISE_WEB_HOST:MUTUALISE_WEB_PORT (the `sockets` opened for
    it, if given) while the block runs. Cookies are Secure unless the page is reached on
    loopback over plain HTTP (tests)."""
    from handlers.cli.calendar_feed import serving
    from handlers.settlement import Settlement
    from handlers.web.app import WebConfig, make_app  # the adapter loads for the service only

    settings = ctx.settings
    assert settings.web_port is not None
    plain = settings.web_host in LOOPBACK and not settings.web_url.startswith("https:")
    matching = settings.matching()
    config = WebConfig(ctx.sessions, ctx.clock, secure=not plain,
                       digests=digest_config(settings), group_key=matching.group_cost_key,
                       settle=Settlement(matching))  # fmt: skip
    async with serving(make_app(config), settings.web_host, settings.web_port, sockets) as port:
        yield port
