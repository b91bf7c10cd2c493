"""A second territory beside the seeded Lorient Agglomération, for what crosses territories."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Commune, Territory


async def neighbour(session: AsyncSession) -> Territory:
    """Quimperlé Communauté, with its town Quimperlé (29233), added to the store."""
    other = Territory(epci="200067932", name="Quimperlé Communauté", kind="CA", source="test")
    session.add(other)
    await session.flush()
    session.add(Commune(insee="29233", territory_id=other.id, name="Quimperlé", population=12000))
    await session.flush()
    return other
