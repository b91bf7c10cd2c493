"""Cost keys: how a shared cost is split between communes, fairly, legibly, to the cent;
and the reference prices that value what the communes share.

A key mixes bases with weights: equal shares, population, quantity, days of use
("egal:50,population:50"). Shares are computed in cents and rounded by the largest
remainder, so that they always add up exactly to the total.

Reference prices (`storage/data/prices.toml`) give every catalogue item an estimated unit
price with its source and date; a territory's `prices-<EPCI>.toml` replaces some.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

from storage.errors import MutualiseError
from storage.labels import amount

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
    """ "1 234,50 €", as babel writes euros in French (a narrow no-break space between
    thousands, a no-break space before the sign, halves to even), thirty times quicker:
    matching writes one for each commune of each proposal it values."""
    value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    return f"{value:,.2f}".replace(",", "\u202f").replace(".", ",") + "\xa0€"


def costs(
    total: Decimal,
    key: CostKey,
    measures: Mapping[str, Mapping[str, float]],
    names: Mapping[str, str],
    origin: tuple[str, str],
    **kept: object,
) -> dict[str, Any]:
    """A proposal's costs as stored with it: its key, total, each commune's share to the
    cent and the French sentence that says them. `origin` is what comes before the total
    and after the shares: "Coût estimé" and the price's source, or "Prix obtenu" and who
    recorded it."""
    shares = split(total, key, measures)
    listed = " ; ".join(f"{names.get(c, c)} {euros(v)}" for c, v in shares.items())
    head, tail = origin
    return {
        "key": ",".join(f"{b}:{w}" for b, w in key.weights),
        "explanation": f"{key.explain()} {head} {euros(total)} ({listed}){tail}",
        "total": str(total),
        "shares": {c: str(v) for c, v in shares.items()},
        **kept,
    }


class PriceFileError(MutualiseError):
    """A prices file is malformed; the message names the file and the entry, in French."""


@dataclass(frozen=True)
class Price:
    """An item's unit price (euros, before tax) and where it comes from."""

    amount: float
    source: str
    date: dt.date | None = None

    @property
    def cited(self) -> str:
        """ "estimation d'après …, 2026 (janvier 2026)"; the month says how old it is."""
        if self.date is None:
            return self.source
        return f"{self.source} ({format_month(self.date)})"


_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre")  # fmt: skip
CATALOGUE_SOURCE = "prix indiqué au catalogue"


def format_month(day: dt.date) -> str:
    """ "janvier 2026"."""
    return f"{_MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class PriceBook:
    """The unit price of each item for one territory: the territory's own prices first,
    then the catalogue's, then the reference estimates."""

    prices: Mapping[str, Price]

    def get(self, item_id: str | None) -> Price | None:
        """The price of an item, if known."""
        return self.prices.get(item_id or "")

    def estimate(
        self,
        item_id: str | None,
        quantity: int | None,
        key: CostKey,
        measures: Mapping[str, Mapping[str, float]],
        names: Mapping[str, str],
    ) -> dict[str, Any] | None:
        """The estimated costs of `quantity` of an item split by `key`, saying the unit
        price and its source; None when the item has no price or there is no quantity."""
        price = self.get(item_id)
        if price is None or not quantity:
            return None
        unit = Decimal(str(price.amount))
        total = (unit * quantity).quantize(Decimal("0.01"))
        return costs(total, key, measures, names, estimated(unit, price.cited),
                     unit_price=str(unit), source=price.cited)  # fmt: skip

    def estimate_family(
        self,
        lines: Sequence[tuple[str, str | None, int | None]],
        words: Mapping[str, tuple[str, str]],
        key: CostKey,
        measures: Mapping[str, Mapping[str, float]],
        names: Mapping[str, str],
    ) -> dict[str, Any] | None:
        """The estimated costs of a family's group order (`lines`: the commune, item and
        quantity of each of its needs), each item at its own unit price, split by `key`
        with a commune's quantity counted as the value of what it buys (`valued`). None
        when an item has no price or a quantity is unknown."""
        quantities: dict[str, int] = {}
        for _, item, quantity in lines:
            if item is None or quantity is None or self.get(item) is None:
                return None
            quantities[item] = quantities.get(item, 0) + quantity
        known = {i: p for i in quantities if (p := self.get(i)) is not None}
        if not known:
            return None
        units = {i: Decimal(str(p.amount)) for i, p in known.items()}
        total = sum((units[i] * q for i, q in quantities.items()), Decimal(0))
        detail = " ; ".join(
            f"{amount(q, *words.get(i, (i, i)))} à {euros(units[i])}" for i, q in quantities.items()
        )
        cited = " ; ".join(dict.fromkeys(p.cited for p in known.values()))
        tail = (
            f", hors taxes, chaque article à son prix unitaire ({detail}) ; source : {cited} ; "
            "les quantités comptées en valeur. Le prix obtenu remplacera cette estimation."
        )
        return costs(total.quantize(Decimal("0.01")), key, valued(measures, lines, units),
                     names, ("Coût estimé", tail),
                     unit_prices={i: str(u) for i, u in units.items()}, source=cited)  # fmt: skip


def valued(
    measures: Mapping[str, Mapping[str, float]],
    lines: Iterable[tuple[str, str | None, int | None]],
    units: Mapping[str, Decimal],
) -> dict[str, dict[str, float]]:
    """Measures whose quantity is the value of what each commune buys (`lines`: commune,
    item, quantity), each item at its unit price: in a family's group order, a tablet and
    a laptop do not count the same."""
    found = {c: {**m, "quantite": 0.0} for c, m in measures.items()}
    for commune, item, quantity in lines:
        if commune in found and item is not None and item in units:
            found[commune]["quantite"] += float(units[item] * (quantity or 0))
    return found


def estimated(unit: Decimal, cited: str) -> tuple[str, str]:
    """What an estimate's sentence says before its total and after its shares."""
    tail = (
        f", hors taxes, au prix unitaire de {euros(unit)} ; source : {cited}. "
        "Le prix obtenu remplacera cette estimation."
    )
    return "Coût estimé", tail


def _bundled(name: str) -> Traversable:
    return resources.files("storage").joinpath("data", name)


def _read_prices(origin: str, text: str) -> dict[str, Price]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = f"{origin} : syntaxe TOML incorrecte ({exc})."
        raise PriceFileError(msg) from exc
    sources = data.get("sources", {})
    found = {}
    for item_id, raw in data.get("prices", {}).items():
        found[item_id] = _entry(f"{origin}, article « {item_id} »", raw, sources)
    return found


def _entry(where: str, raw: Any, sources: dict[str, Any]) -> Price:
    if not isinstance(raw, dict):
        raw = {"price": raw}
    amount, source = raw.get("price"), sources.get(raw.get("source", ""))
    if isinstance(amount, bool) or not isinstance(amount, int | float) or amount <= 0:
        msg = f"{where} : « price » doit être un nombre positif (euros HT)."
        raise PriceFileError(msg)
    if not isinstance(source, dict) or not source.get("label"):
        msg = f"{where} : « source » doit nommer une entrée de [sources] qui a un « label »."
        raise PriceFileError(msg)
    day = raw.get("date", source.get("date"))
    if day is not None and not isinstance(day, dt.date):
        msg = f"{where} : la date s'écrit AAAA-MM-JJ, sans guillemets."
        raise PriceFileError(msg)
    return Price(float(amount), str(source["label"]), day)


@cache
def _reference() -> Mapping[str, Price]:
    return _read_prices("prices.toml", _bundled("prices.toml").read_text("utf-8"))


def reference_prices() -> dict[str, Price]:
    """The bundled reference estimates, by catalogue item (read once)."""
    return dict(_reference())


def territory_prices(epci: str, folders: Iterable[Path] = ()) -> dict[str, Price]:
    """A territory's own prices: `prices-<EPCI>.toml` bundled, then in each folder given,
    each file replacing the prices of the one before, item by item."""
    name = f"prices-{epci}.toml"
    found: dict[str, Price] = {}
    candidates: list[tuple[str, Traversable | Path]] = [(name, _bundled(name))]
    candidates += [(str(folder / name), folder / name) for folder in folders]
    for origin, path in candidates:
        if path.is_file():
            found.update(_read_prices(origin, path.read_text("utf-8")))
    return found


def price_book(
    epci: str, catalogue: Mapping[str, float | None], folders: Iterable[Path] = ()
) -> PriceBook:
    """The prices one territory's figures use. A price the catalogue gives (bundled or a
    territory's catalogue file) wins over the estimate, unless it is the estimate itself;
    the territory's prices file wins over both."""
    prices = reference_prices()
    for item_id, given in catalogue.items():
        known = prices.get(item_id)
        if given is not None and (known is None or known.amount != given):
            prices[item_id] = Price(float(given), CATALOGUE_SOURCE)
    prices.update(territory_prices(epci, folders))
    return PriceBook(prices)
