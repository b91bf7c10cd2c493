"""The matching digest: what is new since the last one, what waits for an answer, and the
needs about to pass their date with nothing found for them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.digests.peaks import Peak, peaks
from storage import views
from storage.models import NeedStatus, ProposalStatus
from storage.views import Item, NeedRow, ProposalRow, Scope, french_key

WAITING = dt.timedelta(days=7)
SOON = dt.timedelta(days=30)
# Demand peaks are listed over the half-year ahead, as the semester summary's calendar.
PEAKS_AHEAD = dt.timedelta(days=183)


@dataclass
class Matching:
    """One territory's matching digest, ready to render."""

    scope: Scope
    now: dt.datetime
    since: dt.datetime | None
    new: list[ProposalRow]
    waiting: list[ProposalRow]
    soon: list[NeedRow]
    peaks: list[Peak]

    @property
    def today(self) -> dt.date:
        return self.now.date()

    def seen(self) -> dict[str, list[Any]]:
        """What this digest showed, so that the next one tells only what is new."""
        return {
            "proposals": [p.id for p in self.new],
            "waiting": [p.id for p in self.waiting],
            "soon": [n.id for n in self.soon],
            "peaks": [p.key for p in self.peaks],
        }

    def has_news(self, previous: dict[str, Any] | None) -> bool:
        """Whether anything here was not in the previous digest."""
        if previous is None:
            return bool(self.new or self.waiting or self.soon or self.peaks)
        if self.new:
            return True
        return any(
            set(ids) - set(previous.get(key) or ())
            for key, ids in self.seen().items()
            if key != "proposals"
        )


async def build(
    session: AsyncSession,
    scope: Scope,
    items: dict[str, Item],
    now: dt.datetime,
    since: dt.datetime | None,
) -> Matching:
    """Read one territory's digest as of `now`; `since` is when the last one was made."""
    today = now.date()
    in_play = await views.proposals(session, scope, items, statuses=views.IN_PLAY)
    new = [p for p in in_play if p.created_at <= now and (since is None or p.created_at > since)]
    waiting = [
        p
        for p in in_play
        if p.status is ProposalStatus.PROPOSED
        and p.created_at <= now - WAITING
        and p.awaiting
        and p.state_label(today) == views.WAITING  # not once its dates are gone
    ]
    live = await views.needs(session, scope, items, statuses=views.LIVE_NEEDS)
    soon = [
        n
        for n in live
        if n.status is NeedStatus.OPEN and n.due is not None and today <= n.due <= today + SOON
    ]
    soon.sort(key=lambda n: (n.due or today, french_key(n.commune)))
    offers = await views.offers(session, scope)
    ahead = peaks(live, offers, items, today, today + PEAKS_AHEAD)
    return Matching(scope, now, since, new, waiting, soon, ahead)
