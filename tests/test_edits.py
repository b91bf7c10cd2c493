"""An answer to a proposal rewrites, where they were shown, the other chats' messages of
that proposal, within seconds: the real bot by long polling against a Bot API server on
loopback, the real outbox sender woken by the commit, on each backend."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.service import running_bot
from handlers.digests import DigestConfig
from handlers.inbound import Inbound
from handlers.inbox import Inbox
from handlers.settings import Settings
from scheduler.jobs import Jobs
from scheduler.service import Scheduler
from storage.database import session_factory
from storage.members import add_member
from storage.models import Commune, OutboxMessage, OutboxStatus, Role
from storage.outbox import Doorbell
from tests.botapi import BotAPI, serving
from tests.readers import shared_reader
from tests.test_bot import NOW, clock
from tests.test_bot_service import edited_in, to, with_buttons

ANNE, LOIC = 1001, 2002  # Riantec borrows, Lorient lends


@pytest.fixture
async def api() -> AsyncIterator[tuple[BotAPI, str]]:
    """The Bot API server, and its address."""
    async with serving() as (server, port):
        yield server, f"http://127.0.0.1:{port}"


async def served(engine: AsyncEngine) -> tuple[async_sessionmaker[AsyncSession], Inbox, Doorbell]:
    """The seeded store's sessions ringing a doorbell; Anne and Loïc on Telegram, Lorient's
    offer of ganivelles recorded."""
    doorbell = Doorbell()
    sessions = session_factory(engine, doorbell)
    async with sessions.begin() as session:
        for insee, user in (("56193", ANNE), ("56121", LOIC)):
            commune = await session.get(Commune, insee)
            assert commune is not None
            await add_member(session, commune, Role.CORRESPONDENT, telegram_id=user)
    inbox = Inbox(sessions, shared_reader())
    offer = "Nous pouvons prêter nos 300 ganivelles de juin à septembre."
    await inbox.receive(Inbound.from_line("st@lorient.bzh", offer, NOW))
    return sessions, inbox, doorbell


async def test_an_answer_rewrites_the_other_communes_message_at_once(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], api: tuple[BotAPI, str]
) -> None:
    server, address = api
    sessions, inbox, doorbell = await served(engine)  # on the store `sessions` seeded
    settings = Settings(telegram_token=SecretStr("42:TEST-TOKEN"), telegram_api=address)
    async with running_bot(settings, inbox, clock) as (_, flush):
        jobs = Jobs(sessions, DigestConfig(), "test", inbox.zone)
        sender = Scheduler(sessions, jobs, [flush], 30.0, clock, doorbell)  # a 30 s round
        await sender.start()
        try:
            await server.message(ANNE, "il nous faudrait 150 ganivelles pour le 21 juin")
            card = await server.wait_for(with_buttons(ANNE, "Confirmer"))
            assert card.message_id is not None
            await server.press(ANNE, card.buttons["Confirmer"], card.message_id)
            mine = await server.wait_for(with_buttons(ANNE, "Accepter"))
            theirs = await server.wait_for(with_buttons(LOIC, "Accepter"))
            assert mine.message_id is not None and theirs.message_id is not None

            pressed = time.monotonic()
            await server.press(ANNE, mine.buttons["Accepter"], mine.message_id)
            edited = await server.wait_for(edited_in(LOIC, theirs.message_id), seconds=5)
            assert time.monotonic() - pressed < 2, "the edit waited for the outbox's round"
            assert "Riantec a accepté ; on attend Lorient." in edited.text
            assert "Acceptez-vous ?" in edited.text and "Accepter" in edited.buttons
            await server.wait_for(edited_in(ANNE, mine.message_id))  # by the press itself

            # Anne's message can no longer be edited: the new state comes as a new message.
            server.fixed.add(mine.message_id)
            await server.press(LOIC, edited.buttons["Accepter"], theirs.message_id)
            anew = await server.wait_for(lambda c: to(ANNE)(c) and "Confirmée" in c.text)
            assert "Confirmée : toutes les communes ont accepté." in anew.text
            assert not anew.buttons
        finally:
            await sender.stop()
    edits = [
        (int(c.params["chat_id"]), int(c.params["message_id"]))
        for c in server.calls
        if c.method == "editMessageText" and c.params["message_id"] != str(card.message_id)
    ]
    # Anne's press, Lorient's rewrite, Loïc's press (Anne's refused edit is not counted). The
    # first two run at once (the press answers Anne while the outbox rewrites Loïc's): their
    # order at the server is not part of the claim.
    assert mine.message_id is not None and theirs.message_id is not None
    expected = [(ANNE, mine.message_id), (LOIC, theirs.message_id), (LOIC, theirs.message_id)]
    assert sorted(edits) == sorted(expected) and edits[-1] == (LOIC, theirs.message_id)
    async with sessions() as session:
        rewrites = (
            await session.scalars(select(OutboxMessage).where(OutboxMessage.edits.is_not(None)))
        ).all()
    assert [(r.recipient, r.status) for r in rewrites] == [
        (str(LOIC), OutboxStatus.SENT),
        (str(ANNE), OutboxStatus.SENT),
    ]
    assert rewrites[1].shown_as == anew.message_id
