"""How a commune is named, by a command (--commune) or in a reply to « Pour quelle
commune ? »: forgivingly, but never by the name of the intercommunality, which would
otherwise fuzzy-match its central town ("lorient agglo" is not Lorient)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.communes import CommuneIndex, CommuneName, CommuneNotFoundError
from handlers.reading.bodies import own_words
from storage import views
from storage.errors import MutualiseError
from storage.names import fold, fold_place

# Words that name an intercommunality, never a commune ("Lorient Agglo", "CC de Blavet").
GROUPING_WORDS = ("agglo", "communaute", "metropole", "epci", "interco")
GROUPING_INITIALS = {"ca", "cc", "cu"}
# How close to the intercommunality's full name a query must be to mean it.
MIN_TERRITORY_SCORE = 75.0
# A name close as a whole is a typo ("Rianteq", "Lanestre"); one letter off, always.
MIN_TYPO_SCORE = 85.0


class TerritoryNamedError(MutualiseError):
    """A commune was asked for, and the intercommunality was named."""


def _names_grouping(query: str, scope: views.Scope) -> bool:
    key = fold(query)
    if query.strip() == scope.epci or key == fold(scope.name):
        return True
    if fuzz.ratio(key, fold(scope.name)) >= MIN_TERRITORY_SCORE:
        return True
    words = key.split()
    return any(w.startswith(GROUPING_WORDS) or w in GROUPING_INITIALS for w in words)


def _plainly_named(query: str, name: str) -> bool:
    """Whether a loose match is one a person means: a typo, the start of the name or of one
    of its words ("larmor", "Lochrist"), or the name among other words ("mairie de Riantec");
    not a name found inside another ("Etel", a commune elsewhere, inside "Gestel")."""
    key, folded = fold_place(query), fold_place(name)
    words = folded.split()
    return (
        OSA.distance(key, folded) <= 1
        or fuzz.ratio(key, folded) >= MIN_TYPO_SCORE
        or any(word.startswith(key) for word in words)
        or set(words) <= set(key.split())
    )


@dataclass(frozen=True)
class Named:
    commune: CommuneName
    territory: views.Scope


async def commune_named(session: AsyncSession, query: str, why: str = "") -> Named:
    """The commune `query` names (name, close spelling or INSEE code) and its territory; a
    French error when it names the intercommunality or nothing close. `why` ends that
    error's sentence."""
    scopes = await views.territories(session)
    index = CommuneIndex(CommuneName(i, n) for s in scopes for i, n in s.communes.items())
    key = fold_place(query)
    exact = any(
        query.strip() == insee or fold_place(name) == key
        for s in scopes
        for insee, name in s.communes.items()
    )
    grouping = next((s for s in scopes if _names_grouping(query, s)), None)
    if grouping is not None and not exact:
        msg = (
            f"« {query.strip()} » désigne l'intercommunalité {grouping.name} ({grouping.epci}), "
            f"pas l'une de ses communes{why}."
        )
        raise TerritoryNamedError(msg)
    commune = index.resolve(query)
    if not exact and not _plainly_named(query, commune.name):
        raise CommuneNotFoundError(query.strip(), [commune.name])
    return Named(commune, next(s for s in scopes if commune.insee in s.communes))


async def territory_named(session: AsyncSession, query: str | None) -> views.Scope:
    """The territory `query` names (its name, close, its EPCI code, or one of its communes);
    with no query, the store's only territory. A French error when none or several fit."""
    scopes = await views.territories(session)
    if query is None or not query.strip():
        if len(scopes) == 1:
            return scopes[0]
        choices = ", ".join(f"{s.name} ({s.epci})" for s in scopes) or "aucun"
        msg = (
            "Nommez le territoire du coordinateur avec --territoire (son nom ou son code "
            f"EPCI) : la base en tient plusieurs ({choices})."
            if scopes
            else "Aucun territoire dans la base : lancez d'abord « mutualise init »."
        )
        raise TerritoryNamedError(msg)
    grouping = next((s for s in scopes if _names_grouping(query, s)), None)
    if grouping is not None:
        return grouping
    return (await commune_named(session, query)).territory


# Around a commune named alone in a reply: « pour Riantec », « c'est pour la commune de
# Riantec, merci ».
_LEAD = re.compile(
    r"^(?:(?:bonjour|oui|alors)\s+)*(?:(?:c'est|c est|ce sera|ce serait)\s+)?(?:pour\s+)?"
    r"(?:(?:la\s+)?(?:commune|ville|mairie)\s+(?:de\s+|d'))?"
)
_TAIL = re.compile(r"(?:\s+(?:merci|svp|s'il vous plait|s il vous plait))+$")
# A commune's name has at most this many words ("Saint-Jean-Brévelay" is one).
MAX_NAME_WORDS = 4


async def commune_alone(session: AsyncSession, text: str) -> Named | None:
    """The commune a reply names and says nothing else of (« Riantec », « pour Riantec », a
    typo the names accept: « Rianteq »), with its territory: the reply's own words, or one
    paragraph of them (an email's subject is its first); None when no paragraph is a name
    alone, or two name different communes. The intercommunality named instead is a French
    error."""
    paragraphs = re.split(r"\n\s*\n", own_words(text[:4000]).folded)
    found: dict[str, Named] = {}
    for paragraph in paragraphs:
        plain = " ".join(re.sub(r"[^\w' -]", " ", paragraph).split())
        name = _TAIL.sub("", _LEAD.sub("", plain)).strip(" -'")
        if not name or len(name.split()) > MAX_NAME_WORDS:
            continue
        try:
            named = await commune_named(session, name)
        except CommuneNotFoundError:
            continue
        if _alone(name, named.commune.name):
            found[named.commune.insee] = named
    return next(iter(found.values())) if len(found) == 1 else None


def _alone(key: str, name: str) -> bool:
    """Whether what a reply says is the commune's name and nothing else: the name, a typo of
    it, or its first word(s) (« Larmor », « Inzinzac »), not a name among other words."""
    key, folded = fold_place(key), fold_place(name)
    return (
        OSA.distance(key, folded) <= 1
        or fuzz.ratio(key, folded) >= MIN_TYPO_SCORE
        or folded.startswith(key + " ")
    )
