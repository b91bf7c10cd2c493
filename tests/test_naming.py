"""A commune named alone, as a coordinator answers « Pour quelle commune ? »: forgiving of
the ways it is written, never taken from a sentence that says more."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.naming import TerritoryNamedError, commune_alone

SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("reply", "insee"),
    [
        ("Riantec", "56193"),
        ("riantec", "56193"),
        ("Pour Riantec", "56193"),
        ("pour Riantec.", "56193"),
        ("C'est pour Riantec, merci !", "56193"),
        ("C’est pour la commune de Riantec", "56193"),
        ("Rianteq", "56193"),  # a typo the names accept
        ("Quéven", "56185"),
        ("queven", "56185"),
        ("Inzinzac-Lochrist", "56090"),
        ("inzinzac lochrist", "56090"),
        ("Pour Gâvres", "56062"),
        ("Riantec\n\nCordialement,\nJean Le Goff\nLorient Agglomération", "56193"),
        ("Riantec\n\n> Pour quelle commune ? Vous êtes coordinateur", "56193"),
        ("Besoin de matériel\n\nRiantec", "56193"),  # an email: its subject, then its body
        ("Bonjour,\n\npour Riantec.\n\nBonne journée", "56193"),
        ("Larmor", "56107"),
        ("Inzinzac", "56090"),
        # Anything more is a message of its own, or names none.
        ("Pour Riantec : 20 barrières du 12 au 14 juillet", None),
        ("Riantec a besoin de vingt barrières pour sa fête", None),
        ("merci", None),
        ("Paris", None),
        ("Riantec ou Lorient", None),
        ("Riantec\n\nLorient", None),
        ("la mairie de Riantec s'en occupe", None),
        ("oui", None),
        ("", None),
    ],
)
async def test_a_commune_named_alone(
    sessions: async_sessionmaker[AsyncSession], reply: str, insee: str | None
) -> None:
    async with sessions() as session:
        named = await commune_alone(session, reply)
    assert (named.commune.insee if named else None) == insee


@SQLITE_ONLY
async def test_the_intercommunality_named_alone_is_no_commune(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        with pytest.raises(TerritoryNamedError, match="pas l'une de ses communes"):
            await commune_alone(session, "Lorient Agglomération")
