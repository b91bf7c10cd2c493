"""Commands on members: `members add`, `members list`, and `invite` to the bot."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.cli.context import Context
from handlers.cli.output import print_json
from handlers.invitations import invite
from handlers.naming import commune_named, territory_named
from storage.labels import ROLE_WORDS, ROLES
from storage.members import MemberError, add_member, members
from storage.models import Commune, Role, Territory

# --role takes the French word shown by `members list` or the English one of the contract.
ROLE_OPTION: dict[str, Any] = {
    "required": True,
    "type": str.lower,
    "choices": list(ROLE_WORDS),
    "metavar": "correspondant|coordinateur",
    "help": "correspondant (parle pour sa commune) ou coordinateur (de l'intercommunalité) ; "
    "correspondent et coordinator sont aussi acceptés",
}
# Why a commune is asked for, when the intercommunality was named instead.
WHY_A_COMMUNE = " : un correspondant parle pour une commune, donnez son nom ou son code INSEE"
PLACE_OPTIONS: tuple[tuple[tuple[str, ...], dict[str, Any]], ...] = (
    (("--commune",), {"help": "la commune du correspondant (nom ou code INSEE)"}),
    (("--territoire", "--territory"), {
        "dest": "territory", "metavar": "NOM|EPCI",
        "help": "le territoire du coordinateur (nom ou code EPCI) ; par défaut le seul de la "
        "base. Un coordinateur appartient à l'intercommunalité, à aucune commune",
    }),
)  # fmt: skip


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the member commands to the command line."""
    group = commands.add_parser("members", help="membres : correspondants et coordinateurs")
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")

    add = actions.add_parser(
        "add", help="inscrit un correspondant pour une commune, ou un coordinateur du territoire"
    )
    _place_options(add)
    add.add_argument("--email", action="append", default=[], metavar="ADRESSE",
                     help="adresse électronique, répétable")  # fmt: skip
    add.add_argument("--telegram", type=int, metavar="ID", help="identifiant Telegram numérique")
    add.add_argument("--name", metavar="NOM", help="nom de la personne")
    add.set_defaults(run=run_add)

    invite = commands.add_parser(
        "invite", help="une invitation à rejoindre le bot Telegram (code à usage unique)"
    )
    _place_options(invite)
    invite.set_defaults(run=run_invite)

    listing = actions.add_parser("list", help="liste les membres")
    listing.add_argument("--json", action="store_true", help="sortie JSON pour les scripts")
    listing.set_defaults(run=run_list)


def _place_options(parser: argparse.ArgumentParser) -> None:
    """--commune (a correspondent's), --territoire (a coordinator's), --role."""
    for names, options in PLACE_OPTIONS:
        parser.add_argument(*names, **options)
    parser.add_argument("--role", **ROLE_OPTION)


async def _place(
    session: AsyncSession, args: argparse.Namespace, role: Role
) -> tuple[Commune | Territory, str]:
    """Where the member joins, and how it reads: a correspondent's commune, named
    forgivingly (never by the intercommunality's name); a coordinator's territory, named by
    --territoire (or by --commune, which only names it), by default the only one."""
    if role is Role.COORDINATOR:
        scope = await territory_named(session, args.territory or args.commune)
        territory = await session.get(Territory, scope.id)
        assert territory is not None
        return territory, f"{ROLES[role]} de {territory.name}"
    if args.territory or not args.commune:
        msg = (
            "Un correspondant parle pour une commune : donnez-la avec --commune (son nom ou "
            "son code INSEE) ; --territoire ne sert qu'aux coordinateurs."
        )
        raise MemberError(msg)
    named = await commune_named(session, args.commune, WHY_A_COMMUNE)
    commune = await session.get(Commune, named.commune.insee)
    assert commune is not None
    return commune, f"{ROLES[role]} pour {commune.name}"


async def run_add(ctx: Context, args: argparse.Namespace) -> int:
    """Register a correspondent for a commune, or a coordinator for a territory."""
    role = ROLE_WORDS[args.role]
    async with ctx.sessions.begin() as session:
        place, membership = await _place(session, args, role)
        member = await add_member(
            session,
            place,
            role,
            name=args.name,
            emails=args.email,
            telegram_id=args.telegram,
        )
    who = member.name or ", ".join(e.address for e in member.emails) or f"Telegram {args.telegram}"
    ctx.out.print(f"Membre n° {member.id} inscrit : {who}, {membership}.")
    return 0


async def run_invite(ctx: Context, args: argparse.Namespace) -> int:
    """Print a one-time code and the bot's deep link that uses it."""
    days, role = ctx.settings.invitation_days, ROLE_WORDS[args.role]
    async with ctx.sessions.begin() as session:
        place, membership = await _place(session, args, role)
        invitation = await invite(session, place, role, dt.datetime.now(dt.UTC), days)
    username = None
    if ctx.settings.telegram_bot or ctx.settings.telegram_token.get_secret_value():
        from bot.service import bot_username  # the adapter loads only when it is configured

        username = await bot_username(ctx.settings)
    ctx.out.print(f"Invitation pour un {membership}, valable {days} jours :")
    ctx.out.print(f"Code : {invitation.code}")
    if username:
        ctx.out.print(f"Lien : https://t.me/{username}?start={invitation.code}")
    else:
        ctx.out.print(f"Dans le bot, envoyer : /start {invitation.code}")
    return 0


async def run_list(ctx: Context, args: argparse.Namespace) -> int:
    """List every member."""
    async with ctx.sessions() as session:
        rows = await members(session)
    if args.json:
        print_json(
            [
                {
                    "id": m.id,
                    "commune": m.commune_insee,
                    "territory": m.territory.epci,
                    "role": m.role.value,
                    "name": m.name,
                    "emails": [e.address for e in m.emails],
                    "telegram": m.telegram_id,
                    "active": m.active,
                }
                for m in rows
            ]
        )
        return 0
    if not rows:
        ctx.out.print("Aucun membre inscrit. Ajoutez-en avec « mutualise members add ».")
        return 0
    table = Table(title="Membres")
    for column in ("N°", "Commune ou territoire", "Rôle", "Nom", "Adresses", "Telegram"):
        table.add_column(column)
    for m in rows:
        table.add_row(
            str(m.id),
            m.place,
            ROLES[m.role],
            m.name or "",
            ", ".join(e.address for e in m.emails),
            str(m.telegram_id or ""),
        )
    ctx.out.print(table)
    return 0
