"""`mutualise demo`: the whole job on the embedded default, with no token and no network.

Today it builds a fresh demo store and shows the territory and the catalogue; the
scenario of messages, matching and digests joins it as those parts are built.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from handlers.cli import reference
from handlers.cli.context import Context, open_context


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
    """Build a fresh demo store for Lorient Agglomération and show what it holds."""
    folder: Path = args.dir
    store = _fresh_store(folder)
    settings = ctx.settings.model_copy(update={"db": f"sqlite:///{store}"})
    ctx.out.rule("mutualise : démonstration")
    async with open_context(settings, ctx.out) as demo:
        await reference.run_init(demo, argparse.Namespace(epci=None, catalogue=[]))
        ctx.out.print()
        await reference.run_communes(demo, argparse.Namespace(json=False))
    ctx.out.print(
        f"\nLa base de démonstration est dans {folder}/. La lecture des messages, "
        "l'appariement des besoins et les synthèses n'y figurent pas encore : ils "
        "rejoindront la démonstration à mesure qu'ils seront construits."
    )
    return 0
