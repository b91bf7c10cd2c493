"""The digests a coordinator asks for in the chat (/digest, /semestre): the contract between
the bot and whatever renders them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

DigestKind = Literal["matching", "semester"]


@dataclass(frozen=True)
class TelegramDigest:
    """A digest ready for the chat: Telegram HTML (already escaped) and files to send."""

    html: str
    files: list[tuple[str, bytes]] = field(default_factory=list)


Digests = Callable[[DigestKind, dt.datetime], Awaitable[TelegramDigest]]


async def not_yet(kind: DigestKind, now: dt.datetime) -> TelegramDigest:
    """Until the digests are written, say so."""
    what = "La synthèse des rapprochements" if kind == "matching" else "L'état des lieux semestriel"
    return TelegramDigest(f"{what} n'est pas encore disponible dans le bot.")
