"""Members reach the shared page without a password: a one-time link, sent to a registered
member (command line, the bot's /web, an email that asks for it), opens a session kept in a
cookie.

Channel-agnostic: the web adapter (`web/`) only maps a request to these calls. Secrets are
shown once and kept as their SHA-256 (`handlers.calendar_feed.digest`)."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import replies
from handlers.calendar_feed import digest
from handlers.reading.bodies import own_words
from storage.access import Visitor, add_link, claim_link, close_session, open_session, visitor
from storage.errors import MutualiseError
from storage.members import member_by, member_by_telegram
from storage.models import Member

# A link is for now: it expires within the hour, and serves once.
LINK_LIFETIME = dt.timedelta(minutes=30)
# A session lasts a working week; the member asks for a new link after.
SESSION_LIFETIME = dt.timedelta(days=7)
SECRET_BYTES = 32
# An email that asks for the page, in folded text (no accents; apostrophes are spaces):
# "/web", "un lien vers la page", "lien de connexion", "accès au site du référencement".
_ASKS_FOR_LINK = re.compile(
    r"(?:^|\s)/web\b"
    r"|\blien\b[^.?!\n]{0,60}\b(?:page|site|web|referencement|connexion|outil)\b"
    r"|\b(?:acces|acceder)\b[^.?!\n]{0,40}\b(?:page|site|web|referencement|outil)\b"
)


class LoginError(MutualiseError):
    """A link cannot be given or used; the message says why, in French."""


@dataclass(frozen=True)
class Link:
    """A new one-time link: for whom, the secret (shown once), and until when."""

    member: str
    secret: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class Opened:
    """A session a link opened: the cookie's secret and the visitor it stands for."""

    secret: str
    visitor: Visitor


def login_url(base: str, secret: str) -> str:
    """The address the member opens."""
    return f"{base.rstrip('/')}/connexion/{secret}"


def _who(member: Member) -> str:
    return member.name or ", ".join(e.address for e in member.emails) or f"membre n° {member.id}"


async def issue_link(
    session: AsyncSession,
    now: dt.datetime,
    *,
    member_id: int | None = None,
    email: str | None = None,
    telegram_id: int | None = None,
) -> Link:
    """A one-time link for an active member named by number, address or Telegram account."""
    if telegram_id is not None:
        member = await member_by_telegram(session, telegram_id)
    else:
        member = await member_by(session, member_id=member_id, email=email)
    if member is None or not member.active:
        msg = (
            "Aucun membre actif inscrit sous ce numéro ou cette adresse "
            "(voir « mutualise members list »)."
        )
        raise LoginError(msg)
    await session.refresh(member, ["emails"])
    secret = secrets.token_urlsafe(SECRET_BYTES)
    link = await add_link(session, member.id, digest(secret), now, LINK_LIFETIME)
    return Link(_who(member), secret, link.expires_at)


def asks_for_link(text: str) -> bool:
    """Whether a message asks for a link to the territory's page (the writer's own words,
    their first lines: not a quoted reply, not a signature)."""
    return bool(_ASKS_FOR_LINK.search(own_words(text[:4000]).folded[:400]))


async def link_message(
    session: AsyncSession,
    now: dt.datetime,
    base: str,
    zone: ZoneInfo,
    *,
    email: str | None = None,
    telegram_id: int | None = None,
) -> str:
    """The message that carries a new one-time link to the member of that registered
    address or Telegram account; or why there is none (the page is not served)."""
    if not base:
        return replies.WEB_OFF
    link = await issue_link(session, now, email=email, telegram_id=telegram_id)
    until = link.expires_at.astimezone(zone)
    return replies.web_link(login_url(base, link.secret), f"{until:%H:%M}")


async def redeem_link(session: AsyncSession, secret: str, now: dt.datetime) -> Opened:
    """Use a link: a new session for its member, or a French refusal (unknown, expired or
    used link)."""
    member_id = await claim_link(session, digest(secret), now)
    if member_id is None:
        msg = (
            "Ce lien de connexion n'est pas valable : il est inconnu, a expiré ou a déjà "
            "servi. Demandez-en un nouveau (commande /web du bot, ou votre coordinateur)."
        )
        raise LoginError(msg)
    cookie = secrets.token_urlsafe(SECRET_BYTES)
    form_token = secrets.token_urlsafe(SECRET_BYTES)
    await open_session(session, member_id, digest(cookie), form_token, now, SESSION_LIFETIME)
    found = await visitor(session, digest(cookie), now)
    assert found is not None
    return Opened(cookie, found)


async def current_visitor(session: AsyncSession, cookie: str, now: dt.datetime) -> Visitor | None:
    """The member a session cookie stands for, or None (unknown or expired)."""
    return await visitor(session, digest(cookie), now) if cookie else None


async def log_out(session: AsyncSession, cookie: str) -> None:
    """End the session of a cookie."""
    await close_session(session, digest(cookie))
