"""The `mutualise` command line: the stable surface that coordinators and scripts use.

This package is the composition root: it reads the settings, opens the store, and builds
the adapters (`bot/`, `mail/`) and the scheduler around the heart; the rest of `handlers/`
knows none of them (`tests/test_layers.py`)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from pydantic import ValidationError
from rich.console import Console
from sqlalchemy.exc import ArgumentError, DBAPIError

from handlers.cli import (
    calendar_feed,
    demo,
    digest,
    french,
    members,
    parse,
    records,
    reference,
    service,
    web,
)
from handlers.cli.context import open_context
from handlers.cli.output import log_into, safe_url
from handlers.settings import Settings
from storage.errors import MutualiseError, os_reason

log = logging.getLogger("mutualise.cli")
# What a setting of the wrong type should have been, by pydantic's error type.
EXPECTED = {
    "int_parsing": "un nombre entier est attendu",
    "float_parsing": "un nombre est attendu",
    "bool_parsing": "true ou false est attendu",
}


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command, with French help."""
    french.install()
    parser = argparse.ArgumentParser(
        prog="mutualise",
        description="Mutualisation des achats et du matériel entre les communes "
        "d'une intercommunalité.",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help="base de données (sqlite:///fichier.db ou postgresql://…) ; "
        "par défaut MUTUALISE_DB, sinon sqlite:///mutualise.db",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")
    reference.register(commands)
    members.register(commands)
    parse.register(commands)
    records.register(commands)
    records.register_events(commands)
    digest.register(commands)
    calendar_feed.register(commands)
    service.register(commands)
    web.register(commands)
    demo.register(commands)
    return parser


def _configure_logging(settings: Settings) -> None:
    log_into(settings.log_file)
    logging.getLogger().setLevel(settings.log_level.upper())


async def _dispatch(args: argparse.Namespace, settings: Settings, out: Console) -> int:
    async with open_context(settings, out) as ctx:
        if getattr(args, "needs_store", True):
            await ctx.ensure_ready()
        code: int = await args.run(ctx, args)
        return code


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; errors end as one French sentence on stderr, details in the log."""
    args = build_parser().parse_args(argv)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        settings = Settings() if args.db is None else Settings(db=args.db)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "MUTUALISE_" + "_".join(str(part) for part in first["loc"]).upper()
        reason = EXPECTED.get(first["type"]) or first.get("ctx", {}).get("error", first["msg"])
        err.print(f"Configuration invalide, {name} : {reason}.", markup=False)
        return 2
    _configure_logging(settings)
    out = Console(highlight=False, soft_wrap=True)
    try:
        return asyncio.run(_dispatch(args, settings, out))
    except MutualiseError as exc:
        err.print(str(exc), markup=False)
        return 1
    except OSError as exc:
        if exc.filename is None:  # a server that cannot be reached: the store's, here
            return _store_failed(exc, settings, err)
        log.exception("file operation failed in %s", args.command)
        err.print(f"Impossible d'utiliser {exc.filename} : {os_reason(exc)}.", markup=False)
        return 1
    except DBAPIError as exc:
        return _store_failed(exc, settings, err)
    except ArgumentError:  # an address that parses but that its driver refuses
        log.exception("database address refused: %s", safe_url(settings.db))
        err.print(
            f"Adresse de base de données invalide : {safe_url(settings.db)} (attendu : "
            "sqlite:///fichier.db, sqlite:////chemin/absolu.db ou postgresql://…).",
            markup=False,
        )
        return 1
    except KeyboardInterrupt:
        err.print("Interrompu.")
        return 130
    except Exception as exc:
        log.exception("unexpected error in %s", args.command)
        err.print(
            f"Erreur inattendue ({type(exc).__name__}). Le détail est dans le journal "
            f"{settings.log_file}.",
            markup=False,
        )
        return 1


def _store_failed(exc: Exception, settings: Settings, err: Console) -> int:
    """The store failed or cannot be reached: one sentence, the traceback in the log."""
    log.exception("database unreachable or failing: %s", safe_url(settings.db))
    cause = getattr(exc, "orig", None) or exc
    err.print(
        f"La base de données {safe_url(settings.db)} ne répond pas comme attendu "
        f"({type(cause).__name__}). Le détail est dans le journal {settings.log_file}.",
        markup=False,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
