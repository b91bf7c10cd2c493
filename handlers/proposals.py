"""Proposals as their communes see them: the notice that presents one, where it stands for
each commune, their answers (by button, or by a reply such as "j'accepte"), and the
telling of new ones to the communes concerned."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.notices import Action, ActionKind, Notice, post_many
from handlers.reading.bodies import own_words
from handlers.recipients import audience
from storage.errors import MutualiseError
from storage.labels import PROPOSAL_STATUSES, PROPOSAL_TITLES
from storage.members import commune_names
from storage.models import Answer, Proposal, ProposalStatus
from storage.proposals import items_of, load_participants
from storage.proposals import proposal as find_proposal

ASK = "Acceptez-vous ? Quand toutes les communes ont accepté, elle est confirmée."
# Folded text: no accents, apostrophes turned into spaces ("j'accepte" is "j accepte").
_YES = re.compile(r"\b(?:accepte|acceptons|accepter|d accord|ok|oui|valide|validons)\b")
_NO = re.compile(
    r"\b(?:n accepte pas|n acceptons pas|refuse|refusons|refuser|non|decline|declinons"
    r"|pas interesse|pas interesses)\b"
)


class AnswerError(MutualiseError):
    """A proposal cannot be answered as asked."""


def notice(proposal: Proposal, commune: str, standing: str = ASK) -> Notice:
    """The proposal as its commune `commune` (a name) reads it, with where it stands; while
    the commune still has to answer, the notice asks it to."""
    text = f"Cette proposition concerne {commune} :\n\n{proposal.reason}\n\n{standing}"
    actions = (Action(ActionKind.ANSWER_PROPOSAL, proposal.id),) if standing == ASK else ()
    return Notice(f"{PROPOSAL_TITLES[proposal.kind]} n° {proposal.id}", text, actions)


async def notify(session: AsyncSession, proposals: Sequence[Proposal], now: dt.datetime) -> int:
    """Tell each commune of these proposals about them: its members on their channel, and
    the town hall that wrote by email when no member reads email. Returns how many messages
    were queued; a handful of queries, however many proposals."""
    if not proposals:
        return 0
    names = await commune_names(session)
    await load_participants(session, proposals)
    parts = [p for proposal in proposals for p in proposal.participants]
    heard = await audience(
        session,
        {p.commune_insee for p in parts},
        [p.need_id for p in parts if p.need_id],
        [p.offer_id for p in parts if p.offer_id],
    )
    notices = []
    for proposal in proposals:
        for commune in dict.fromkeys(p.commune_insee for p in proposal.participants):
            own = [p for p in proposal.participants if p.commune_insee == commune]
            recipients = heard.of(commune, [p.need_id for p in own], [p.offer_id for p in own])
            told = notice(proposal, names.get(commune, commune))
            notices.append((told, recipients, f"proposal:{proposal.id}"))
    return await post_many(session, notices, now)


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
        return ASK
    return "Votre commune a accepté ; on attend les autres communes."


def verdict(text: str) -> bool | None:
    """True for an acceptance, False for a refusal, None when the answer says neither."""
    # Quoted replies and signatures are the bot's own words, or the writer's name.
    own = own_words(text[:4000]).folded
    first = " ".join(re.sub(r"[^a-z0-9 ]", " ", own).split())[:400]
    no, yes = _NO.search(first), _YES.search(first)
    if no and not (yes and yes.start() < no.start()):
        return False
    return True if yes else None


@dataclass
class Answered:
    """What a commune's answer did: the proposal, whether all have now accepted, and the
    items whose matching may change (what a refusal freed)."""

    proposal: Proposal
    confirmed: bool
    touched: set[str]


async def answer(
    session: AsyncSession, proposal_id: int, commune: str, accept: bool, now: dt.datetime
) -> Answered:
    """Record a commune's answer. All accept, the proposal is confirmed; one refuses, what
    was promised is freed (the caller settles the items touched)."""
    proposal = await find_proposal(session, proposal_id)
    if proposal.status not in (ProposalStatus.PROPOSED, ProposalStatus.ACCEPTED):
        msg = (
            f"La proposition n° {proposal_id} est close ({PROPOSAL_STATUSES[proposal.status]}) : "
            "plus de réponse possible."
        )
        raise AnswerError(msg)
    mine = [p for p in proposal.participants if p.commune_insee == commune]
    if not mine:
        msg = f"Cette commune ne participe pas à la proposition n° {proposal_id}."
        raise AnswerError(msg)
    for participant in mine:
        participant.answer = Answer.ACCEPTED if accept else Answer.REFUSED
        participant.answered_at = now
    if not accept:
        proposal.status = ProposalStatus.REFUSED
        await session.flush()
        return Answered(proposal, False, await items_of(session, proposal))
    confirmed = all(p.answer is Answer.ACCEPTED for p in proposal.participants)
    if confirmed:
        proposal.status = ProposalStatus.ACCEPTED
    await session.flush()
    return Answered(proposal, confirmed, set())
