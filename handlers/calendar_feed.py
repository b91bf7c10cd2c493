"""The territory's calendar as a feed people subscribe to: secret tokens for coordinators,
kept as their SHA-256 only, and the iCalendar bytes one token opens.

Channel-agnostic on purpose: the HTTP server of `mutualise run` (handlers/cli/feed.py) only
maps a path to `feed()` and its answer to a status.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.digests.calendar import calendar, store_tag
from handlers.recurrence import dated
from storage import views
from storage.errors import MutualiseError
from storage.members import calendar_tokens, member_by, token_holder
from storage.models import (
    CalendarToken,
    Member,
    ProposalKind,
    ProposalStatus,
    Role,
)
from storage.views import IN_PLAY

# 192 bits from the system's generator: 32 URL-safe characters.
TOKEN_BYTES = 24
# What a subscribed calendar shows: the recent past and the next year and a half.
PAST = dt.timedelta(days=92)
AHEAD = dt.timedelta(days=548)
# Compared against when no token matches, so that an unknown token costs what a known one does.
_NOBODY = "0" * 64


class CalendarTokenError(MutualiseError):
    """A token cannot be issued or revoked as asked; the message says why, in French."""


@dataclass(frozen=True)
class Issued:
    """A new token: its row, and the secret itself, shown once and never stored."""

    id: int
    member: str
    secret: str


def digest(secret: str) -> str:
    """What the store keeps of a token."""
    return hashlib.sha256(secret.encode()).hexdigest()


def subscription_url(base: str, secret: str) -> str:
    """The address a calendar application subscribes to."""
    return f"{base.rstrip('/')}/calendrier/{secret}.ics"


def _who(member: Member) -> str:
    return member.name or ", ".join(e.address for e in member.emails) or f"membre n° {member.id}"


async def issue(
    session: AsyncSession, *, member_id: int | None = None, email: str | None = None
) -> Issued:
    """A new token for an active coordinator named by id or by address."""
    member = await member_by(session, member_id=member_id, email=email)
    if member is None:
        msg = (
            "Aucun membre inscrit sous ce numéro ou cette adresse "
            "(voir « mutualise members list »)."
        )
        raise CalendarTokenError(msg)
    if member.role is not Role.COORDINATOR or not member.active:
        msg = (
            f"{_who(member)} n'est pas un coordinateur actif : seuls les coordinateurs "
            "reçoivent une adresse du calendrier."
        )
        raise CalendarTokenError(msg)
    secret = secrets.token_urlsafe(TOKEN_BYTES)
    token = CalendarToken(member_id=member.id, digest=digest(secret))
    session.add(token)
    await session.flush()
    return Issued(token.id, _who(member), secret)


async def tokens(session: AsyncSession) -> Sequence[CalendarToken]:
    """Every token, revoked ones included, with its member."""
    return await calendar_tokens(session)


async def revoke(session: AsyncSession, token_id: int, now: dt.datetime) -> CalendarToken:
    """Cut a token's access from now on."""
    token = await session.get(CalendarToken, token_id)
    if token is None:
        msg = (
            f"Aucune adresse de calendrier n° {token_id} (voir « mutualise calendar-token list »)."
        )
        raise CalendarTokenError(msg)
    if token.revoked_at is None:
        token.revoked_at = now
    return token


async def _territory(session: AsyncSession, secret: str) -> int | None:
    """The territory a token opens, or None for an unknown, revoked or orphaned one.

    The lookup is by the digest, which says nothing about the secret's characters; the
    final comparison takes the same time whether a row was found or not."""
    wanted = digest(secret)
    row = await token_holder(session, wanted)
    same = hmac.compare_digest(row.digest if row else _NOBODY, wanted)
    if row is None or not same or row.revoked_at is not None:
        return None
    if row.role is not Role.COORDINATOR or not row.active:
        return None
    territory_id: int = row.territory_id
    return territory_id


async def feed(
    session: AsyncSession, secret: str, now: dt.datetime, domain: str = "mutualise"
) -> bytes | None:
    """The iCalendar of the territory a token opens, or None when it opens nothing: its
    manifestations (each occurrence of a recurring one) and loans, from three months back
    to eighteen months ahead."""
    territory_id = await _territory(session, secret)
    if territory_id is None:
        return None
    scope = next(s for s in await views.territories(session) if s.id == territory_id)
    items = await views.catalogue(session)
    today = now.date()
    first, last = today - PAST, today + AHEAD
    events = dated(await views.events(session, scope, first, last), first, last)
    loans = [
        p
        for p in await views.proposals(session, scope, items, (*IN_PLAY, ProposalStatus.DONE))
        if p.kind is ProposalKind.LOAN
        and p.start is not None
        and p.start <= last
        and (p.end or p.start) >= first
    ]
    return calendar(scope.name, events, loans, now, domain, store_tag(session, scope.epci))
