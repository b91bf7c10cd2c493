"""Invitations: one-time codes that let a person join a commune from a chat app."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import MutualiseError
from storage.members import add_member, claim_invitation, placed
from storage.models import Commune, Invitation, Member, Role, Territory

# 18 random bytes: 144 bits, 24 URL-safe characters, well within a deep link's 64 allowed
# characters ([A-Za-z0-9_-]) and the 32 of the column.
CODE_BYTES = 18


class InvitationError(MutualiseError):
    """A code cannot be used: unknown, expired or already used."""


async def invite(
    session: AsyncSession, place: Commune | Territory, role: Role, now: dt.datetime, days: int
) -> Invitation:
    """A new code for one person to join with `role` at `place` (`placed`: a coordinator
    joins its territory), valid for `days` days."""
    territory, commune = placed(place, role)
    invitation = Invitation(
        code=secrets.token_urlsafe(CODE_BYTES),
        territory_id=territory,
        commune_insee=commune,
        role=role,
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    session.add(invitation)
    await session.flush()
    return invitation


async def redeem(
    session: AsyncSession, code: str, telegram_id: int, name: str | None, now: dt.datetime
) -> Member:
    """Register the holder of a Telegram account as the member the code invites."""
    invitation = await session.get(Invitation, code.strip()[:64])
    if invitation is None or invitation.expires_at <= now:
        msg = (
            "Ce code d'invitation n'est pas valable (inconnu ou expiré). Demandez-en un "
            "nouveau à votre coordinateur."
        )
        raise InvitationError(msg)
    if not await claim_invitation(session, invitation.code, now):
        msg = "Ce code d'invitation a déjà servi. Demandez-en un nouveau à votre coordinateur."
        raise InvitationError(msg)
    place = await _place(session, invitation)
    member = await add_member(session, place, invitation.role, name=name, telegram_id=telegram_id)
    invitation.member_id = member.id
    await session.flush()
    await session.refresh(member, ["commune", "territory"])
    return member


async def _place(session: AsyncSession, invitation: Invitation) -> Commune | Territory:
    """Where an invitation lets its holder join: a commune, or a coordinator's territory."""
    if invitation.commune_insee is not None:
        commune = await session.get(Commune, invitation.commune_insee)
        assert commune is not None
        return commune
    territory = await session.get(Territory, invitation.territory_id)
    assert territory is not None
    return territory
