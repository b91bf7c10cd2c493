"""How the bot reads French as correspondents write it, on a frozen day (Wed. 10 March 2027)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from handlers.reading.reader import Reader, Reading
from tests.readers import shared_reader

TODAY = dt.date(2027, 3, 10)


@pytest.fixture(scope="module")
def reader() -> Reader:
    return shared_reader()


def read(reader: Reader, text: str, today: dt.date = TODAY) -> dict[str, Any]:
    return reader.read(text, today).to_json()


def items(reading: dict[str, Any]) -> list[tuple[str | None, int | None]]:
    return [(i["item"], i["quantity"]) for i in reading["items"]]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("il nous faudrait 200 ganivelles et un podium pour le 21 juin", "borrow"),
        ("besoin de 2 barnums pr le 14/07", "borrow"),
        ("Pourriez-vous nous prêter votre nacelle le 3 avril ?", "borrow"),
        ("Nous devons acheter 12 ordinateurs portables avant septembre", "purchase"),
        ("Groupement de commandes : 8 tonnes de sel de déneigement d'ici fin novembre", "purchase"),
        ("il nous faut 40 ramettes de papier avant le 15 mai", "purchase"),
        ("Nous pouvons prêter nos 300 ganivelles à partir du 8 mars", "lend"),
        ("Notre broyeur est disponible du 3 au 7 mai pour les autres communes", "lend"),
        ("La fête de la musique aura lieu le 21 juin place de la mairie", "event"),
        ("on n'a plus besoin du podium", "cancel"),
        ("Annulez notre demande de barnums svp", "cancel"),
        ("Bonjour !", "unknown"),
        ("Merci beaucoup, bonne journée", "unknown"),
        ("Comment fonctionne ce service ?", "unknown"),
        ("Je suis absente du 2 au 16 août, votre message ne sera pas transféré.", "unknown"),
        ("Merci pour le prêt des barnums, tout s'est bien passé !", "unknown"),
        ("Locmiquélic : oubliez les 2 fourgons, le déménagement est décalé", "cancel"),
        ("Si qqn a besoin de tables lundi, on a 20 tables pliantes libres à Locmiquélic", "lend"),
        ("On libère nos 5 tables et 20 chaises lundi, si une collecte en a besoin", "lend"),
        ("on peut vous passer le camion benne vendredi", "lend"),
        ("Mettez Locmiquélic pour 4 pneus hiver svp", "purchase"),
        ("le Judo Club de Caudan accepte de prêter 30 tatamis pour le 13 février", "lend"),
        ("Les Amis de Kerdual prêtent leur barbecue géant cet été", "lend"),
    ],
)
def test_intent(reader: Reader, text: str, intent: str) -> None:
    assert read(reader, text)["intent"] == intent


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("besoin de deux cents chaises le 3 mai", [("chaise", 200)]),
        ("une trentaine de tables le 3 mai", [("table", 30)]),
        ("une dizaine de barnums le 3 mai", [("barnum", 10)]),
        ("un podium le 3 mai", [("podium", 1)]),
        ("ganivelles x 50 le 3 mai", [("ganivelle", 50)]),
        ("ganivelles : 50 pour le 3 mai", [("ganivelle", 50)]),
        ("3 barnnums et une sonno le 3 mai", [("barnum", 3), ("sonorisation", 1)]),
        ("50 barrieres de police le 3 mai", [("barriere-vauban", 50)]),
        ("une scène mobile le 3 mai", [("podium", 1)]),
        ("la sono pour le 3 mai", [("sonorisation", 1)]),  # one, as "notre minibus"
        ("des barnums pour le 3 mai", [("barnum", None)]),  # how many is asked
        ("2 barnums 3x3 le 3 mai", [("barnum", 2)]),
        ("un chapiteau de 8 x 6 m le 3 mai", [("chapiteau", 1)]),
        ("un groupe électrogène 20 kVA le 3 mai à 14h30", [("groupe-electrogene", 1)]),
        ("5 tonnes de sel avant l'hiver", [("sel-deneigement", 5)]),
        (
            "2 barnums, 10 tables et 40 chaises le 3 mai",
            [("barnum", 2), ("table", 10), ("chaise", 40)],
        ),
        ("besoin de 2 harpes celtiques le 3 mai", [(None, 2)]),
        ("20 tables le 3 mai, budget 2 000 €, tél 02 97 12 34 56, 56100 Lorient", [("table", 20)]),
        # what the equipment serves is not asked
        ("la nacelle mercredi aprem pour les guirlandes ?", [("nacelle", 1)]),
        ("2 chauffages soufflants samedi pour la tente du Téléthon", [("chauffage-appoint", 2)]),
        # what is said after "je vous informe que" is no relative clause
        (
            "Je vous informe que le destructeur de documents n'est finalement plus disponible",
            [("destructeur-documents", 1)],
        ),
        # a number in a club's name counts nothing
        ("le Club des 3 Clochers nous demande 8 tables samedi", [("table", 8)]),
        ("le FC Blavet 56 cherche 2 buts de foot samedi", [("but-foot", 2)]),
        ("Nos 15 hôtels à insectes sont à prêter", [(None, 15)]),
        # a count said further on, in words that do nothing else
        (
            "vous auriez des grilles d'expo pour jeudi ? 6 grilles suffiraient",
            [("grille-exposition", 6)],
        ),
        (
            "Commande groupée de sel de déneigement avant le 15 septembre ? Riantec prend 10 "
            "tonnes de sel et 1 saleuse.",
            [("sel-deneigement", None)],
        ),
    ],
)
def test_items_and_quantities(
    reader: Reader, text: str, expected: list[tuple[str | None, int | None]]
) -> None:
    assert items(read(reader, text)) == expected


def test_units_belong_to_the_item(reader: Reader) -> None:
    salt = read(reader, "il faut acheter 5 tonnes de sel avant l'hiver")["items"][0]
    assert (salt["quantity"], salt["unit"]) == (5, "tonne")


def test_an_unknown_item_keeps_its_noun_phrase(reader: Reader) -> None:
    reading = read(reader, "besoin de 2 harpes celtiques et 3 barnums le 3 mai")
    assert reading["items"][0]["label"] == "harpes celtiques"
    assert "item" in reading["missing"]


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("besoin d'un podium le 21 juin", "2027-06-21", "2027-06-21"),
        ("besoin d'un podium le 21/06", "2027-06-21", "2027-06-21"),
        ("besoin d'un podium le 21.06.2027", "2027-06-21", "2027-06-21"),
        ("besoin d'un podium le 2027-06-21", "2027-06-21", "2027-06-21"),
        ("besoin d'un podium samedi 4 septembre", "2027-09-04", "2027-09-04"),
        ("besoin d'un podium samedi prochain", "2027-03-13", "2027-03-13"),
        ("besoin d'un podium demain", "2027-03-11", "2027-03-11"),
        ("besoin d'un podium dans 3 semaines", "2027-03-31", "2027-03-31"),
        (
            "besoin d'un podium du lundi 5 juillet (vidage) au vendredi 27 août (retour)",
            "2027-07-05",
            "2027-08-27",
        ),
        ("besoin d'un podium dans quinze jours", "2027-03-24", "2027-03-24"),  # two weeks
        ("besoin d'un podium dans huit jours", "2027-03-17", "2027-03-17"),  # one week
        ("besoin d'un podium du 1er au 15 août", "2027-08-01", "2027-08-15"),
        ("besoin d'un podium du vendredi 6 au lundi 9 août", "2027-08-06", "2027-08-09"),
        ("besoin d'un podium entre le 10 et le 12/07", "2027-07-10", "2027-07-12"),
        ("besoin d'un podium du 28 décembre au 3 janvier", "2027-12-28", "2028-01-03"),
        ("besoin d'un podium le 2 mars", "2028-03-02", "2028-03-02"),
        ("besoin d'un podium les 12 et 13 juillet", "2027-07-12", "2027-07-13"),
        ("besoin d'un podium le week-end du 12 juin", "2027-06-12", "2027-06-13"),
    ],
)
def test_dates_of_use(reader: Reader, text: str, start: str, end: str) -> None:
    reading = read(reader, text)
    assert (reading["start"], reading["end"]) == (start, end)


def test_the_subjects_days_hold_when_the_body_names_only_weekdays(reader: Reader) -> None:
    text = (
        "Objet : Demande de prêt – week-end des 12 et 13 juin\n\n"
        "Bonjour, pour la fête de la Bretagne, nous aurions besoin d'une remorque plateau.\n"
        "Retrait vendredi après-midi à votre garage, retour lundi matin."
    )
    reading = read(reader, text, dt.date(2027, 5, 25))
    # the pick-up and the return bound the loan around the subject's week-end
    assert (reading["start"], reading["end"]) == ("2027-06-11", "2027-06-14")


@pytest.mark.parametrize(
    ("text", "today", "start", "end"),
    [
        # the week of the next such day, Monday to Friday; not a stretch of two days
        ("besoin d'une balayeuse semaine du 27", "2027-09-14", "2027-09-27", "2027-10-01"),
        (
            "besoin d'une balayeuse la semaine du 14 au 18 juin",
            "2027-03-10",
            "2027-06-14",
            "2027-06-18",
        ),
    ],
)
def test_a_week_by_its_day(reader: Reader, text: str, today: str, start: str, end: str) -> None:
    reading = read(reader, text, dt.date.fromisoformat(today))
    assert (reading["start"], reading["end"]) == (start, end)


@pytest.mark.parametrize(
    ("text", "today", "start", "end"),
    [
        # two days said without their month: the first month where the first is not past
        # and both exist, the same rule whether written "les … et …" or "du … au …"
        ("besoin d'un podium les 27 et 28 ?", "2027-02-26", "2027-02-27", "2027-02-28"),
        ("besoin d'un podium les 27 et 28 ?", "2027-02-28", "2027-03-27", "2027-03-28"),
        ("besoin d'un podium les 29 et 30 ?", "2027-04-10", "2027-04-29", "2027-04-30"),
        ("besoin d'un podium les 30 et 31 ?", "2027-04-10", "2027-05-30", "2027-05-31"),
        ("besoin d'un podium du 29 au 31", "2027-04-10", "2027-05-29", "2027-05-31"),
        ("besoin d'un podium les 29 et 31 ?", "2027-04-10", "2027-05-29", "2027-05-31"),
        ("besoin d'un podium du 28 au 2", "2027-06-29", "2027-07-28", "2027-08-02"),
        ("besoin d'un podium entre le 11 et le 15", "2027-03-13", "2027-04-11", "2027-04-15"),
        ("besoin d'un podium les 30 et 31 ?", "2027-12-31", "2028-01-30", "2028-01-31"),
    ],
)
def test_days_without_their_month(
    reader: Reader, text: str, today: str, start: str, end: str
) -> None:
    reading = read(reader, text, dt.date.fromisoformat(today))
    assert (reading["start"], reading["end"]) == (start, end)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("nos ganivelles sont disponibles de mai à octobre", "2027-05-01", "2027-10-31"),
        ("nous pouvons prêter 20 tables à partir du 8 avril", "2027-04-08", None),
        # from the day it is written: what is lent now is lent until then
        ("la nacelle est disponible jusqu'au 30 septembre", "2027-03-10", "2027-09-30"),
        # a weekday without its article is the coming one; with it, or plural, a habit
        ("minibus libre samedi si qqn en veut", "2027-03-13", "2027-03-13"),
        ("Port-Louis peut prêter 1 fourgon mardi", "2027-03-16", "2027-03-16"),
        ("notre podium est disponible le mercredi et le week-end", None, None),
        ("nous prêtons nos 100 gobelets (après les Mardis de la citadelle)", None, None),
        # what a message follows has happened: no day of an offer
        ("Suite au repas des aînés de dimanche, le CCAS peut prêter 200 assiettes", None, None),
    ],
)
def test_availability_windows(
    reader: Reader, text: str, start: str | None, end: str | None
) -> None:
    reading = read(reader, text)
    assert reading["intent"] == "lend"
    assert (reading["start"], reading["end"]) == (start, end)


@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        ("nous devons acheter 10 ordinateurs avant septembre", "2027-08-31"),
        ("nous devons acheter 10 ordinateurs d'ici fin mars", "2027-03-31"),
        ("nous devons acheter 10 ordinateurs avant la fin de l'année", "2027-12-31"),
        ("nous devons acheter 10 ordinateurs avant le 15 mai", "2027-05-15"),
        ("nous devons acheter 10 ordinateurs pour le 21 juin", "2027-06-21"),
        ("nous devons acheter 10 ordinateurs d'ici 3 semaines", "2027-03-31"),
    ],
)
def test_purchase_deadlines(reader: Reader, text: str, deadline: str) -> None:
    reading = read(reader, text)
    assert (reading["intent"], reading["deadline"], reading["start"]) == (
        "purchase",
        deadline,
        None,
    )


@pytest.mark.parametrize(
    ("text", "event"),
    [
        ("2 barnums pour la fête de la musique le 21 juin", "fête de la musique"),
        (
            "Pour les festivités du 14 juillet il nous faut 100 ganivelles",
            "festivités du 14 juillet",
        ),
        ("Notre forum des associations aura lieu le 4 septembre", "forum des associations"),
        ("Il nous faudrait 20 tables pour la salle des fêtes le 3 mai", None),
        # health, prevention and civil protection
        (
            "40 chaises mercredi, séance de vaccination à la salle des fêtes",
            "séance de vaccination",
        ),
        ("il nous faut 2 tables jeudi, on reçoit le bus dépistage diabète", "dépistage diabète"),
        ("10 lits de camp pour samedi, collecte EFS à la salle Sterenn", "collecte EFS"),
        (
            "dans quinze jours on fait l'exercice inondation, 200 sacs de sable",
            "exercice inondation",
        ),
        ("50 bouteilles d'eau vendredi pour la maraude grand froid", "maraude grand froid"),
        ("IL NOUS FAUT 20 BARNUMS POUR LA FETE DE LA MUSIQUE", "fete de la musique"),
        # campaigns, operations, anniversaries
        ("Pour info, Caudan participe à Mai à vélo : balade le dimanche 23 mai", "mai à vélo"),
        ("L'opération Blavet propre est fixée au samedi 17 avril", "opération blavet propre"),
        ("Merci pour les pinces ! Bilan WCD à Riantec : 312 kg", "World Cleanup Day"),
        ("La crèche de Guidel fête ses 20 ans le samedi 18 décembre !", "20 ans"),
    ],
)
def test_event_names(reader: Reader, text: str, event: str | None) -> None:
    assert read(reader, text)["event"] == event


def test_an_event_and_its_own_equipment_set_up_ask_for_nothing(reader: Reader) -> None:
    reading = read(reader, "Le bus du dépistage diabète passe jeudi 15 sur le port. "
                           "On installe 2 barnums à côté.")  # fmt: skip
    assert (reading["intent"], reading["items"], reading["event"]) == (
        "event",
        [],
        "dépistage diabète",
    )


@pytest.mark.parametrize(
    ("text", "commune"),
    [
        ("La commune de Quéven souhaiterait emprunter 50 barrières du 12 au 15 juillet", "56185"),
        ("la mairie de Rianteq aurait besoin d'un podium le 3 mai", "56193"),
        (
            "Besoin de 3 barnums le 3 mai.\n\nCordialement,\nJean Le Gall\nVille de Lanester",
            "56098",
        ),
        ("besoin de 3 barnums le 3 mai, ST Caudan", "56036"),
        ("besoin de 3 barnums le 3 mai", None),
        ("nous aimerions emprunter à la commune de Caudan son podium le 3 mai", None),
        # the commune offered to, not the writer; but a writer's own label before the offer
        ("Pour Hennebont : on peut vous passer 100 chaises le 13/06. Inzinzac", "56090"),
        ("Riantec : on peut vous passer le broyeur, Gâvres, lundi", "56193"),
        # the commune spoken to first, the writer signing last; but not one thanked
        ("Gâvres : on a 6 barnums dispo pour votre marché le 11 décembre. Port-Louis", "56181"),
        ("Gestel : on a bien récupéré notre enrouleur, merci Pont-Scorff", "56063"),
    ],
)
def test_writer_commune(reader: Reader, text: str, commune: str | None) -> None:
    assert read(reader, text)["commune"] == commune


def test_quoted_replies_and_signatures_do_not_feed_the_reading(reader: Reader) -> None:
    text = (
        "Bonjour,\n\nNous aurions besoin de 3 barnums le samedi 12 juin.\n\n"
        "Cordialement,\nMarie Le Gall\nServices techniques\nMairie de Riantec\n"
        "56670 Riantec\n02 97 33 44 55\n\n"
        "Le lun. 7 juin 2027 à 11:02, Jean Dupont <j.dupont@caudan.fr> a écrit :\n"
        "> Nous pouvons prêter 20 tables le 3 août.\n> Mairie de Caudan\n"
    )
    reading = read(reader, text)
    assert items(reading) == [("barnum", 3)]
    assert (reading["intent"], reading["start"], reading["commune"]) == (
        "borrow",
        "2027-06-12",
        "56193",
    )


def test_forwarded_headers_do_not_feed_the_dates(reader: Reader) -> None:
    text = (
        "Pour info, voir la demande ci-dessous.\n\n"
        "---------- Message transféré ---------\nDe : Comité <comite@gmail.com>\n"
        "Date : ven. 28 mai 2027 à 18:40\nObjet : course\n\n"
        "Il nous faudrait 2 barnums le 4 juillet."
    )
    reading = read(reader, text)
    assert (items(reading), reading["start"]) == ([("barnum", 2)], "2027-07-04")


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("il nous faudrait des barnums", ["quantity", "dates"]),
        ("nous devons acheter des ordinateurs portables", ["quantity", "deadline"]),
        ("besoin de 3 barnums le 3 mai", []),
        ("besoin de 2 harpes celtiques le 3 mai", ["item"]),
    ],
)
def test_missing_fields(reader: Reader, text: str, missing: list[str]) -> None:
    assert read(reader, text)["missing"] == missing


def test_spans_point_at_what_was_written(reader: Reader) -> None:
    text = "Bonjour, il nous faudrait 200 ganivelles pour le 21 juin"
    reading: Reading = reader.read(text, TODAY)
    assert reading.quote("items") == ["200 ganivelles"]
    assert reading.quote("dates") == ["pour le 21 juin"]


def test_dateparser_reads_what_the_rules_miss(reader: Reader) -> None:
    # No French rule here reads a day glued to its month by a hyphen; dateparser does.
    reading = read(reader, "besoin de 3 tables le 3-mai")
    assert (reading["start"], reading["end"]) == ("2027-05-03", "2027-05-03")
    assert reading.get("start") and reader.read("3 tables le 3-mai", TODAY).quote("dates") == [
        "le 3-mai"
    ]


def test_the_most_precise_date_wins(reader: Reader) -> None:
    reading = read(reader, "besoin de 3 tables samedi le 4 mai")
    assert reading["start"] == "2027-05-04"


@pytest.mark.parametrize(
    ("text", "volunteer"),
    [
        (
            "Nous devons acheter 2 tondeuses autoportées avant septembre et pouvons porter le groupement.",
            True,
        ),
        (
            "Groupement de commandes : Caudan sera le porteur, 40 ramettes de papier avant juin.",
            False,
        ),
        ("Nous serons porteur du groupement : 40 ramettes de papier avant juin.", True),
        ("Nous devons acheter 2 tondeuses autoportées avant septembre.", False),
    ],
)
def test_volunteering_to_carry_a_group_order(reader: Reader, text: str, volunteer: bool) -> None:
    assert read(reader, text)["volunteer"] is volunteer


def test_an_absence_notice_among_numbered_points_is_read_without_failing(reader: Reader) -> None:
    # "Je serai absente du …" reads like an automatic reply; the numbered point before it
    # orders paillage, which the learned model reads: the reading must still end, and read it.
    text = (
        "Bonjour,\n\n1. La fête du sport s'est très bien passée, merci à tous.\n"
        "2. Caudan souhaite commander 80 m3 de paillage dans le cadre de l'achat groupé ; "
        "livraison souhaitée au plus tard le mardi 1er juin.\n"
        "3. Je serai en congés du 10 au 14 mai.\n\nCatherine Guégan\nSecrétaire générale – Caudan"
    )
    reading = read(reader, text, dt.date(2027, 4, 26))
    assert reading["intent"] in ("purchase", "unknown")


def test_a_count_in_a_unit_of_two_words_is_read_without_failing(reader: Reader) -> None:
    # "big bags" is one unit of two words: the unit is looked up as matched, not by its first
    # word (a blind set's "5 big bags de copeaux" made the reading fail).
    reading = read(
        reader, "il nous faudrait 5 big bags de copeaux pour la fête", dt.date(2027, 5, 10)
    )
    assert [(i["quantity"], i["unit"]) for i in reading["items"]] == [(5, "big bag")]


@pytest.mark.parametrize(
    ("text", "intent", "label", "quantity"),
    [
        ("Annulez le vibraphone svp, le concert est reporté.", "cancel", "vibraphone", 1),
        ("Le marimba n'est plus dispo, il a été vendu. Languidic", "cancel", "marimba", 1),
        (
            "on voudrait emprunter la loupe électronique du 18 au 25 juin",
            "borrow",
            "loupe électronique",
            1,
        ),
        ("Marimba 4,3 octaves dispo du 21 au 27 juin. Languidic", "lend", "Marimba", None),
        (
            "On rejoint la cde groupée des gilets vibrants : 4. Groix",
            "purchase",
            "gilets vibrants",
            4,
        ),
        (
            # (the example first written here, "bornes escamotables", joined the catalogue
            # at round 84; so did nearly every other thing a town hall buys)
            "qqn est intéressé par l'achat de hamacs ?",
            "purchase",
            "hamacs",
            None,
        ),
    ],
)
def test_what_an_act_bears_on_when_the_catalogue_knows_nothing_of_it(
    reader: Reader, text: str, intent: str, label: str, quantity: int | None
) -> None:
    """An item outside the catalogue, uncounted, is still what the act bears on, and the
    reading asks about it rather than recording it."""
    reading = read(reader, text)
    assert reading["intent"] == intent
    assert [(i["item"], i["label"], i["quantity"]) for i in reading["items"]] == [
        (None, label, quantity)
    ]
    assert "item" in reading["missing"]


def test_a_withdrawal_of_a_request_names_no_item_of_its_event(reader: Reader) -> None:
    reading = read(reader, "Annulez notre demande svp, le fest-noz est reporté. Bubry")
    assert reading["intent"] == "cancel" and reading["items"] == []


@pytest.mark.parametrize(
    ("text", "quantity"),
    [
        ("pour la fête on a 30 barrières vauban, il en faudrait 50, donc il en manque 20", 20),
        ("Sel : stock 5 t, besoin estimé 9 t, donc 4 t à commander. Bubry", 4),
        ("Il faut compter 2 grilles par stand, soit 24 grilles ; nous en possédons 10. "
         "Il nous en manque donc 14.", 14),
        ("Nous avons 24 jardinières, il en faudrait 36. On voudrait en commander 12.", 12),
        ("On a 150 chaises pliantes, il nous en faut 100 le 2 octobre. "
         "Les 50 autres sont à prêter ce jour-là.", 50),
        # what is not offered stays apart, and so does a plain request
        ("Nous disposons de 25 tables pliantes disponibles en juin. "
         "Les 10 autres sont réservées pour notre kermesse.", 25),
        ("Il nous manque 15 tables (2 m) pour le repas des aînés", 15),
        ("Nous cherchons donc 3 chauffages d'appoint pour le thé dansant", 3),
    ],
)  # fmt: skip
def test_the_count_a_reckoning_ends_on(reader: Reader, text: str, quantity: int) -> None:
    assert [i["quantity"] for i in read(reader, text)["items"]] == [quantity]


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("pouvez-vous nous prêter un vibraphone pour le concert du 8 mai ? On répète la veille.",
         "2027-05-07", "2027-05-08"),
        ("Il nous faudrait 2 gradins pour le concert du dimanche 21 mars. Répétition générale le "
         "samedi 20 sur place.", "2027-03-20", "2027-03-21"),
        # the days said already hold the rehearsal
        ("Concert le dimanche 12 décembre avec répétition la veille. Le matériel nous serait utile "
         "du samedi 11 (répétition) au dimanche 12 décembre.", "2027-12-11", "2027-12-12"),
    ],
)  # fmt: skip
def test_a_rehearsal_uses_what_the_show_does(
    reader: Reader, text: str, start: str, end: str
) -> None:
    reading = read(reader, text, dt.date(2027, 3, 1))
    assert (reading["start"], reading["end"]) == (start, end)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("la ville met à disposition ses 2 stations de réparation vélo mobiles en mai",
         "stations de réparation vélo"),
        ("Caudan partant pour l'achat groupé de compteurs vélo : 2.", "compteurs vélo"),
        ("si ça intéresse qq1, on a un semoir à gazon dispo jusqu'au 30 avril", "semoir à gazon"),
        ("On aurait besoin de 3 tamis à sable du 20 au 22/07. Riantec", "tamis à sable"),
        ("L'association dispose de 6 machines à coudre qu'elle peut prêter en juin",
         "machines à coudre"),
    ],
)  # fmt: skip
def test_a_name_after_a_noun_says_what_it_is_for(reader: Reader, text: str, label: str) -> None:
    assert [(i["item"], i["label"]) for i in read(reader, text)["items"]] == [(None, label)]


@pytest.mark.parametrize(
    "text", ["Objet : Prêt tables\n\nBonjour, c'est pour le 3 mai", "dispo barnums le 3 mai ?",
             "il nous faudrait quarante tables quatre-vingts bancs",
             "on a des vrais sapins, donc nos 3 sapins artificiels ne serviront pas"],
)  # fmt: skip
def test_the_words_of_an_act_or_a_count_leave_a_name_alone(reader: Reader, text: str) -> None:
    assert all(i["item"] is not None for i in read(reader, text)["items"])
