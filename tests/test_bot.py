"""The Telegram conversation through the real dispatcher (`feed_update`), the real inbox
and store, with a session that records what the bot sends."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiogram.methods import EditMessageText, SendDocument, SendMessage
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery import deliver_due
from bot.digests import DigestKind, TelegramDigest
from bot.dispatcher import build_dispatcher
from bot.keyboards import CardCB, ProposalCB
from bot.splitting import split
from handlers.conversation import STALE
from handlers.inbound import Inbound
from handlers.inbox import Inbox
from handlers.invitations import invite
from handlers.pacing import Pace
from handlers.replies import SLOW_DOWN
from storage.members import add_member
from storage.models import (
    Answer,
    Channel,
    Commune,
    Event,
    InboundMessage,
    InboundStatus,
    Member,
    Need,
    NeedStatus,
    OutboxAttachment,
    OutboxMessage,
    OutboxStatus,
    ProposalParticipant,
    Role,
    Territory,
)
from storage.outbox import draft, enqueue
from tests.readers import shared_reader
from tests.telegram import ChatDriver, alerts, buttons, texts
from tests.territories import neighbour

PARIS = ZoneInfo("Europe/Paris")
NOW = dt.datetime(2027, 5, 3, 9, tzinfo=PARIS)
READER = shared_reader()
ANNE, LOIC, STRANGER, COORD, MAEL = 1001, 2002, 666, 3003, 4004
SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def clock() -> dt.datetime:
    return NOW


async def fake_digests(kind: DigestKind, now: dt.datetime) -> TelegramDigest:
    return TelegramDigest(f"<b>Synthèse {kind}</b> du {now:%d/%m}", [("besoins.xlsx", b"PK")])


@pytest.fixture
async def chat(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[ChatDriver]:
    """Anne (Riantec), Loïc and Maël (Lorient) on Telegram; a coordinator of the territory
    too (of no commune)."""
    async with sessions.begin() as session:
        riantec = await session.get(Commune, "56193")
        lorient = await session.get(Commune, "56121")
        assert riantec is not None and lorient is not None
        await add_member(session, riantec, Role.CORRESPONDENT, name="Anne", telegram_id=ANNE)
        await add_member(session, lorient, Role.CORRESPONDENT, name="Loïc", telegram_id=LOIC)
        await add_member(session, lorient, Role.CORRESPONDENT, name="Maël", telegram_id=MAEL)
        await add_member(session, lorient, Role.COORDINATOR, name="Coord", telegram_id=COORD)
    inbox = Inbox(sessions, READER)
    yield ChatDriver(build_dispatcher(inbox, clock, digests=fake_digests), clock)


async def invited(
    sessions: async_sessionmaker[AsyncSession], insee: str, role: Role, at: dt.datetime = NOW
) -> str:
    """The code of an invitation to join with `role` at that commune (a coordinator: its
    territory), valid for a week from `at`."""
    async with sessions.begin() as session:
        commune = await session.get(Commune, insee)
        assert commune is not None
        return (await invite(session, commune, role, at, 7)).code


async def count(sessions: async_sessionmaker[AsyncSession], model: type, *where: object) -> int:
    async with sessions() as session:
        query = select(func.count()).select_from(model).where(*where)  # type: ignore[arg-type]
        return int(await session.scalar(query) or 0)


async def test_declaring_is_confirmed_before_anything_is_recorded(
    chat: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    calls = await chat.say(ANNE, "il nous faudrait 200 ganivelles et un podium pour le 21 juin")
    card = texts(calls)
    assert "Besoin d'emprunt pour Riantec" in card and "200 ganivelles" in card
    assert "le 21 juin 2027" in card
    assert list(buttons(calls)) == ["Confirmer", "Corriger", "Annuler"]
    assert await count(sessions, Need) == 0
    assert await count(sessions, InboundMessage, InboundMessage.status == InboundStatus.RECEIVED)

    confirm = buttons(calls)["Confirmer"]
    calls = await chat.press(ANNE, confirm)
    assert await count(sessions, Need) == 2
    edited = [c for c in calls if isinstance(c, EditMessageText)]
    assert edited and "Enregistré" in str(edited[0].text) and edited[0].reply_markup is None
    assert "Besoin enregistré pour Riantec" in texts(calls)

    again = await chat.press(ANNE, confirm)  # the same card pressed twice records once
    assert alerts(again) == [STALE]
    assert await count(sessions, Need) == 2


async def test_people_writing_at_once_are_looked_up_together(
    chat: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    lookups: list[str] = []

    def noted(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        for table in ("telegram_updates", "members"):
            if statement.startswith("SELECT") and f"FROM {table}" in statement:
                lookups.append(table)

    event.listen(sessions.kw["bind"].sync_engine, "before_cursor_execute", noted)
    people = [ANNE, LOIC, COORD, *range(STRANGER, STRANGER + 9)]  # one chat each
    updates = [chat.message(who, "il nous faudrait 20 ganivelles le 21 juin") for who in people]
    await asyncio.gather(*(chat.feed(update) for update in updates))
    cards = [c for c in chat.session.calls if "Confirmer" in buttons([c])]
    # The coordinator names no commune: asked which, shown no card for any.
    assert sorted(int(str(getattr(c, "chat_id", 0))) for c in cards) == [ANNE, LOIC]
    asked = [c for c in chat.session.calls if "Pour quelle commune" in str(getattr(c, "text", ""))]
    assert [int(str(getattr(c, "chat_id", 0))) for c in asked] == [COORD]
    assert sum("pas encore inscrit" in str(getattr(c, "text", "")) for c in chat.session.calls) == 9
    # Handled already? Who writes? Asked for the updates arriving together at once (the
    # first, perhaps, alone), not twelve times each.
    assert lookups.count("telegram_updates") <= 2
    assert lookups.count("members") <= 4  # and in the transactions that read the messages


@SQLITE_ONLY
async def test_confirming_twice_in_the_inbox_records_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        riantec = await session.get(Commune, "56193")
        assert riantec is not None
        await add_member(session, riantec, Role.CORRESPONDENT, telegram_id=ANNE)
    inbox = Inbox(sessions, READER)
    text = "il nous faudrait 200 ganivelles pour le 21 juin"
    inbound = Inbound(Channel.TELEGRAM, f"telegram:{ANNE}", text, NOW, "1:1")
    shown = await inbox.receive(inbound, confirmed=False)
    assert shown.message_id is not None and shown.reading is not None
    first = await inbox.confirm(shown.message_id, shown.reading, NOW)
    second = await inbox.confirm(shown.message_id, shown.reading, NOW)
    assert (first.fate, second.fate) == ("recorded", "duplicate")
    assert await count(sessions, Need) == 1


async def test_a_stranger_is_refused_and_nothing_is_recorded(
    chat: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    calls = await chat.say(STRANGER, "il nous faudrait 200 ganivelles pour le 21 juin")
    assert "pas encore inscrit" in texts(calls) and not buttons(calls)
    for command in ("/besoins", "/propositions", "/digest"):
        assert "pas encore inscrit" in texts(await chat.say(STRANGER, command))
    assert await count(sessions, Need) == 0
    refused = InboundMessage.status == InboundStatus.REFUSED
    assert await count(sessions, InboundMessage, refused) == 1  # logged all the same


@SQLITE_ONLY
async def test_an_invitation_registers_once_and_wrong_codes_are_limited(
    chat: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    code = await invited(sessions, "56185", Role.CORRESPONDENT)
    assert 22 <= len(code) <= 64 and code.replace("-", "").replace("_", "").isalnum()
    welcome = texts(await chat.say(STRANGER, f"/start {code}"))
    assert "Bienvenue" in welcome and "Quéven" in welcome
    async with sessions() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == STRANGER))
        assert member is not None and member.commune_insee == "56185"
    assert "déjà" in texts(await chat.say(STRANGER, f"/start {code}"))
    other = 777
    for _ in range(5):
        assert "pas valable" in texts(await chat.say(other, "/start mauvais-code"))
    good = await invited(sessions, "56185", Role.CORRESPONDENT)
    assert "Trop de codes" in texts(await chat.say(other, f"/start {good}"))


async def test_a_coordinator_invited_joins_the_territory(
    chat: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    code = await invited(sessions, "56121", Role.COORDINATOR)
    welcome = texts(await chat.say(STRANGER, f"/start {code}"))
    assert "coordinateur pour Lorient Agglomération" in welcome
    async with sessions() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == STRANGER))
        assert member is not None and member.commune_insee is None
        territory = await session.scalar(select(Territory.id).where(Territory.epci == "200042174"))
        assert member.territory_id == territory


@SQLITE_ONLY
async def test_missing_fields_are_asked_one_at_a_time(
    chat: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    calls = await chat.say(ANNE, "nous voudrions emprunter des ganivelles")
    assert "Combien de « ganivelles »" in texts(calls)
    assert {"1", "2", "5", "10", "Passer"} == set(buttons(calls))
    calls = await chat.say(ANNE, "une cinquantaine")
    assert "Pour quelles dates" in texts(calls)
    calls = await chat.say(ANNE, "bof")  # not an answer: asked again
    assert "Je n'ai pas compris" in texts(calls) and "Pour quelles dates" in texts(calls)
    calls = await chat.say(ANNE, "le 12 juillet")
    assert "50 ganivelles" in texts(calls) and "le 12 juillet 2027" in texts(calls)
    await chat.press(ANNE, buttons(calls)["Confirmer"])
    async with sessions() as session:
        need = await session.scalar(select(Need))
        assert need is not None
        assert (need.quantity, need.start) == (50, dt.date(2027, 7, 12))
    answered = InboundMessage.status == InboundStatus.ANSWERED
    assert await count(sessions, InboundMessage, answered) == 3  # the answers are logged too


@SQLITE_ONLY
async def test_a_button_answers_a_small_choice(
    chat: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    calls = await chat.say(ANNE, "il nous faudrait des barnums pour le 21 juin")
    calls = await chat.press(ANNE, buttons(calls)["2"])
    assert "2 barnums" in texts(calls)


@SQLITE_ONLY
async def test_a_correction_rewrites_the_wrong_part(
    chat: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    calls = await chat.say(ANNE, "il nous faudrait 200 ganivelles pour le 21 juin")
    calls = await chat.press(ANNE, buttons(calls)["Corriger"])
    assert {"Matériel", "Quantité", "Dates", "Tout réécrire"} == set(buttons(calls))
    calls = await chat.press(ANNE, buttons(calls)["Quantité"])
    assert "Combien" in texts(calls)
    calls = await chat.say(ANNE, "150")
    assert "150 ganivelles" in texts(calls)
    calls = await chat.press(ANNE, buttons(calls)["Corriger"])
    calls = await chat.press(ANNE, buttons(calls)["Dates"])
    calls = await chat.say(ANNE, "du 1er au 3 août")
    assert "du 1er au 3 août 2027" in texts(calls)
    await chat.press(ANNE, buttons(calls)["Confirmer"])
    async with sessions() as session:
        need = await session.scalar(select(Need))
        assert need is not None
        assert (need.quantity, need.start, need.end) == (
            150, dt.date(2027, 8, 1), dt.date(2027, 8, 3)
        )  # fmt: skip


@SQLITE_ONLY
async def test_cancel_drops_and_old_cards_are_stale(
    chat: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    first = await chat.say(ANNE, "il nous faudrait 200 ganivelles pour le 21 juin")
    second = await chat.say(ANNE, "il nous faudrait un podium pour le 21 juin")
    assert alerts(await chat.press(ANNE, buttons(first)["Confirmer"])) == [STALE]
    assert "abandonné" in texts(await chat.say(ANNE, "/annuler"))
    assert alerts(await chat.press(ANNE, buttons(second)["Confirmer"])) == [STALE]
    forged = CardCB(a="ok", m=999_999).pack()
    assert alerts(await chat.press(ANNE, forged)) == [STALE]
    assert await count(sessions, Need) == 0


async def test_a_proposal_reaches_telegram_and_is_accepted_by_button(
    chat: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    inbox = Inbox(sessions, READER)
    offer = Inbound.from_line(
        "st@lorient.bzh", "Nous pouvons prêter nos 300 ganivelles de juin à septembre.", NOW
    )
    await inbox.receive(offer)
    calls = await chat.say(ANNE, "il nous faudrait 150 ganivelles pour le 21 juin")
    await chat.press(ANNE, buttons(calls)["Confirmer"])
    async with sessions() as session:
        queued = (
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.channel == Channel.TELEGRAM)
            )
        ).all()
    assert sorted(m.recipient for m in queued) == sorted(str(i) for i in (ANNE, LOIC, MAEL))
    assert all(m.dedupe_key and ":telegram:" in m.dedupe_key for m in queued)

    before = len(chat.session.calls)
    assert await deliver_due(sessions, chat.bot, clock) == 3
    sent = [c for c in chat.session.calls[before:] if isinstance(c, SendMessage)]
    to_loic = next(c for c in sent if int(c.chat_id) == LOIC)
    assert "Proposition de prêt" in to_loic.text and "Lorient" in to_loic.text
    accept = buttons([to_loic])["Accepter"]
    assert len(accept.encode()) < 64

    calls = await chat.press(LOIC, accept, message_id=77)
    edited = [c for c in calls if isinstance(c, EditMessageText)]
    assert edited and edited[0].message_id == 77 and "on attend" in str(edited[0].text)
    assert edited[0].reply_markup is None
    assert alerts(await chat.press(LOIC, accept)) == [STALE]  # answered already
    calls = await chat.press(ANNE, buttons([to_loic])["Accepter"])
    assert "Confirmée" in texts(calls)
    async with sessions() as session:
        answers = set(await session.scalars(select(ProposalParticipant.answer)))
    assert answers == {Answer.ACCEPTED}
    # The other chats' messages of the proposal are rewritten where they were shown (not
    # Loïc's first: he pressed elsewhere, and his answer's card was rewritten at once).
    shown = {
        int(c.chat_id): r.message_id
        for c, r in zip(chat.session.calls, chat.session.results, strict=True)
        if isinstance(c, SendMessage) and "Proposition de prêt" in c.text
    }
    before = len(chat.session.calls)
    assert await deliver_due(sessions, chat.bot, clock) == 4  # Anne, Maël; then Loïc, Maël
    # Chats are written to side by side, each chat's messages in their order.
    edits: dict[int, list[EditMessageText]] = {}
    for call in chat.session.calls[before:]:
        if isinstance(call, EditMessageText):
            edits.setdefault(int(str(call.chat_id)), []).append(call)
    assert {who: [e.message_id for e in them] for who, them in edits.items()} == {
        ANNE: [shown[ANNE]],
        MAEL: [shown[MAEL], shown[MAEL]],
        LOIC: [shown[LOIC]],
    }
    assert "Lorient a accepté ; on attend Riantec." in str(edits[ANNE][0].text)
    assert "Accepter" in buttons([edits[ANNE][0]])  # Anne still has to answer
    assert "Lorient a accepté ; on attend Riantec." in str(edits[MAEL][0].text)
    assert not buttons([edits[MAEL][0]])
    assert all("Confirmée" in str(e.text) and e.reply_markup is None
               for e in (edits[LOIC][0], edits[MAEL][1]))  # fmt: skip
    assert await deliver_due(sessions, chat.bot, clock) == 0  # each sent once


async def test_a_proposal_answered_before_it_left_is_rewritten_once_it_leaves(
    chat: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    inbox = Inbox(sessions, READER)
    offer = "Nous pouvons prêter nos 300 ganivelles de juin à septembre."
    await inbox.receive(Inbound.from_line("st@lorient.bzh", offer, NOW))
    calls = await chat.say(ANNE, "il nous faudrait 150 ganivelles pour le 21 juin")
    await chat.press(ANNE, buttons(calls)["Confirmer"])
    async with sessions() as session:
        number = await session.scalar(select(ProposalParticipant.proposal_id))
    assert number is not None
    async with sessions.begin() as session:  # Anne's first try failed: due in a minute
        anne = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.recipient == str(ANNE))
        )
        assert anne is not None
        anne.status, anne.next_attempt_at = OutboxStatus.FAILED, NOW + dt.timedelta(minutes=1)
    calls = await chat.press(LOIC, ProposalCB(p=number, a="y").pack())  # from /propositions
    assert any(isinstance(c, EditMessageText) for c in calls)
    before = len(chat.session.calls)
    assert await deliver_due(sessions, chat.bot, clock) == 4  # 2 proposals, 2 rewrites
    made: list[Any] = chat.session.calls[before:]
    # Maël's proposal leaves, then is rewritten; Anne's waits, to leave rewritten.
    assert [(type(c), int(str(c.chat_id))) for c in made] == [
        (SendMessage, LOIC), (SendMessage, MAEL), (EditMessageText, MAEL)
    ]  # fmt: skip
    assert "Lorient a accepté ; on attend Riantec." in str(made[2].text)
    assert not buttons([made[2]])
    assert "Acceptez-vous" in str(made[0].text)  # his own chat: rewritten by his press
    later = NOW + dt.timedelta(minutes=2)
    before = len(chat.session.calls)
    assert await deliver_due(sessions, chat.bot, lambda: later) == 1
    (sent,) = chat.session.calls[before:]
    assert isinstance(sent, SendMessage) and int(sent.chat_id) == ANNE
    assert "Lorient a accepté ; on attend Riantec." in sent.text
    assert "Accepter" in buttons([sent])


async def test_a_coordinator_declares_for_the_commune_they_name_and_answers_for_none(
    chat: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """A coordinator belongs to the territory: nothing they write is recorded for a commune
    they do not name, and no proposal is theirs to answer."""
    asked = texts(await chat.say(COORD, "il nous faudrait 20 barrières du 12 au 14 juillet"))
    assert "Pour quelle commune ?" in asked and "rien n'a été enregistré" in asked
    assert await count(sessions, Need) == 0
    calls = await chat.say(COORD, "Pour Riantec : 20 barrières du 12 au 14 juillet")
    assert "Besoin d'emprunt pour Riantec" in texts(calls)
    await chat.press(COORD, buttons(calls)["Confirmer"])
    async with sessions() as session:
        needs = (await session.execute(select(Need.commune_insee, Need.quantity))).all()
    assert needs == [("56193", 20)]
    assert "aucune commune" in texts(await chat.say(COORD, "/besoins"))
    assert "aucune commune" in texts(await chat.say(COORD, "/propositions"))
    refused = alerts(await chat.press(COORD, ProposalCB(p=1, a="y").pack()))
    assert len(refused) == 1 and "aucune commune" in refused[0]


async def test_a_coordinator_answers_which_commune_by_its_name_alone(
    chat: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """« Riantec » after « Pour quelle commune ? » shows the card of the message asked about,
    for Riantec, as if it had named it; nothing is recorded before Confirmer."""
    asked = texts(await chat.say(COORD, "il nous faudrait 20 barrières du 12 au 14 juillet"))
    assert "Pour quelle commune ?" in asked and "Répondez simplement par le nom" in asked
    async with sessions() as session:
        first = await session.scalar(select(func.max(InboundMessage.id)))
    calls = await chat.say(COORD, "pour Rianteq")  # a typo the commune's names accept
    card = texts(calls)
    assert "Besoin d'emprunt pour Riantec" in card and "20 barrières" in card
    assert "du 12 au 14 juillet 2027" in card
    assert await count(sessions, Need) == 0
    await chat.press(COORD, buttons(calls)["Confirmer"])
    async with sessions() as session:
        needs = (await session.execute(select(Need.commune_insee, Need.quantity,
                                              Need.message_id))).all()  # fmt: skip
        logged = {m.id: m for m in await session.scalars(select(InboundMessage))}
    assert needs == [("56193", 20, first)]  # the message asked about is the one recorded
    assert first is not None and logged[first].commune_insee == "56193"
    assert logged[first].status is InboundStatus.RECORDED
    (reply,) = [m for m in logged.values() if m.text == "pour Rianteq"]
    assert reply.outcome == f"nomme la commune du message {first}"
    # Named once: a second « Riantec » is a message of its own, and records nothing.
    assert "Je n'y ai trouvé ni besoin" in texts(await chat.say(COORD, "Riantec"))
    assert await count(sessions, Need) == 1


async def test_a_coordinators_question_is_answered_once_its_commune_is_named(
    chat: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    calls = await chat.say(LOIC, "nous pouvons prêter notre podium tout le mois de juin")
    await chat.press(LOIC, buttons(calls)["Confirmer"])
    asked = texts(await chat.say(COORD, "qui pourrait nous prêter un podium le 21 juin ?"))
    assert "Pour quelle commune ?" in asked
    calls = await chat.say(COORD, "Riantec")
    answer = texts(calls)
    assert "Lorient" in answer and "Rien n'est enregistré" in answer
    calls = await chat.press(COORD, buttons(calls)["Déclarer ce besoin"])
    assert "Besoin d'emprunt pour Riantec" in texts(calls)
    await chat.press(COORD, buttons(calls)["Confirmer"])
    async with sessions() as session:
        needs = (await session.execute(select(Need.commune_insee, Need.item_id))).all()
    assert needs == [("56193", "podium")]


async def test_after_which_commune_another_message_is_a_message_of_its_own(
    chat: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """What does not name the commune alone is read for itself; the message asked about
    stays unrecorded."""
    await chat.say(COORD, "il nous faudrait 20 barrières du 12 au 14 juillet")
    calls = await chat.say(COORD, "Pour Lorient : il nous faudrait 3 barnums le 3 août")
    card = texts(calls)
    assert "Besoin d'emprunt pour Lorient" in card and "3 barnums" in card
    assert "barrières" not in card
    await chat.press(COORD, buttons(calls)["Confirmer"])
    async with sessions() as session:
        needs = (await session.execute(select(Need.commune_insee, Need.item_id))).all()
    assert needs == [("56121", "barnum")]
    assert "Je n'y ai trouvé ni besoin" in texts(await chat.say(COORD, "Riantec"))
    assert await count(sessions, Need) == 1


async def test_a_coordinator_names_no_commune_of_another_territory_in_answer(
    chat: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions.begin() as session:
        await neighbour(session)
    await chat.say(COORD, "il nous faudrait 20 barrières du 12 au 14 juillet")
    again = texts(await chat.say(COORD, "Quimperlé"))
    assert "Quimperlé n'est pas une commune de votre territoire" in again
    assert "Pour quelle commune de votre territoire" in again
    calls = await chat.say(COORD, "Riantec")  # still asked for the same message
    assert "Besoin d'emprunt pour Riantec" in texts(calls)
    await chat.press(COORD, buttons(calls)["Confirmer"])
    async with sessions() as session:
        needs = (await session.execute(select(Need.commune_insee, Need.quantity))).all()
    assert needs == [("56193", 20)]


@SQLITE_ONLY
async def test_needs_are_listed_and_withdrawn_by_button(
    chat: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    calls = await chat.say(ANNE, "il nous faudrait 200 ganivelles pour le 21 juin")
    await chat.press(ANNE, buttons(calls)["Confirmer"])
    calls = await chat.say(ANNE, "/besoins")
    assert "emprunt de 200 ganivelles le 21 juin 2027" in texts(calls)
    withdraw = buttons(calls)["Retirer n° 1"]
    assert "Retiré" in texts(await chat.press(ANNE, withdraw))
    assert await count(sessions, Need, Need.status == NeedStatus.CANCELLED) == 1
    assert alerts(await chat.press(ANNE, withdraw)) == [STALE]
    assert alerts(await chat.press(LOIC, withdraw)) == [STALE]  # not Lorient's anyway


async def test_the_bot_says_nothing_in_group_chats(
    chat: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    calls = await chat.say(ANNE, "il nous faudrait 200 ganivelles pour le 21 juin")
    await chat.press(ANNE, buttons(calls)["Confirmer"])
    before = len(chat.session.calls)
    for text in ("/besoins", "/propositions", "il nous faudrait 3 barnums le 21 juin"):
        update = chat.message(ANNE, text)
        update["message"]["chat"] = {"id": -100123, "type": "supergroup", "title": "Élus"}
        await chat.feed(update)
    pressed = chat.button(ANNE, "c:ok:1")
    pressed["callback_query"]["message"]["chat"] = {"id": -100123, "type": "group", "title": "x"}
    await chat.feed(pressed)
    assert chat.session.calls[before:] == []
    assert await count(sessions, Need) == 1


@SQLITE_ONLY
async def test_an_update_delivered_twice_is_handled_once(
    chat: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    update = chat.message(ANNE, "il nous faudrait 200 ganivelles pour le 21 juin")
    await chat.feed(update)
    await chat.feed(update)
    assert len([c for c in chat.session.calls if isinstance(c, SendMessage)]) == 1
    assert await count(sessions, InboundMessage) == 1


@SQLITE_ONLY
async def test_long_messages_are_split_and_flood_control_waited_out(
    chat: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    paragraphs = [f"Paragraphe {n} : " + "ganivelles " * 60 for n in range(20)]
    async with sessions.begin() as session:
        body = "\n\n".join(paragraphs)
        queued = await enqueue(
            session, draft(channel=Channel.TELEGRAM, recipient=str(COORD), body=body, now=NOW)
        )
        assert queued is not None
        session.add(
            OutboxAttachment(
                outbox_id=queued.id, filename="calendrier.ics",
                content_type="text/calendar", content=b"BEGIN:VCALENDAR",
            )
        )  # fmt: skip
    chat.session.flood["SendMessage"] = 3
    assert await deliver_due(sessions, chat.bot, clock) == 1
    sent = [c for c in chat.session.calls if isinstance(c, SendMessage)]
    assert len(sent) == 4 and all(len(c.text) <= 4096 for c in sent)
    assert [p.split(" :")[0] for c in sent for p in c.text.split("\n\n")] == [
        f"Paragraphe {n}" for n in range(20)
    ]
    assert chat.session.waits == [3]  # waited as asked, then sent: nothing dropped
    assert isinstance(chat.session.calls[-1], SendDocument)
    async with sessions() as session:
        row = await session.get(OutboxMessage, queued.id)
        assert row is not None and row.status is OutboxStatus.SENT


def test_split_cuts_at_paragraphs_then_lines() -> None:
    assert split("court") == ["court"]
    assert split("a" * 10 + "\n\n" + "b" * 10, limit=15) == ["a" * 10, "b" * 10]
    assert split("x" * 20, limit=8) == ["x" * 8, "x" * 8, "x" * 4]
    assert split("l1\nl2\nl3", limit=5) == ["l1\nl2", "l3"]


@SQLITE_ONLY
async def test_digests_are_for_coordinators(chat: ChatDriver) -> None:
    calls = await chat.say(COORD, "/semestre")
    assert "<b>Synthèse semester</b> du 03/05" in texts(calls)
    documents = [c for c in calls if isinstance(c, SendDocument)]
    assert len(documents) == 1
    assert "réservée aux coordinateurs" in texts(await chat.say(LOIC, "/digest"))


@SQLITE_ONLY
async def test_failures_end_in_an_apology_and_the_message_is_kept(
    chat: ChatDriver, sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(READER, "read", broken)
    calls = await chat.say(ANNE, "il nous faudrait 200 ganivelles pour le 21 juin")
    assert "conservé" in texts(calls) and "secret" not in texts(calls)
    kept = InboundMessage.status == InboundStatus.REFUSED  # kept, not tried again in vain
    assert await count(sessions, InboundMessage, kept) == 1
    monkeypatch.undo()

    from handlers.requests import Requests

    monkeypatch.setattr(Requests, "declarations", broken)
    calls = await chat.say(ANNE, "/besoins")
    assert "Désolé" in texts(calls) and "Traceback" not in texts(calls)
    assert "secret" not in texts(calls)


@SQLITE_ONLY
async def test_a_digest_in_the_outbox_reaches_telegram_with_its_files(
    chat: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions.begin() as session:
        await enqueue(
            session,
            draft(
                channel=Channel.TELEGRAM,
                recipient=str(COORD),
                body="<b>État des lieux semestriel</b>\n• 3 besoin(s) ouvert(s)",
                now=NOW,
                dedupe_key="semester:test",
            ),
            attachments=[
                ("besoins.xlsx", "application/vnd.ms-excel", b"PK\x03\x04"),
                ("calendrier.ics", "text/calendar", b"BEGIN:VCALENDAR"),
            ],
        )
    before = len(chat.session.calls)
    assert await deliver_due(sessions, chat.bot, clock) == 1
    calls = chat.session.calls[before:]
    assert isinstance(calls[0], SendMessage) and int(calls[0].chat_id) == COORD
    documents = [c for c in calls if isinstance(c, SendDocument)]
    names = [getattr(d.document, "filename", None) for d in documents]
    assert names == ["besoins.xlsx", "calendrier.ics"]
    assert await deliver_due(sessions, chat.bot, clock) == 0


@SQLITE_ONLY
async def test_a_flooding_person_is_slowed_alone_and_nothing_is_lost(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        riantec = await session.get(Commune, "56193")
        assert riantec is not None
        await add_member(session, riantec, Role.CORRESPONDENT, name="Anne", telegram_id=ANNE)
    dispatcher = build_dispatcher(Inbox(sessions, READER), clock, pace=Pace(2, 0.5))
    chat = ChatDriver(dispatcher, clock)
    started = asyncio.get_running_loop().time()
    answers = [texts(await chat.say(ANNE, "/aide")) for _ in range(3)]
    waited = asyncio.get_running_loop().time() - started
    assert waited >= 0.4  # the third message waited for the window to pass
    assert all("/besoins" in a for a in answers)  # every message answered: none dropped
    assert SLOW_DOWN in answers[2] and SLOW_DOWN not in answers[0]
    started = asyncio.get_running_loop().time()
    stranger = texts(await chat.say(STRANGER, "bonjour"))
    assert SLOW_DOWN not in stranger and asyncio.get_running_loop().time() - started < 0.4


@SQLITE_ONLY
async def test_an_event_is_made_yearly_when_confirming(
    chat: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    calls = await chat.say(ANNE, "pour la fête de la musique le 21 juin il nous faut 40 tables")
    assert list(buttons(calls)) == ["Confirmer", "Corriger", "Annuler", "Revient chaque année"]
    calls = await chat.press(ANNE, buttons(calls)["Revient chaque année"])
    (edited,) = [c for c in calls if isinstance(c, EditMessageText)]
    assert "Revient chaque année le 21 juin" in str(edited.text)
    assert edited.reply_markup is not None
    shown = [b.text for row in edited.reply_markup.inline_keyboard for b in row]
    assert shown == ["Confirmer", "Corriger", "Annuler", "Pas chaque année"]
    confirm = next(
        b.callback_data for row in edited.reply_markup.inline_keyboard for b in row
        if b.text == "Confirmer"
    )  # fmt: skip
    assert confirm is not None
    await chat.press(ANNE, confirm)
    async with sessions() as session:
        event = await session.scalar(select(Event))
    assert event is not None and event.recurring
    assert event.rule == "FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=21"


async def test_forged_buttons_naming_another_communes_need_do_nothing(
    chat: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    calls = await chat.say(ANNE, "il nous faudrait 200 ganivelles pour le 21 juin")
    card = buttons(calls)
    await chat.press(LOIC, card["Confirmer"])  # Lorient replays Riantec's button
    assert await count(sessions, Need) == 0
    await chat.press(ANNE, card["Confirmer"])
    withdraw = buttons(await chat.say(ANNE, "/besoins"))["Retirer n° 1"]
    assert alerts(await chat.press(LOIC, withdraw)) == [STALE]  # while it is live
    assert await count(sessions, Need, Need.status == NeedStatus.CANCELLED) == 0
    await chat.press(STRANGER, withdraw)
    assert await count(sessions, Need, Need.status == NeedStatus.CANCELLED) == 0


@SQLITE_ONLY
async def test_forged_answers_to_another_communes_proposal_change_nothing(
    chat: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Quéven lends to Riantec: Lorient's correspondent, a stranger, and a Caudan town hall
    replying by email to Riantec's notice cannot accept it for them."""
    from bot.keyboards import ProposalCB

    inbox = Inbox(sessions, READER)
    offer = "Nous pouvons prêter nos 300 ganivelles de juin à septembre."
    await inbox.receive(Inbound.from_line("mairie@mairie-queven.fr", offer, NOW))
    calls = await chat.say(ANNE, "il nous faudrait 150 ganivelles pour le 21 juin")
    await chat.press(ANNE, buttons(calls)["Confirmer"])
    async with sessions() as session:
        proposal_id = await session.scalar(select(func.max(ProposalParticipant.proposal_id)))
    assert proposal_id is not None
    accept = ProposalCB(p=proposal_id, a="y").pack()
    refuse = ProposalCB(p=proposal_id, a="n").pack()
    await chat.press(LOIC, accept)
    await chat.press(LOIC, refuse)
    await chat.press(STRANGER, accept)
    async with sessions.begin() as session:
        notice = await session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.recipient == "mairie@mairie-queven.fr")
        )
    assert notice is not None  # Quéven's notice of the proposal, which Caudan answers
    reply = Inbound(
        Channel.EMAIL, "mairie@caudan.fr", "j'accepte", NOW, "forged-1@caudan.fr",
        answers=notice,
    )  # fmt: skip
    await inbox.receive(reply)
    async with sessions() as session:
        answers = set(
            await session.scalars(
                select(ProposalParticipant.answer).where(
                    ProposalParticipant.proposal_id == proposal_id
                )
            )
        )
    assert answers == {Answer.PENDING}


async def test_a_coordinator_replying_to_a_communes_proposal_answers_nothing(
    chat: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """A notice a coordinator received as a commune's member, before coordinators belonged
    to the territory: their "j'accepte" by email is refused, the proposal still awaits."""
    inbox = Inbox(sessions, READER)
    offer = "Nous pouvons prêter nos 300 ganivelles de juin à septembre."
    await inbox.receive(Inbound.from_line("mairie@mairie-queven.fr", offer, NOW))
    calls = await chat.say(LOIC, "il nous faudrait 150 ganivelles pour le 21 juin")
    await chat.press(LOIC, buttons(calls)["Confirmer"])
    async with sessions.begin() as session:
        proposal_id = await session.scalar(select(func.max(ProposalParticipant.proposal_id)))
        assert proposal_id is not None
        await add_member(session, (await session.get(Commune, "56121")), Role.COORDINATOR,  # type: ignore[arg-type]
                         emails=["coord@lorient.bzh"])  # fmt: skip
        notice = OutboxMessage(channel=Channel.EMAIL, recipient="coord@lorient.bzh",
                               body="Proposition", next_attempt_at=NOW,
                               actions=[{"kind": "answer_proposal", "target": proposal_id}])  # fmt: skip
        session.add(notice)
        await session.flush()
        notice_id = notice.id
    reply = Inbound(
        Channel.EMAIL, "coord@lorient.bzh", "j'accepte", NOW, "c-1@lorient.bzh",
        answers=notice_id, authenticated="dmarc=pass pour lorient.bzh",
    )  # fmt: skip
    answered = await inbox.receive(reply)
    async with sessions() as session:
        answers = set(await session.scalars(select(ProposalParticipant.answer)))
    assert answers == {Answer.PENDING}
    assert "aucune commune" in (answered.reply or "")


@SQLITE_ONLY
async def test_an_expired_invitation_is_refused(
    chat: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    old = await invited(sessions, "56185", Role.CORRESPONDENT, NOW - dt.timedelta(days=8))
    assert "pas valable" in texts(await chat.say(STRANGER, f"/start {old}"))
    async with sessions() as session:
        assert await session.scalar(select(Member).where(Member.telegram_id == STRANGER)) is None
