"""What a registered person asks of the bot besides declaring: join with an invitation,
list the commune's needs and offers and withdraw one, see and answer proposals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from handlers import anticipation, replies
from handlers.answers import answer
from handlers.conversation import STALE
from handlers.digests import facts
from handlers.inbox import Inbox, commune_name
from handlers.invitations import InvitationError, redeem
from handlers.matching import match
from handlers.notices import awaits, chat_card, notify, standing
from handlers.wording import amount, day, stretch
from storage.declarations import LIVE_NEEDS, live_needs, open_offers, proposals_built_on
from storage.errors import MutualiseError
from storage.members import member_by_telegram
from storage.models import (
    Channel,
    Member,
    Need,
    NeedKind,
    NeedStatus,
    Offer,
    OfferStatus,
    Proposal,
    ProposalParticipant,
    ProposalStatus,
)

Kind = Literal["n", "o"]  # need, offer: short, they travel in button data


class StaleError(MutualiseError):
    """What a button acts on has changed since it was shown."""


@dataclass(frozen=True)
class Declared:
    """A need or an offer still standing, as listed to its commune."""

    kind: Kind
    id: int
    text: str


@dataclass(frozen=True)
class ProposalView:
    """A proposal as one commune sees it: its card, and whether it may still answer."""

    id: int
    html: str
    awaits: bool


@dataclass(frozen=True)
class Answering:
    view: ProposalView
    reply: str


class Desk:
    """The bot's counter: built once on the inbox, used for every command."""

    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox
        self.sessions = inbox.sessions

    async def member(self, telegram_id: int) -> Member | None:
        """The active member behind a Telegram account, with their commune."""
        async with self.sessions() as session:
            return await member_by_telegram(session, telegram_id)

    async def commune(self, insee: str) -> str:
        """A commune's name."""
        async with self.sessions() as session:
            return await commune_name(session, insee)

    async def join(self, code: str, telegram_id: int, name: str | None, now: dt.datetime) -> Member:
        """Register the Telegram account with an invitation code."""
        async with self.sessions.begin() as session:
            if await member_by_telegram(session, telegram_id) is not None:
                msg = "Vous êtes déjà inscrit : écrivez simplement vos besoins."
                raise InvitationError(msg)
            return await redeem(session, code, telegram_id, name, now)

    async def declarations(self, commune: str) -> list[Declared]:
        """The commune's live needs and open offers, oldest first."""
        async with self.sessions() as session:
            needs = await live_needs(session, commune)
            offers = await open_offers(session, commune)
        return [Declared("n", n.id, _need(n)) for n in needs] + [
            Declared("o", o.id, _offer(o)) for o in offers
        ]

    async def withdraw(self, commune: str, kind: Kind, ident: int, now: dt.datetime) -> str:
        """Withdraw one of the commune's needs or offers, and the proposals built on it."""
        async with self.sessions.begin() as session:
            found: Need | Offer | None
            if kind == "n":
                found = await session.get(Need, ident)
                live = found is not None and found.status in LIVE_NEEDS
            else:
                found = await session.get(Offer, ident)
                live = found is not None and found.status is OfferStatus.OPEN
            if found is None or not live or found.commune_insee != commune:
                raise StaleError(STALE)
            if isinstance(found, Need):
                found.status, found.status_reason = NeedStatus.CANCELLED, "retiré par la commune"
                text, built_on = _need(found), await proposals_built_on(session, [ident], [])
            else:
                found.status = OfferStatus.WITHDRAWN
                text, built_on = _offer(found), await proposals_built_on(session, [], [ident])
            for proposal in built_on:
                proposal.status = ProposalStatus.CANCELLED
            await session.flush()
            items = {found.item_id} if found.item_id else set()
            report = await match(session, self.inbox.matching, items)
            await notify(session, report.created, now)
        extra = f" {len(built_on)} proposition(s) annulée(s)." if built_on else ""
        return f"Retiré : {text}.{extra}"

    async def proposals(self, commune: str) -> list[ProposalView]:
        """Proposals in play that concern the commune, newest first."""
        async with self.sessions() as session:
            taking_part = select(ProposalParticipant.proposal_id).where(
                ProposalParticipant.commune_insee == commune
            )
            found = await session.scalars(
                select(Proposal)
                .where(
                    Proposal.id.in_(taking_part),
                    Proposal.status.in_((ProposalStatus.PROPOSED, ProposalStatus.ACCEPTED)),
                )
                .options(selectinload(Proposal.participants))
                .order_by(Proposal.id.desc())
            )
            name = await commune_name(session, commune)
            return [_view(p, commune, name) for p in found]

    async def answer(
        self, proposal_id: int, commune: str, accept: bool, now: dt.datetime
    ) -> Answering:
        """The commune accepts or refuses a proposal; the card shows where it now stands."""
        async with self.sessions.begin() as session:
            shown = await session.get(
                Proposal, proposal_id, options=[selectinload(Proposal.participants)]
            )
            ours = shown is not None and commune in {p.commune_insee for p in shown.participants}
            if shown is not None and ours and not awaits(shown, commune):
                raise StaleError(STALE)  # answered already, or closed since
            try:
                result = await answer(
                    session, proposal_id, commune, accept, now, self.inbox.matching
                )
            except MutualiseError as exc:
                raise StaleError(str(exc)) from exc
            if result.report is not None:
                await notify(session, result.report.created, now)
            view = _view(result.proposal, commune, await commune_name(session, commune))
        return Answering(view, replies.answered(proposal_id, accept, result.confirmed))

    async def anticipate(
        self, anticipation_id: int, commune: str, choice: str, now: dt.datetime
    ) -> str:
        """Oui / Modifier / Pas cette année, pressed on a question asked ahead of an event."""
        async with self.sessions.begin() as session:
            try:
                return await anticipation.answer(
                    session, anticipation_id, commune, anticipation.ANSWERS[choice], now,
                    self.inbox.matching, Channel.TELEGRAM,
                )  # fmt: skip
            except (anticipation.AnticipationError, KeyError) as exc:
                raise StaleError(STALE) from exc

    async def calendar(self, commune: str, today: dt.date, weeks: int = 8) -> str:
        """The territory's manifestations of the coming weeks, recurring ones included."""
        async with self.sessions() as session:
            scopes = await facts.territories(session)
            scope = next((s for s in scopes if commune in s.communes), None)
            last = today + dt.timedelta(weeks=weeks)
            rows = await facts.events(session, scope, today, last) if scope else []
        return replies.calendar(
            [(stretch(r.start, r.end), r.commune, r.name, r.recurring, r.equipment) for r in rows],
            weeks,
        )


def _view(proposal: Proposal, commune: str, name: str) -> ProposalView:
    card = chat_card(proposal, name, standing(proposal, commune))
    return ProposalView(proposal.id, card, awaits(proposal, commune))


def _need(need: Need) -> str:
    what = amount(need.quantity, need.item_label)
    if need.kind is NeedKind.PURCHASE:
        by = f"avant le {day(need.deadline)}" if need.deadline else "échéance à préciser"
        return f"achat de {what} {by}"
    return f"emprunt de {what} {stretch(need.start, need.end)}"


def _offer(offer: Offer) -> str:
    what = amount(offer.quantity, offer.item_label)
    return f"prêt de {what} {stretch(offer.start, offer.end) if offer.start else 'sans dates'}"
