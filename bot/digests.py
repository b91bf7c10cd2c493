"""The digests a coordinator asks for in the chat (/digest, /semestre): the contract between
the bot and whatever renders them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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
    from handlers.digests import matching_digest, semester_summary
    from handlers.digests.facts import catalogue, territories
    from storage.runs import detail_of, last_run

    async def render(kind: DigestKind, now: dt.datetime) -> TelegramDigest:
        parts, files = [], []
        async with sessions() as session:
            items = await catalogue(session)
            for scope in await territories(session):
                if kind == "semester":
                    rendered = await semester_summary(session, scope, items, now, config)
                    files += [(name, data) for name, (_, data) in rendered.files.items()]
                else:
                    previous = await last_run(session, "matching", f"{scope.epci}/", now)
                    since = previous.started_at if previous else None
                    seen = (detail_of(previous) or {}).get("seen")
                    rendered = await matching_digest(
                        session, scope, items, now, since, seen, config
                    )
                parts.append(rendered.telegram)
        return TelegramDigest("\n\n".join(parts), files)

    return render


async def not_yet(kind: DigestKind, now: dt.datetime) -> TelegramDigest:
    """Until the digests are written, say so."""
    what = "La synthèse des rapprochements" if kind == "matching" else "L'état des lieux semestriel"
    return TelegramDigest(f"{what} n'est pas encore disponible dans le bot.")
