"""Access to the shared page: one-time links, sessions, and the log of what coordinators did
there. Secrets are kept as digests only; the caller hashes them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ActionEntry, Commune, Member, Role, Territory, WebLink, WebSession

# Where a member belongs, as shown: their commune, or a coordinator's territory (the
# queries join both).
_place = func.coalesce(Commune.name, Territory.name)


@dataclass(frozen=True)
class Visitor:
    """Who a session belongs to: the member, their commune (none for a coordinator: `commune`
    is then their territory's name), role and territory."""

    member_id: int
    name: str
    insee: str | None
    commune: str
    role: Role
    territory_id: int
    form_token: str

    @property
    def acts(self) -> bool:
        """Coordinators act; correspondents read."""
        return self.role is Role.COORDINATOR


async def add_link(
    session: AsyncSession, member_id: int, digest: str, now: dt.datetime, lifetime: dt.timedelta
) -> WebLink:
    """Record a one-time link's digest for a member, valid for `lifetime`."""
    link = WebLink(member_id=member_id, digest=digest, created_at=now, expires_at=now + lifetime)
    session.add(link)
    await session.flush()
    return link


async def claim_link(session: AsyncSession, digest: str, now: dt.datetime) -> int | None:
    """Use a link once: the member it opens, or None for an unknown, expired or used one,
    or one of a member no longer active. One statement, so that two clicks claim it once."""
    claimed = await session.execute(
        update(WebLink)
        .where(WebLink.digest == digest, WebLink.used_at.is_(None), WebLink.expires_at > now)
        .values(used_at=now)
        .returning(WebLink.member_id)
    )
    member_id = claimed.scalar_one_or_none()
    if member_id is None:
        return None
    active = await session.scalar(select(Member.active).where(Member.id == member_id))
    return member_id if active else None


async def open_session(
    session: AsyncSession,
    member_id: int,
    digest: str,
    form_token: str,
    now: dt.datetime,
    lifetime: dt.timedelta,
) -> None:
    """Record a session's digest and form token; drop the member's expired ones."""
    await session.execute(
        delete(WebSession).where(WebSession.member_id == member_id, WebSession.expires_at <= now)
    )
    session.add(WebSession(member_id=member_id, digest=digest, form_token=form_token,
                           created_at=now, expires_at=now + lifetime))  # fmt: skip
    await session.flush()


async def visitor(session: AsyncSession, digest: str, now: dt.datetime) -> Visitor | None:
    """The active member of a live session, or None."""
    row = (
        await session.execute(
            select(
                Member.id,
                Member.name,
                Member.commune_insee,
                _place,
                Member.role,
                Member.territory_id,
                WebSession.form_token,
            )
            .join(Member, Member.id == WebSession.member_id)
            .join(Territory, Territory.id == Member.territory_id)
            .outerjoin(Commune, Commune.insee == Member.commune_insee)
            .where(
                WebSession.digest == digest, WebSession.expires_at > now, Member.active.is_(True)
            )
        )
    ).first()
    if row is None:
        return None
    member_id, name, insee, commune, role, territory_id, form_token = row
    return Visitor(member_id, name or f"membre n° {member_id}", insee, commune, role,
                   territory_id, form_token)  # fmt: skip


async def close_session(session: AsyncSession, digest: str) -> None:
    """End a session (the member logs out)."""
    await session.execute(delete(WebSession).where(WebSession.digest == digest))


async def log_action(
    session: AsyncSession,
    member_id: int,
    action: str,
    detail: str,
    now: dt.datetime,
    proposal_id: int | None = None,
) -> None:
    """Keep what a member did, and when."""
    session.add(ActionEntry(member_id=member_id, action=action, detail=detail,
                            proposal_id=proposal_id, at=now))  # fmt: skip
    await session.flush()


@dataclass(frozen=True)
class LoggedAction:
    at: dt.datetime
    who: str
    commune: str
    action: str
    detail: str


async def actions(session: AsyncSession, territory_id: int, limit: int = 20) -> list[LoggedAction]:
    """The latest actions taken by the members of a territory, newest first."""
    rows = await session.execute(
        select(ActionEntry.at, Member.id, Member.name, _place, ActionEntry.action,
               ActionEntry.detail)
        .join(Member, Member.id == ActionEntry.member_id)
        .join(Territory, Territory.id == Member.territory_id)
        .outerjoin(Commune, Commune.insee == Member.commune_insee)
        .where(Member.territory_id == territory_id)
        .order_by(ActionEntry.id.desc())
        .limit(limit)
    )  # fmt: skip
    return [
        LoggedAction(at, name or f"membre n° {mid}", commune, action, detail)
        for at, mid, name, commune, action, detail in rows
    ]


async def first_actions(
    session: AsyncSession, proposal_ids: Sequence[int], action: str
) -> dict[int, LoggedAction]:
    """The first time each of these proposals met this action (a group order's launch),
    and who took it; one query however many proposals."""
    if not proposal_ids:
        return {}
    rows = await session.execute(
        select(ActionEntry.proposal_id, ActionEntry.at, Member.id, Member.name, _place,
               ActionEntry.action, ActionEntry.detail)
        .join(Member, Member.id == ActionEntry.member_id)
        .join(Territory, Territory.id == Member.territory_id)
        .outerjoin(Commune, Commune.insee == Member.commune_insee)
        .where(ActionEntry.proposal_id.in_(proposal_ids), ActionEntry.action == action)
        .order_by(ActionEntry.id.desc())
    )  # fmt: skip
    found: dict[int, LoggedAction] = {}
    for pid, at, mid, name, commune, done, detail in rows:
        if pid is not None:
            found[pid] = LoggedAction(at, name or f"membre n° {mid}", commune, done, detail)
    return found
