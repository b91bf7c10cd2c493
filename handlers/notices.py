"""Telling communes about proposals that concern them, by email for those not on Telegram,
and reading their answers ("j'accepte", "nous refusons") to those emails."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from handlers.reading.bodies import own_words
from handlers.recipients import writers
from storage.models import (
    Answer,
    Channel,
    Commune,
    Member,
    OutboxMessage,
    Proposal,
    ProposalKind,
    ProposalStatus,
)
from storage.outbox import enqueue

PROPOSAL_HEADER = "X-Mutualise-Proposal"
_ASK = "Acceptez-vous ? Quand toutes les communes ont accepté, elle est confirmée."
# Telegram messages carry the proposal they present, so the sender adds its buttons.
TELEGRAM_PROPOSAL = "proposal"
KINDS = {
    ProposalKind.LOAN: "Proposition de prêt",
    ProposalKind.GROUP_ORDER: "Proposition de groupement de commandes",
    ProposalKind.JOINT_PURCHASE: "Proposition d'achat en commun",
}
# Folded text: no accents, apostrophes turned into spaces ("j'accepte" is "j accepte").
_YES = re.compile(r"\b(?:accepte|acceptons|accepter|d accord|ok|oui|valide|validons)\b")
_NO = re.compile(
    r"\b(?:n accepte pas|n acceptons pas|refuse|refusons|refuser|non|decline|declinons"
    r"|pas interesse|pas interesses)\b"
)


@dataclass
class _Reach:
    """How a commune's members are reached: by email (those not on Telegram), by Telegram."""

    emails: list[str]
    telegram_ids: list[int]


async def _reach(session: AsyncSession, communes: Collection[str]) -> dict[str, _Reach]:
    """The active members of these communes, read in one query."""
    reach = {c: _Reach([], []) for c in communes}
    members = await session.scalars(
        select(Member)
        .where(Member.commune_insee.in_(reach), Member.active.is_(True))
        .options(selectinload(Member.emails))
    )
    for member in members:
        found = reach[member.commune_insee]
        if member.telegram_id is not None:
            found.telegram_ids.append(member.telegram_id)
        else:
            found.emails.extend(e.address for e in member.emails)
    return {c: _Reach(sorted(set(r.emails)), sorted(set(r.telegram_ids))) for c, r in reach.items()}


async def _addresses(
    session: AsyncSession, commune: str, proposal: Proposal, reach: _Reach
) -> list[str]:
    """Members of the commune reachable by email only; else the town hall that wrote."""
    if reach.emails:
        return reach.emails
    need_ids = [
        p.need_id for p in proposal.participants if p.need_id and p.commune_insee == commune
    ]
    offer_ids = [
        p.offer_id for p in proposal.participants if p.offer_id and p.commune_insee == commune
    ]
    return await writers(session, need_ids, offer_ids)


async def notify(session: AsyncSession, proposals: Sequence[Proposal], now: dt.datetime) -> int:
    """Queue one message per proposal and concerned person: by Telegram to members on it,
    by email to the others; returns how many were queued."""
    queued = 0
    if not proposals:
        return queued
    names = {c.insee: c.name for c in await session.scalars(select(Commune))}
    for proposal in proposals:
        await session.refresh(proposal, ["participants"])
    reach = await _reach(session, {p.commune_insee for q in proposals for p in q.participants})
    for proposal in proposals:
        for commune in dict.fromkeys(p.commune_insee for p in proposal.participants):
            for address in await _addresses(session, commune, proposal, reach[commune]):
                message = await enqueue(
                    session,
                    channel=Channel.EMAIL,
                    recipient=address,
                    subject=f"{KINDS[proposal.kind]} n° {proposal.id}",
                    body=_text(proposal, names.get(commune, commune)),
                    html=_html(proposal, names.get(commune, commune)),
                    headers={PROPOSAL_HEADER: str(proposal.id)},
                    now=now,
                    dedupe_key=f"proposal:{proposal.id}:{address}",
                )
                queued += message is not None
            for telegram_id in reach[commune].telegram_ids:
                message = await enqueue(
                    session,
                    channel=Channel.TELEGRAM,
                    recipient=str(telegram_id),
                    body=chat_card(proposal, names.get(commune, commune)),
                    headers={TELEGRAM_PROPOSAL: proposal.id},
                    now=now,
                    dedupe_key=f"proposal:{proposal.id}:telegram:{telegram_id}",
                )
                queued += message is not None
    return queued


def chat_card(proposal: Proposal, commune: str, standing: str | None = None) -> str:
    """A proposal as a chat message (HTML of the Telegram kind: b, i, blockquote), with
    where it stands for the commune; by default the question it asks."""
    standing = standing or _ASK
    return (
        f"<b>{KINDS[proposal.kind]} n° {proposal.id}</b>\n"
        f"Elle concerne {html.escape(commune)} :\n\n{html.escape(proposal.reason)}\n\n"
        f"<i>{html.escape(standing)}</i>"
    )


def awaits(proposal: Proposal, commune: str) -> bool:
    """Whether the commune still has to answer the proposal."""
    return proposal.status in (ProposalStatus.PROPOSED, ProposalStatus.ACCEPTED) and any(
        p.commune_insee == commune and p.answer is Answer.PENDING for p in proposal.participants
    )


def standing(proposal: Proposal, commune: str) -> str:
    """Where a proposal stands, as seen by one of its communes."""
    closed = {
        ProposalStatus.REFUSED: "Refusée : le matériel promis est libéré.",
        ProposalStatus.CANCELLED: "Annulée : ce sur quoi elle reposait a été retiré.",
        ProposalStatus.DONE: "Terminée.",
    }
    if proposal.status in closed:
        return closed[proposal.status]
    if all(p.answer is Answer.ACCEPTED for p in proposal.participants):
        return "Confirmée : toutes les communes ont accepté."
    if awaits(proposal, commune):
        return _ASK
    return "Votre commune a accepté ; on attend les autres communes."


def _text(proposal: Proposal, commune: str) -> str:
    return (
        f"Bonjour,\n\nUne proposition concerne {commune} :\n\n{proposal.reason}\n\n"
        "Pour l'accepter, répondez à ce message par « j'accepte » ; pour la refuser, par "
        "« je refuse ». Quand toutes les communes ont accepté, elle est confirmée.\n\n"
        "-- \nmutualise"
    )


def _html(proposal: Proposal, commune: str) -> str:
    return (
        "<p>Bonjour,</p>"
        f"<p>Une proposition concerne <strong>{html.escape(commune)}</strong> :</p>"
        f"<blockquote>{html.escape(proposal.reason)}</blockquote>"
        "<p>Pour l'accepter, répondez à ce message par « j'accepte » ; pour la refuser, par "
        "« je refuse ». Quand toutes les communes ont accepté, elle est confirmée.</p>"
        "<p>— mutualise</p>"
    )


async def proposal_asked(session: AsyncSession, outbox_id: int) -> int | None:
    """The proposal an outbox email presented, if it presented one."""
    message = await session.get(OutboxMessage, outbox_id)
    if message is None or not message.headers:
        return None
    value = message.headers.get(PROPOSAL_HEADER)
    return int(value) if value is not None and str(value).isdigit() else None


def verdict(text: str) -> bool | None:
    """True for an acceptance, False for a refusal, None when the answer says neither."""
    # Quoted replies and signatures are the bot's own words, or the writer's name.
    own = own_words(text[:4000]).folded
    first = " ".join(re.sub(r"[^a-z0-9 ]", " ", own).split())[:400]
    no, yes = _NO.search(first), _YES.search(first)
    if no and not (yes and yes.start() < no.start()):
        return False
    return True if yes else None
