"""Rendering the digests: jinja2 templates (HTML escaped, text), French dates and sums,
and the brief a chat shows."""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from babel.numbers import format_currency
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from handlers.costs import euros as cents
from handlers.wording import day, stretch

BRIEF_LISTED = 8


def _day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return day(value)


def euros(value: float) -> str:
    """ "2 540 €": estimates, in whole euros."""
    return format_currency(round(value), "EUR", format="#,##0\u00a0¤", locale="fr_FR",
                           currency_digits=False)  # fmt: skip


def count(number: int, singular: str, plural: str) -> str:
    """ "0 prêt réalisé", "1 prêt réalisé", "3 prêts réalisés": French takes the singular
    below two."""
    return f"{number} {singular if abs(number) < 2 else plural}"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)} %"


@cache
def environment(templates: Path | None = None) -> Environment:
    """The templates, an edited copy in `templates` taking precedence over the bundled ones."""
    bundled = str(resources.files("handlers").joinpath("templates"))
    folders = [str(templates), bundled] if templates else [bundled]
    env = Environment(
        loader=FileSystemLoader(folders),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2", "css.j2")),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters.update(day=_day, stretch=stretch, euros=euros, cents=cents, percent=_percent,
                       count=count)  # fmt: skip
    return env


def render(name: str, context: dict[str, Any], templates: Path | None = None) -> str:
    """One template rendered with the digest's context."""
    return environment(templates).get_template(name).render(**context)


def brief(lines: list[str], more: str) -> str:
    """What a chat shows of a digest: its first lines, and a last word."""
    shown = [f"• {line}" for line in lines[:BRIEF_LISTED]]
    if len(lines) > BRIEF_LISTED:
        shown.append(f"… et {count(len(lines) - BRIEF_LISTED, 'autre', 'autres')}")
    return "\n\n".join(part for part in ("\n".join(shown), more) if part)
