"""`mutualise demo`: the whole job on the embedded default, with no token and no network.

Today it builds a fresh demo store, shows the territory, and reads a few messages as the
bot would; recording, matching and digests join it as those parts are built.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from rich.table import Table

from handlers.cli import reference
from handlers.cli.context import Context, open_context
from handlers.reading.reader import Reader
from handlers.reading.sources import stored_reader
from storage.members import communes

# Messages in the voices of the communes, read as if written on this day.
WRITTEN_ON = dt.date(2027, 5, 17)
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
    """Build a fresh demo store for Lorient Agglomération and show what it holds."""
    folder: Path = args.dir
    store = _fresh_store(folder)
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
    ctx.out.print(
        f"\nLa base de démonstration est dans {folder}/. L'enregistrement des besoins, "
        "l'appariement et les synthèses n'y figurent pas encore : ils rejoindront la "
        "démonstration à mesure qu'ils seront construits."
    )
    return 0


def _readings(reader: Reader, names: dict[str, str]) -> Table:
    table = Table(title=f"Ce que le bot comprend (messages écrits le {WRITTEN_ON:%d/%m/%Y})")
    for column in ("Message", "Intention", "Matériel", "Dates", "Commune"):
        table.add_column(column)
    for text in SAMPLES:
        reading = reader.read(text, WRITTEN_ON)
        things = ", ".join(
            f"{i.quantity if i.quantity is not None else '?'} × {i.label}" for i in reading.items
        )
        days = dict.fromkeys((reading.start, reading.end, reading.deadline))
        when = " → ".join(f"{d:%d/%m/%Y}" for d in days if d)
        commune = names.get(reading.commune or "", "")
        table.add_row(text, INTENTS[reading.intent.value], things, when, commune)
    return table
