"""`mutualise parse`: what the bot understands of a text, as JSON."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from handlers.cli.context import Context
from handlers.cli.days import day_option
from handlers.reading.reader import Reader
from handlers.reading.sources import bundled_reader, stored_reader
from storage.errors import MutualiseError, unreadable


class ParseInputError(MutualiseError):
    """The text to read, or its date, cannot be used."""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the parse command to the command line."""
    parse = commands.add_parser("parse", help="montre ce que le bot comprend d'un texte (JSON)")
    parse.add_argument("text", nargs="?", metavar="TEXTE", help="le texte à lire")
    parse.add_argument(
        "--now",
        metavar="JJ/MM/AAAA",
        help="date d'écriture du texte, 31/07/2027 ou 2027-07-31 (par défaut : aujourd'hui)",
    )
    parse.add_argument(
        "--jsonl", type=Path, metavar="FICHIER", help='lignes {"text": ..., "now": ...} à lire'
    )
    parse.set_defaults(run=run_parse, needs_store=False)


def written_on(value: str | None, today: dt.date) -> dt.date:
    """The day a text was written: an ISO date or date-time, or today."""
    if not value:
        return today
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError as exc:
        msg = f"Date illisible : « {value} » (attendu : AAAA-MM-JJ)."
        raise ParseInputError(msg) from exc


async def _reader(ctx: Context) -> Reader:
    # The store's catalogue when there is one (coordinators may have extended it).
    try:
        await ctx.ensure_ready()
    except Exception:  # no store, an old one, or none reachable: a dry reading still works
        return bundled_reader()
    async with ctx.sessions() as session:
        return await stored_reader(session)


async def run_parse(ctx: Context, args: argparse.Namespace) -> int:
    """Print the reading of one text, or of every line of a JSONL file."""
    if args.jsonl is None and args.text is None:
        msg = "Donnez un texte à lire, ou un fichier avec --jsonl."
        raise ParseInputError(msg)
    reader = await _reader(ctx)
    if args.jsonl is None:
        today = day_option(args.now, "--now") or ctx.clock.today()
        _emit(reader.read(args.text, today).to_json())
        return 0
    try:
        lines = args.jsonl.read_text("utf-8").splitlines()
    except OSError as exc:
        msg = unreadable(args.jsonl, exc)
        raise ParseInputError(msg) from exc
    today = day_option(args.now, "--now") or ctx.clock.today()
    for number, line in enumerate(lines, start=1):
        if line.strip():
            _emit(_read_line(reader, line, number, today))
    return 0


def _read_line(reader: Reader, line: str, number: int, today: dt.date) -> dict[str, Any]:
    try:
        entry = json.loads(line)
        text = entry["text"]
        if not isinstance(text, str):
            raise TypeError
        return reader.read(text, written_on(entry.get("now"), today)).to_json()
    except (ValueError, KeyError, TypeError, AttributeError, ParseInputError) as exc:
        reason = (
            str(exc)
            if isinstance(exc, ParseInputError)
            else 'objet {"text": ..., "now": ...} attendu'
        )
        return {"intent": "unknown", "error": f"ligne {number} : {reason}"}


def _emit(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
