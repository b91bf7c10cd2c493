"""Asking without declaring: "qui peut nous prêter un podium le 21 juin ?" is answered with the
communes that can lend it on those days, nearest first, and records nothing until its writer
declares it (a reply by mail, a button in the chat); a request addressed to the pool with a
question mark is recorded as ever. Through real SMTP and a real Bot API on loopback."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.dispatcher import build_dispatcher
from bot.service import running_bot
from handlers import replies
from handlers.asking import Lenders, is_question
from handlers.inbound import Inbound
from handlers.inbox import Inbox
from handlers.lendable import Available
from mail.sending import Relay, compose
from mail.server import Mailbox, MailHandler, serve
from storage.members import add_member
from storage.models import (
    Channel,
    Commune,
    InboundMessage,
    InboundStatus,
    Need,
    OutboxMessage,
    Proposal,
    Role,
)
from tests import cli
from tests.botapi import serving
from tests.readers import shared_reader
from tests.telegram import ChatDriver, alerts, buttons, texts
from tests.test_bot_service import to
from tests.test_mail_smtp import LIMIT, TOKENS, TRUST, Server, mail, rows, talk
from tests.test_store_down import settings

PARIS = ZoneInfo("Europe/Paris")
NOW = dt.datetime(2027, 5, 3, 9, 30, tzinfo=PARIS)
TODAY = NOW.date()
READER = shared_reader()
ANNE = 1001  # Riantec, on Telegram

QUESTIONS = [
    "qui peut nous prêter un podium le 21 juin ?",
    "Bonjour, qui aurait 50 barrières à nous prêter du 12 au 15 juillet ?",
    "Quelle commune peut nous prêter un podium le 21 juin ?",
    "Y a-t-il une commune qui dispose d'une nacelle le 3 juin ?",
    "Bonjour à tous,\nPour le 14 juillet, qui peut nous prêter 3 barnums ?\nMerci\nMairie de Gâvres",
    "Qui a des écocups à prêter ?",
]
REQUESTS = [
    # a loan asked of the pool, in the form of a question: recorded as ever (9 % of the
    # annotated loans are written so; who-questions are 1.4 %)
    "Bonjour, est-ce que quelqu'un aurait 50 barrières à nous prêter du 12 au 15 juillet ?",
    "quelqu'un aurait une sono pour le 14 juillet",
    "Une commune a-t-elle un chapiteau disponible le 21 juin ?",
    "Est-ce qu'une commune pourrait nous prêter 2 barnums le 14 juillet ?",
    "Qqn aurait 3 isoloirs à prêter du vendredi 11 au lundi 14 juin ? Quéven",
    "pourriez-vous nous prêter 10 tables le 3 juin ?",
    "Pouvez-vous nous prêter 10 tables le 3 juin ?",
    "Est-il possible de nous prêter 10 tables le 3 juin ?",
    "Serait-il possible d'emprunter 20 grilles le 4 juin ?",
    "il nous faudrait 200 ganivelles et un podium pour le 21 juin",
    # the need stated first, "qui peut ?" after it: a declaration that asks for help
    "Besoin de 50 barrières le 12 juillet. Qui peut ?",
    "Il nous faut 6 tables et 12 chaises le 3 mai, quelqu'un est équipé à côté ?",
    # a relative "qui", a condition, the lender's question: no question about who lends
    "Nous cherchons une commune qui peut nous prêter un podium le 21 juin.",
    "Si quelqu'un a un podium le 21 juin, merci de nous le prêter.",
    "qui a besoin d'un podium le 21 juin ?",
    "Nous pouvons prêter un podium, qui en veut ?",
]


@pytest.mark.parametrize("text", QUESTIONS)
def test_questions_about_who_can_lend_are_questions(text: str) -> None:
    assert is_question(READER.read(text, TODAY))


@pytest.mark.parametrize("text", REQUESTS)
def test_requests_to_the_pool_are_no_questions(text: str) -> None:
    assert not is_question(READER.read(text, TODAY))


def test_a_question_quoted_in_a_reply_is_no_question() -> None:
    reply = "Il nous faudrait 2 podiums le 21 juin.\n\n> qui peut nous prêter un podium ?"
    assert not is_question(READER.read(reply, TODAY))


def test_the_answer_says_what_is_free_what_is_short_and_what_is_promised() -> None:
    reading = READER.read("qui aurait 200 ganivelles et une nacelle du 12 au 15 juillet ?", TODAY)
    day = dt.date
    lorient = Available(1, "56121", "Lorient", "ganivelles", 300, 120, day(2027, 6, 1),
                        day(2027, 9, 30), 7.2)  # fmt: skip
    ploemeur = Available(2, "56162", "Ploemeur", "ganivelles", 50, 50, None, None, 9.1)
    found = [Lenders("ganivelle", "ganivelles", 200, [lorient, ploemeur], 0),
             Lenders("nacelle", "nacelles", 1, [], 2)]  # fmt: skip
    text = replies.lenders(reading, found)
    assert "Pour 200 ganivelles du 12 au 15 juillet 2027, 2 communes peuvent prêter" in text
    assert (
        "• Lorient, à 7,2 km : 120 libres sur 300 (offre du 1er juin au 30 septembre 2027)" in text
    )
    assert "• Ploemeur, à 9,1 km : 50 libres (offre sans limite de dates)" in text
    assert "Il en manquerait 30 : 170 sont libres en tout." in text
    assert "Pour 1 nacelle du 12 au 15 juillet 2027, aucune autre commune" in text
    assert "2 autres offres couvrent ces dates mais sont déjà promises" in text
    assert "Rien n'est enregistré" in text


# Podiums around Caudan: Hennebont (4.9 km, no bound), Lorient (7.2 km, June to
# September), Plouay (July only: not on 21 June), Caudan's own (not its own lender).
OFFERS = [
    ("st@lorient.bzh", "Nous pouvons prêter notre podium du 1er juin au 30 septembre."),
    ("st@mairie-hennebont.fr", "Nous pouvons prêter un podium."),
    ("st@plouay.fr", "Nous pouvons prêter notre podium en juillet."),
    ("st@caudan.fr", "Nous pouvons prêter notre podium en juin."),
]


async def offer(inbox: Inbox, *lines: tuple[str, str]) -> None:
    """Offers recorded as `mutualise ingest` records them."""
    for sender, text in lines:
        outcome = await inbox.receive(Inbound.from_line(sender, text, NOW - dt.timedelta(days=1)))
        assert outcome.fate == "recorded", outcome


@pytest.fixture
async def smtp(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[Server]:
    inbox = Inbox(sessions, READER)
    await offer(inbox, *OFFERS)
    handler = MailHandler(inbox, Mailbox.of("besoins@mutualise.example"), lambda: NOW, TRUST)
    listening = await serve(handler, "127.0.0.1", 0, LIMIT)
    yield Server(listening.sockets[0].getsockname()[1])
    listening.close()
    await listening.wait_closed()
    await handler.close()


async def last_reply(sessions: async_sessionmaker[AsyncSession]) -> OutboxMessage:
    sent: list[OutboxMessage] = await rows(sessions, OutboxMessage)
    return max(sent, key=lambda m: m.id)


def reply_to(outbox: OutboxMessage, text: str, message_id: str) -> bytes:
    token = TOKENS.message_id(outbox.id, "mutualise.example")
    return mail(text, message_id=message_id, Subject="Re: Besoin de matériel",
                In_Reply_To=f"<{token}>")  # fmt: skip


async def caudan_needs(sessions: async_sessionmaker[AsyncSession]) -> list[Need]:
    return [n for n in await rows(sessions, Need) if n.commune_insee == "56036"]


async def test_a_question_by_mail_lists_lenders_nearest_first_and_records_nothing(
    smtp: Server, sessions: async_sessionmaker[AsyncSession]
) -> None:
    proposals = len(await rows(sessions, Proposal))
    code, _ = await talk(smtp, mail("Bonjour, qui peut nous prêter un podium le 21 juin ?"))
    assert code == 250
    answer = await last_reply(sessions)
    body = answer.body
    assert answer.recipient == "st@caudan.fr"
    assert "Pour 1 podium le 21 juin 2027, 2 communes peuvent prêter" in body
    assert "de la plus proche à la plus lointaine" in body
    hennebont, lorient = body.index("Hennebont, à 4,9 km"), body.index("Lorient, à 7,2 km")
    assert hennebont < lorient
    assert "(offre du 1er juin au 30 septembre 2027)" in body
    assert "Plouay" not in body and "Caudan," not in body  # not on those days; its own
    assert "Rien n'est enregistré" in body
    text = compose(answer, Relay("127.0.0.1", 25, "besoins@mutualise.example")).get_body(("plain",))
    assert text is not None
    assert "Pour déclarer ce besoin, répondez à ce message par « oui »" in text.get_content()
    assert await caudan_needs(sessions) == []
    assert len(await rows(sessions, Proposal)) == proposals
    (question,) = [m for m in await rows(sessions, InboundMessage) if "qui peut" in (m.text or "")]
    assert question.status is InboundStatus.ASKED

    # « oui » declares it: recorded as the question said, matched at once.
    assert (await talk(smtp, reply_to(answer, "Oui, merci !", "<m2@caudan.fr>")))[0] == 250
    (need,) = await caudan_needs(sessions)
    assert (need.item_id, need.quantity, str(need.start)) == ("podium", 1, "2027-06-21")
    assert (
        "Besoin enregistré pour Caudan : 1 podium le 21 juin 2027"
        in (await last_reply(sessions)).body
    )
    assert len(await rows(sessions, Proposal)) == proposals + 1

    # Said twice, declared once.
    assert (await talk(smtp, reply_to(answer, "oui", "<m3@caudan.fr>")))[0] == 250
    assert len(await caudan_needs(sessions)) == 1
    assert "déjà déclaré" in (await last_reply(sessions)).body


async def test_what_loans_promise_is_not_offered_and_nobody_is_said(
    smtp: Server, sessions: async_sessionmaker[AsyncSession]
) -> None:
    # Quéven declares a podium on 21 June: matching promises it one of the two.
    queven = mail("Il nous faudrait un podium le 21 juin.", sender="st@mairie-queven.fr",
                  message_id="<q1@queven>")  # fmt: skip
    assert (await talk(smtp, queven, sender="st@mairie-queven.fr"))[0] == 250
    (loan,) = await rows(sessions, Proposal)
    assert (await talk(smtp, mail("qui peut nous prêter un podium le 21 juin ?")))[0] == 250
    body = (await last_reply(sessions)).body
    assert "1 commune peut prêter :" in body
    assert "1 autre offre couvre ces dates mais est déjà promise" in body
    assert await caudan_needs(sessions) == []
    # Asked for no day, no loan holds it: every offer is shown with its dates.
    undated = mail("Qui a un podium à nous prêter ?", message_id="<m8@caudan.fr>")
    assert (await talk(smtp, undated))[0] == 250
    body = (await last_reply(sessions)).body
    assert "Pour 1 podium (sans date précisée), 3 communes peuvent prêter" in body
    assert "(offre du 1er au 31 juillet 2027)" in body and "promise" not in body

    nobody = mail("Qui aurait une nacelle le 3 juin ?", message_id="<m9@caudan.fr>")
    assert (await talk(smtp, nobody))[0] == 250
    answer = await last_reply(sessions)
    assert (
        "Pour 1 nacelle le 3 juin 2027, aucune autre commune du territoire n'a d'offre libre"
        in (answer.body)
    )
    assert "il sera proposé dès qu'une commune pourra prêter" in answer.body
    assert await caudan_needs(sessions) == []
    # « non »: nothing recorded, and it says so.
    assert (await talk(smtp, reply_to(answer, "Non merci", "<m10@caudan.fr>")))[0] == 250
    assert "rien n'est enregistré" in (await last_reply(sessions)).body
    assert await caudan_needs(sessions) == []
    assert [p.id for p in await rows(sessions, Proposal)] == [loan.id]


async def test_a_request_with_a_question_mark_is_recorded_as_ever(
    smtp: Server, sessions: async_sessionmaker[AsyncSession]
) -> None:
    request = mail("Bonjour, pourriez-vous nous prêter un podium le 21 juin ?")
    assert (await talk(smtp, request))[0] == 250
    (need,) = await caudan_needs(sessions)
    assert (need.item_id, str(need.start)) == ("podium", "2027-06-21")
    assert "Besoin enregistré pour Caudan" in (await last_reply(sessions)).body


async def anne_among_podiums(sessions: async_sessionmaker[AsyncSession]) -> Inbox:
    """Anne of Riantec on Telegram; podiums offered around."""
    async with sessions.begin() as session:
        riantec = await session.get(Commune, "56193")
        assert riantec is not None
        await add_member(session, riantec, Role.CORRESPONDENT, name="Anne", telegram_id=ANNE)
    inbox = Inbox(sessions, READER)
    await offer(inbox, *OFFERS)
    return inbox


def now() -> dt.datetime:
    return NOW


@pytest.fixture
async def chat(sessions: async_sessionmaker[AsyncSession]) -> ChatDriver:
    return ChatDriver(build_dispatcher(await anne_among_podiums(sessions), now), now)


async def riantec_needs(sessions: async_sessionmaker[AsyncSession]) -> list[Need]:
    async with sessions() as session:
        return list(
            (await session.scalars(select(Need).where(Need.commune_insee == "56193"))).all()
        )


async def test_a_question_in_the_chat_is_declared_by_its_button(
    chat: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    calls = await chat.say(ANNE, "qui aurait des podiums le 21 juin ?")
    answer = texts(calls)
    # From Riantec: Lorient (5.8 km) before Hennebont; Caudan lends in June too.
    assert "Pour des podiums le 21 juin 2027, 3 communes peuvent prêter" in answer
    assert answer.index("Lorient") < answer.index("Hennebont")
    assert "Caudan" in answer and "Plouay" not in answer
    assert list(buttons(calls)) == ["Déclarer ce besoin"]
    assert await riantec_needs(sessions) == []
    declare = buttons(calls)["Déclarer ce besoin"]

    # The button goes through the card: the quantity the question left out is asked.
    calls = await chat.press(ANNE, declare)
    assert "Combien" in texts(calls)
    calls = await chat.say(ANNE, "2")
    assert "le 21 juin 2027" in texts(calls) and "Confirmer" in buttons(calls)
    assert await riantec_needs(sessions) == []
    calls = await chat.press(ANNE, buttons(calls)["Confirmer"])
    assert "Besoin enregistré pour Riantec : 2 podiums le 21 juin 2027" in texts(calls)
    (need,) = await riantec_needs(sessions)
    assert (need.item_id, need.quantity, str(need.start)) == ("podium", 2, "2027-06-21")

    again = await chat.press(ANNE, declare)  # the question is declared: once
    assert alerts(again) and "déjà déclaré" in alerts(again)[0]
    assert len(await riantec_needs(sessions)) == 1


async def test_only_its_writer_declares_a_question_and_only_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    inbox = await anne_among_podiums(sessions)
    anne = f"telegram:{ANNE}"
    text = "qui peut nous prêter un podium le 21 juin ?"
    asked = await inbox.receive(Inbound(Channel.TELEGRAM, anne, text, NOW, "1:1"), confirmed=False)
    assert asked.fate == "asked" and asked.message_id is not None and asked.reply
    assert await inbox.question(asked.message_id, "telegram:999") is None  # a forged button
    declared = await inbox.question(asked.message_id, anne)
    assert declared is not None and declared.reading is not None
    assert declared.commune_name == "Riantec"
    first = await inbox.confirm(asked.message_id, declared.reading, NOW)
    second = await inbox.confirm(asked.message_id, declared.reading, NOW)
    assert (first.fate, second.fate) == ("recorded", "duplicate")
    assert await inbox.question(asked.message_id, anne) is None
    assert len(await riantec_needs(sessions)) == 1


async def test_a_request_in_the_chat_gets_its_card_as_ever(chat: ChatDriver) -> None:
    calls = await chat.say(ANNE, "Pourriez-vous nous prêter 2 podiums le 21 juin ?")
    assert list(buttons(calls)) == ["Confirmer", "Corriger", "Annuler"]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_a_question_through_the_bot_api_on_loopback(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    inbox = await anne_among_podiums(sessions)
    async with serving() as (api, port), running_bot(settings(port), inbox, now):
        await api.message(ANNE, "qui peut nous prêter un podium le 21 juin ?")
        answer = await api.wait_for(lambda c: to(ANNE)(c) and "Déclarer ce besoin" in c.buttons)
        assert "Lorient, à 5,8 km" in answer.text and answer.message_id is not None
        await asyncio.sleep(0.2)
        assert await riantec_needs(sessions) == []
        await api.press(ANNE, answer.buttons["Déclarer ce besoin"], answer.message_id)
        card = await api.wait_for(lambda c: to(ANNE)(c) and "Confirmer" in c.buttons)
        assert card.message_id is not None and "1 podium" in card.text
        await api.press(ANNE, card.buttons["Confirmer"], card.message_id)
        await api.wait_for(lambda c: to(ANNE)(c) and "Besoin enregistré pour Riantec" in c.text)
    (need,) = await riantec_needs(sessions)
    assert (need.item_id, need.quantity, str(need.start)) == ("podium", 1, "2027-06-21")


def test_ingest_answers_a_question_and_records_nothing(
    initialised_url: str, tmp_path: Path
) -> None:
    lines = tmp_path / "messages.jsonl"
    messages = [
        {"from": "st@lorient.bzh", "text": OFFERS[0][1], "at": "2027-05-02T09:00"},
        {"from": "st@caudan.fr", "text": "qui peut nous prêter un podium le 21 juin ?",
         "at": "2027-05-03T10:00"},
    ]  # fmt: skip
    lines.write_text("\n".join(json.dumps(m, ensure_ascii=False) for m in messages), "utf-8")
    done = cli.mutualise("ingest", str(lines), db=initialised_url)
    assert done.returncode == 0, done.stderr
    assert "ligne 2 : question (rien d'enregistré) — Pour 1 podium le 21 juin 2027" in done.stdout
    assert "2 messages : 1 enregistré, 1 question (rien d'enregistré)." in done.stdout
    needs = json.loads(cli.mutualise("needs", "--json", db=initialised_url).stdout)
    assert [(n["kind"], n["commune"]) for n in needs] == [("lend", "56121")]
