"""Building a reader from the store, or from the files shipped with mutualise."""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.communes import CommuneName
from handlers.reading.items import ItemName
from handlers.reading.reader import Reader
from storage.catalogue import load_catalogue
from storage.territory import load_territory

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


def bundled_reader() -> Reader:
    """A reader for the bundled catalogue and Lorient Agglomération."""
    communes = [CommuneName(c.insee, c.name) for c in load_territory().communes]
    return Reader.from_records(load_catalogue(), communes)


async def stored_reader(session: AsyncSession) -> Reader:
    """A reader for the catalogue and the territory held in the store."""
    from sqlalchemy import select  # the store is not needed to read with bundled data

    from storage.models import CatalogueItem, Commune

    items = [
        ItemName(i.id, i.label, i.plural, i.unit, i.lendable, tuple(i.synonyms), i.family_id)
        for i in await session.scalars(select(CatalogueItem))
    ]
    communes = [CommuneName(c.insee, c.name) for c in await session.scalars(select(Commune))]
    return Reader(items, communes)
