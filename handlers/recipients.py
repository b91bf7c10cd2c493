"""Who hears about what: the members of a commune or the coordinators of a territory, each
on the channel they use (Telegram when they registered there, else email)."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from storage.members import active_coordinators, active_members, email_writers
from storage.models import Channel, Member


@dataclass(frozen=True, order=True)
class Recipient:
    channel: Channel
    address: str  # an email address, or a Telegram chat id


def _of(members: Collection[Member]) -> list[Recipient]:
    found: set[Recipient] = set()
    for member in members:
        if member.telegram_id is not None:
            found.add(Recipient(Channel.TELEGRAM, str(member.telegram_id)))
        else:
            found.update(Recipient(Channel.EMAIL, e.address) for e in member.emails)
    return sorted(found)


async def coordinators(session: AsyncSession, territory_id: int) -> list[Recipient]:
    """The territory's active coordinators."""
    return _of(await active_coordinators(session, territory_id))


async def members_of(
    session: AsyncSession, communes: Collection[str]
) -> dict[str, list[Recipient]]:
    """The active members of these communes, each on their channel, read in one query."""
    found: dict[str, list[Member]] = {c: [] for c in communes}
    for member in await active_members(session, communes):
        if member.commune_insee is not None:  # of one of `communes`: never a coordinator
            found[member.commune_insee].append(member)
    return {c: _of(m) for c, m in found.items()}


@dataclass(frozen=True)
class Audience:
    """Who may hear about some communes' needs and offers, read once: each commune's active
    members, and the addresses that wrote those records by email."""

    members: dict[str, list[Recipient]]
    wrote: dict[tuple[str, int], str]

    def of(
        self, commune: str, needs: Collection[int | None], offers: Collection[int | None]
    ) -> list[Recipient]:
        """Who hears about the commune's `needs` and `offers`: its members, each on their
        channel; and, when none of them reads email, the addresses that wrote those records
        by email (a town hall with no member on email is answered where it wrote from)."""
        found = list(self.members.get(commune, []))
        if not any(r.channel is Channel.EMAIL for r in found):
            keys = [("need", n) for n in needs if n] + [("offer", o) for o in offers if o]
            found += [Recipient(Channel.EMAIL, self.wrote[k]) for k in keys if k in self.wrote]
        return sorted(set(found))


async def audience(
    session: AsyncSession, communes: Collection[str], needs: Collection[int],
    offers: Collection[int],
) -> Audience:  # fmt: skip
    """The members of these communes and the writers of these records, in a few queries."""
    members = await members_of(session, communes)
    return Audience(members, await email_writers(session, needs, offers))


async def of_commune(
    session: AsyncSession, insee: str, needs: Collection[int] = (), offers: Collection[int] = ()
) -> list[Recipient]:
    """Who hears about one commune's needs and offers (`Audience.of`)."""
    return (await audience(session, [insee], needs, offers)).of(insee, needs, offers)


def dedupe_key(*parts: str | Recipient) -> str:
    """A key naming what is sent to whom, within the outbox's 200 characters."""
    key = ":".join(
        f"{p.channel.value}:{p.address}" if isinstance(p, Recipient) else p for p in parts
    )
    if len(key) <= 200:
        return key
    return f"{key[:150]}~{hashlib.sha256(key.encode()).hexdigest()[:40]}"
