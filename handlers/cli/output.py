"""Printing for people (rich tables, French numbers) and for scripts (JSON), and the log."""

from __future__ import annotations

import json
import logging
import sys
import tempfile
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal
from sqlalchemy.engine import make_url

from handlers.files import OutputError
from handlers.wording import noun
from storage.errors import os_reason


def log_into(path: str | Path) -> None:
    """Send every log record to this file (opened only when something is logged)."""
    handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().handlers[:] = [handler]


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
    return f"{number(count)} {noun(count, singular, many)}"


def writable_folder(folder: Path, option: str = "--out") -> Path:
    """Make sure `folder` is a folder this process can write into (created if need be),
    before anything is rendered or sent; a French error saying what is wrong else."""
    if folder.exists() and not folder.is_dir():
        msg = (
            f"{folder} est un fichier, pas un dossier : {option} attend le dossier où écrire "
            "les fichiers (il est créé s'il n'existe pas)."
        )
        raise OutputError(msg)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        msg = f"Impossible de créer le dossier {folder} ({option}) : {os_reason(exc)}."
        raise OutputError(msg) from exc
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        msg = f"Impossible d'écrire dans le dossier {folder} ({option}) : {os_reason(exc)}."
        raise OutputError(msg) from exc
    return folder
