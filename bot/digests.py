"""The digests a coordinator asks for in the chat (/digest, /semestre): the contract between
the bot and whatever renders them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.notices import render as render_notice
from handlers.digests import DigestConfig

DigestKind = Literal["matching", "semester"]


@dataclass(frozen=True)
class TelegramDigest:
    """A digest ready for the chat: Telegram HTML (already escaped) and files to send."""

    html: str
    files: list[tuple[str, bytes]] = field(default_factory=list)


Digests = Callable[[DigestKind, dt.datetime], Awaitable[TelegramDigest]]


def rendered_digests(sessions: async_sessionmaker[AsyncSession], config: DigestConfig) -> Digests:
    """The digests as the scheduler renders them, for the chat: the short summary of each
    territory, and the semester summary's workbook and calendar. Nothing is recorded: the
    scheduled digest still tells what is new since the last one it sent."""
    from handlers.digests import DigestKind as Kind
    from handlers.digests import each_territory

    async def render(kind: DigestKind, now: dt.datetime) -> TelegramDigest:
        parts, files = [], []
        async with sessions() as session:
            async for rendered in each_territory(session, Kind(kind), now, config):
                parts.append(render_notice(rendered.notice)[0])
                files += [(name, data) for name, (_, data) in rendered.files.items()]
        return TelegramDigest("\n\n".join(parts), files)

    return render


async def not_yet(kind: DigestKind, now: dt.datetime) -> TelegramDigest:
    """Until the digests are written, say so."""
    what = "La synthèse des rapprochements" if kind == "matching" else "L'état des lieux semestriel"
    return TelegramDigest(f"{what} n'est pas encore disponible dans le bot.")
