"""What every benchmark hands to `benchmarks/all.py`: its figures, each with the reference
measured in the same run, written as JSON lines when asked (`--rows FILE`)."""

from __future__ import annotations

import asyncio
import json
import random
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

# Messages as correspondents write them, to make a stream of needs and offers.
PHRASES = (
    "Nous pouvons prêter {q} {plural} du 1er juin au 30 septembre.",
    "il nous faudrait {q} {plural} pour le {day} juillet",
    "La commune souhaiterait emprunter {q} {plural} du {day} au {end} août.",
    "Nous devons acheter {q} {plural} avant septembre.",
)


@dataclass(frozen=True)
class Row:
    """One figure: ours, the reference of the same run, their ratio, and the goal."""

    benchmark: str
    figure: str
    ours: str
    reference: str
    ratio: str
    goal: str = ""


def write_rows(path: Path | None, rows: list[Row]) -> None:
    """Append the rows to `path` as JSON lines (nothing when no path was asked)."""
    if path is None:
        return
    with path.open("a", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(asdict(row), ensure_ascii=False) + "\n")


def read_rows(path: Path) -> list[Row]:
    """The rows written by `write_rows`."""
    if not path.exists():
        return []
    return [Row(**json.loads(line)) for line in path.read_text("utf-8").splitlines() if line]


def rate(count: int, seconds: float) -> str:
    """A throughput, per second."""
    return f"{count / seconds:,.0f}/s"


async def fresh_store(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """A store as `mutualise init` leaves it: schema, Lorient Agglomération, catalogue."""
    from storage.catalogue import load_catalogue
    from storage.database import session_factory
    from storage.reference import install_catalogue, install_territory
    from storage.schema import upgrade
    from storage.territory import load_territory

    await upgrade(engine)
    sessions = session_factory(engine)
    async with sessions.begin() as session:
        await install_territory(session, load_territory())
        await install_catalogue(session, load_catalogue())
    return sessions


def declarations(count: int, seed: int = 11) -> list[str]:
    """`count` messages in the correspondents' words, over lendable and bought items."""
    from storage.catalogue import load_catalogue

    rng = random.Random(seed)
    items = load_catalogue().items
    found = []
    for _ in range(count):
        item = rng.choice(items)
        phrase = PHRASES[3] if not item.lendable else rng.choice(PHRASES[:3])
        day = rng.randrange(1, 25)
        found.append(phrase.format(q=rng.randint(2, 200), plural=item.plural, day=day, end=day + 2))
    return found


async def run_client(script: str, port: int, *args: str) -> dict[str, Any]:
    """Run a benchmark's SMTP client half (`script --client PORT …`) in a process of its own,
    so that it does not share the server's cores' event loop, and read what it printed."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, script, "--client", str(port), *args, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await child.communicate()
    if child.returncode != 0:
        msg = f"the SMTP client failed ({child.returncode})"
        raise RuntimeError(msg)
    return dict(json.loads(out))
