"""Printing for people (rich tables, French numbers) and for scripts (JSON)."""

from __future__ import annotations

import json
import sys
from typing import Any

from babel.numbers import format_decimal
from sqlalchemy.engine import make_url


def number(value: float) -> str:
    """A number written the French way: 203 309."""
    return format_decimal(value, locale="fr_FR")


def print_json(data: Any) -> None:
    """One JSON document on stdout, UTF-8 as is, for scripts."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


def safe_url(url: str) -> str:
    """A database address fit to print: never its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(adresse illisible)"


def plural(count: int, singular: str, many: str | None = None) -> str:
    """ "1 commune", "25 communes" (French puts 0 in the singular)."""
    word = singular if count <= 1 else (many or singular + "s")
    return f"{number(count)} {word}"
