"""The command line answers in French and says what really failed: French words accepted
beside the English ones of the contract, real plurals, no file or port error blamed on the
database, no commune taken for the intercommunality."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import socket
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from handlers import replies
from handlers.clock import Clock
from handlers.files import OutputError, write_file
from handlers.wording import day
from storage.database import create_engine
from storage.labels import ROLES
from storage.models import OutboxMessage, Role
from storage.territory import load_territory
from tests.cli import flat, mutualise

LOAN = [
    {"from": "st@lorient.bzh", "text": "Nous pouvons prêter 300 ganivelles en juin",
     "at": "2027-05-02T09:00"},
    {"from": "mairie@mairie-riantec.bzh", "text": "il nous faudrait 150 ganivelles pour le 21 juin",
     "at": "2027-05-03T10:00"},
]  # fmt: skip


def ok(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    result = mutualise(*args, db=db)
    assert result.returncode == 0, result.stderr
    return result


def failed(result: subprocess.CompletedProcess[str], phrase: str) -> str:
    """The one sentence a failed command wrote, checked for `phrase` and no traceback."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr + result.stdout
    assert phrase in result.stderr, result.stderr
    return result.stderr


def ingested(db: str, tmp_path: Path, lines: list[dict[str, str]]) -> None:
    """The `lines` handled by `mutualise ingest` on the initialised store `db`."""
    path = tmp_path / "messages.jsonl"
    path.write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in lines), "utf-8")
    ok("ingest", str(path), db=db)


def read_only_folder(tmp_path: Path) -> Path:
    """A folder this process cannot write into: made read-only, or /sys when the tests run
    as root (which writes anywhere on an ordinary file system)."""
    folder = tmp_path / "lecture-seule"
    folder.mkdir()
    folder.chmod(0o555)
    for candidate in (folder, Path("/sys")):
        try:
            with tempfile.TemporaryFile(dir=candidate):
                pass
        except OSError:
            return candidate
    pytest.skip("no folder this process cannot write into")


@pytest.mark.parametrize(
    ("role", "stored", "shown"),
    [
        ("correspondant", "correspondent", "correspondant pour Riantec"),
        ("Correspondante", "correspondent", "correspondant pour Riantec"),
        ("correspondent", "correspondent", "correspondant pour Riantec"),
        ("coordinateur", "coordinator", "coordinateur de Lorient Agglomération."),
        ("coordinator", "coordinator", "coordinateur de Lorient Agglomération."),
    ],
)
def test_roles_are_accepted_in_french_and_in_english(
    initialised_url: str, role: str, stored: str, shown: str
) -> None:
    added = ok("members", "add", "--commune", "Riantec", "--role", role, "--name", "Anne",
               db=initialised_url)  # fmt: skip
    assert shown in added.stdout
    listed = json.loads(ok("members", "list", "--json", db=initialised_url).stdout)
    assert [m["role"] for m in listed] == [stored]  # the contract's values, unchanged
    assert ROLES[Role(stored)] in ok("members", "list", db=initialised_url).stdout


@pytest.mark.parametrize("name", ["lorient agglo", "Lorient Agglomération", "200042174"])
def test_the_intercommunality_is_never_taken_for_a_commune(initialised_url: str, name: str) -> None:
    result = mutualise("members", "add", "--commune", name, "--role", "correspondant",
                       db=initialised_url)  # fmt: skip
    failed(result, "désigne l'intercommunalité Lorient Agglomération (200042174)")
    failed(mutualise("needs", "--commune", name, db=initialised_url), "pas l'une de ses communes")
    assert json.loads(ok("members", "list", "--json", db=initialised_url).stdout) == []
    # A coordinator joins the intercommunality itself, never its central town.
    for option in ("--commune", "--territoire"):
        ok("members", "add", option, name, "--role", "coordinateur", db=initialised_url)
    listed = json.loads(ok("members", "list", "--json", db=initialised_url).stdout)
    assert [(m["commune"], m["territory"]) for m in listed] == [(None, "200042174")] * 2


def test_a_coordinator_joins_the_territory_without_a_commune(initialised_url: str) -> None:
    added = ok("members", "add", "--role", "coordinateur", "--email", "lou@agglo.example",
               db=initialised_url)  # fmt: skip
    assert "lou@agglo.example, coordinateur de Lorient Agglomération." in added.stdout
    invited = ok("invite", "--role", "coordinateur", db=initialised_url)
    assert "Invitation pour un coordinateur de Lorient Agglomération" in invited.stdout
    failed(mutualise("members", "add", "--territoire", "Pays de Nulle Part", "--role",
                     "coordinateur", db=initialised_url), "« Pays de Nulle Part »")  # fmt: skip
    for wrong in ((), ("--territoire", "lorient agglo", "--commune", "Riantec")):
        failed(mutualise("members", "add", *wrong, "--role", "correspondant", db=initialised_url),
               "Un correspondant parle pour une commune : donnez-la avec --commune")  # fmt: skip
    # A store of two territories: the coordinator's is named, or they are refused.
    path = initialised_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        connection.execute("INSERT INTO territories (epci, name, kind, source) VALUES "
                           "('200000001', 'Pays d''Ailleurs', 'CC', 'test')")  # fmt: skip
    two = failed(mutualise("members", "add", "--role", "coordinateur", db=initialised_url),
                 "Nommez le territoire du coordinateur avec --territoire")  # fmt: skip
    assert "Lorient Agglomération (200042174)" in two and "Pays d'Ailleurs (200000001)" in two
    ok("members", "add", "--territoire", "200000001", "--role", "coordinateur", db=initialised_url)
    listed = json.loads(ok("members", "list", "--json", db=initialised_url).stdout)
    assert [(m["commune"], m["territory"]) for m in listed] == [
        (None, "200042174"), (None, "200000001")
    ]  # fmt: skip


def test_a_far_name_gets_no_suggestion_a_close_one_does(initialised_url: str) -> None:
    paris = failed(mutualise("needs", "--commune", "Paris", db=initialised_url), "« Paris »")
    assert "Vouliez-vous dire" not in paris
    close = failed(mutualise("needs", "--commune", "Lan", db=initialised_url), "Vouliez-vous")
    assert "Lanester" in close
    none = ok("needs", "--commune", "Lanestre", db=initialised_url)
    assert "Aucun besoin ni offre enregistré pour Lanester." in none.stdout


def test_a_name_found_inside_another_is_asked_not_taken(initialised_url: str) -> None:
    # Étel is a commune of another intercommunality, spelt inside "Gestel".
    etel = mutualise("members", "add", "--commune", "Etel", "--role", "correspondant",
                     db=initialised_url)  # fmt: skip
    failed(etel, "Aucune commune du territoire ne s'appelle « Etel ». Vouliez-vous dire : Gestel ?")
    assert json.loads(ok("members", "list", "--json", db=initialised_url).stdout) == []
    for loose, name in (("Rianteq", "Riantec"), ("mairie de Riantec", "Riantec"),
                        ("Lorient-ville", "Lorient"), ("Lochrist", "Inzinzac-Lochrist")):  # fmt: skip
        none = ok("needs", "--commune", loose, db=initialised_url)
        assert f"Aucun besoin ni offre enregistré pour {name}." in none.stdout


def test_digest_kinds_in_french(initialised_url: str, tmp_path: Path) -> None:
    ingested(initialised_url, tmp_path, LOAN)
    for kind, title in (("rapprochements", "Rapprochements du"), ("semestre", "État des lieux")):
        result = ok("digest", kind, "--now", "01/07/2027", "--out", str(tmp_path / kind),
                    db=initialised_url)  # fmt: skip
        assert title in result.stdout
    assert "1er juillet 2027" in (tmp_path / "semestre" / "digest.txt").read_text("utf-8")


def test_listings_show_french_statuses_and_dates(
    initialised_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # no cell wrapped: phrases read whole
    ingested(initialised_url, tmp_path, LOAN)
    needs = flat(ok("needs", "--now", "01/06/2027", db=initialised_url).stdout)
    assert "prêt proposé" in needs and "ouverte" in needs
    assert "du 1er au 30 juin 2027" in needs and "2027-06" not in needs
    for english in ("matched", "open", "proposed"):
        assert f" {english} " not in needs
    proposals = flat(ok("proposals", "--now", "01/06/2027", db=initialised_url).stdout)
    assert "en attente de réponse" in proposals and "proposed" not in proposals
    rows = json.loads(ok("needs", "--json", "--now", "01/06/2027", db=initialised_url).stdout)
    assert [(r["status"], r["status_label"]) for r in rows] == [
        ("matched", "prêt proposé"),
        ("open", "ouverte"),
    ]
    (loan,) = json.loads(
        ok("proposals", "--json", "--now", "01/06/2027", db=initialised_url).stdout
    )
    assert (loan["status"], loan["status_label"]) == ("proposed", "en attente de réponse")


def confirmed_loan(db: str, tmp_path: Path, lines: list[dict[str, str]]) -> None:
    """The loan of `lines` (one offer, one request) accepted by both communes."""
    ingested(db, tmp_path, lines)
    (loan,) = json.loads(ok("proposals", "--json", db=db).stdout)
    for commune in ("Lorient", "Riantec"):
        ok("answer", str(loan["id"]), "--commune", commune, "--accept", db=db)


def states(db: str, *now: str) -> tuple[list[tuple[str, str]], tuple[str, str]]:
    """What `needs` and `proposals` say of the request and its loan, as of --now if given."""
    needs = json.loads(ok("needs", "--json", *now, db=db).stdout)
    (loan,) = json.loads(ok("proposals", "--json", *now, db=db).stdout)
    return [(r["status"], r["status_label"]) for r in needs], (loan["status"], loan["status_label"])


@pytest.mark.parametrize(
    ("now", "need", "loan"),
    [
        ("20/06/2027", "prêt confirmé", "confirmé"),
        ("21/06/2027", "prêt en cours", "en cours"),
        ("2027-06-22", "prêt terminé", "terminé"),
    ],
)
def test_a_confirmed_loan_is_said_where_it_stands_on_a_day(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, now: str, need: str, loan: str
) -> None:
    ok("init", db=store_url)
    confirmed_loan(store_url, tmp_path, LOAN)
    # The contract's statuses stay; what a person reads is where the loan stands that day.
    assert states(store_url, "--now", now) == (
        [("matched", need), ("open", "ouverte")],
        ("accepted", loan),
    )
    monkeypatch.setenv("COLUMNS", "200")
    assert f" {need} " in flat(ok("needs", "--now", now, db=store_url).stdout)
    assert f" prêt {loan} " in flat(ok("proposals", "--now", now, db=store_url).stdout)


def test_listings_reckon_states_on_the_services_clock(initialised_url: str, tmp_path: Path) -> None:
    today = Clock().today()  # the clock of the command, whose settings are the defaults
    days = [today + dt.timedelta(days=n) for n in (-30, -1, 1)]
    confirmed_loan(initialised_url, tmp_path, [
        {"from": "st@lorient.bzh", "at": f"{days[0]:%d/%m/%Y} 09:00",
         "text": f"Nous pouvons prêter 300 ganivelles du {day(days[1])} au {day(days[2])}"},
        {"from": "mairie@mairie-riantec.bzh", "at": f"{days[0]:%d/%m/%Y} 10:00",
         "text": f"il nous faudrait 150 ganivelles du {day(days[1])} au {day(days[2])}"},
    ])  # fmt: skip
    assert states(initialised_url) == (
        [("matched", "prêt en cours"), ("open", "ouverte")],
        ("accepted", "en cours"),
    )
    assert states(initialised_url, "--now", f"{days[2] + dt.timedelta(days=1):%d/%m/%Y}") == (
        [("matched", "prêt terminé"), ("open", "ouverte")],
        ("accepted", "terminé"),
    )


def test_a_wrong_now_is_refused_in_french(initialised_url: str) -> None:
    for command in ("needs", "proposals"):
        failed(mutualise(command, "--now", "31/02/2027", db=initialised_url),
               "Date --now impossible : le 31/02/2027 n'existe pas")  # fmt: skip


def test_no_agreement_waits_for_a_refused_loan(initialised_url: str, tmp_path: Path) -> None:
    ingested(initialised_url, tmp_path, LOAN)
    (loan,) = json.loads(ok("proposals", "--json", db=initialised_url).stdout)
    number = str(loan["id"])
    ok("answer", number, "--commune", "Riantec", "--refuse", db=initialised_url)
    out = str(tmp_path / "convention.docx")
    why = failed(mutualise("convention", number, "--out", out, db=initialised_url),
                 f"La proposition n° {number} est refusée : pas de convention à établir.")  # fmt: skip
    assert "en attente" not in why


def test_calendar_tokens_name_the_commune(initialised_url: str) -> None:
    ok("members", "add", "--commune", "Lorient", "--role", "coordinateur", "--email",
       "coord@agglo.example", db=initialised_url)  # fmt: skip
    ok("calendar-token", "add", "--email", "coord@agglo.example", db=initialised_url)
    listed = flat(ok("calendar-token", "list", db=initialised_url).stdout)
    assert "Lorient" in listed and "56121" not in listed


def test_communes_json_has_the_mail_domains(initialised_url: str) -> None:
    communes = json.loads(ok("communes", "--json", db=initialised_url).stdout)
    bundled = {c.insee: c for c in load_territory().communes}
    for commune in communes:
        record = bundled[commune["insee"]]
        assert commune["email_domains"] == sorted(record.email_domains)
        assert commune["email_addresses"] == sorted(record.email_addresses)
    assert (
        "mairie-riantec.bzh" in next(c for c in communes if c["name"] == "Riantec")["email_domains"]
    )


@pytest.mark.parametrize("written", ["31/07/2027", "31-07-2027", "2027-07-31", "31.7.2027"])
def test_dates_are_read_the_french_way_too(
    initialised_url: str, tmp_path: Path, written: str
) -> None:
    ingested(initialised_url, tmp_path, [
        {"from": "mairie@caudan.fr", "text": "Notre forum des associations aura lieu le samedi "
         "4 septembre", "at": "2027-05-02T09:00"},
        {"from": "mairie@caudan.fr", "text": "Notre fête de la musique aura lieu le 21 juin",
         "at": "2027-05-02T09:00"},
    ])  # fmt: skip
    found = json.loads(ok("events", "--json", "--from", written, db=initialised_url).stdout)
    assert [e["name"] for e in found] == ["forum des associations"]
    failed(
        mutualise("events", "--to", "31/02/2027", db=initialised_url), "le 31/02/2027 n'existe pas"
    )
    failed(mutualise("events", "--to", "juillet", db=initialised_url), "Date --to illisible")
    backwards = mutualise(
        "events", "--from", "31/07/2027", "--to", "01/06/2027", db=initialised_url
    )
    failed(backwards, "Période à l'envers : --to (01/06/2027) tombe avant --from (31/07/2027).")


def test_parse_now_in_french() -> None:
    result = mutualise("parse", "--now", "10/03/2027", "besoin de 2 barnums le 14 juillet")
    assert json.loads(result.stdout)["start"] == "2027-07-14"


def test_ingest_with_nothing_usable_says_why(initialised_url: str, tmp_path: Path) -> None:
    empty = tmp_path / "vide.jsonl"
    empty.write_text("\n\n", "utf-8")
    failed(mutualise("ingest", str(empty), db=initialised_url), "ne contient aucune ligne")
    junk = tmp_path / "n-importe.jsonl"
    junk.write_text('pas du json\n{"texte": "sans expéditeur"}\n', "utf-8")
    result = mutualise("ingest", str(junk), db=initialised_url)
    why = failed(result, "les 2 lignes")
    assert '"from"' in why
    assert "ligne 1 : illisible, ignorée — ce n'est pas du JSON" in result.stdout
    assert "ligne 2 : illisible, ignorée — il manque les champs « from », « text » et « at » ; " \
        "« texte » n'est pas un champ attendu" in result.stdout  # fmt: skip
    refused = tmp_path / "inconnu.jsonl"
    refused.write_text(json.dumps({"from": "qui@gmail.com", "text": "3 barnums le 3 juin",
                                   "at": "2027-05-03T11:00"}), "utf-8")  # fmt: skip
    answered = ok("ingest", str(refused), db=initialised_url)  # handled, though refused
    assert "1 message : 1 refusé (expéditeur inconnu)." in answered.stdout
    assert "— Votre message n'a pas été enregistré" in answered.stdout  # not its "Bonjour,"


def test_ingest_says_what_is_wrong_with_each_unreadable_line(
    initialised_url: str, tmp_path: Path
) -> None:
    need = {"from": "st@lorient.bzh", "text": "il nous faudrait 3 barnums le 3 juin",
            "at": "2027-05-03T11:00"}  # fmt: skip
    lines = [
        json.dumps(need),
        json.dumps({**need, "at": "03/05/2027 11:00"}),  # the same instant, written the French way
        json.dumps({**need, "at": "31/04/2027 11:00"}),
        json.dumps({k: v for k, v in need.items() if k != "at"} | {"date": need["at"]}),
        json.dumps(need)[:-1],
        json.dumps({**need, "text": 3}),
    ]
    path = tmp_path / "messages.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    result = ok("ingest", str(path), db=initialised_url)
    said = result.stdout.splitlines()
    assert said[0].startswith("ligne 1 : enregistré")
    assert said[1].startswith("ligne 2 : déjà reçu")
    assert said[2:6] == [
        "ligne 3 : illisible, ignorée — la date « 31/04/2027 11:00 » du champ « at » n'existe "
        "pas dans le calendrier",
        "ligne 4 : illisible, ignorée — il manque le champ « at » (la date et l'heure d'envoi, "
        "par exemple 2027-05-02T09:00 ou 02/05/2027 09:00) ; « date » n'est pas un champ attendu",
        "ligne 5 : illisible, ignorée — la ligne s'arrête avant la fin de l'objet JSON "
        "(accolade fermante manquante ?)",
        "ligne 6 : illisible, ignorée — le champ « text » doit être un texte (le texte du "
        "message), pas un nombre",
    ]
    assert said[6] == "6 messages : 1 enregistré, 1 déjà reçu, 4 illisibles."


def test_file_errors_say_what_failed(initialised_url: str, tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# à garder", "utf-8")
    folder = read_only_folder(tmp_path)
    cases = [
        (readme, "est un fichier, pas un dossier"),
        (folder, f"Impossible d'écrire dans le dossier {folder}"),
        (folder / "sous-dossier", "Impossible de créer le dossier"),
    ]
    for out, phrase in cases:
        result = mutualise("digest", "semestre", "--out", str(out), db=initialised_url)
        assert "base de données" not in failed(result, phrase)
    assert readme.read_text("utf-8") == "# à garder"


def test_file_errors_are_french_sentences(initialised_url: str, tmp_path: Path) -> None:
    absent, folder = tmp_path / "absent.jsonl", tmp_path / "dossier"
    folder.mkdir()
    for command in (("ingest", str(absent)), ("parse", "--jsonl", str(absent))):
        failed(mutualise(*command, db=initialised_url), f"Le fichier {absent} n'existe pas.")
    failed(mutualise("ingest", str(folder), db=initialised_url), f"{folder} est un dossier")
    catalogue = mutualise("init", "--catalogue", str(absent), db=initialised_url)
    failed(catalogue, f"Le fichier de catalogue {absent} n'existe pas.")


def test_an_agreement_written_nowhere_says_where(tmp_path: Path) -> None:
    out = tmp_path / "nulle-part" / "convention.html"
    missing = re.escape(f"le dossier {tmp_path / 'nulle-part'} n'existe pas")
    with pytest.raises(OutputError, match=missing):
        write_file(out, b"<p>convention</p>")
    (tmp_path / "fichier").write_text("", "utf-8")
    with pytest.raises(OutputError, match="un élément du chemin n'est pas un dossier"):
        write_file(tmp_path / "fichier" / "convention.html", b"")
    with pytest.raises(OutputError, match=r"accès refusé|lecture seule|non permise"):
        write_file(read_only_folder(tmp_path) / "convention.html", b"")


async def test_a_digest_is_not_sent_when_it_cannot_be_written(
    initialised_url: str, tmp_path: Path
) -> None:
    ingested(initialised_url, tmp_path, LOAN)
    ok("members", "add", "--commune", "Lorient", "--role", "coordinateur", "--email",
       "coord@agglo.example", db=initialised_url)  # fmt: skip
    folder = read_only_folder(tmp_path)
    # A link planted where a file goes: the folder passes the check, the writing fails.
    planted = tmp_path / "piege"
    planted.mkdir()
    (planted / "digest.html").symlink_to(tmp_path / "ailleurs.html")
    before = await queued(initialised_url)  # the answers to the ingested mail
    for kind in ("semestre", "rapprochements"):
        for out, phrase in ((folder, "Impossible d'écrire"), (planted, "lien symbolique")):
            result = mutualise("digest", kind, "--now", "2027-07-01", "--out", str(out),
                               "--send", db=initialised_url)  # fmt: skip
            failed(result, phrase)
    assert await queued(initialised_url) == before
    sent = ok("digest", "semestre", "--now", "2027-07-01", "--out", str(tmp_path / "s"),
              "--send", db=initialised_url)  # fmt: skip
    assert "Envoyé à 1 destinataire par la boîte d'envoi." in sent.stdout
    assert await queued(initialised_url) == before + 1


async def queued(db: str) -> int:
    """How many messages the outbox holds."""
    engine = create_engine(db)
    try:
        async with engine.connect() as connection:
            count = await connection.scalar(select(func.count()).select_from(OutboxMessage))
    finally:
        await engine.dispose()
    return int(count or 0)


def test_a_db_in_a_missing_folder_is_a_sentence(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/absent/mutualise.db"
    failed(mutualise("init", db=db), f"Le dossier {tmp_path}/absent de la base SQLite")
    assert not (tmp_path / "absent").exists()
    # Two slashes: an address SQLAlchemy parses and its SQLite driver refuses.
    wrong = mutualise("needs", db="sqlite://mutualise.db", cwd=tmp_path)
    assert "sqlite:///fichier.db" in failed(wrong, "Adresse de base de données invalide")
    assert not (tmp_path / "mutualise.db").exists()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("setting", "what"),
    [
        ("SMTP", "courriel entrant"),
        ("WEB", "page web"),
        ("CALENDAR", "calendrier"),
        ("WEB=SMTP", "page web"),  # two services of its own set on one port
    ],
)
def test_run_on_a_taken_port_says_so_before_announcing_anything(
    initialised_url: str, tmp_path: Path, setting: str, what: str
) -> None:
    """Every port is opened before any service starts: the one taken is named, with the
    setting to change, and nothing was announced as listening (nor any mail taken)."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        env = {k: v for k, v in os.environ.items() if not k.startswith("MUTUALISE_")}
        ports = {name: str(_free_port()) for name in ("SMTP", "WEB", "CALENDAR")}
        if setting == "WEB=SMTP":
            port = ports["WEB"] = ports["SMTP"]
        else:
            ports[setting] = port
        env.update(
            {
                "MUTUALISE_DB": initialised_url,
                "MUTUALISE_MAIL_ADDRESSES": "besoins@agglo.example",
                "MUTUALISE_SECRET": "0123456789abcdef0123",
                "MUTUALISE_SCHEDULER": "false",
                **{f"MUTUALISE_{name}_PORT": number for name, number in ports.items()},
            }
        )
        # In this process: every port is opened before the service sets its signal handlers
        # (which only a main thread may), so a start past a taken port fails here too.
        result = mutualise("run", env=env, cwd=tmp_path)
    why = failed(result, f"Le port {port} de 127.0.0.1 ({what}) est déjà pris")
    variable = "WEB" if setting == "WEB=SMTP" else setting
    assert f"MUTUALISE_{variable}_PORT" in why and "base de données" not in why
    assert "Rien n'a été lancé." in why
    assert result.stdout == ""  # nothing said to listen, nothing taken up


@pytest.mark.parametrize(
    ("needs", "offers", "proposals", "expected"),
    [
        (1, 0, 0, "C'est noté : 1 demande de Gâvres est retirée."),
        (0, 1, 1, "C'est noté : 1 offre de Gâvres est retirée. 1 proposition qui en dépendait "
         "est annulée."),
        (2, 1, 3, "C'est noté : 2 demandes et 1 offre de Gâvres sont retirées. 3 propositions "
         "qui en dépendaient sont annulées."),
        (0, 0, 0, "rien n'a été retiré"),
    ],
)  # fmt: skip
def test_withdrawals_agree_in_number(
    needs: int, offers: int, proposals: int, expected: str
) -> None:
    text = replies.withdrawn(needs, offers, proposals, "Gâvres")
    assert expected in text
    assert "(s)" not in text and "(en)" not in text


def test_a_stranger_is_told_to_ask_the_coordinator() -> None:
    text = replies.UNKNOWN_SENDER
    assert "n'est inscrit pour aucune commune" in text and "coordinateur" in text
    assert "mutualise members" not in text and "`" not in text


def test_usage_shows_the_french_words() -> None:
    usage = mutualise("digest", "--help").stdout + mutualise("members", "add", "--help").stdout
    assert "rapprochements|semestre" in usage and "correspondant|coordinateur" in usage
