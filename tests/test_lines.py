"""A line of `mutualise ingest` read, or what is wrong with it said in French."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers.cli.lines import Line, LineError, read_line

GOOD = '{"from": "anne@gmail.com", "text": "3 barnums le 3 juin", "at": "2027-05-03T11:00"}'


def test_a_good_line_holds_its_message() -> None:
    assert read_line(GOOD) == Line(
        "anne@gmail.com", "3 barnums le 3 juin", dt.datetime(2027, 5, 3, 11, 0)
    )


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("pas du json", "ce n'est pas du JSON : un objet"),
        (GOOD[:-1], "la ligne s'arrête avant la fin de l'objet JSON"),
        (
            GOOD + " x",
            f"quelque chose suit l'accolade qui ferme l'objet (caractère {len(GOOD) + 2})",
        ),
        (GOOD.replace('"from"', "from"), "un nom de champ doit être entre guillemets droits"),
        (GOOD.replace('",', '"', 1), "il manque une virgule entre deux champs"),
        (GOOD.replace('"from":', '"from"'), "il manque « : » entre un nom de champ et sa valeur"),
        (GOOD.replace("3 juin", "3\tjuin"), "non échappés"),
        ('["anne@gmail.com"]', "un objet JSON {…} est attendu, pas une liste"),
        ('"texte"', "un objet JSON {…} est attendu, pas un texte"),
        ("12", "un objet JSON {…} est attendu, pas un nombre"),
        ('{"texte": "x"}', "il manque les champs « from », « text » et « at » ; « texte » n'est"),
        ('{"from": "a@b.fr", "text": "x"}', "il manque le champ « at » (la date et l'heure"),
        ('{"from": "a@b.fr", "at": "2027-05-03T11:00"}', "il manque le champ « text » (le texte"),
        (GOOD.replace('"anne@gmail.com"', "12"), "le champ « from » doit être un texte"),
        (
            GOOD.replace('"anne@gmail.com"', "null"),
            "(l'adresse de l'expéditeur ou telegram:ID), pas null",
        ),
        (GOOD.replace('"2027-05-03T11:00"', "20270503"), "le champ « at » doit être un texte"),
        (GOOD.replace("anne@gmail.com", " "), "le champ « from » est vide"),
        (
            GOOD.replace("2027-05-03T11:00", "03/05/2027 11h"),
            "la date « 03/05/2027 11h » du champ « at » est illisible",
        ),
        (GOOD.replace("2027-05-03T11:00", "2027-13-03T11:00"), "(attendu : AAAA-MM-JJTHH:MM"),
    ],
)
def test_what_is_wrong_with_a_line_is_said(line: str, said: str) -> None:
    with pytest.raises(LineError) as caught:
        read_line(line)
    assert said in str(caught.value)
