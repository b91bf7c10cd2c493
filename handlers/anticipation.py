"""Asking ahead: weeks before a recurring event comes back, its commune is asked whether it
needs the same equipment as last time (Oui / Modifier / Pas cette année); Oui records the
borrow needs at once and settles them (matched, the communes told).

One `Anticipation` row per event and occurrence, written in the transaction that queues the
question: the daily job can run late or twice, and the question is asked once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.holidays import region_of
from handlers.notices import Action, ActionKind, Notice, post
from handlers.proposals import verdict
from handlers.reading.bodies import own_words
from handlers.recipients import of_commune
from handlers.recurrence import Occurrence, next_occurrence, when
from handlers.wording import amount, listing, noun
from storage.declarations import (
    anticipation_with_event,
    edition_settled,
    last_edition_needs,
    recurring_events,
)
from storage.errors import MutualiseError
from storage.models import (
    Anticipation,
    AnticipationAnswer,
    Channel,
    Commune,
    Event,
    Need,
    NeedKind,
    NeedStatus,
    Proposal,
)
from storage.names import fold
from storage.views import Scope

# Settling what an answer recorded: `handlers.settlement.Settlement`.
Settle = Callable[[AsyncSession, Collection[str], dt.datetime], Awaitable[list[Proposal]]]


class AnticipationError(MutualiseError):
    """The question cannot be answered (unknown, answered already, another commune's)."""


@dataclass(frozen=True)
class Equipment:
    item_id: str | None
    label: str
    quantity: int | None


async def last_equipment(session: AsyncSession, event: Event) -> list[Equipment]:
    """What the event asked last time: the borrow needs of its latest edition, else the
    equipment named when it was announced."""
    needs = await last_edition_needs(session, event.id)
    if needs:
        return [Equipment(n.item_id, n.item_label, n.quantity) for n in needs]
    return [Equipment(i.item_id, i.item_label, i.quantity) for i in event.items]


_FEMININE = frozenset(
    "fete foire kermesse braderie brocante course journee nuit semaine ceremonie "
    "commemoration inauguration randonnee rando soiree exposition expo animation celebration "
    "rencontre regate bourse galette foire marche-nocturne".split()
)


def titled(name: str) -> str:
    """The event's name with its article, capitalised: "Le forum…", "La fête…", "L'…"."""
    head = fold(name).split(" ", 1)[0] if name else ""
    if head.endswith(("s", "x")) and head not in ("cross", "concours"):
        article = "les "
    elif head[:1] in tuple("aeiouyh"):
        article = "l'"
    else:
        article = "la " if head in _FEMININE else "le "
    return (article + name)[0].upper() + (article + name)[1:]


def question(event: Event, occurrence: Occurrence, equipment: list[Equipment]) -> str:
    """ "Le forum des associations revient le samedi 4 septembre 2027. Même matériel que
    l'an dernier (40 grilles d'exposition, 10 tables) ?" """
    said = f"{titled(event.name)} revient {when(occurrence, region_of(event.commune_insee))}."
    if not equipment:
        return f"{said} Vous faudra-t-il du matériel cette année ?"
    things = ", ".join(amount(e.quantity, e.label) for e in equipment)
    return f"{said} Même matériel que l'an dernier ({things}) ?"


async def ask_ahead(session: AsyncSession, scope: Scope, now: dt.datetime, weeks: int) -> int:
    """Queue the questions due by `now` for the territory's recurring events; returns how
    many messages were queued."""
    today = now.date()
    queued = 0
    for event in await recurring_events(session, scope.communes):
        assert event.rule is not None
        after = today + dt.timedelta(days=1)
        occurrence = next_occurrence(event.rule, event.start, event.end - event.start, after)
        if occurrence is None or occurrence.start - today > dt.timedelta(weeks=weeks):
            continue
        if await edition_settled(session, event.id, occurrence.start):
            continue
        queued += await _ask(session, event, occurrence, now)
    return queued


async def _ask(
    session: AsyncSession, event: Event, occurrence: Occurrence, now: dt.datetime
) -> int:
    asked = Anticipation(event_id=event.id, occurrence=occurrence.start, asked_at=now)
    session.add(asked)
    await session.flush()
    text = question(event, occurrence, await last_equipment(session, event))
    notice = Notice(
        f"{event.name} : même matériel que l'an dernier ?",
        text,
        (Action(ActionKind.ANSWER_ANTICIPATION, asked.id),),
    )
    key = f"anticipation:{event.id}:{occurrence.start.isoformat()}"
    return await post(session, notice, await of_commune(session, event.commune_insee), key, now)


_NOT_THIS_YEAR = re.compile(r"pas cette annee|n'a pas lieu|n aura pas lieu|annule|pas d'edition")


def choice_in(text: str) -> AnticipationAnswer | None:
    """What an email reply answers: oui, or pas cette année (a plain "non" too)."""
    own = own_words(text[:4000]).folded
    if _NOT_THIS_YEAR.search(own):
        return AnticipationAnswer.SKIP
    said = verdict(text)
    if said is None:
        return None
    return AnticipationAnswer.YES if said else AnticipationAnswer.SKIP


async def answer(
    session: AsyncSession,
    anticipation_id: int,
    commune: str,
    choice: AnticipationAnswer,
    now: dt.datetime,
    channel: Channel,
    settle: Settle,
) -> str:
    """Record the commune's answer; Oui records the borrow needs and settles them. Returns
    the French reply."""
    asked = await anticipation_with_event(session, anticipation_id)
    if asked is None or asked.event.commune_insee != commune:
        msg = "Cette question ne concerne pas votre commune."
        raise AnticipationError(msg)
    if asked.answer is not None:
        msg = "Vous avez déjà répondu à cette question."
        raise AnticipationError(msg)
    event = asked.event
    occurrence = Occurrence(asked.occurrence, asked.occurrence + (event.end - event.start))
    asked.answer, asked.answered_at = choice, now
    region = region_of(commune)
    if choice is AnticipationAnswer.SKIP:
        return f"Bien noté : pas de {event.name} cette année. Je redemanderai l'an prochain."
    if choice is AnticipationAnswer.MODIFY:
        return (
            f"Écrivez-moi ce qu'il vous faut pour {event.name} {when(occurrence, region)}, "
            f"par exemple « pour {event.name} il nous faudrait 30 tables et 5 barnums »."
        )
    equipment = await last_equipment(session, event)
    for thing in equipment:
        session.add(
            Need(
                kind=NeedKind.BORROW, status=NeedStatus.OPEN, commune_insee=commune,
                item_id=thing.item_id, item_label=thing.label, quantity=thing.quantity,
                start=occurrence.start, end=occurrence.end, event_id=event.id,
                channel=channel,
            )
        )  # fmt: skip
    await session.flush()
    created = await settle(session, {e.item_id for e in equipment if e.item_id}, now)
    things = listing([amount(e.quantity, e.label) for e in equipment]) or "rien"
    name = await session.get(Commune, commune)
    return (
        f"C'est noté pour {name.name if name else commune} : {things} pour {event.name} "
        f"{when(occurrence, region)}. {_loans_so_far(len(created))}"
    )


def _loans_so_far(count: int) -> str:
    """ "Aucune proposition de prêt pour l'instant.", "2 propositions de prêt …"."""
    if count == 0:
        return "Aucune proposition de prêt pour l'instant."
    return f"{count} {noun(count, 'proposition')} de prêt pour l'instant."
