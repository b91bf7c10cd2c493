"""The `mutualise` command as a user runs it: through `main(argv)` in this process, and a
few runs of the installed script in a process of its own (`script`)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from storage.database import create_engine
from storage.schema import head_revision
from tests.cli import flat, mutualise, script
from tests.snapshot import dump


def assert_clean_failure(result: subprocess.CompletedProcess[str], phrase: str) -> None:
    assert result.returncode != 0
    assert phrase in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


async def test_init_twice_changes_nothing(store_url: str) -> None:
    first = mutualise("init", db=store_url)
    assert first.returncode == 0, first.stderr
    assert "25 communes, 203 309 habitants" in first.stdout
    engine = create_engine(store_url)
    try:
        before = await dump(engine)
        second = mutualise("init", db=store_url)
        assert second.returncode == 0, second.stderr
        assert second.stdout.count("déjà à jour") == 2
        assert f"schéma {head_revision()}, à jour" in second.stdout
        assert await dump(engine) == before
    finally:
        await engine.dispose()


def test_communes_json_lists_the_territory(initialised_url: str) -> None:
    result = mutualise("communes", "--json", db=initialised_url)
    assert result.returncode == 0, result.stderr
    communes = json.loads(result.stdout)
    assert len(communes) == 25
    assert all({"insee", "name", "population", "email_domains"} <= set(c) for c in communes)
    assert sum(c["population"] for c in communes) == 203_309
    riantec = next(c for c in communes if c["insee"] == "56193")
    assert (riantec["name"], riantec["population"]) == ("Riantec", 5622)


def test_communes_table_is_french(initialised_url: str) -> None:
    result = mutualise("communes", db=initialised_url)
    assert "Lorient Agglomération (200042174)" in result.stdout
    assert "57 149" in result.stdout and "25 communes" in result.stdout


def test_db_flag_wins_over_the_environment(sqlite_url: str, tmp_path: Path) -> None:
    other = f"sqlite:///{tmp_path}/other.db"
    assert mutualise("--db", sqlite_url, "init", db=other).returncode == 0
    assert not (tmp_path / "other.db").exists()
    assert Path(sqlite_url.removeprefix("sqlite:///")).exists()


def test_default_store_is_a_file_in_the_working_directory(tmp_path: Path) -> None:
    result = script("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "mutualise.db").exists()


def test_members_add_and_list(initialised_url: str) -> None:
    added = mutualise(
        "members", "add", "--commune", "Rianteq", "--role", "correspondent",
        "--email", "Services.Techniques@mairie-riantec.bzh", "--name", "Yann Le Bihan",
        db=initialised_url,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "correspondant pour Riantec" in added.stdout
    coordinator = mutualise(
        "members", "add", "--commune", "lorient", "--role", "coordinator",
        "--telegram", "987654321", db=initialised_url,
    )  # fmt: skip
    assert coordinator.returncode == 0, coordinator.stderr
    # A commune given for a coordinator only names the territory they belong to.
    assert "coordinateur de Lorient Agglomération." in coordinator.stdout
    listed = json.loads(mutualise("members", "list", "--json", db=initialised_url).stdout)
    assert [
        (m["commune"], m["territory"], m["role"], m["emails"], m["telegram"]) for m in listed
    ] == [
        (None, "200042174", "coordinator", [], 987654321),
        ("56193", "200042174", "correspondent", ["services.techniques@mairie-riantec.bzh"], None),
    ]
    table = mutualise("members", "list", db=initialised_url).stdout
    assert "Yann Le Bihan" in table and "coordinateur" in table


def test_member_errors_are_french_sentences(initialised_url: str) -> None:
    unknown = mutualise(
        "members", "add", "--commune", "Lan", "--role", "correspondent", db=initialised_url
    )
    assert_clean_failure(unknown, "Aucune commune du territoire ne s'appelle « Lan »")
    assert "Lanester" in unknown.stderr
    args = ("members", "add", "--commune", "Caudan", "--role", "correspondent")
    assert mutualise(*args, "--email", "a@caudan.fr", db=initialised_url).returncode == 0
    twice = mutualise(*args, "--email", "A@caudan.fr", db=initialised_url)
    assert_clean_failure(twice, "déjà celle d'un autre membre")
    bad_role = mutualise(
        "members", "add", "--commune", "Caudan", "--role", "maire", db=initialised_url
    )
    assert_clean_failure(bad_role, "choix invalide")


def test_commands_before_init_say_what_to_do(sqlite_url: str) -> None:
    result = mutualise("communes", db=sqlite_url)
    assert_clean_failure(result, "lancez d'abord « mutualise init »")


def test_an_unreachable_database_is_explained(tmp_path: Path) -> None:
    result = mutualise("init", db="postgresql://nobody:secret@127.0.0.1:1/none", cwd=tmp_path)
    assert_clean_failure(result, "ne répond pas comme attendu")
    assert "secret" not in result.stderr
    assert "Traceback" in (tmp_path / "mutualise.log").read_text("utf-8")


def test_an_unsupported_database_is_explained() -> None:
    result = mutualise("communes", db="mysql://root@localhost/test")
    assert_clean_failure(result, "Base de données non prise en charge : mysql")


def test_a_wrong_epci_creates_nothing_and_suggests(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    result = mutualise("init", "--epci", "200042175", db=f"sqlite:///{db}")
    assert_clean_failure(result, "Lorient Agglomération (200042174)")
    assert not db.exists()


def test_help_and_usage_errors_are_french() -> None:
    # The installed script says its help in French; argparse's usage errors are the same
    # words in process (the French comes from the parser, not from the process).
    help_text = script("--help")
    assert help_text.returncode == 0
    assert "usage : mutualise" in help_text.stdout and "affiche cette aide" in help_text.stdout
    missing = mutualise("members", "add", "--commune", "Riantec")
    assert missing.returncode == 2
    assert "arguments obligatoires manquants : --role" in missing.stderr


def test_demo_builds_a_fresh_store_and_shows_the_territory(tmp_path: Path) -> None:
    for _ in range(2):
        result = mutualise("demo", "--dir", str(tmp_path / "demo"))
        assert result.returncode == 0, result.stderr
        assert f"(schéma {head_revision()}, créé)" in result.stdout
        assert "Riantec" in result.stdout and "203 309" in result.stdout
        assert "Ce que le bot comprend" in result.stdout and "Quéven" in result.stdout
        assert "16 courriels reçus par le serveur SMTP de mutualise" in result.stdout
        assert "Quelques courriels des mairies et la réponse de mutualise" in result.stdout
        assert "Conversations Telegram" in result.stdout
        assert "Bienvenue Maëlle" in result.stdout and "Pour quelles dates" in result.stdout
        assert "Besoin enregistré pour Larmor-Plage" in result.stdout
        assert "Confirmée :" in result.stdout
        assert "11 messages et boutons Telegram traités par le bot" in result.stdout
        assert "Lorient peut prêter 200 ganivelles à Riantec" in flat(result.stdout)
        assert "3 communes demandent 1 chapiteau" in flat(result.stdout)
        # The proposals are listed once the first loan is accepted, as of the scenario's days.
        accepted = result.stdout.index("Prêt n° 1 accepté par les deux communes")
        listed = flat(result.stdout[accepted:])
        assert listed.startswith("Prêt n° 1 accepté") and "Propositions (7)" in listed
        assert "1 prêt confirmé Lorient peut prêter 200 ganivelles" in listed
    assert "Convention n° 2027-00001 du 19 mai 2027" in (
        tmp_path / "demo" / "convention.html"
    ).read_text("utf-8")
    assert (tmp_path / "demo" / "demo.db").exists()
    assert (tmp_path / "demo" / "convention.docx").exists()
    assert len(list((tmp_path / "demo" / "courriels").glob("*.eml"))) > 10
    summary = tmp_path / "demo" / "synthese" / "semestre"
    assert sorted(p.name for p in summary.iterdir()) == [
        "besoins.xlsx", "calendrier.ics", "digest.html", "digest.txt",
        "graphique-besoins.png", "graphique-economies.png", "graphique-pics.png",
    ]  # fmt: skip
    # Written to a folder, the HTML shows the pictures beside it (no cid: outside a mail).
    html = (summary / "digest.html").read_text()
    assert '<img src="graphique-besoins.png" alt="Besoins déclarés' in html and "cid:" not in html
    assert (
        "Rapprochements du 19 mai 2027"
        in (tmp_path / "demo" / "synthese" / "rapprochements" / "digest.txt").read_text()
    )


def test_parse_prints_the_contract(tmp_path: Path) -> None:
    result = mutualise(
        "parse",
        "--now",
        "2027-03-10",
        "il nous faudrait 200 ganivelles et un podium pour le 21 juin",
    )
    assert result.returncode == 0, result.stderr
    reading = json.loads(result.stdout)
    assert {"intent", "items", "start", "end", "deadline", "event", "commune", "missing"} <= set(
        reading
    )
    assert reading["intent"] == "borrow"
    assert [(i["item"], i["quantity"]) for i in reading["items"]] == [
        ("ganivelle", 200),
        ("podium", 1),
    ]
    assert (reading["start"], reading["end"]) == ("2027-06-21", "2027-06-21")


def test_parse_jsonl_answers_every_line_in_order(tmp_path: Path) -> None:
    lines = tmp_path / "in.jsonl"
    lines.write_text(
        '{"text": "besoin de 2 barnums pr le 14/07", "now": "2027-03-10"}\n'
        "pas du json\n"
        '{"text": "Bonjour !", "now": "2027-03-10T09:30"}\n'
        '{"text": "3 tables le 3 mai", "now": "10/03/2027"}\n',
        "utf-8",
    )
    result = mutualise("parse", "--jsonl", str(lines))
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["intent"] for a in answers] == ["borrow", "unknown", "unknown", "unknown"]
    assert answers[0]["start"] == "2027-07-14"
    assert "ligne 2" in answers[1]["error"] and "ligne 4" in answers[3]["error"]


def test_parse_uses_the_stores_catalogue(sqlite_url: str, tmp_path: Path) -> None:
    extra = tmp_path / "extra.toml"
    extra.write_text(
        '[[items]]\nid = "kayak"\nlabel = "kayak"\nplural = "kayaks"\n'
        'family = "vehicules"\nlendable = true\nunit = "unité"\n',
        "utf-8",
    )
    assert mutualise("init", "--catalogue", str(extra), db=sqlite_url).returncode == 0
    result = mutualise("parse", "--now", "2027-03-10", "besoin de 4 kayaks le 3 mai", db=sqlite_url)
    assert json.loads(result.stdout)["items"][0]["item"] == "kayak"


def test_ingest_needs_and_proposals(initialised_url: str, tmp_path: Path) -> None:
    lines = tmp_path / "messages.jsonl"
    lines.write_text(
        "\n".join(
            json.dumps(m, ensure_ascii=False)
            for m in [
                {"from": "st@lorient.bzh", "text": "Nous pouvons prêter 300 ganivelles en juin", "at": "2027-05-02T09:00"},
                {"from": "mairie@mairie-riantec.bzh", "text": "il nous faudrait 150 ganivelles pour le 21 juin", "at": "2027-05-03T10:00"},
                {"from": "qui@gmail.com", "text": "besoin de 3 barnums le 3 juin", "at": "2027-05-03T11:00"},
            ]
        ),
        "utf-8",
    )  # fmt: skip
    first = mutualise("ingest", str(lines), db=initialised_url)
    assert first.returncode == 0, first.stderr
    assert "expéditeur inconnu" in first.stdout
    assert (
        "3 messages : 3 déjà reçus." in mutualise("ingest", str(lines), db=initialised_url).stdout
    )
    needs = json.loads(mutualise("needs", "--json", db=initialised_url).stdout)
    assert [(n["kind"], n["commune"], n["item"], n["quantity"]) for n in needs] == [
        ("borrow", "56193", "ganivelle", 150),
        ("lend", "56121", "ganivelle", 300),
    ]
    assert {"id", "kind", "commune", "item", "quantity", "start", "end", "deadline", "status", "channel"} <= set(needs[0])  # fmt: skip
    proposals = json.loads(mutualise("proposals", "--json", db=initialised_url).stdout)
    assert len(proposals) == 1
    loan = proposals[0]
    assert (loan["kind"], loan["borrower"], loan["lenders"], loan["quantity"]) == (
        "loan", "56193", ["56121"], 150,
    )  # fmt: skip
    assert set(loan["communes"]) == {"56193", "56121"}
    assert (loan["start"], loan["end"], loan["status"]) == ("2027-06-21", "2027-06-21", "proposed")


def test_answers_and_loan_agreements(initialised_url: str, tmp_path: Path) -> None:
    import zipfile

    args = ("members", "add", "--commune", "Riantec", "--role", "correspondent")
    assert mutualise(*args, "--name", "Anne Le Goff", db=initialised_url).returncode == 0
    lines = tmp_path / "messages.jsonl"
    lines.write_text(
        '{"from": "st@lorient.bzh", "text": "Nous pouvons prêter notre podium en juin", "at": "2027-05-02T09:00"}\n'
        '{"from": "mairie@mairie-riantec.bzh", "text": "il nous faudrait un podium le 21 juin", "at": "2027-05-03T10:00"}\n',
        "utf-8",
    )
    assert mutualise("ingest", str(lines), db=initialised_url).returncode == 0
    loan = json.loads(mutualise("proposals", "--json", db=initialised_url).stdout)[0]
    early = mutualise(
        "convention", str(loan["id"]), "--out", str(tmp_path / "c.html"), db=initialised_url
    )
    assert_clean_failure(early, "n'est pas confirmée")
    for commune in ("Riantec", "Lorient"):
        answer = mutualise(
            "answer", str(loan["id"]), "--commune", commune, "--accept", db=initialised_url
        )
        assert answer.returncode == 0, answer.stderr
    assert "confirmée" in answer.stdout
    html = tmp_path / "c.html"
    docx = tmp_path / "c.docx"
    for out in (html, docx):
        result = mutualise("convention", str(loan["id"]), "--out", str(out), db=initialised_url)
        assert result.returncode == 0, result.stderr
    page = " ".join(html.read_text("utf-8").split())
    assert "La commune de Lorient (code INSEE 56121)" in page
    assert "représentée par son maire" in page and "Anne Le Goff (correspondant)" in page
    # 21 June 2027 is a Monday: collected on the Friday, not on Sunday 20 June.
    assert "remis à l'emprunteur le vendredi 18 juin 2027" in page
    with zipfile.ZipFile(docx) as archive:
        body = archive.read("word/document.xml").decode()
    assert "Riantec" in body and "podium" in body and "{{" not in body and "{%" not in body
    wrong = mutualise(
        "convention", str(loan["id"]), "--out", str(tmp_path / "c.pdf"), db=initialised_url
    )
    assert_clean_failure(wrong, "donnez un fichier .docx ou .html")


def test_events_lists_occurrences(initialised_url: str, tmp_path: Path) -> None:
    lines = tmp_path / "events.jsonl"
    lines.write_text(
        '{"from": "mairie@mairie-queven.fr", "text": "Pour la fête de la musique le 21 juin il nous faudrait 2 barnums", "at": "2027-05-02T09:00"}\n'
        '{"from": "mairie@caudan.fr", "text": "Notre forum des associations aura lieu le samedi 4 septembre", "at": "2027-05-02T09:00"}\n',
        "utf-8",
    )
    assert mutualise("ingest", str(lines), db=initialised_url).returncode == 0
    every = json.loads(mutualise("events", "--json", db=initialised_url).stdout)
    assert every == [
        {
            "commune": "56185",
            "name": "fête de la musique",
            "start": "2027-06-21",
            "end": "2027-06-21",
            "recurring": False,
            "items": [{"item": "barnum", "quantity": 2}],
        },
        {
            "commune": "56036",
            "name": "forum des associations",
            "start": "2027-09-04",
            "end": "2027-09-04",
            "recurring": False,
            "items": [],
        },
    ]
    autumn = mutualise(
        "events", "--json", "--from", "2027-07-01", "--to", "2027-12-31", db=initialised_url
    )
    assert [e["name"] for e in json.loads(autumn.stdout)] == ["forum des associations"]
    assert_clean_failure(
        mutualise("events", "--from", "juillet", db=initialised_url), "Date --from illisible"
    )


def test_digests_render_and_send_once(initialised_url: str, tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.jsonl"
    lines = [
        ("st@lorient.bzh", "Nous prêtons 100 barrières Vauban de juin à septembre.", "05-03"),
        ("mairie@caudan.fr", "Nous devons acheter 3 ordinateurs portables avant septembre", "05-05"),
        ("mairie@cleguer.fr", "Besoin d'acheter 2 ordinateurs portables d'ici fin juillet", "05-06"),
        ("mairie@mairie-queven.fr", "Fête du 14 juillet : il nous faut 30 barrières Vauban", "05-07"),
    ]  # fmt: skip
    scenario.write_text(
        "".join(
            json.dumps({"from": f, "text": t, "at": f"2027-{d}T09:00"}, ensure_ascii=False) + "\n"
            for f, t, d in lines
        )
    )
    for command in (
        ["ingest", str(scenario)],
        ["members", "add", "--commune", "Lorient", "--role", "coordinator",
         "--email", "coord@agglo.example"],
    ):  # fmt: skip
        result = mutualise(*command, db=initialised_url)
        assert result.returncode == 0, result.stderr

    out = tmp_path / "semestre"
    result = mutualise(
        "digest", "semester", "--now", "2027-07-01", "--out", str(out), db=initialised_url
    )
    assert result.returncode == 0, result.stderr
    assert "État des lieux semestriel des besoins au 1er juillet 2027" in result.stdout
    text = (out / "digest.txt").read_text()
    assert "Caudan : achat, 3 ordinateurs portables, avant le 31 août 2027" in text
    assert "<h1>État des lieux semestriel des besoins</h1>" in (out / "digest.html").read_text()
    assert (out / "besoins.xlsx").read_bytes()[:2] == b"PK"
    assert (
        b"SUMMARY:F\xc3\xaate du 14 juillet (Qu\xc3\xa9ven)"
        in (out / "calendrier.ics").read_bytes()
    )

    send = ("digest", "matching", "--now", "2027-05-20", "--out", str(tmp_path / "m"), "--send")
    first = mutualise(*send, db=initialised_url)
    assert first.returncode == 0, first.stderr
    assert "Envoyé à 1 destinataire par la boîte d'envoi." in first.stdout
    again = mutualise(*send, db=initialised_url)
    assert "Déjà traité pour cette période" in again.stdout
    assert "N° 2 — Prêt : barrière Vauban" in (tmp_path / "m" / "digest.txt").read_text()

    wrong = mutualise(
        "digest", "semester", "--now", "1er juillet", "--out", str(out), db=initialised_url
    )
    assert_clean_failure(wrong, "Date --now illisible")


def test_events_lists_each_occurrence_of_a_recurring_event(
    initialised_url: str, tmp_path: Path
) -> None:
    lines = tmp_path / "events.jsonl"
    text = "Comme chaque année, la fête du port le dernier week-end d'août : 300 ganivelles"
    lines.write_text(
        json.dumps({"from": "mairie@caudan.fr", "text": text, "at": "2027-05-02T09:00"}), "utf-8"
    )
    assert mutualise("ingest", str(lines), db=initialised_url).returncode == 0
    found = mutualise(
        "events", "--json", "--from", "2028-01-01", "--to", "2029-12-31", db=initialised_url
    )
    assert json.loads(found.stdout) == [
        {
            "commune": "56036",
            "name": "fête du port",
            "start": start,
            "end": end,
            "recurring": True,
            "items": [{"item": "ganivelle", "quantity": 300}],
        }
        for start, end in (("2028-08-26", "2028-08-27"), ("2029-08-25", "2029-08-26"))
    ]
    assert "Manifestations (2)" in mutualise("events", db=initialised_url).stdout


def test_a_mistyped_db_creates_nothing(tmp_path: Path) -> None:
    mistyped = tmp_path / "mutualsie.db"
    result = mutualise("needs", db=f"sqlite:///{mistyped}")
    assert_clean_failure(result, "n'existe pas")
    assert not mistyped.exists()


def test_out_never_writes_through_a_link(initialised_url: str, tmp_path: Path) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("à garder")
    out = tmp_path / "out"
    out.mkdir()
    (out / "digest.html").symlink_to(target)
    result = mutualise(
        "digest", "matching", "--now", "2027-05-03", "--out", str(out), db=initialised_url
    )
    assert_clean_failure(result, "lien symbolique")
    assert target.read_text() == "à garder"
