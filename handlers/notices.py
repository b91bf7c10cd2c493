"""Telling communes about proposals that concern them, by email for those not on Telegram,
and reading their answers ("j'accepte", "nous refusons") to those emails."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from handlers.reading.bodies import own_words
from handlers.recipients import members_of, writers_of
from storage.models import (
    Answer,
    Channel,
    Commune,
    OutboxMessage,
    Proposal,
    ProposalKind,
    ProposalParticipant,
    ProposalStatus,
)
from storage.outbox import draft, enqueue_many

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


async def notify(session: AsyncSession, proposals: Sequence[Proposal], now: dt.datetime) -> int:
    """Queue one message per proposal and concerned person: by Telegram to members on it,
    by email to the others (failing any, to the town hall that wrote by email); returns how
    many were queued. A handful of queries, however many proposals."""
    if not proposals:
        return 0
    names = {c.insee: c.name for c in await session.scalars(select(Commune))}
    await session.scalars(
        select(Proposal)
        .where(Proposal.id.in_([p.id for p in proposals]))
        .options(selectinload(Proposal.participants))
        .execution_options(populate_existing=True)
    )
    participants = [p for proposal in proposals for p in proposal.participants]
    members = await members_of(session, {p.commune_insee for p in participants})
    wrote = await writers_of(
        session,
        [p.need_id for p in participants if p.need_id],
        [p.offer_id for p in participants if p.offer_id],
    )
    drafts = []
    for proposal in proposals:
        for commune in dict.fromkeys(p.commune_insee for p in proposal.participants):
            name = names.get(commune, commune)
            emails = [r.address for r in members[commune] if r.channel is Channel.EMAIL]
            if not emails:  # no member on email: the town hall that wrote, if by email
                own = [p for p in proposal.participants if p.commune_insee == commune]
                emails = sorted({wrote[k] for p in own for k in _records(p) if k in wrote})
            drafts += [
                draft(
                    channel=Channel.EMAIL,
                    recipient=address,
                    subject=f"{KINDS[proposal.kind]} n° {proposal.id}",
                    body=_text(proposal, name),
                    html=_html(proposal, name),
                    headers={PROPOSAL_HEADER: str(proposal.id)},
                    now=now,
                    dedupe_key=f"proposal:{proposal.id}:{address}",
                )
                for address in emails
            ]
            drafts += [
                draft(
                    channel=Channel.TELEGRAM,
                    recipient=r.address,
                    body=chat_card(proposal, name),
                    headers={TELEGRAM_PROPOSAL: proposal.id},
                    now=now,
                    dedupe_key=f"proposal:{proposal.id}:telegram:{r.address}",
                )
                for r in members[commune]
                if r.channel is Channel.TELEGRAM
            ]
    return len(await enqueue_many(session, drafts))


def _records(participant: ProposalParticipant) -> list[tuple[str, int]]:
    """The need and offer a participant takes part with, as `writers_of` names them."""
    found = [("need", participant.need_id), ("offer", participant.offer_id)]
    return [(kind, record) for kind, record in found if record is not None]


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
