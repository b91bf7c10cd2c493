"""What the communes of a group order hear when a coordinator launches it, records its price,
closes it, gives it another carrier or adds needs to it from the page: one message a commune
and change, in French, by the real SMTP relay on loopback and the Bot API server on loopback
(a commune that joins hears of the launch; a form sent twice tells nobody twice); and two
coordinators acting on the same order at once (two instances of the page on the same store, SQLite file and
PostgreSQL): one acts, the other is told in French, nothing is done twice."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

import pytest
from aiohttp.test_utils import TestClient, TestServer
from aiosmtpd.smtp import SMTP
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery import deliver_due as deliver_to_chats
from bot.service import make_bot
from handlers.settings import Settings
from handlers.web.app import WebConfig, make_app
from mail.sending import Relay, deliver_due
from storage.database import create_engine, session_factory
from storage.members import add_member
from storage.models import ActionEntry, Commune, OutboxMessage, Proposal, ProposalStatus, Role
from tests.botapi import serving
from tests.test_mail_smtp import Sink
from tests.test_web import (
    COORDINATOR,
    NOW,
    Client,
    body,
    group_order,
    laptops,
    log_in,
    territory,
)

CLEGUER_CHAT = 3003  # a correspondent of Cléguer on Telegram
OTHER_COORDINATOR = "max@lorient.bzh"
QUEVEN = "achats@queven.bzh"  # Quéven's correspondent, whose need joins once launched
LORIENT = "achats@lorient.bzh"  # Lorient's correspondent, whose commune carries it a while


def plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ")


@pytest.fixture
async def client(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[Client]:
    await territory(sessions)
    async with sessions.begin() as session:
        cleguer = await session.get(Commune, "56040")
        assert cleguer is not None
        await add_member(session, cleguer, Role.CORRESPONDENT, telegram_id=CLEGUER_CHAT)
    app = make_app(WebConfig(sessions, lambda: NOW, secure=False))
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def mails(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[str, EmailMessage]]:
    """Every email due, handed to a relay on loopback: (recipient, mail) as it received them."""
    sink = Sink()
    server = await asyncio.get_running_loop().create_server(lambda: SMTP(sink), "127.0.0.1", 0)
    try:
        relay = Relay("127.0.0.1", server.sockets[0].getsockname()[1], "besoins@mutualise.example",
                      timeout=5)  # fmt: skip
        sent, failed = await deliver_due(sessions, relay, lambda: NOW)
    finally:
        server.close()
    assert sent and not failed
    found = []
    for envelope in sink.received:
        mail = message_from_bytes(envelope.original_content or b"", policy=default)
        assert isinstance(mail, EmailMessage)
        found += [(to, mail) for to in envelope.rcpt_tos]
    return found


def news(found: list[tuple[str, EmailMessage]], to: str, order_id: int) -> list[EmailMessage]:
    head = f"Groupement de commandes n° {order_id} : "
    return [m for r, m in found if r == to and str(m["Subject"]).startswith(head)]


def read(mail: EmailMessage) -> str:
    return plain(mail.get_body(("plain",)).get_content())  # type: ignore[union-attr]


async def chats(sessions: async_sessionmaker[AsyncSession], chat: int, order_id: int) -> list[str]:
    """The group order's news that a chat received, through the Bot API server on loopback."""
    async with serving() as (api, port):
        bot = make_bot(Settings(telegram_token=SecretStr("42:TEST-TOKEN"),
                                telegram_api=f"http://127.0.0.1:{port}"))  # fmt: skip
        try:
            assert await deliver_to_chats(sessions, bot, lambda: NOW)
        finally:
            await bot.session.close()
    return [plain(c.text) for c in api.calls
            if c.method == "sendMessage" and c.params.get("chat_id") == str(chat)
            and f"Groupement de commandes n° {order_id} :" in c.text]  # fmt: skip


async def launched(
    client: Client, sessions: async_sessionmaker[AsyncSession]
) -> tuple[str, Proposal, str]:
    """The scenario's group order launched by the coordinator, carried by Caudan: the page's
    form token, the order, its page."""
    form = await log_in(client, sessions, COORDINATOR)
    order = await group_order(sessions)
    url = f"/groupements/{order.id}"
    done = await client.post(f"{url}/lancer", data={"jeton": form, "porteur": "56036"})
    assert done.status == 200 and "Groupement lancé" in await body(done)
    return form, order, url


async def test_each_commune_hears_once_of_a_launch_a_price_and_a_closing(
    client: Client, sessions: async_sessionmaker[AsyncSession]
) -> None:
    form, order, url = await launched(client, sessions)
    again = await client.post(f"{url}/lancer", data={"jeton": form, "porteur": "56036"})
    assert again.status == 400
    assert "déjà lancé : Lou (Lorient Agglomération) l'a lancé le 1er juin 2027" in await body(
        again
    )
    for _ in range(2):  # the same price sent twice is recorded, and told, once
        priced = await client.post(f"{url}/prix", data={"jeton": form, "prix": "2 000,01 €"})
        assert priced.status == 200
    closed = await client.post(f"{url}/clore", data={"jeton": form})
    assert closed.status == 200 and "Groupement clos" in await body(closed)
    refused = await client.post(f"{url}/clore", data={"jeton": form})
    assert (
        "déjà clos ou annulé : Lou (Lorient Agglomération) l'a clos le 1er juin 2027"
        in await body(refused)
    )
    async with sessions() as session:
        logged = list(await session.scalars(select(ActionEntry.action).order_by(ActionEntry.id)))
    assert logged == ["lancer", "prix", "clore"]

    found = await mails(sessions)
    subjects = [f"Groupement de commandes n° {order.id} : {s}" for s in
                ("lancé", "prix obtenu", "clos")]  # fmt: skip
    caudan = news(found, "mairie@caudan.fr", order.id)
    assert [str(m["Subject"]) for m in caudan] == subjects
    launch, price, close = (read(m) for m in caudan)
    assert f"La coordination a lancé le groupement de commandes n° {order.id} " \
        "(5 ordinateurs portables), qui réunit Caudan et Cléguer ; il est porté par Caudan." \
        in launch  # fmt: skip
    assert "Part de Caudan : 3 ordinateurs portables, " in launch and "(estimation)" in launch
    assert "Elle porte la procédure pour les autres communes." in launch
    assert "Par Lou (coordination, Lorient Agglomération), le 1er juin 2027." in launch
    assert f"Échéance : {order.deadline.day}" in launch  # type: ignore[union-attr]
    assert "le prix obtenu pour le groupement" in price and "2 000,01 € en tout" in price
    assert "Part de Caudan : 3 ordinateurs portables, 1 200,01 € (au prix obtenu)." in price
    assert "la commande est passée" in close and "1 200,01 € (au prix obtenu)" in close
    cleguer = news(found, "mairie@cleguer.fr", order.id)
    assert [str(m["Subject"]) for m in cleguer] == subjects
    text = read(cleguer[1])
    assert "Part de Cléguer : 2 ordinateurs portables, 800,00 € (au prix obtenu)." in text
    assert "porte la procédure" not in text

    # Cléguer's correspondent on Telegram hears the same three, once each.
    said = await chats(sessions, CLEGUER_CHAT, order.id)
    assert len(said) == 3
    assert "Part de Cléguer : 2 ordinateurs portables, 800,00 € (au prix obtenu)." in said[1]


async def test_each_commune_hears_once_of_each_new_carrier_and_of_needs_that_join(
    client: Client, sessions: async_sessionmaker[AsyncSession]
) -> None:
    form, order, url = await launched(client, sessions)
    async with sessions.begin() as session:
        town = await session.get(Commune, "56121")
        assert town is not None
        await add_member(session, town, Role.CORRESPONDENT, emails=[LORIENT])
    # Cléguer, the same form twice (told once), then Lorient, then Caudan again: three changes.
    for carrier in ("56040", "56040", "56121", "56036"):
        moved = await client.post(f"{url}/porteur", data={"jeton": form, "porteur": carrier})
        assert moved.status == 200 and "Porteur enregistré" in await body(moved)
    joining = await laptops(sessions, "56185", 2, dt.date(2027, 7, 15))
    async with sessions.begin() as session:
        queven = await session.get(Commune, "56185")
        assert queven is not None
        await add_member(session, queven, Role.CORRESPONDENT, emails=[QUEVEN])
    for _ in range(2):  # the same needs sent twice join, and are told, once
        added = await client.post(f"{url}/ajouter", data={"jeton": form, "besoin": str(joining)})
        assert added.status == 200 and "Besoins ajoutés" in await body(added)
    async with sessions() as session:
        logged = list(await session.scalars(select(ActionEntry.action).order_by(ActionEntry.id)))
    assert logged == ["lancer", "porteur", "porteur", "porteur", "ajouter"]

    found = await mails(sessions)
    head = f"Groupement de commandes n° {order.id} : "
    caudan = news(found, "mairie@caudan.fr", order.id)
    assert [str(m["Subject"]).removeprefix(head) for m in caudan] == [
        "lancé", "nouveau porteur", "nouveau porteur", "nouveau porteur", "nouveaux besoins",
    ]  # fmt: skip
    to_cleguer, to_lorient, back = (read(m) for m in caudan[1:4])
    assert f"La coordination a changé le porteur du groupement de commandes n° {order.id} " \
        "(5 ordinateurs portables) : il est désormais porté par Cléguer, et non plus par " \
        "Caudan. Il réunit Caudan et Cléguer." in to_cleguer  # fmt: skip
    assert "Part de Caudan : 3 ordinateurs portables, 2 400,00 € (estimation)." in to_cleguer
    assert "Par Lou (coordination, Lorient Agglomération), le 1er juin 2027." in to_cleguer
    assert "porté par Lorient, et non plus par Cléguer" in to_lorient
    assert "porté par Caudan, et non plus par Lorient" in back
    assert "Elle porte la procédure pour les autres communes." in back
    joined = read(caudan[4])
    assert f"La coordination a ajouté au groupement de commandes n° {order.id} " \
        "(7 ordinateurs portables) les besoins d'achat de Quéven : il réunit désormais " \
        "Caudan, Cléguer et Quéven ; il est porté par Caudan." in joined  # fmt: skip
    assert "Part de Caudan : 3 ordinateurs portables, 2 400,00 € (estimation)." in joined
    # Lorient, which carried it for a while, hears when it carries it and when it no longer does.
    carried = news(found, LORIENT, order.id)
    assert [str(m["Subject"]).removeprefix(head) for m in carried] == [
        "nouveau porteur", "nouveau porteur",
    ]  # fmt: skip
    assert "Lorient porte la procédure pour les communes du groupement" in read(carried[0])
    assert "Lorient ne porte plus la procédure, et n'achète rien" in read(carried[1])
    # Quéven, new to the order, hears of its launch (once), with its share; not of the rest.
    told = news(found, QUEVEN, order.id)
    assert [str(m["Subject"]) for m in told] == [f"{head}lancé"]
    text = read(told[0])
    assert f"La coordination a ajouté le besoin d'achat de Quéven au groupement de commandes " \
        f"n° {order.id} (7 ordinateurs portables), déjà lancé : il réunit désormais Caudan, " \
        "Cléguer et Quéven ; il est porté par Caudan." in text  # fmt: skip
    assert "Part de Quéven : 2 ordinateurs portables, 1 600,00 € (estimation)." in text

    # Cléguer's correspondent on Telegram hears the same, once each.
    said = await chats(sessions, CLEGUER_CHAT, order.id)
    assert len(said) == 5
    assert "Part de Cléguer : 2 ordinateurs portables, 1 600,00 € (estimation)." in said[4]
    assert "Elle porte la procédure pour les autres communes." in said[1]


@contextlib.asynccontextmanager
async def two_apps(
    sessions: async_sessionmaker[AsyncSession], store_url: str
) -> AsyncIterator[tuple[Client, Client]]:
    """Two instances of the page on the same store (each its own engine, as two processes
    would have), one coordinator logged in to each."""
    other = create_engine(store_url)
    try:
        apps = [make_app(WebConfig(s, lambda: NOW, secure=False))
                for s in (sessions, session_factory(other))]  # fmt: skip
        async with (
            TestClient(TestServer(apps[0])) as first,
            TestClient(TestServer(apps[1])) as second,
        ):
            yield first, second
    finally:
        await other.dispose()


async def second_coordinator(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Max, a second coordinator of Lorient Agglomération."""
    async with sessions.begin() as session:
        lorient = await session.get(Commune, "56121")
        assert lorient is not None
        await add_member(session, lorient, Role.COORDINATOR, emails=[OTHER_COORDINATOR],
                         name="Max")  # fmt: skip


async def both(
    clients: tuple[Client, Client], path: str, forms: tuple[dict[str, str], dict[str, str]]
) -> tuple[list[int], str]:
    """The same form sent by both coordinators at once: their statuses (sorted), and what
    the one refused read."""
    answers = await asyncio.gather(*(c.post(path, data=f, allow_redirects=False)
                                     for c, f in zip(clients, forms, strict=True)))  # fmt: skip
    refused = [await body(a) for a in answers if a.status != 303]
    return sorted(a.status for a in answers), " ".join(refused)


async def test_two_coordinators_launching_or_closing_at_once_act_once(
    sessions: async_sessionmaker[AsyncSession], store_url: str
) -> None:
    await territory(sessions)
    await second_coordinator(sessions)
    order = await group_order(sessions)
    url = f"/groupements/{order.id}"
    async with two_apps(sessions, store_url) as clients:
        tokens = (await log_in(clients[0], sessions, COORDINATOR),
                  await log_in(clients[1], sessions, OTHER_COORDINATOR))  # fmt: skip
        statuses, refused = await both(clients, f"{url}/lancer", (
            {"jeton": tokens[0], "porteur": "56036"}, {"jeton": tokens[1], "porteur": "56040"},
        ))  # fmt: skip
        assert statuses == [303, 400], refused
        assert f"Le groupement n° {order.id} est déjà lancé : " in refused
        assert "rien n'a été refait" in refused
        statuses, refused = await both(clients, f"{url}/clore",
                                       ({"jeton": tokens[0]}, {"jeton": tokens[1]}))  # fmt: skip
        assert statuses == [303, 400], refused
        assert f"Le groupement n° {order.id} est déjà clos ou annulé : " in refused
    async with sessions() as session:
        logged = list(await session.scalars(select(ActionEntry.action).order_by(ActionEntry.id)))
        told = list(await session.scalars(
            select(OutboxMessage.subject).where(OutboxMessage.recipient == "mairie@caudan.fr",
                                                OutboxMessage.created_at >= NOW)
        ))  # fmt: skip
    assert logged == ["lancer", "clore"]
    assert sorted(s for s in told if s and s.startswith("Groupement de commandes")) == [
        f"Groupement de commandes n° {order.id} : clos",
        f"Groupement de commandes n° {order.id} : lancé",
    ]
    assert (await group_order(sessions)).status is ProposalStatus.DONE
