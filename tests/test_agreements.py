"""The loan agreement a mayor signs: A4 and French in Word, hand-over on working days, the
mayors as signatories side by side, the event named, costs, inventory and damage clauses.
The Word file is opened as what it is, a zip of XML."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from handlers.agreement_template import BUNDLED, build
from handlers.agreements import (
    AgreementError,
    LoanTerms,
    agreed_on,
    agreement,
    fee_schedule,
    handover_days,
)
from handlers.holidays import Region
from handlers.proposals import answer
from storage.database import create_engine, session_factory
from storage.models import Proposal, ProposalParticipant
from tests.cli import mutualise

PARIS = ZoneInfo("Europe/Paris")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.mark.parametrize(
    ("start", "end", "region", "pickup", "back"),
    [
        # A Monday after Christmas on a Friday: not the Sunday, nor the 26th, nor the 25th.
        ("2026-12-28", "2026-12-28", Region.MAINLAND, "2026-12-24", "2026-12-29"),
        # The Tuesday after Whit Monday: collected on the Friday before.
        ("2027-05-18", "2027-05-18", Region.MAINLAND, "2027-05-14", "2027-05-19"),
        # A Saturday fête: Friday and Monday.
        ("2027-06-19", "2027-06-19", Region.MAINLAND, "2027-06-18", "2027-06-21"),
        # Returned after 14 July, a Wednesday.
        ("2027-07-10", "2027-07-13", Region.MAINLAND, "2027-07-09", "2027-07-15"),
        # The Friday after Ascension Thursday.
        ("2027-05-07", "2027-05-07", Region.MAINLAND, "2027-05-05", "2027-05-10"),
        # Good Friday is a holiday in Alsace-Moselle only.
        ("2027-03-27", "2027-03-27", Region.MAINLAND, "2027-03-26", "2027-03-30"),
        ("2027-03-27", "2027-03-27", Region.ALSACE_MOSELLE, "2027-03-25", "2027-03-30"),
    ],
)
def test_handover_is_on_working_days_around_the_loan(
    start: str, end: str, region: Region, pickup: str, back: str
) -> None:
    days = handover_days(dt.date.fromisoformat(start), dt.date.fromisoformat(end), region)
    assert days == (dt.date.fromisoformat(pickup), dt.date.fromisoformat(back))


@pytest.mark.parametrize(
    ("fee", "quantity", "days", "expected"),
    [
        ("gratuit", 40, 3, []),
        ("forfait:50", 40, 3, [Decimal(50)]),
        ("jour:15", 40, 3, [Decimal(45)]),
        ("unite:0,5", 40, 3, [Decimal(60)]),
        ("jour:15, transport:40", 1, 2, [Decimal(30), Decimal(40)]),
    ],
)
def test_cost_key(fee: str, quantity: int, days: int, expected: list[Decimal]) -> None:
    charges = LoanTerms(fee).charges(quantity, days)
    assert [value for _, value in charges] == expected


@pytest.mark.parametrize("fee", ["jour", "semaine:10", "jour:-5", "jour:dix", "jour:nan"])
def test_an_unreadable_cost_key_is_explained(fee: str) -> None:
    with pytest.raises(AgreementError, match="Coût de prêt illisible"):
        fee_schedule(fee)


def test_the_agreement_is_dated_when_the_last_commune_accepted() -> None:
    late_evening = dt.datetime(2027, 5, 3, 22, 30, tzinfo=dt.UTC)  # 4 May in Paris
    proposal = Proposal(
        participants=[
            ProposalParticipant(answered_at=dt.datetime(2027, 5, 2, 9, tzinfo=dt.UTC)),
            ProposalParticipant(answered_at=late_evening),
        ]
    )
    assert agreed_on(proposal, PARIS, dt.date(2027, 12, 1)) == dt.date(2027, 5, 4)
    assert agreed_on(Proposal(participants=[]), PARIS, dt.date(2027, 12, 1)) == dt.date(2027, 12, 1)


def test_the_bundled_word_template_is_what_the_code_builds() -> None:
    assert BUNDLED.read_bytes() == build(), "run: python -m handlers.agreement_template"


PODIUM = (
    '{"from": "st@lorient.bzh", "text": "Nous pouvons prêter notre podium en juin", "at": "2027-05-02T09:00"}\n'
    '{"from": "mairie@mairie-riantec.bzh", "text": "il nous faudrait un podium le 21 juin", "at": "2027-05-03T10:00"}\n'
)
BARRIERS = (
    '{"from": "st@lorient.bzh", "text": "Nous pouvons prêter 60 barrières Vauban en décembre", "at": "2026-11-02T09:00"}\n'
    '{"from": "mairie@mairie-riantec.bzh", "text": "Pour le marché de Noël du lundi 28 décembre il nous faudrait 40 barrières Vauban", "at": "2026-11-03T10:00"}\n'
)


def _ingested(db: str, tmp_path: Path, messages: str) -> dict[str, Any]:
    """An initialised store, Anne Le Goff correspondent of Riantec, the messages handled:
    the loan proposed."""
    args = ("members", "add", "--commune", "Riantec", "--role", "correspondent")
    assert mutualise(*args, "--name", "Anne Le Goff", db=db).returncode == 0
    lines = tmp_path / "messages.jsonl"
    lines.write_text(messages, "utf-8")
    assert mutualise("ingest", str(lines), db=db).returncode == 0
    result = mutualise("proposals", "--json", db=db)
    loan: dict[str, Any] = next(p for p in json.loads(result.stdout) if p["kind"] == "loan")
    return loan


def _loan(db: str, tmp_path: Path) -> int:
    """Lorient lends 40 crowd barriers to Riantec for its Christmas market on Monday 28
    December 2026, the Friday before being Christmas: both have accepted."""
    loan = _ingested(db, tmp_path, BARRIERS)
    assert (loan["start"], loan["quantity"]) == ("2026-12-28", 40)
    for commune in ("Riantec", "Lorient"):
        accepted = mutualise("answer", str(loan["id"]), "--commune", commune, "--accept", db=db)
        assert accepted.returncode == 0, accepted.stderr
    return int(loan["id"])


def _xml(docx: Path, part: str) -> str:
    with zipfile.ZipFile(docx) as archive:
        return archive.read(part).decode()


def _text(xml: str) -> str:
    return "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))


def test_the_word_agreement_is_a4_french_and_signable(initialised_url: str, tmp_path: Path) -> None:
    loan = _loan(initialised_url, tmp_path)
    docx = tmp_path / "convention.docx"
    result = mutualise("convention", str(loan), "--out", str(docx), db=initialised_url)
    assert result.returncode == 0, result.stderr
    body = _xml(docx, "word/document.xml")
    styles = _xml(docx, "word/styles.xml")
    core = _xml(docx, "docProps/core.xml")
    # A4 portrait with margins of 2 to 3 cm.
    assert re.search(r'<w:pgSz w:w="11906" w:h="16838"/>', body)
    margins = re.search(
        r'<w:pgMar w:top="(\d+)" w:right="(\d+)" w:bottom="(\d+)" w:left="(\d+)"', body
    )
    assert margins and all(1134 <= int(m) <= 1701 for m in margins.groups())
    # French everywhere Word looks for a language, English nowhere.
    assert re.search(r'<w:docDefaults><w:rPrDefault><w:rPr>.*<w:lang w:val="fr-FR"', styles)
    assert body.count('<w:lang w:val="fr-FR"') >= body.count("<w:t ") > 50
    for part in ("word/document.xml", "word/styles.xml", "word/settings.xml", "docProps/core.xml"):
        assert "en-US" not in _xml(docx, part)
    assert "<dc:language>fr-FR</dc:language>" in core
    assert "<dc:title>Convention de prêt de matériel n° 2026-" in core
    assert "python-docx" not in core
    text = _text(body)
    assert "{{" not in text and "{%" not in text
    # Hand-over on working days: Thursday 24 December, not Sunday 27; back on Tuesday 29.
    assert "remis à l'emprunteur le jeudi 24 décembre 2026" in text
    assert "restitué au prêteur le mardi 29 décembre 2026" in text
    assert "dimanche" not in text and "samedi" not in text
    # The event is named, the matching's reason is not the object.
    assert "pour la manifestation « Marché de Noël », le 28 décembre 2026" in text
    assert "km" not in text and "la plus proche" not in text
    # The mayors sign, with their delegation to fill; the correspondent is a contact.
    assert (
        text.count("représentée par son maire, ………………………, agissant en vertu de la délibération")
        == 2
    )
    assert "Anne Le Goff (correspondant)" in text and "représentée par Anne" not in text
    assert "Fait en deux exemplaires originaux, à ………………………, le ………………………" in text
    tables = re.findall(r"<w:tbl>.*?</w:tbl>", body)
    signatures = [t for t in tables if "Pour la commune de" in t]
    assert len(signatures) == 1
    cells = re.findall(r"<w:tc>.*?</w:tc>", signatures[0])
    assert len(cells) == 2 and signatures[0].count("<w:tr>") == 1
    assert "Pour la commune de Lorient," in _text(cells[0])
    assert "Pour la commune de Riantec," in _text(cells[1])
    for cell in cells:
        assert "Le Maire (ou son représentant dûment habilité par délégation n° " in _text(cell)
    # Equipment with its replacement value, inventory to fill, damage and insurance.
    assert "2 000,00 €" in text.replace("\u202f", " ").replace("\xa0", " ")
    inventory = next(t for t in tables if "État à la remise" in _text(t))
    assert "barrières Vauban (Lorient)" in _text(inventory) and "État au retour" in _text(inventory)
    assert "Annexe — État des lieux contradictoire" in text
    assert "valeur de remplacement" in text and "remis en état" in text
    assert "assure le matériel de sa remise à sa restitution" in text
    assert "à titre gracieux" in text and "Base de calcul" not in text


def test_a_loan_that_is_not_free_shows_its_cost_key(initialised_url: str, tmp_path: Path) -> None:
    loan = _loan(initialised_url, tmp_path)
    docx, page = tmp_path / "convention.docx", tmp_path / "convention.html"
    env = {"MUTUALISE_LOAN_FEE": "jour:15,unite:0.5,transport:40", "MUTUALISE_LOAN_DEPOSIT": "200"}
    for out in (docx, page):
        result = mutualise("convention", str(loan), "--out", str(out), db=initialised_url, env=env)
        assert result.returncode == 0, result.stderr
    for text in (_text(_xml(docx, "word/document.xml")), page.read_text("utf-8")):
        text = " ".join(html.unescape(text).replace("\u202f", " ").replace("\xa0", " ").split())
        assert "15,00 € par jour d'utilisation × 1 jour" in text
        assert "0,50 € par unité et par jour × 40 unités × 1 jour" in text
        assert "livraison et reprise par le prêteur" in text
        assert "75,00 €" in text  # 15 + 20 + 40
        assert "Une caution de 200,00 € est remise" in text
        assert "Le prêteur livre le matériel" in text and "à titre gracieux" not in text
    bad = mutualise(
        "convention",
        str(loan),
        "--out",
        str(docx),
        db=initialised_url,
        env={"MUTUALISE_LOAN_FEE": "heure:3"},
    )
    assert bad.returncode != 0 and "Coût de prêt illisible : « heure:3 »" in bad.stderr
    assert "Traceback" not in bad.stderr


async def test_the_agreement_date_and_number_follow_the_acceptance(
    initialised_url: str, tmp_path: Path
) -> None:
    loan = int(_ingested(initialised_url, tmp_path, PODIUM)["id"])
    engine = create_engine(initialised_url)
    try:
        async with session_factory(engine).begin() as session:
            with pytest.raises(
                AgreementError,
                match=r"en attente : Riantec et Lorient|en attente : Lorient et Riantec",
            ):
                await agreement(session, loan, LoanTerms(), dt.date(2027, 5, 4))
            moment = dt.datetime(2027, 5, 6, 11, tzinfo=PARIS)
            await answer(session, loan, "56193", True, moment)
            await answer(session, loan, "56121", True, moment + dt.timedelta(days=1))
            context = await agreement(session, loan, LoanTerms(), dt.date(2028, 2, 1), PARIS)
    finally:
        await engine.dispose()
    assert (context["dated"], context["number"]) == ("7 mai 2027", f"2027-{loan:05d}")
    # 21 June 2027 is a Monday: collected on Friday 18 June, not on Sunday 20.
    assert (context["pickup"], context["return_day"]) == (
        "vendredi 18 juin 2027",
        "mardi 22 juin 2027",
    )
    assert context["event"] == "" and "pour son usage le 21 juin 2027" in context["object"]
