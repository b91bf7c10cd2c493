"""Reminders to the communes concerned: a purchase due within 30 days with no group order,
equipment to pick up in 7 days, equipment to bring back tomorrow.

Each reminder is queued once per need or loan and recipient (the outbox's dedupe key): the
daily job can run late, or twice, and nobody hears the same thing twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.notices import Notice, post
from handlers.recipients import of_commune
from handlers.wording import day, listing, stretch
from storage import views
from storage.models import NeedKind, NeedStatus, ParticipantRole, ProposalKind
from storage.models import ProposalStatus as Status
from storage.views import Item, ProposalRow, Scope

PURCHASE_NOTICE = dt.timedelta(days=30)
PICKUP_NOTICE = dt.timedelta(days=7)
RETURN_NOTICE = dt.timedelta(days=1)


@dataclass(frozen=True)
class Reminder:
    key: str
    insee: str
    subject: str
    text: str
    needs: tuple[int, ...] = ()
    offers: tuple[int, ...] = ()


async def due_reminders(
    session: AsyncSession, scope: Scope, items: dict[str, Item], today: dt.date
) -> list[Reminder]:
    """The reminders the territory's communes should have by `today`."""
    found = []
    needs = await views.needs(session, scope, items, statuses=(NeedStatus.OPEN,))
    for need in needs:
        deadline = need.deadline if need.kind is NeedKind.PURCHASE else None
        if deadline is not None and today <= deadline <= today + PURCHASE_NOTICE:
            found.append(_purchase(need))
    loans = await views.proposals(session, scope, items, statuses=(Status.ACCEPTED,))
    for loan in loans:
        if loan.kind is not ProposalKind.LOAN or loan.start is None:
            continue
        if today < loan.start <= today + PICKUP_NOTICE:
            found.extend(_loan(loan, "pickup"))
        end = loan.end or loan.start
        if today <= end <= today + RETURN_NOTICE:
            found.extend(_loan(loan, "return"))
    return found


def _purchase(need: views.NeedRow) -> Reminder:
    assert need.deadline is not None
    text = (
        f"{need.commune} doit acheter {need.what} avant le {day(need.deadline)}, "
        "et aucune autre commune n'a pour l'instant de besoin à grouper avec celui-ci. "
        "Il est temps de lancer l'achat seul, ou de repousser l'échéance si vous préférez "
        "attendre un groupement : répondez simplement à ce message avec la nouvelle date."
    )
    return Reminder(
        f"reminder:purchase:{need.id}:{need.deadline.isoformat()}",
        need.insee,
        f"Achat à lancer avant le {day(need.deadline)} : {need.label}",
        text,
        (need.id,),
    )


def _loan(loan: ProposalRow, moment: str) -> list[Reminder]:
    assert loan.start is not None
    lenders, end = listing(loan.lenders), loan.end or loan.start
    if moment == "pickup":
        subject = f"Prêt n° {loan.id} : retrait du matériel le {day(loan.start)}"
        body = (
            f"Le prêt n° {loan.id} commence bientôt : {loan.what} de {lenders} pour "
            f"{loan.borrower}, {stretch(loan.start, loan.end)}. Convenez du retrait et de "
            "l'état des lieux de départ entre services techniques."
        )
    else:
        subject = f"Prêt n° {loan.id} : retour du matériel après le {day(end)}"
        body = (
            f"Le prêt n° {loan.id} se termine le {day(end)} : {loan.borrower} rend "
            f"{loan.what} à {lenders} le lendemain, avec l'état des lieux de retour."
        )
    parties = (ParticipantRole.BORROWER, ParticipantRole.LENDER)
    communes = sorted({s.insee for s in loan.shares if s.role in parties})
    return [
        Reminder(
            f"reminder:{moment}:{loan.id}",
            insee,
            subject,
            body,
            tuple(s.need_id for s in loan.shares if s.insee == insee and s.need_id),
            tuple(s.offer_id for s in loan.shares if s.insee == insee and s.offer_id),
        )
        for insee in communes
    ]


async def send_reminders(
    session: AsyncSession, scope: Scope, items: dict[str, Item], now: dt.datetime
) -> int:
    """Queue the reminders due by now; returns how many messages were queued."""
    queued = 0
    for reminder in await due_reminders(session, scope, items, now.date()):
        recipients = await of_commune(session, reminder.insee, reminder.needs, reminder.offers)
        notice = Notice(reminder.subject, reminder.text)
        queued += await post(session, notice, recipients, reminder.key, now)
    return queued
