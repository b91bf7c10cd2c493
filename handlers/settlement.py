"""Settling a change: match the items it touched, then tell the communes of the proposals
that came of it. The one policy of every path that changes needs, offers or answers (a
message, a button, an answer by mail, a command), so that none forgets half of it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.matching import MatchingConfig, ReferenceCache, match
from handlers.proposals import notify
from storage.models import Proposal


class Settlement:
    """`settle(session, items, now)`, built once with the territory's matching settings and
    the reference data it keeps a minute (`ReferenceCache`)."""

    def __init__(
        self, matching: MatchingConfig | None = None, reference: ReferenceCache | None = None
    ) -> None:
        self.matching = matching or MatchingConfig()
        self.reference = reference or ReferenceCache(price_folders=self.matching.price_folders)

    async def __call__(
        self, session: AsyncSession, items: Collection[str], now: dt.datetime
    ) -> list[Proposal]:
        """Match what the touched items (and their families) can now make, and queue the
        notices of the new proposals; returns them. Nothing touched, nothing to do."""
        if not items:
            return []
        reference = await self.reference.get(session)
        report = await match(session, self.matching, items, now, reference)
        await notify(session, report.created, now)
        return report.created
