"""Cost keys: shares to the cent that always add up to the total."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from babel.numbers import format_currency

from handlers.costs import CostKey, CostKeyError, euros, split

MEASURES = {
    "56121": {"population": 57149, "quantite": 1, "jours": 2},
    "56193": {"population": 5622, "quantite": 2, "jours": 5},
    "56062": {"population": 675, "quantite": 0, "jours": 3},
}


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("egal", {"56121": "333.34", "56193": "333.33", "56062": "333.33"}),
        ("population", {"56121": "900.75", "56193": "88.61", "56062": "10.64"}),
        ("quantite", {"56121": "333.33", "56193": "666.67", "56062": "0.00"}),
        ("jours", {"56121": "200.00", "56193": "500.00", "56062": "300.00"}),
    ],
)
def test_each_basis(key: str, expected: dict[str, str]) -> None:
    shares = split(Decimal("1000.00"), CostKey.parse(key), MEASURES)
    assert {c: str(v) for c, v in shares.items()} == expected
    assert sum(shares.values()) == Decimal("1000.00")


def test_a_mix_adds_up_exactly() -> None:
    key = CostKey.parse("egal:50,population:50")
    for total in ("1000.00", "999.99", "0.01", "12345.67"):
        shares = split(Decimal(total), key, MEASURES)
        assert sum(shares.values()) == Decimal(total)
    assert key.explain() == (
        "Répartition : 50 % à parts égales et 50 % au prorata de la population."
    )


@pytest.mark.parametrize("text", ["", "egal:60,population:60", "surface", "egal:cinquante"])
def test_wrong_keys_are_explained(text: str) -> None:
    with pytest.raises(CostKeyError, match="Clé de répartition"):
        CostKey.parse(text)


def test_euros_are_written_as_babel_writes_them_in_french() -> None:
    rng = random.Random(19)
    amounts = [Decimal(v) for v in ("0", "-0", "0.005", "0.015", "2.675", "-0.005", "999.995",
                                    "45000", "1e9", "12.345")]  # fmt: skip
    amounts += [
        Decimal(rng.randrange(-(10**9), 10**9)) / 10 ** rng.randrange(4) for _ in range(2000)
    ]
    for amount in amounts:
        assert euros(amount) == format_currency(amount, "EUR", locale="fr_FR"), amount
