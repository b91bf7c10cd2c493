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


PARIS = dt.timezone(dt.timedelta(hours=2))


@pytest.mark.parametrize(
    ("at", "moment"),
    [
        # The contract's form, and ISO 8601 with seconds or a zone.
        ("2027-05-03T11:00", dt.datetime(2027, 5, 3, 11, 0)),
        ("2027-05-03T11:00:30+02:00", dt.datetime(2027, 5, 3, 11, 0, 30, tzinfo=PARIS)),
        # As a French office writes it: day first, with or without an hour, seconds, a zone.
        ("03/05/2027", dt.datetime(2027, 5, 3)),
        ("03/05/2027 11:00", dt.datetime(2027, 5, 3, 11, 0)),
        (" 3/5/2027 11:00:30 ", dt.datetime(2027, 5, 3, 11, 0, 30)),
        ("03.05.2027 11h", dt.datetime(2027, 5, 3, 11, 0)),
        ("03-05-2027 à 11h45", dt.datetime(2027, 5, 3, 11, 45)),
        ("03/05/2027 11:00+02:00", dt.datetime(2027, 5, 3, 11, 0, tzinfo=PARIS)),
        ("03/05/2027T09:00Z", dt.datetime(2027, 5, 3, 9, 0, tzinfo=dt.UTC)),
        ("03/05/2027 11:00 +0200", dt.datetime(2027, 5, 3, 11, 0, tzinfo=PARIS)),
    ],
)
def test_at_is_read_in_iso_or_as_the_french_write_it(at: str, moment: dt.datetime) -> None:
    line = read_line(GOOD.replace("2027-05-03T11:00", at))
    assert line.at == moment
    assert line.at.utcoffset() == moment.utcoffset()


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
            GOOD.replace("2027-05-03T11:00", "le 3 mai à 11h"),
            "la date « le 3 mai à 11h » du champ « at » est illisible (attendu : "
            "2027-05-02T09:00, 02/05/2027 09:00 ou 02/05/2027)",
        ),
        (GOOD.replace("2027-05-03T11:00", "2027/05/03 11:00"), "» du champ « at » est illisible"),
        (
            GOOD.replace("2027-05-03T11:00", "2027-13-03T11:00"),
            "« 2027-13-03T11:00 » du champ « at » n'existe pas (ce jour n'est pas dans le",
        ),
        (
            GOOD.replace("2027-05-03T11:00", "2027-05-03T24:00"),
            "n'existe pas (l'heure va de 00:00 à 23:59)",
        ),
        (
            GOOD.replace("2027-05-03T11:00", "03/05/27 11:00"),
            "l'année de la date « 03/05/27 11:00 » du champ « at » est ambiguë : écrivez-la en "
            "entier, par exemple 03/05/2027",
        ),
        (
            GOOD.replace("2027-05-03T11:00", "29/02/2027"),
            "la date « 29/02/2027 » du champ « at » n'existe pas dans le calendrier",
        ),
        (
            GOOD.replace("2027-05-03T11:00", "05/13/2027 11:00"),
            "n'existe pas dans le calendrier (le jour s'écrit avant le mois : JJ/MM/AAAA)",
        ),
        (
            GOOD.replace("2027-05-03T11:00", "03/05/2027 11:75"),
            "l'heure de la date « 03/05/2027 11:75 » du champ « at » n'existe pas",
        ),
    ],
)
def test_what_is_wrong_with_a_line_is_said(line: str, said: str) -> None:
    with pytest.raises(LineError) as caught:
        read_line(line)
    assert said in str(caught.value)
