"""A group order of several items of one family: matching values it with the price book, each
item at its own price and each commune's quantity counted in value; its page lists the open
needs of the family that could join it; launched with one, and priced, its shares follow.
Through the real inbox, the page's aiohttp test client, a SQLite file and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.costs import CostKey, split
from handlers.digests import Rendered
from handlers.inbound import Inbound
from handlers.inbox import Inbox
from handlers.web.app import WebConfig, make_app
from storage.members import add_member
from storage.models import Commune, Need, NeedKind, NeedStatus, Proposal, ProposalKind, Role
from tests.test_digests import PARIS, READER, summary
from tests.test_web import COORDINATOR, NOW, Client, body, log_in

CAUDAN, QUEVEN, LANESTER = "56036", "56185", "56098"


@pytest.fixture
async def client(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[Client]:
    """Caudan buys a ride-on mower, Quéven four brush cutters: one order of the family
    « espaces verts »; Lanester buys two mowers, due too late to be in it."""
    inbox = Inbox(sessions, READER)
    for day, sender, text in (
        (5, "mairie@caudan.fr", "Nous devons acheter 1 tondeuse autoportée avant septembre"),
        (6, "mairie@mairie-queven.fr", "Nous devons acheter 4 débroussailleuses avant fin août"),
    ):
        await inbox.receive(Inbound.from_line(sender, text, dt.datetime(2027, 5, day, 9,
                                                                         tzinfo=PARIS)))  # fmt: skip
    async with sessions.begin() as session:
        lorient = await session.get(Commune, "56121")
        assert lorient is not None
        await add_member(session, lorient, Role.COORDINATOR, emails=[COORDINATOR], name="Lou")
        session.add(Need(commune_insee=LANESTER, kind=NeedKind.PURCHASE, item_id="tondeuse",
                         item_label="tondeuses", quantity=2, deadline=dt.date(2028, 6, 1),
                         channel="cli", status=NeedStatus.OPEN))  # fmt: skip
    app = make_app(WebConfig(sessions, lambda: NOW, secure=False))
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def family_order(sessions: async_sessionmaker[AsyncSession]) -> Proposal:
    async with sessions() as session:
        found = await session.scalar(select(Proposal).where(
            Proposal.kind == ProposalKind.GROUP_ORDER, Proposal.family_id == "espaces-verts"
        ))  # fmt: skip
        assert found is not None and found.item_id is None
        return found


def shares(order: Proposal) -> dict[str, Decimal]:
    assert order.cost_key is not None
    return {k: Decimal(v) for k, v in order.cost_key["shares"].items()}


async def test_a_family_order_is_estimated_listed_with_its_joinable_needs_launched_and_priced(
    client: Client, sessions: async_sessionmaker[AsyncSession]
) -> None:
    order = await family_order(sessions)
    # Each item at its reference price; by quantity, counted in value: a mower is no cutter.
    assert order.cost_key is not None and order.cost_key["total"] == "17400.00"
    assert shares(order) == {CAUDAN: Decimal("15000.00"), QUEVEN: Decimal("2400.00")}
    said = order.cost_key["explanation"].replace("\u202f", " ").replace("\xa0", " ")
    assert "Coût estimé 17 400,00 €" in said
    assert "(1 tondeuse autoportée à 15 000,00 € ; 4 débroussailleuses à 600,00 €)" in said
    assert "les quantités comptées en valeur" in said

    form = await log_in(client, sessions, COORDINATOR)
    text = await body(await client.get("/"))
    assert f"peut rejoindre le groupement n° {order.id}" in text
    assert "1 besoin ouvert pourrait le rejoindre" in text
    text = await body(await client.get(f"/groupements/{order.id}"))
    assert "Lanester : 2 tondeuses, avant le 1er juin 2028" in text
    async with sessions() as session:
        lanester = await session.scalar(select(Need.id).where(Need.commune_insee == LANESTER))
    launched = await client.post(f"/groupements/{order.id}/lancer",
                                 data={"jeton": form, "porteur": CAUDAN, "besoin": str(lanester)})  # fmt: skip
    assert launched.status == 200 and "Groupement lancé" in await body(launched)
    order = await family_order(sessions)
    assert order.cost_key is not None and order.cost_key["total"] == "19000.00"
    assert shares(order)[LANESTER] == Decimal("1600.00")  # two mowers at 800 €
    assert "peut rejoindre" not in await body(await client.get("/"))

    priced = await client.post(f"/groupements/{order.id}/prix",
                               data={"jeton": form, "prix": "18 000"})  # fmt: skip
    assert priced.status == 200
    order = await family_order(sessions)
    value = {CAUDAN: {"quantite": 15000.0}, QUEVEN: {"quantite": 2400.0},
             LANESTER: {"quantite": 1600.0}}  # fmt: skip
    assert shares(order) == split(Decimal("18000.00"), CostKey.parse("quantite"), value)
    assert sum(shares(order).values()) == Decimal("18000.00")
    assert shares(order)[CAUDAN] > Decimal("14000")  # not a seventh, as by counting items


def said(rendered: Rendered) -> str:
    return rendered.text.replace("\xa0", " ").replace("\u202f", " ")


async def test_the_summary_counts_a_family_orders_savings_at_each_needs_price_then_obtained(
    client: Client, sessions: async_sessionmaker[AsyncSession]
) -> None:
    order = await family_order(sessions)
    # Proposed: 10 % of 1 mower at 15 000 € and 4 brush cutters at 600 €, each its own price.
    text = said(await summary(sessions, NOW))
    assert "Économies estimées : 0 € confirmées, 1 740 € en attente" in text
    assert "- Caudan : " in text and "0 € d'économies confirmées (1 500 € en attente)" in text
    assert "0 € d'économies confirmées (240 € en attente)" in text
    assert "Prix retenus : débroussailleuse 600 € ; tondeuse autoportée 15 000 €." in text
    assert "dans un groupement d'une famille, chaque besoin au prix de son propre article" in text

    form = await log_in(client, sessions, COORDINATOR)
    url = f"/groupements/{order.id}"
    assert (
        await client.post(f"{url}/lancer", data={"jeton": form, "porteur": CAUDAN})
    ).status == 200
    assert "Économies estimées : 1 740 € confirmées, 0 € en attente" in said(
        await summary(sessions, NOW)
    )
    # Priced 16 000 €: 10 % of each commune's part of the price obtained, not of the estimate.
    assert (await client.post(f"{url}/prix", data={"jeton": form, "prix": "16 000"})).status == 200
    parts = shares(await family_order(sessions))
    assert parts == {CAUDAN: Decimal("13793.10"), QUEVEN: Decimal("2206.90")}
    text = said(await summary(sessions, NOW))
    assert "Économies estimées : 1 600 € confirmées, 0 € en attente" in text
    assert "1 379 € d'économies confirmées" in text and "221 € d'économies confirmées" in text
    assert "sa part du prix obtenu, selon la clé de répartition" in text
    assert "Prix retenus" not in text  # no saving is left at a unit price
