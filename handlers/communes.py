"""Recognising a commune from the way people write its name ("Rianteq", "larmor", "56193")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from storage.errors import MutualiseError
from storage.names import fold_place

# Below this score a name is not taken for a commune; a winner must also lead the
# runner-up clearly, or "Lan" would silently pick one of Lanester, Languidic, Lanvaudan.
MIN_SCORE = 80.0
MIN_LEAD = 8.0
# A name is suggested when it is close as a whole, or begins with what was typed ("Lan"):
# WRatio alone finds "paris" in "Inzinzac-Lochrist" and would suggest it.
MIN_SUGGESTED = 60.0
MIN_RESEMBLANCE = 65.0


def _resembles(key: str, name: str) -> bool:
    """Whether a folded name is worth suggesting for a folded query that matched none."""
    if fuzz.ratio(key, name) >= MIN_RESEMBLANCE:
        return True
    return len(key) >= 3 and any(word.startswith(key) for word in name.split())


class CommuneNotFoundError(MutualiseError):
    """No commune of the territory answers to that name; the message suggests close ones."""

    def __init__(self, query: str, suggestions: list[str]) -> None:
        self.query = query
        self.suggestions = suggestions
        hint = f" Vouliez-vous dire : {', '.join(suggestions)} ?" if suggestions else ""
        super().__init__(f"Aucune commune du territoire ne s'appelle « {query} ».{hint}")


@dataclass(frozen=True)
class CommuneName:
    insee: str
    name: str


class CommuneIndex:
    """The communes of a territory, searchable by name or INSEE code."""

    def __init__(self, communes: Iterable[CommuneName]) -> None:
        self._by_insee = {c.insee: c for c in communes}
        self._folded = {c.insee: fold_place(c.name) for c in self._by_insee.values()}

    def resolve(self, query: str) -> CommuneName:
        """The one commune `query` names, forgiving case, accents, hyphens and small typos."""
        text = query.strip()
        if text in self._by_insee:
            return self._by_insee[text]
        key = fold_place(text)
        exact = [insee for insee, name in self._folded.items() if name == key]
        if len(exact) == 1:
            return self._by_insee[exact[0]]
        ranked = process.extract(key, self._folded, scorer=fuzz.WRatio, limit=4)
        if ranked:
            _, best_score, best = ranked[0]
            runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
            if best_score >= MIN_SCORE and best_score - runner_up >= MIN_LEAD:
                return self._by_insee[best]
        close = [self._by_insee[insee].name for name, score, insee in ranked
                 if score >= MIN_SUGGESTED and _resembles(key, name)]  # fmt: skip
        raise CommuneNotFoundError(text, close[:3])

    def __len__(self) -> int:
        return len(self._by_insee)
