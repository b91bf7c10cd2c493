"""Cost keys: how a shared cost is split between communes, fairly, legibly, to the cent.

A key mixes bases with weights: equal shares, population, quantity, days of use
("egal:50,population:50"). Shares are computed in cents and rounded by the largest
remainder, so that they always add up exactly to the total.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency

from storage.errors import MutualiseError

BASES = {
    "egal": "à parts égales",
    "population": "au prorata de la population",
    "quantite": "au prorata des quantités",
    "jours": "au prorata des jours d'usage",
}


class CostKeyError(MutualiseError):
    """A cost key is written wrongly."""


@dataclass(frozen=True)
class CostKey:
    """Bases and their weights, in percent; the weights add up to 100."""

    weights: tuple[tuple[str, int], ...]

    @classmethod
    def parse(cls, text: str) -> CostKey:
        """ "egal:50,population:50" -> a key; a single base needs no weight ("population")."""
        weights = []
        for piece in filter(None, (p.strip() for p in text.split(","))):
            base, _, weight = piece.partition(":")
            if base not in BASES or (weight and not weight.isdigit()):
                msg = (
                    f"Clé de répartition illisible : « {piece} ». Bases possibles : "
                    f"{', '.join(BASES)}, avec un poids en pourcentage (ex. egal:50,population:50)."
                )
                raise CostKeyError(msg)
            weights.append((base, int(weight) if weight else 100))
        if not weights or sum(w for _, w in weights) != 100:
            msg = f"Clé de répartition « {text} » : les poids doivent faire 100 au total."
            raise CostKeyError(msg)
        return cls(tuple(weights))

    def explain(self) -> str:
        """ "50 % à parts égales et 50 % au prorata de la population"."""
        if len(self.weights) == 1:
            return f"Répartition {BASES[self.weights[0][0]]}."
        parts = [f"{w} % {BASES[b]}" for b, w in self.weights]
        return f"Répartition : {', '.join(parts[:-1])} et {parts[-1]}."


def split(
    total: Decimal, key: CostKey, measures: Mapping[str, Mapping[str, float]]
) -> dict[str, Decimal]:
    """Each commune's share of `total` euros. `measures` gives, for each commune, its
    population, quantity and days; equal shares need none."""
    communes = list(measures)
    if not communes:
        return {}
    cents = int((total * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    exact = dict.fromkeys(communes, 0.0)
    for base, weight in key.weights:
        values = {c: 1.0 if base == "egal" else float(measures[c].get(base, 0)) for c in communes}
        whole = sum(values.values()) or float(len(communes))
        for commune in communes:
            value = values[commune] if sum(values.values()) else 1.0
            exact[commune] += cents * weight / 100 * value / whole
    floors = {c: int(exact[c]) for c in communes}
    left = cents - sum(floors.values())
    # The largest remainders get the cents left over; the order of the list breaks ties.
    for commune in sorted(communes, key=lambda c: (-(exact[c] - floors[c]), communes.index(c)))[
        :left
    ]:
        floors[commune] += 1
    return {c: (Decimal(floors[c]) / 100).quantize(Decimal("0.01")) for c in communes}


def euros(amount: Decimal) -> str:
    """ "1 234,50 €"."""
    return format_currency(amount, "EUR", locale="fr_FR")
