"""Answering for the territory: from the shared page, a coordinator accepts or refuses a
proposal (a loan, a group order, a joint purchase) for one of the communes of their territory
that has not answered it yet.

The answer takes the commune's own path (`handlers.proposals.answer`, then the settling of
what a refusal freed), so its effects are the same: a loan confirmed once all have accepted,
a refusal matched again. It is logged with who gave it and for which commune, the messages
that show the proposal in a chat say so when rewritten, and every commune of the proposal
is told, once, that the coordination answered for that commune.

The page is the authenticated path issue 16 asks for: a member's session, a coordinator's
role, a form token. The proposal is held first (`storage.proposals.hold`): of two
coordinators answering at once, the second reads the first's answer and does nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.notices import Notice, post_many
from handlers.proposals import ASK, Answered, answer, awaits, standing
from handlers.recipients import audience
from handlers.wording import day, listing
from storage.access import LoggedAction, Visitor, first_actions, log_action
from storage.errors import MutualiseError
from storage.labels import ANSWERS, PARTICIPANT_ROLES, PROPOSAL_STATUSES, PROPOSAL_TITLES
from storage.members import commune_names
from storage.models import Answer, Commune, Proposal, ProposalStatus
from storage.proposals import hold
from storage.proposals import proposal as load_proposal

# The action logged, followed by the commune answered for ("repondre:56193").
ANSWER_FOR = "repondre"
OPEN = (ProposalStatus.PROPOSED, ProposalStatus.ACCEPTED)
Settle = Callable[[AsyncSession, Collection[str], dt.datetime], Awaitable[object]]


class ProxyAnswerError(MutualiseError):
    """A coordinator cannot answer this proposal for this commune; the message says why."""


@dataclass(frozen=True)
class CommuneAnswer:
    """One commune of a proposal: its part, its answer, and the coordinator who gave it
    for it, if one did."""

    insee: str
    name: str
    part: str
    answer: str
    pending: bool
    by: LoggedAction | None


@dataclass(frozen=True)
class Answers:
    """A proposal as its answer page shows it: what it is, where it stands, its communes."""

    id: int
    title: str
    reason: str
    costs: str
    state: str
    open: bool
    communes: tuple[CommuneAnswer, ...]


async def _ours(session: AsyncSession, who: Visitor, proposal_id: int) -> Proposal:
    """The proposal, if all its communes are of the visitor's territory."""
    try:
        found = await load_proposal(session, proposal_id)
    except MutualiseError:
        found = None
    insees = {p.commune_insee for p in found.participants} if found else set()
    communes = [await session.get(Commune, c) for c in insees]
    if (
        found is None
        or not communes
        or any(c is None or c.territory_id != who.territory_id for c in communes)
    ):
        msg = f"Aucune proposition n° {proposal_id} sur votre territoire."
        raise ProxyAnswerError(msg)
    return found


async def answers_of(session: AsyncSession, who: Visitor, proposal_id: int) -> Answers:
    """A proposal of the visitor's territory with each commune's answer (any member reads
    it)."""
    found = await _ours(session, who, proposal_id)
    names = await commune_names(session)
    insees = list(dict.fromkeys(p.commune_insee for p in found.participants))
    proxied = await _proxied(session, found.id, insees)
    rows = []
    for insee in insees:
        own = [p for p in found.participants if p.commune_insee == insee]
        parts = listing(list(dict.fromkeys(PARTICIPANT_ROLES[p.role] for p in own)))
        state = next((p.answer for p in own if p.answer is not Answer.ACCEPTED), Answer.ACCEPTED)
        rows.append(CommuneAnswer(insee, names.get(insee, insee), parts, ANSWERS[state],
                                  awaits(found, insee), proxied.get(insee)))  # fmt: skip
    costs = str(found.cost_key.get("explanation", "")) if found.cost_key else ""
    return Answers(found.id, f"{PROPOSAL_TITLES[found.kind]} n° {found.id}", found.reason, costs,
                   PROPOSAL_STATUSES[found.status], found.status in OPEN, tuple(rows))  # fmt: skip


async def _proxied(
    session: AsyncSession, proposal_id: int, communes: Collection[str]
) -> dict[str, LoggedAction]:
    """The coordinator who answered the proposal for each of these communes, if one did."""
    found = {}
    for insee in communes:
        first = (await first_actions(session, [proposal_id], f"{ANSWER_FOR}:{insee}")).get(
            proposal_id
        )
        if first is not None:
            found[insee] = first
    return found


async def answer_for(
    session: AsyncSession,
    who: Visitor,
    proposal_id: int,
    commune: str,
    accept: bool,
    now: dt.datetime,
    settle: Settle,
) -> Answered:
    """Accept or refuse the proposal for `commune` (an INSEE code), a commune of the
    coordinator's territory that has not answered it yet, by the commune's own path; logged,
    and told to the proposal's communes."""
    if not who.acts:
        msg = "Seuls les coordinateurs répondent pour une commune ; les correspondants lisent."
        raise ProxyAnswerError(msg)
    await hold(session, proposal_id)  # a second coordinator waits, then reads this answer
    found = await _ours(session, who, proposal_id)
    names = await commune_names(session)
    name = names.get(commune, commune)
    if commune not in {p.commune_insee for p in found.participants}:
        msg = f"{name} ne participe pas à la proposition n° {proposal_id}."
        raise ProxyAnswerError(msg)
    if any(p.commune_insee == commune and p.answer is not Answer.PENDING
           for p in found.participants):  # fmt: skip
        raise await _again(session, found, commune, name)
    if not awaits(found, commune):  # closed before the commune answered
        msg = (f"La proposition n° {proposal_id} est {PROPOSAL_STATUSES[found.status]} : plus "
               "de réponse possible ; rien n'a été fait.")  # fmt: skip
        raise ProxyAnswerError(msg)
    verb = "accepté" if accept else "refusé"
    acted = f"{who.name} (coordination, {who.commune}), le {day(now.date())}"
    note = f"Réponse de {name} donnée par la coordination : {verb}e par {acted}."
    result = await answer(session, proposal_id, commune, accept, now, note=note)
    title = f"{PROPOSAL_TITLES[found.kind]} n° {found.id}"
    await log_action(session, who.member_id, f"{ANSWER_FOR}:{commune}",
                     f"{title} : {verb}e pour {name}.", now, found.id)  # fmt: skip
    await settle(session, result.touched, now)
    await _announce(session, result.proposal, commune, accept, acted, now, names)
    return result


async def _again(
    session: AsyncSession, found: Proposal, commune: str, name: str
) -> ProxyAnswerError:
    """The refusal to answer for a commune that has answered: what it said, and who said it
    for it when a coordinator did."""
    own = [p for p in found.participants if p.commune_insee == commune]
    said = next((p for p in own if p.answer is not Answer.PENDING), None)
    verb = "refusé" if said is not None and said.answer is Answer.REFUSED else "accepté"
    first = (await _proxied(session, found.id, [commune])).get(commune)
    if first is not None:
        by = f" : {first.who} ({first.commune}) a répondu pour elle le {day(first.at.date())}"
    else:
        by = f" le {day(said.answered_at.date())}" if said and said.answered_at else ""
    msg = f"{name} a déjà {verb} la proposition n° {found.id}{by} ; rien n'a été refait."
    return ProxyAnswerError(msg)


async def _announce(
    session: AsyncSession, proposal: Proposal, commune: str, accept: bool, acted: str,
    now: dt.datetime, names: dict[str, str],
) -> int:  # fmt: skip
    """Tell every commune of the proposal, once, that the coordination answered it for
    `commune`, and where it now stands; queued under a key of its own, so that the chats'
    rewrites of the proposal's messages do not take these for them."""
    parts = list(proposal.participants)
    insees = list(dict.fromkeys(p.commune_insee for p in parts))
    heard = await audience(session, set(insees), [p.need_id for p in parts if p.need_id],
                           [p.offer_id for p in parts if p.offer_id])  # fmt: skip
    name = names.get(commune, commune)
    title = PROPOSAL_TITLES[proposal.kind]
    subject = f"{title} n° {proposal.id} : réponse de la coordination pour {name}"
    verb = "accepté" if accept else "refusé"
    key = f"proposal:{proposal.id}:pour:{commune}"
    notices = []
    for insee in insees:
        own = [p for p in parts if p.commune_insee == insee]
        recipients = heard.of(insee, [p.need_id for p in own], [p.offer_id for p in own])
        whom = f"votre commune, {name}," if insee == commune else name
        head = (f"La coordination a {verb} pour {whom} la {title.lower()} n° {proposal.id}, "
                f"à laquelle {name} n'avait pas encore répondu.")  # fmt: skip
        stands = standing(proposal, insee, names).removesuffix(ASK).strip()
        if awaits(proposal, insee):
            stands += ("\n\n" if stands else "") + (
                f"{names.get(insee, insee)} n'a pas encore répondu : répondez au message de la "
                "proposition."
            )
        text = "\n\n".join([head, proposal.reason, stands, f"Par {acted}."])
        notices.append((Notice(subject, text), recipients, key))
    return await post_many(session, notices, now)
