"""Asking ahead of a recurring event: the question goes out once per occurrence, weeks
before, and Oui records last year's equipment as needs, by email reply or Telegram button."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery import deliver_due
from bot.dispatcher import build_dispatcher
from handlers.anticipation import choice_in
from handlers.digests import DigestConfig
from handlers.inbound import Inbound
from handlers.inbox import Inbox
from scheduler.jobs import Jobs
from storage.members import add_member
from storage.models import (
    Anticipation,
    AnticipationAnswer,
    Channel,
    Commune,
    Need,
    NeedKind,
    OutboxMessage,
    Proposal,
    Role,
)
from tests.readers import shared_reader
from tests.telegram import ChatDriver, alerts, buttons, texts

PARIS = ZoneInfo("Europe/Paris")
READER = shared_reader()
LOIC = 2002
FORUM = (
    "Pour le forum des associations, comme chaque année le premier samedi de septembre, "
    "il nous faudrait 40 grilles d'exposition et 10 tables."
)


def paris(year: int, month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=PARIS)


async def questions(sessions: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with sessions() as session:
        found = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.dedupe_key.like("anticipation:%"))
            .order_by(OutboxMessage.id)
        )
        return list(found)


async def borrow_needs(sessions: async_sessionmaker[AsyncSession], start: dt.date) -> list[Need]:
    async with sessions() as session:
        found = await session.scalars(
            select(Need).where(Need.kind == NeedKind.BORROW, Need.start == start)
        )
        return list(found)


@pytest.mark.parametrize(
    ("text", "choice"),
    [
        ("Oui, merci !", AnticipationAnswer.YES),
        ("D'accord, comme l'an dernier", AnticipationAnswer.YES),
        ("Non, pas cette année : le forum n'a pas lieu.", AnticipationAnswer.SKIP),
        ("Le forum est annulé", AnticipationAnswer.SKIP),
        ("Je vous redis cela lundi", None),
    ],
)
def test_email_answers(text: str, choice: AnticipationAnswer | None) -> None:
    assert choice_in(text) is choice


async def test_asked_once_per_occurrence_and_answered_by_email(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    inbox = Inbox(sessions, READER)
    await inbox.receive(Inbound.from_line("anne@gmail.com", FORUM, paris(2027, 3, 10)))
    offer = "Nous pouvons prêter nos 50 grilles d'exposition et 20 tables."
    await inbox.receive(Inbound.from_line("st@lorient.bzh", offer, paris(2027, 3, 11)))
    jobs = Jobs(sessions, DigestConfig(), "test", PARIS)
    # Nine weeks before Saturday 2 September 2028: too early. Eight: asked, once.
    await jobs.anticipation(paris(2028, 7, 1))
    assert await questions(sessions) == []
    await jobs.anticipation(paris(2028, 7, 8))
    await jobs.anticipation(paris(2028, 7, 8, 15))  # the same day again
    await jobs.anticipation(paris(2028, 7, 9))  # the next day
    (asked,) = await questions(sessions)
    assert asked.channel is Channel.EMAIL and asked.recipient == "anne@gmail.com"
    assert (
        "Le forum des associations revient le samedi 2 septembre 2028. Même matériel que "
        "l'an dernier (40 grilles d'exposition, 10 tables) ?"
    ) in asked.body
    reply = dataclasses.replace(
        Inbound.from_line("anne@gmail.com", "Oui merci", paris(2028, 7, 10)), answers=asked.id
    )
    outcome = await inbox.receive(reply)
    assert outcome.reply is not None and "C'est noté pour Riantec" in outcome.reply
    assert "2 propositions de prêt pour l'instant." in outcome.reply
    needs = await borrow_needs(sessions, dt.date(2028, 9, 2))
    assert sorted((n.item_id, n.quantity, n.event_id) for n in needs) == [
        ("grille-exposition", 40, 1),
        ("table", 10, 1),
    ]
    async with sessions() as session:
        loans = await session.scalars(select(Proposal).where(Proposal.start == needs[0].start))
        assert len(loans.all()) == 2  # matching ran: Lorient lends both
    again = dataclasses.replace(
        Inbound.from_line("anne@gmail.com", "oui", paris(2028, 7, 11)), answers=asked.id
    )
    outcome = await inbox.receive(again)
    assert outcome.reply == "Vous avez déjà répondu à cette question."
    assert len(await borrow_needs(sessions, dt.date(2028, 9, 2))) == 2
    # The next edition is asked about in its turn.
    await jobs.anticipation(paris(2029, 7, 7))
    assert len(await questions(sessions)) == 2


async def test_answered_by_telegram_buttons(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as session:
        lorient = await session.get(Commune, "56121")
        assert lorient is not None
        await add_member(session, lorient, Role.CORRESPONDENT, name="Loïc", telegram_id=LOIC)
    now = paris(2028, 5, 2)
    inbox = Inbox(sessions, READER)
    chat = ChatDriver(build_dispatcher(inbox, lambda: now), lambda: now)
    calls = await chat.say(LOIC, "Fête de la musique, chaque année le 21 juin : 200 ganivelles")
    await chat.press(LOIC, buttons(calls)["Confirmer"])
    shown = texts(await chat.say(LOIC, "/calendrier"))
    assert "le 21 juin 2028 — fête de la musique (Lorient) ↻ : 200 ganivelles" in shown

    jobs = Jobs(sessions, DigestConfig(), "test", PARIS)
    await jobs.anticipation(paris(2029, 5, 1))
    (asked,) = await questions(sessions)
    assert asked.channel is Channel.TELEGRAM
    assert asked.actions == [{"kind": "answer_anticipation", "target": 1}]
    before = len(chat.session.calls)
    assert await deliver_due(sessions, chat.bot, lambda: paris(2029, 5, 1, 10)) == 1
    sent = chat.session.calls[before:]
    assert "revient le jeudi 21 juin 2029" in texts(sent)
    choices = buttons(sent)
    assert list(choices) == ["Oui", "Modifier", "Pas cette année"]
    assert all(len(d.encode()) < 64 for d in choices.values())
    done = await chat.press(LOIC, choices["Oui"])
    assert "C'est noté pour Lorient : 200 ganivelles" in texts(done)
    assert "Aucune proposition de prêt pour l'instant." in texts(done)
    assert [n.quantity for n in await borrow_needs(sessions, dt.date(2029, 6, 21))] == [200]
    assert alerts(await chat.press(LOIC, choices["Pas cette année"]))  # answered already
    async with sessions() as session:
        (row,) = await session.scalars(select(Anticipation))
        assert row.answer is AnticipationAnswer.YES
