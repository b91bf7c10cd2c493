"""Writing the reference data (territory, communes, catalogue) into the store, idempotently."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.catalogue import CatalogueRecord
from storage.models import (
    CatalogueFamily,
    CatalogueItem,
    Commune,
    CommuneMailIdentity,
    Territory,
)
from storage.territory import CommuneRecord, TerritoryError, TerritoryRecord


@dataclass
class Changes:
    """What an install did: rows added and rows whose values changed."""

    added: int = 0
    updated: int = 0

    def __bool__(self) -> bool:
        return bool(self.added or self.updated)


def _assign(row: Any, **values: Any) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


async def install_territory(session: AsyncSession, record: TerritoryRecord) -> Changes:
    """Create or bring up to date the territory and its communes; one territory a store."""
    territories = (await session.scalars(select(Territory))).all()
    other = next((t for t in territories if t.epci != record.epci), None)
    if other is not None:
        msg = (
            f"Cette base sert déjà {other.name} ({other.epci}) : une base ne sert qu'une "
            f"intercommunalité. Utilisez une autre base (--db) pour {record.name}."
        )
        raise TerritoryError(msg)
    changes = Changes()
    values = {"name": record.name, "kind": record.kind, "source": record.source}
    territory = territories[0] if territories else None
    if territory is None:
        territory = Territory(epci=record.epci, **values)
        session.add(territory)
        changes.added += 1
    elif _assign(territory, **values):
        changes.updated += 1
    await session.flush()

    existing = {
        c.insee: c
        for c in await session.scalars(
            select(Commune).options(selectinload(Commune.mail_identities))
        )
    }
    for data in record.communes:
        commune = existing.get(data.insee)
        if commune is None:
            commune = Commune(insee=data.insee, mail_identities=[])
            session.add(commune)
            changes.added += 1
        changed = _assign(commune, **_commune_values(territory, data))
        changed |= _sync_identities(commune, data.email_domains, data.email_addresses)
        if changed and data.insee in existing:
            changes.updated += 1
    await session.flush()
    return changes


def _commune_values(territory: Territory, data: CommuneRecord) -> dict[str, Any]:
    return {
        "territory_id": territory.id,
        "name": data.name,
        "population": data.population,
        "latitude": data.latitude,
        "longitude": data.longitude,
    }


def _sync_identities(
    commune: Commune, domains: tuple[str, ...], addresses: tuple[str, ...]
) -> bool:
    wanted = {(d, True) for d in domains} | {(a, False) for a in addresses}
    have = {(i.value, i.is_domain): i for i in commune.mail_identities}
    for key, identity in have.items():
        if key not in wanted:
            commune.mail_identities.remove(identity)
    for value, is_domain in sorted(wanted - have.keys()):
        commune.mail_identities.append(CommuneMailIdentity(value=value, is_domain=is_domain))
    return wanted != have.keys()


async def install_catalogue(session: AsyncSession, record: CatalogueRecord) -> Changes:
    """Create or update families and items; items missing from the files are kept."""
    changes = Changes()
    families = {f.id: f for f in await session.scalars(select(CatalogueFamily))}
    for family_id, label in record.families.items():
        family = families.get(family_id)
        if family is None:
            session.add(CatalogueFamily(id=family_id, label=label))
            changes.added += 1
        elif _assign(family, label=label):
            changes.updated += 1
    await session.flush()
    items = {i.id: i for i in await session.scalars(select(CatalogueItem))}
    for data in record.items:
        values = {
            "label": data.label,
            "plural": data.plural,
            "family_id": data.family,
            "synonyms": list(data.synonyms),
            "lendable": data.lendable,
            "unit": data.unit,
            "price": data.price,
        }
        item = items.get(data.id)
        if item is None:
            session.add(CatalogueItem(id=data.id, **values))
            changes.added += 1
        elif _assign(item, **values):
            changes.updated += 1
    await session.flush()
    return changes


async def installed_territory(session: AsyncSession) -> Territory | None:
    """The territory the store serves (the first installed, when it serves several)."""
    return await session.scalar(select(Territory).order_by(Territory.id).limit(1))


async def mail_identities(session: AsyncSession) -> dict[str, tuple[list[str], list[str]]]:
    """Each commune's town-hall mail domains and single addresses, by INSEE code."""
    found: dict[str, tuple[list[str], list[str]]] = {}
    rows = await session.execute(
        select(CommuneMailIdentity.commune_insee, CommuneMailIdentity.value,
               CommuneMailIdentity.is_domain).order_by(CommuneMailIdentity.value)
    )  # fmt: skip
    for insee, value, is_domain in rows:
        domains, addresses = found.setdefault(insee, ([], []))
        (domains if is_domain else addresses).append(value)
    return found


async def catalogue_listing(
    session: AsyncSession,
) -> tuple[Sequence[CatalogueItem], dict[str, str]]:
    """The catalogue's items by family, and the families' labels by id."""
    items = await session.scalars(
        select(CatalogueItem).order_by(CatalogueItem.family_id, CatalogueItem.id)
    )
    families = dict(
        (await session.execute(select(CatalogueFamily.id, CatalogueFamily.label))).all()
    )
    return items.all(), families
