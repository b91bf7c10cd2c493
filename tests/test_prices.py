"""Reference prices: every catalogue item priced with a source and a date, the catalogue's
and a territory's own prices taking precedence, and the savings of the semester summary
valued with them, its method stated."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.notices import render as render_chat
from handlers.costs import (
    CATALOGUE_SOURCE,
    PriceFileError,
    price_book,
    reference_prices,
    territory_prices,
)
from handlers.digests import DigestConfig, matching_digest
from handlers.group_orders import record_price
from handlers.inbound import Inbound
from handlers.inbox import Inbox
from handlers.matching import MatchingConfig, ReferenceCache, match
from handlers.notices import Notice
from mail.notices import render as render_mail
from storage import views
from storage.access import Visitor
from storage.catalogue import load_catalogue
from storage.members import add_member
from storage.models import (
    Channel,
    Commune,
    OutboxMessage,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Role,
)
from tests.test_digests import JULY_1, PARIS, READER, play, summary

LORIENT = "200042174"
OWN = """
[sources.deliberation]
label = "délibération du conseil communautaire <n° 12>"
date = 2026-03-03

[prices]
barriere-vauban = { price = 80, source = "deliberation" }
ordinateur-portable = { price = 1000, source = "deliberation", date = 2026-04-01 }
tondeuse-autoportee = { price = 12345.67, source = "deliberation" }
"""


def test_every_catalogue_item_has_an_estimated_price_with_its_source_and_date() -> None:
    catalogue = load_catalogue()
    prices = reference_prices()
    assert {i.id for i in catalogue.items} <= set(prices)
    assert set(prices) <= {i.id for i in catalogue.items}  # no price for an unknown item
    for item_id, price in prices.items():
        assert price.amount > 0, item_id
        assert price.source.startswith("estimation d'après"), item_id
        assert price.date is not None and price.date.year >= 2026, item_id
    # Where the bundled catalogue gives a price, it is the reference's: one figure, not two.
    for item in catalogue.items:
        if item.price is not None:
            assert prices[item.id].amount == item.price, item.id


def test_the_territory_then_the_catalogue_then_the_estimate(tmp_path: Path) -> None:
    (tmp_path / f"prices-{LORIENT}.toml").write_text(OWN, "utf-8")
    book = price_book(LORIENT, {"table": 95.0, "chaise": 30.0, "barriere-vauban": 50.0},
                      [tmp_path])  # fmt: skip
    vauban = book.get("barriere-vauban")
    assert vauban is not None and vauban.amount == 80
    assert vauban.cited == "délibération du conseil communautaire <n° 12> (mars 2026)"
    laptop = book.get("ordinateur-portable")
    assert laptop is not None and laptop.date == dt.date(2026, 4, 1)
    table = book.get("table")  # the catalogue's own figure, not the estimate (90)
    assert table is not None and (table.amount, table.source) == (95.0, CATALOGUE_SOURCE)
    chair = book.get("chaise")  # the catalogue repeats the estimate: the estimate is cited
    assert chair is not None and chair.source.startswith("estimation")
    other = price_book("200067932", {}, [tmp_path])  # another territory: not its file
    assert other.get("barriere-vauban") == reference_prices()["barriere-vauban"]
    assert book.get(None) is None and book.get("nothing-of-the-sort") is None


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("[prices]\nbarnum = { price = -3, source = 'x' }", "nombre positif"),
        ("[prices]\nbarnum = { price = 3, source = 'nowhere' }", "[sources]"),
        ("[sources.x]\nlabel = 'l'\n[prices]\nbarnum = { price = 3, source = 'x', date = '3 mars' }",
         "AAAA-MM-JJ"),
        ("[prices\n", "syntaxe TOML"),
    ],
)  # fmt: skip
def test_a_wrong_prices_file_is_refused_with_a_french_reason(
    tmp_path: Path, text: str, said: str
) -> None:
    path = tmp_path / f"prices-{LORIENT}.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(PriceFileError) as caught:
        territory_prices(LORIENT, [tmp_path])
    assert said in str(caught.value) and str(path) in str(caught.value)


async def test_the_summary_values_savings_with_the_territorys_prices(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await play(sessions)  # 40 barrières Vauban lent; 5 laptops in a group order
    bundled = await summary(sessions, JULY_1)
    text = bundled.text.replace("\xa0", " ").replace("\u202f", " ")
    assert "Économies estimées : 2 000 € confirmées, 400 € en attente" in text
    assert "Prix retenus : barrière Vauban 50 € ; ordinateur portable 800 €." in text
    assert "Sources : estimation d'après les catalogues d'achat public" in text
    assert "(janvier 2026)" in text

    (tmp_path / f"prices-{LORIENT}.toml").write_text(OWN, "utf-8")
    own = await summary(sessions, JULY_1, DigestConfig(templates=tmp_path))
    text = own.text.replace("\xa0", " ").replace("\u202f", " ")
    # 40 × 80 € spared to Riantec; 10 % of 5 × 1 000 € for the group order.
    assert "Économies estimées : 3 200 € confirmées, 500 € en attente" in text
    assert "Sources : délibération du conseil communautaire <n° 12> (mars 2026)" in text
    assert "le prix que le territoire a fixé, sinon celui du catalogue" in text
    assert "délibération du conseil communautaire &lt;n° 12&gt; (mars 2026)" in own.html
    assert "<n° 12>" not in own.html  # a territory's own words are escaped like any other
    book = openpyxl.load_workbook(io.BytesIO(own.files["besoins.xlsx"][1]))
    rows = list(book["Prix"].iter_rows(min_row=2, values_only=True))
    assert rows == [
        ("barrière Vauban", 80, "délibération du conseil communautaire <n° 12>", "mars 2026"),
        (
            "ordinateur portable",
            1000,
            "délibération du conseil communautaire <n° 12>",
            "avril 2026",
        ),
    ]
    # Once the price obtained for the laptops is recorded, the savings are 10 % of it.
    async with sessions.begin() as session:
        laptops = await session.scalar(
            select(Proposal.id).where(Proposal.kind == ProposalKind.GROUP_ORDER)
        )
        assert laptops is not None
        await record_price(session, await coordinator(session), laptops, "3 000", JULY_1)
    text = flat((await summary(sessions, JULY_1, DigestConfig(templates=tmp_path))).text)
    assert "Économies estimées : 3 200 € confirmées, 300 € en attente" in text
    assert "Prix retenus : barrière Vauban 80 €." in text


# A group order of an item the bundled catalogue does not price: only the reference does
# (15 000 € a ride-on mower). Caudan buys 2, Cléguer 1; Cléguer reads Telegram.
MOWERS = [
    ("mairie@caudan.fr", "Nous devons acheter 2 tondeuses autoportées avant septembre", 4),
    ("mairie@cleguer.fr", "Besoin d'acheter une tondeuse autoportée d'ici fin juillet", 5),
]
CLEGUER_CHAT = 4242


def flat(text: str) -> str:
    """Babel's narrow and non-breaking spaces as plain ones, for reading."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


async def mower_order(
    sessions: async_sessionmaker[AsyncSession], matching: MatchingConfig | None = None
) -> Proposal:
    """The two purchases through the real inbox; the group order they make."""
    async with sessions.begin() as session:
        cleguer = await session.get(Commune, "56040")
        assert cleguer is not None
        await add_member(session, cleguer, Role.CORRESPONDENT, telegram_id=CLEGUER_CHAT)
    inbox = Inbox(sessions, READER, matching)
    for sender, text, day in MOWERS:
        await inbox.receive(
            Inbound.from_line(sender, text, dt.datetime(2027, 5, day, 9, tzinfo=PARIS))
        )
    async with sessions() as session:
        (order,) = await session.scalars(
            select(Proposal).where(Proposal.kind == ProposalKind.GROUP_ORDER)
        )
        return order


async def shown(sessions: async_sessionmaker[AsyncSession], order: Proposal) -> dict[str, str]:
    """The latest text of the order's notice on each channel: Telegram HTML as the bot
    sends it, the mail's text as the mail adapter writes it."""
    async with sessions() as session:
        queued = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.dedupe_key.like(f"proposal:{order.id}%"))
            .order_by(OutboxMessage.id)
        )
        texts = {}
        for message in queued:
            if message.channel is Channel.TELEGRAM:
                texts["telegram"] = render_chat(Notice.of(message))[0]
            else:
                texts["email"] = render_mail(message)[0]
        return {channel: flat(text) for channel, text in texts.items()}


def own_prices(folder: Path) -> MatchingConfig:
    """Matching with Lorient Agglomération's own prices file in `folder`."""
    (folder / f"prices-{LORIENT}.toml").write_text(OWN, "utf-8")
    return MatchingConfig(price_folders=(folder,))


def shares(order: Proposal) -> dict[str, Decimal]:
    assert order.cost_key is not None
    return {c: Decimal(v) for c, v in order.cost_key["shares"].items()}


async def test_a_group_order_priced_only_by_the_reference_shows_its_shares(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    assert next(i for i in load_catalogue().items if i.id == "tondeuse-autoportee").price is None
    order = await mower_order(sessions)
    assert order.quantity == 3 and order.cost_key is not None
    # By quantity (the group key), to the cent, adding up to 3 × 15 000 €.
    assert shares(order) == {"56036": Decimal("30000.00"), "56040": Decimal("15000.00")}
    assert order.cost_key["total"] == "45000.00" and not order.cost_key.get("obtained")
    said = (
        "Répartition au prorata des quantités. Coût estimé 45 000,00 € (Caudan 30 000,00 € ; "
        "Cléguer 15 000,00 €), hors taxes, au prix unitaire de 15 000,00 € ; source : "
        "estimation d'après les catalogues d'achat public (UGAP) et des fournisseurs des "
        "collectivités (janvier 2026). Le prix obtenu remplacera cette estimation."
    )
    assert flat(order.cost_key["explanation"]) == said
    texts = await shown(sessions, order)
    assert set(texts) == {"telegram", "email"}
    for text in texts.values():  # the commune reads its share where it reads the proposal
        assert "Cléguer 15 000,00 €" in text and "source : estimation d'après" in text
    async with sessions() as session:
        (scope,) = await views.territories(session)
        items = await views.catalogue(session)
        digest = await matching_digest(session, scope, items, JULY_1, None, None, DigestConfig())
    assert said in flat(digest.text) and "Caudan 30 000,00 €" in flat(digest.html)
    semester = await summary(sessions, JULY_1)
    assert "- Caudan : 2, 30 000,00 €" in flat(semester.text) and said in flat(semester.text)


async def test_a_territorys_prices_change_the_shares_of_its_proposals(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    own = own_prices(tmp_path)
    order = await mower_order(sessions, own)
    # 3 × 12 345,67 € = 37 037,01 €: two thirds and one third, to the cent.
    assert shares(order) == {"56036": Decimal("24691.34"), "56040": Decimal("12345.67")}
    assert sum(shares(order).values()) == Decimal("37037.01")
    cited = "source : délibération du conseil communautaire <n° 12> (mars 2026)"
    assert cited in order.cost_key["explanation"]  # type: ignore[index]
    texts = await shown(sessions, order)
    assert cited in texts["email"]
    assert cited.replace("<", "&lt;").replace(">", "&gt;") in texts["telegram"]  # escaped


async def test_a_prices_file_edited_later_revalues_the_proposals_still_unanswered(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    order = await mower_order(sessions)
    async with sessions.begin() as session:
        report = await match(session, own_prices(tmp_path))
    assert report.kept == 1 and not report.created and not report.withdrawn
    async with sessions() as session:
        again = await session.get(Proposal, order.id)
        assert again is not None and shares(again)["56040"] == Decimal("12345.67")


async def coordinator(session: AsyncSession) -> Visitor:
    """A coordinator of Lorient Agglomération, as the page sees them."""
    lorient = await session.get(Commune, "56121")
    assert lorient is not None
    member = await add_member(session, lorient, Role.COORDINATOR, name="Coord")
    await session.flush()
    return Visitor(member.id, "Coord", None, "Lorient Agglomération", Role.COORDINATOR,
                   lorient.territory_id, "jeton")  # fmt: skip


async def test_a_price_recorded_by_the_coordinator_wins(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    own = own_prices(tmp_path)
    order = await mower_order(sessions, own)
    at = dt.datetime(2027, 6, 2, 10, tzinfo=PARIS)
    async with sessions.begin() as session:
        got = await record_price(session, await coordinator(session), order.id, "40 000,01", at)
    assert got == {"56036": Decimal("26666.67"), "56040": Decimal("13333.34")}
    # A third commune buying a mower later, and matching again with the territory's prices,
    # leave the order and its price obtained as they are.
    inbox = Inbox(sessions, READER, own)
    late = "Nous devons acheter une tondeuse autoportée avant fin août"
    await inbox.receive(Inbound.from_line("mairie@mairie-queven.fr", late, at))
    async with sessions.begin() as session:
        await match(session, own)
    async with sessions() as session:
        kept = await session.get(Proposal, order.id)
        assert kept is not None and kept.status is ProposalStatus.PROPOSED
        assert kept.cost_key is not None and kept.cost_key["obtained"] is True
        assert shares(kept) == got and "source" not in kept.cost_key
    said = (
        "Prix obtenu 40 000,01 € (Caudan 26 666,67 € ; Cléguer 13 333,34 €), enregistré par "
        "le coordinateur le 2 juin 2027 : il remplace l'estimation."
    )
    assert said in flat(kept.cost_key["explanation"])
    # The chat that shows the proposal now reads the price obtained, not the estimate.
    assert said in (await shown(sessions, order))["telegram"]
    semester = await summary(sessions, JULY_1)
    assert said in flat(semester.text) and "Prix obtenu</th>" in semester.html


async def test_the_service_reads_a_territorys_prices_once_a_minute_not_per_message(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    clock = [0.0]
    cache = ReferenceCache(ttl=60, clock=lambda: clock[0], price_folders=[tmp_path])
    async with sessions() as session:
        first = (await cache.get(session)).books[LORIENT].get("tondeuse-autoportee")
        own_prices(tmp_path)  # written meanwhile: seen at the next reading only
        clock[0] = 59
        kept = (await cache.get(session)).books[LORIENT].get("tondeuse-autoportee")
        clock[0] = 61
        again = (await cache.get(session)).books[LORIENT].get("tondeuse-autoportee")
    assert first is not None and first == kept and first.amount == 15000
    assert again is not None and again.amount == 12345.67
