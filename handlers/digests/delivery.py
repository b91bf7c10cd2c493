"""Sending a digest: the notice of it, to every coordinator of its territory."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.digests import Rendered
from handlers.notices import post
from handlers.recipients import coordinators


async def deliver(session: AsyncSession, rendered: Rendered, period: str, now: dt.datetime) -> int:
    """Queue the digest for every coordinator of its territory; returns how many were queued.

    The key names the digest and its period: sending it again queues nothing.
    """
    recipients = await coordinators(session, rendered.scope.id)
    key = f"{rendered.kind.value}:{period}"
    return await post(session, rendered.notice, recipients, key, now)
