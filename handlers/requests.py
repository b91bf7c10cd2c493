"""What a registered person asks of the bot besides declaring: join with an invitation,
list the commune's needs and offers and withdraw one, see and answer proposals."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from handlers import anticipation, replies
from handlers.conversation import STALE
from handlers.inbox import Inbox
from handlers.invitations import InvitationError, redeem
from handlers.logins import link_message
from handlers.notices import Notice
from handlers.proposals import answer, awaits, notice, standing
from handlers.recurrence import dated
from handlers.wording import amount, day, stretch
from storage import views
from storage.declarations import LIVE_NEEDS, live_needs, open_offers, proposals_built_on
from storage.errors import MutualiseError
from storage.members import commune_name, commune_names, member_by_telegram
from storage.models import (
    AnticipationAnswer,
    Channel,
    Member,
    Need,
    NeedKind,
    NeedStatus,
    Offer,
    OfferStatus,
    ProposalStatus,
)
from storage.proposals import in_play_for, proposal_with_participants
from storage.turns import writing


class Declaration(enum.StrEnum):
    """What a commune declared and may withdraw."""

    NEED = "need"
    OFFER = "offer"


class StaleError(MutualiseError):
    """What a button acts on has changed since it was shown."""


@dataclass(frozen=True)
class Declared:
    """A need or an offer still standing, as listed to its commune."""

    kind: Declaration
    id: int
    text: str


@dataclass(frozen=True)
class Answering:
    """A proposal answered: the notice as it now stands, and the reply to the answer."""

    notice: Notice
    reply: str


class Requests:
    """A chat's counter: built once on the inbox, used for every command of the chat app
    it serves (`channel`: what its needs are recorded as coming through)."""

    def __init__(self, inbox: Inbox, channel: Channel) -> None:
        self.inbox = inbox
        self.sessions = inbox.sessions
        self.channel = channel
        self.zone = inbox.zone

    async def commune(self, insee: str) -> str:
        """A commune's name."""
        async with self.sessions() as session:
            return await commune_name(session, insee)

    async def join(self, code: str, telegram_id: int, name: str | None, now: dt.datetime) -> Member:
        """Register the Telegram account with an invitation code."""
        async with writing(self.sessions) as session:
            if await member_by_telegram(session, telegram_id) is not None:
                msg = "Vous êtes déjà inscrit : écrivez simplement vos besoins."
                raise InvitationError(msg)
            return await redeem(session, code, telegram_id, name, now)

    async def declarations(self, commune: str) -> list[Declared]:
        """The commune's live needs and open offers, oldest first."""
        async with self.sessions() as session:
            needs = await live_needs(session, commune)
            offers = await open_offers(session, commune)
        return [Declared(Declaration.NEED, n.id, _need(n)) for n in needs] + [
            Declared(Declaration.OFFER, o.id, _offer(o)) for o in offers
        ]

    async def withdraw(self, commune: str, kind: Declaration, ident: int, now: dt.datetime) -> str:
        """Withdraw one of the commune's needs or offers, and the proposals built on it."""
        async with writing(self.sessions) as session:
            found: Need | Offer | None
            if kind is Declaration.NEED:
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
            await self.inbox.settle(session, {found.item_id} if found.item_id else set(), now)
        extra = f" {replies.proposals_cancelled(len(built_on))}" if built_on else ""
        return f"Retiré : {text}.{extra}"

    async def proposals(self, commune: str) -> list[Notice]:
        """Proposals in play that concern the commune, newest first, as it reads them (with
        the answer it still owes, if any)."""
        async with self.sessions() as session:
            found = await in_play_for(session, commune)
            names = await commune_names(session)
            name = names.get(commune, commune)
            return [notice(p, name, standing(p, commune, names)) for p in found]

    async def answer(
        self,
        proposal_id: int,
        commune: str,
        accept: bool,
        now: dt.datetime,
        chat: str | None = None,
    ) -> Answering:
        """The commune accepts or refuses a proposal; the card shows where it now stands (the
        caller rewrites it in `chat`; the proposal's other chats are told by the outbox)."""
        async with writing(self.sessions) as session:
            shown = await proposal_with_participants(session, proposal_id)
            ours = shown is not None and commune in {p.commune_insee for p in shown.participants}
            if shown is not None and ours and not awaits(shown, commune):
                raise StaleError(STALE)  # answered already, or closed since
            try:
                result = await answer(session, proposal_id, commune, accept, now, chat)
            except MutualiseError as exc:
                raise StaleError(str(exc)) from exc
            await self.inbox.settle(session, result.touched, now)
            names = await commune_names(session)
            stands = standing(result.proposal, commune, names)
            now_stands = notice(result.proposal, names.get(commune, commune), stands)
        return Answering(now_stands, replies.answered(proposal_id, accept, result.confirmed))

    async def anticipate(
        self, anticipation_id: int, commune: str, choice: AnticipationAnswer, now: dt.datetime
    ) -> str:
        """Oui / Modifier / Pas cette année, pressed on a question asked ahead of an event."""
        async with writing(self.sessions) as session:
            try:
                return await anticipation.answer(
                    session, anticipation_id, commune, choice, now, self.channel,
                    self.inbox.settle,
                )  # fmt: skip
            except anticipation.AnticipationError as exc:
                raise StaleError(STALE) from exc

    async def web_link(self, telegram_id: int, now: dt.datetime, base: str) -> str:
        """A one-time link to the territory's page for the member of a Telegram account."""
        async with writing(self.sessions) as session:
            return await link_message(session, now, base, self.zone, telegram_id=telegram_id)

    async def calendar(self, territory: int, today: dt.date, weeks: int = 8) -> str:
        """The territory's manifestations of the coming weeks, recurring ones included."""
        async with self.sessions() as session:
            scopes = await views.territories(session)
            scope = next((s for s in scopes if s.id == territory), None)
            last = today + dt.timedelta(weeks=weeks)
            rows = (
                dated(await views.events(session, scope, today, last), today, last) if scope else []
            )
        return replies.calendar(
            [(stretch(r.start, r.end), r.commune, r.name, r.recurring, r.equipment) for r in rows],
            weeks,
        )


def _need(need: Need) -> str:
    what = amount(need.quantity, need.item_label)
    if need.kind is NeedKind.PURCHASE:
        by = f"avant le {day(need.deadline)}" if need.deadline else "échéance à préciser"
        return f"achat de {what} {by}"
    return f"emprunt de {what} {stretch(need.start, need.end)}"


def _offer(offer: Offer) -> str:
    what = amount(offer.quantity, offer.item_label)
    return f"prêt de {what} {stretch(offer.start, offer.end) if offer.start else 'sans dates'}"
