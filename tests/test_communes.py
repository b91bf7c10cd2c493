"""Commune names as people write them."""

from __future__ import annotations

import pytest

from handlers.communes import CommuneIndex, CommuneName, CommuneNotFoundError
from storage.territory import load_territory


@pytest.fixture(scope="module")
def index() -> CommuneIndex:
    return CommuneIndex(CommuneName(c.insee, c.name) for c in load_territory().communes)


@pytest.mark.parametrize(
    ("written", "insee"),
    [
        ("Riantec", "56193"),
        ("Rianteq", "56193"),
        ("riantec", "56193"),
        ("Queven", "56185"),
        ("QUÉVEN", "56185"),
        ("Pont Scorff", "56179"),
        ("pont-scorf", "56179"),
        ("Port-Louis", "56181"),
        ("port louis", "56181"),
        ("Larmor", "56107"),
        ("Larmor Plage", "56107"),
        ("Inzinzac", "56090"),
        ("inzinzac lochrist", "56090"),
        ("Gavres", "56062"),
        ("Locmiquelic", "56118"),
        ("lorien", "56121"),
        ("Ploemer", "56162"),
        ("hennebon", "56083"),
        ("Lanvodan", "56104"),
        ("56121", "56121"),
        ("  Lorient  ", "56121"),
    ],
)
def test_names_are_matched_forgivingly(index: CommuneIndex, written: str, insee: str) -> None:
    assert index.resolve(written).insee == insee


@pytest.mark.parametrize(
    ("written", "suggested"),
    [
        ("Lan", ["Calan", "Lanester", "Languidic"]),
        ("Paris", []),
        ("Kervignac", []),
    ],
)
def test_unknown_or_ambiguous_names_are_refused(
    index: CommuneIndex, written: str, suggested: list[str]
) -> None:
    with pytest.raises(CommuneNotFoundError) as caught:
        index.resolve(written)
    assert caught.value.suggestions == suggested or set(suggested) <= set(caught.value.suggestions)
    assert f"« {written} »" in str(caught.value)
