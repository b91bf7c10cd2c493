"""Answering a proposal: each party accepts or declines; all accept, it is confirmed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.matching import MatchingConfig, MatchReport, match
from storage.errors import MutualiseError
from storage.models import Answer, Proposal, ProposalStatus
from storage.proposals import proposal as find_proposal


class AnswerError(MutualiseError):
    """A proposal cannot be answered as asked."""


@dataclass
class Answered:
    proposal: Proposal
    confirmed: bool
    report: MatchReport | None


async def answer(
    session: AsyncSession,
    proposal_id: int,
    commune: str,
    accept: bool,
    now: dt.datetime,
    config: MatchingConfig | None = None,
) -> Answered:
    """Record a commune's answer; a decline frees what was promised and matching runs again."""
    proposal = await find_proposal(session, proposal_id)
    if proposal.status not in (ProposalStatus.PROPOSED, ProposalStatus.ACCEPTED):
        msg = (
            f"La proposition n° {proposal_id} est close ({proposal.status.value}) : "
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
        return Answered(proposal, False, await match(session, config, now=now))
    confirmed = all(p.answer is Answer.ACCEPTED for p in proposal.participants)
    if confirmed:
        proposal.status = ProposalStatus.ACCEPTED
    await session.flush()
    return Answered(proposal, confirmed, None)
