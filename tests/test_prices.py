"""Reference prices: every catalogue item priced with a source and a date, the catalogue's
and a territory's own prices taking precedence, and the savings of the semester summary
valued with them, its method stated."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.costs import (
    CATALOGUE_SOURCE,
    PriceFileError,
    price_book,
    reference_prices,
    territory_prices,
)
from handlers.digests import DigestConfig
from storage.catalogue import load_catalogue
from tests.test_digests import JULY_1, play, summary

LORIENT = "200042174"
OWN = """
[sources.deliberation]
label = "délibération du conseil communautaire <n° 12>"
date = 2026-03-03

[prices]
barriere-vauban = { price = 80, source = "deliberation" }
ordinateur-portable = { price = 1000, source = "deliberation", date = 2026-04-01 }
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
