"""The equipment catalogue: read from TOML files that coordinators can extend by hand."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from storage.errors import MutualiseError, unreadable
from storage.names import fold

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class CatalogueError(MutualiseError):
    """A catalogue file is malformed; the message names the file and the entry, in French."""


@dataclass(frozen=True)
class ItemRecord:
    id: str
    label: str
    plural: str
    family: str
    synonyms: tuple[str, ...]
    lendable: bool
    unit: str
    price: float | None = None

    def names(self) -> tuple[str, ...]:
        """Every way of writing this item: label, plural and synonyms."""
        return (self.label, self.plural, *self.synonyms)


@dataclass(frozen=True)
class CatalogueRecord:
    families: dict[str, str]
    items: tuple[ItemRecord, ...]

    def item(self, item_id: str) -> ItemRecord | None:
        """The item with this id, if any."""
        return next((i for i in self.items if i.id == item_id), None)


def bundled_catalogue_text() -> str:
    """The catalogue shipped with mutualise."""
    return resources.files("storage").joinpath("data/catalogue.toml").read_text("utf-8")


def load_catalogue(extra: Iterable[Path] = ()) -> CatalogueRecord:
    """The bundled catalogue, then each extra file: new ids are added, known ids replaced."""
    sources = [("catalogue intégré", bundled_catalogue_text())]
    sources += [(str(path), _read(path)) for path in extra]
    catalogue = _load(tuple(sources))
    return replace(catalogue, families=dict(catalogue.families))


# Parsing and checking the bundled catalogue takes about 40 ms, for each `init`, each reader
# built and each test store seeded: the same texts give the same record, read once.
@lru_cache(maxsize=8)
def _load(sources: tuple[tuple[str, str], ...]) -> CatalogueRecord:
    families: dict[str, str] = {}
    items: dict[str, ItemRecord] = {}
    for origin, text in sources:
        data = _parse(origin, text)
        families.update(_families(origin, data))
        for raw in data.get("items", []):
            record = _item(origin, raw)
            items[record.id] = record
    catalogue = CatalogueRecord(families, tuple(items.values()))
    _check(catalogue)
    return catalogue


def _read(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except OSError as exc:
        msg = unreadable(path, exc, "Le fichier de catalogue")
        raise CatalogueError(msg) from exc


def _parse(origin: str, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = f"{origin} : syntaxe TOML incorrecte ({exc})."
        raise CatalogueError(msg) from exc


def _families(origin: str, data: dict[str, Any]) -> dict[str, str]:
    families = {}
    for key, value in data.get("families", {}).items():
        if not _ID.match(key) or not isinstance(value, dict) or not value.get("label"):
            msg = f"{origin} : la famille « {key} » doit avoir un identifiant simple et un label."
            raise CatalogueError(msg)
        families[key] = str(value["label"])
    return families


def _item(origin: str, raw: dict[str, Any]) -> ItemRecord:
    where = f"{origin}, article « {raw.get('id', '?')} »"
    missing = [k for k in ("id", "label", "family", "lendable", "unit") if k not in raw]
    if missing:
        fields = "champ manquant" if len(missing) == 1 else "champs manquants"
        msg = f"{where} : {fields} : {', '.join(missing)}."
        raise CatalogueError(msg)
    if not _ID.match(str(raw["id"])):
        msg = f"{where} : l'identifiant ne doit contenir que a-z, 0-9 et « - »."
        raise CatalogueError(msg)
    synonyms = raw.get("synonyms", [])
    price = raw.get("price")
    if not isinstance(synonyms, list) or not all(isinstance(s, str) for s in synonyms):
        msg = f"{where} : « synonyms » doit être une liste de textes."
        raise CatalogueError(msg)
    if price is not None and (not isinstance(price, int | float) or price <= 0):
        msg = f"{where} : « price » doit être un nombre positif (euros HT)."
        raise CatalogueError(msg)
    return ItemRecord(
        id=raw["id"],
        label=raw["label"],
        plural=raw.get("plural", raw["label"]),
        family=raw["family"],
        synonyms=tuple(synonyms),
        lendable=bool(raw["lendable"]),
        unit=raw["unit"],
        price=float(price) if price is not None else None,
    )


def _check(catalogue: CatalogueRecord) -> None:
    owner: dict[str, str] = {}
    for item in catalogue.items:
        if item.family not in catalogue.families:
            msg = f"Article « {item.id} » : famille inconnue « {item.family} »."
            raise CatalogueError(msg)
        for name in {fold(n) for n in item.names()}:
            if owner.setdefault(name, item.id) != item.id:
                msg = (
                    f"« {name} » désigne deux articles, « {owner[name]} » et « {item.id} » : "
                    "un nom ne peut appartenir qu'à un seul article."
                )
                raise CatalogueError(msg)
