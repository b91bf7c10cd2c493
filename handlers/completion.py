"""Completing a need from the answer to the bot's question ("pour quelles dates ?")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.reading.reader import Reader
from handlers.wording import amount, listing, stretch
from storage.declarations import needs_of_message
from storage.models import Need, NeedKind, Offer
from storage.outbox import replied_message


@dataclass
class Completion:
    needs: list[Need]
    missing: list[str]

    def describe(self) -> str:
        """What the completed needs now say."""
        parts = []
        for need in self.needs:
            when = (
                f"avant le {need.deadline.isoformat()}"
                if need.kind is NeedKind.PURCHASE and need.deadline
                else stretch(need.start, need.end)
            )
            parts.append(f"{amount(need.quantity, need.item_label)} {when}")
        return listing(parts)


async def original_message(session: AsyncSession, outbox_id: int) -> int | None:
    """The message that the bot's question (an outbox message) was about."""
    return await replied_message(session, outbox_id)


def _still_missing(need: Need) -> list[str]:
    missing = []
    if need.quantity is None:
        missing.append("quantity")
    if need.kind is NeedKind.BORROW and need.start is None:
        missing.append("dates")
    if need.kind is NeedKind.PURCHASE and need.deadline is None:
        missing.append("deadline")
    return missing


async def complete(
    session: AsyncSession,
    message_id: int,
    commune: str,
    text: str,
    reader: Reader,
    today: dt.date,
) -> Completion | None:
    """Fill what the needs recorded from `message_id` lacked with this answer; None when
    there was nothing to complete or the answer brings nothing."""
    needs = await needs_of_message(session, message_id, commune)
    incomplete = [n for n in needs if _still_missing(n)]
    if not incomplete:
        return None
    start, end, deadline = reader.when(text, today)
    changed = False
    for need in incomplete:
        if need.kind is NeedKind.BORROW and need.start is None and start:
            need.start, need.end = start, end or start
            changed = True
        if need.kind is NeedKind.PURCHASE and need.deadline is None and deadline:
            need.deadline, changed = deadline, True
    uncounted = [n for n in incomplete if n.quantity is None]
    count = reader.count(text, today)
    if len(uncounted) == 1 and count is not None:
        uncounted[0].quantity, changed = count, True
    if not changed:
        return None
    await session.flush()
    missing = sorted({m for n in incomplete for m in _still_missing(n)})
    return Completion(incomplete, missing)


def correct(
    needs: list[Need], offers: list[Offer], text: str, reader: Reader, today: dt.date
) -> bool:
    """Mend held needs and offers with the writer's correction: the one count it gives (for
    a single line), the dates it gives. True when something was mended."""
    start, end, deadline = reader.when(text, today)
    count = reader.count(text, today)
    lines: list[Need | Offer] = [*needs, *offers]
    changed = False
    if count is not None and len(lines) == 1:
        lines[0].quantity, changed = count, True
    for line in lines:
        if isinstance(line, Need) and line.kind is NeedKind.PURCHASE:
            if deadline is not None:
                line.deadline, changed = deadline, True
        elif start is not None:
            line.start, line.end, changed = start, end or start, True
    return changed
