"""Sending a digest: one outbox message per coordinator, by email (HTML, text and the
attached files) or by Telegram (the short summary and the files)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.digests import Rendered
from handlers.recipients import coordinators, dedupe_key
from storage.models import Channel
from storage.outbox import draft, enqueue


async def deliver(session: AsyncSession, rendered: Rendered, period: str, now: dt.datetime) -> int:
    """Queue the digest for every coordinator of its territory; returns how many were queued.

    The dedupe key names the digest and its period: sending it again queues nothing.
    """
    files = [(name, kind, data) for name, (kind, data) in rendered.files.items()]
    queued = 0
    for recipient in await coordinators(session, rendered.scope.id):
        email = recipient.channel is Channel.EMAIL
        message = await enqueue(
            session,
            draft(
                channel=recipient.channel,
                recipient=recipient.address,
                subject=rendered.subject,
                body=rendered.text if email else rendered.telegram,
                html=rendered.html if email else None,
                now=now,
                dedupe_key=dedupe_key(rendered.kind.value, period, recipient),
            ),
            attachments=files,
        )
        queued += message is not None
    return queued
