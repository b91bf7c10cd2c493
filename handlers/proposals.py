"""Proposals as their communes see them: the notice that presents one, where it stands for
each commune, their answers (by button, or by a reply such as "j'accepte"), and the
telling of new ones to the communes concerned."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.notices import Action, ActionKind, Notice, post_many, rewrite
from handlers.reading.bodies import own_words
from handlers.recipients import audience
from storage.errors import MutualiseError
from storage.labels import PROPOSAL_STATUSES, PROPOSAL_TITLES
from storage.members import commune_names, communes_of_chats
from storage.models import Answer, Proposal, ProposalStatus
from storage.outbox import in_chats
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
    costs = proposal.cost_key.get("explanation") if proposal.cost_key else None
    said = f"{proposal.reason}\n\n{costs}" if costs else proposal.reason
    text = f"Cette proposition concerne {commune} :\n\n{said}\n\n{standing}"
    asks = standing.endswith(ASK)
    actions = (Action(ActionKind.ANSWER_PROPOSAL, proposal.id),) if asks else ()
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
            notices.append((told, recipients, _key(proposal)))
    return await post_many(session, notices, now)


def _key(proposal: Proposal) -> str:
    """What the notices of a proposal are queued under."""
    return f"proposal:{proposal.id}"


def awaits(proposal: Proposal, commune: str) -> bool:
    """Whether the commune still has to answer the proposal."""
    return proposal.status in (ProposalStatus.PROPOSED, ProposalStatus.ACCEPTED) and any(
        p.commune_insee == commune and p.answer is Answer.PENDING for p in proposal.participants
    )


def standing(proposal: Proposal, commune: str, names: Mapping[str, str] | None = None) -> str:
    """Where a proposal stands, as seen by one of its communes; with the communes' `names`,
    who accepted, who is awaited, who refused."""
    if proposal.status is ProposalStatus.REFUSED and names is not None:
        refused = _communes(proposal, names, lambda a: a is Answer.REFUSED)
        if refused:
            return f"Refusée par {_listed(refused)} : le matériel promis est libéré."
    closed = {
        ProposalStatus.REFUSED: "Refusée : le matériel promis est libéré.",
        ProposalStatus.CANCELLED: "Annulée : ce sur quoi elle reposait a été retiré.",
        ProposalStatus.DONE: "Terminée.",
    }
    if proposal.status in closed:
        return closed[proposal.status]
    if all(p.answer is Answer.ACCEPTED for p in proposal.participants):
        return "Confirmée : toutes les communes ont accepté."
    if names is None:
        if awaits(proposal, commune):
            return ASK
        return "Votre commune a accepté ; on attend les autres communes."
    said = _progress(proposal, names)
    if awaits(proposal, commune):
        return f"{said}\n\n{ASK}" if said else ASK
    return said


def _communes(
    proposal: Proposal, names: Mapping[str, str], test: Callable[[Answer], bool]
) -> list[str]:
    """The names of the communes that have a participation whose answer passes the test,
    in the proposal's order."""
    found = (p.commune_insee for p in proposal.participants if test(p.answer))
    return [names.get(c, c) for c in dict.fromkeys(found)]


def _listed(names: Sequence[str]) -> str:
    """« Lorient », « Lorient et Riantec », « Caudan, Lorient et Riantec »."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} et {names[-1]}"


def _progress(proposal: Proposal, names: Mapping[str, str]) -> str:
    """« Lorient a accepté ; on attend Riantec. », empty while nobody has answered."""
    waiting = _communes(proposal, names, lambda a: a is Answer.PENDING)
    done = [c for c in _communes(proposal, names, lambda a: a is Answer.ACCEPTED)
            if c not in waiting]  # fmt: skip
    if not done:
        return ""
    verb = "a accepté" if len(done) == 1 else "ont accepté"
    return f"{_listed(done)} {verb} ; on attend {_listed(waiting)}."


async def tell_shown(
    session: AsyncSession,
    proposal: Proposal,
    now: dt.datetime,
    skip: str | None = None,
    state: str = "",
    note: str = "",
) -> int:
    """Rewrite, in the chats where they were shown (or before they leave), the messages that
    present the proposal, with where it now stands for each one's commune (after `note`,
    what the rewrite says first: who answered for a commune); not in chat `skip`, whose
    message the caller rewrites itself. Each message is rewritten once for a status and
    count of answers, and `state` (what else changed: a group order's carrier). Returns how
    many rewrites were queued."""
    shown = [m for m in await in_chats(session, _key(proposal)) if m.recipient != skip]
    if not shown:
        return 0
    names = await commune_names(session)
    communes = await communes_of_chats(session, {m.recipient for m in shown})
    lead = f"{note}\n\n" if note else ""
    rewrites = [
        (notice(proposal, names.get(c, c), lead + standing(proposal, c, names)), m)
        for m in shown
        if (c := communes.get(m.recipient)) is not None
    ]
    answered = sum(p.answer is not Answer.PENDING for p in proposal.participants)
    key = f"{_key(proposal)}:{proposal.status}:{answered}" + (f":{state}" if state else "")
    if proposal.cost_key and proposal.cost_key.get("obtained"):
        key += f":{proposal.cost_key.get('total')}"  # a price recorded is news too
    return await rewrite(session, rewrites, key, now)


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
    session: AsyncSession,
    proposal_id: int,
    commune: str,
    accept: bool,
    now: dt.datetime,
    skip: str | None = None,
    note: str = "",
) -> Answered:
    """Record a commune's answer. All accept, the proposal is confirmed; one refuses, what
    was promised is freed (the caller settles the items touched). The chats that show the
    proposal are told where it now stands (but chat `skip`, and after `note`: see
    `tell_shown`)."""
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
        await tell_shown(session, proposal, now, skip, note=note)
        return Answered(proposal, False, await items_of(session, proposal))
    confirmed = all(p.answer is Answer.ACCEPTED for p in proposal.participants)
    if confirmed:
        proposal.status = ProposalStatus.ACCEPTED
    await session.flush()
    await tell_shown(session, proposal, now, skip, note=note)
    return Answered(proposal, confirmed, set())
