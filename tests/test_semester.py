"""The semester summary as a coordinator reads and prints it: communes in French order,
totals that agree with "En bref", needs and loans where they really stand on the day,
every attachment named, a workbook that prints, and calendar entries unique to their store.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
from pathlib import Path

import icalendar
import openpyxl
import pytest
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.digests import Rendered
from storage import views
from storage.database import create_engine, session_factory
from storage.views import french_key
from tests.test_digests import JULY_1, PARIS, play, summary

JUNE_1 = dt.datetime(2027, 6, 1, 8, tzinfo=PARIS)
JUNE_21 = dt.datetime(2027, 6, 21, 8, tzinfo=PARIS)


def plain(text: str) -> str:
    return text.replace("\xa0", " ").replace("\u202f", " ")


def opened(rendered: Rendered) -> Workbook:
    """The summary's workbook, as a spreadsheet reads it."""
    return openpyxl.load_workbook(io.BytesIO(rendered.files["besoins.xlsx"][1]))


async def summary_of_play(sessions: async_sessionmaker[AsyncSession]) -> Rendered:
    """The summary on 1 July of the digests' scenario, the loan accepted."""
    await play(sessions)
    return await summary(sessions, JULY_1)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Gâvres", "Guidel"),  # the accent is no letter of its own
        ("Quéven", "Quistinic"),
        ("Éguzon", "Ezy"),  # nor does it send a name after Z
        ("Lanester", "Le Faouët"),
        ("Port-Louis", "Portes"),  # a hyphen separates words, as a space does
        ("Saint-Avé", "Sainte-Anne-d'Auray"),
        ("Plœmeur", "Plouay"),  # œ is o and e
        ("cote", "coté"),  # equal letters: no accent first,
        ("coté", "côte"),  # then accents from the word's start,
        ("côte", "Côte"),  # then lower case first
        # Where ICU's French collation puts them (all 34 753 communes agree with it):
        ("Bas Ségala", "Bas-Mauco"),  # a space before a hyphen, before any letter
        ("Bois d'Anjou", "Bois-d'Amont"),
        ("Paris — 10e arrondissement", "Paris 9e Arrondissement"),
    ],
)
def test_names_sort_the_french_way(first: str, second: str) -> None:
    assert french_key(first) < french_key(second)
    assert sorted([second, first], key=french_key) == [first, second]


async def test_communes_and_indicators_come_in_french_order(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        (scope,) = await views.territories(session)
    names = list(scope.communes.values())
    assert names == sorted(names, key=french_key)
    assert names.index("Gâvres") < names.index("Gestel") < names.index("Guidel")
    assert names.index("Quéven") < names.index("Quistinic")
    await play(sessions)
    rendered = await summary(sessions, JULY_1)
    text = rendered.text
    assert text.index("- Gâvres :") < text.index("- Guidel :")
    assert text.index("- Quéven :") < text.index("- Quistinic :")
    book = opened(rendered)
    rows = [r[0] for r in book["Indicateurs"].iter_rows(min_row=2, values_only=True)]
    assert rows[:-1] == names and rows[-1] == "Total"


async def test_totals_count_each_group_order_and_loan_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await play(sessions)  # Caudan and Cléguer in one group order; one loan, two communes
    rendered = await summary(sessions, JULY_1)
    text = plain(rendered.text)
    assert "- 1 groupement de commandes proposé ce semestre ; 1 groupement à lancer" in text
    assert "- Caudan : 1 besoin déclaré, 100 % avec proposition, 1 groupement," in text
    assert "- Cléguer : 1 besoin déclaré, 100 % avec proposition, 1 groupement," in text
    assert "- Total du territoire : 4 besoins déclarés, 75 % avec proposition, 1 groupement, 1 prêt," in text  # fmt: skip
    assert "chaque groupement et chaque prêt compte une fois" in text
    book = opened(rendered)
    *communes, total = book["Indicateurs"].iter_rows(min_row=2, values_only=True)
    assert sum(int(str(r[4])) for r in communes) == 2 and total[4] == 1  # group orders
    assert [sum(int(str(r[i])) for r in communes) for i in (5, 6)] == [1, 1]
    assert total[5] == total[6] == 1  # the loan Riantec received is the one Lorient lent


async def test_needs_and_loans_show_where_they_stand_on_the_day(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await play(sessions)  # both communes accepted the loan of 21 June
    before = plain((await summary(sessions, JUNE_1)).text)
    assert "Riantec : emprunt, 40 barrières Vauban, le 21 juin 2027 (prêt confirmé)" in before
    assert "Caudan : achat, 3 ordinateurs portables, avant le 31 août 2027 (groupement proposé)" in before  # fmt: skip
    assert "proposition en cours" not in before
    assert "À venir (1) :\n- N° 1 : 40 barrières Vauban de Lorient à Riantec, le 21 juin 2027 (confirmé)" in before  # fmt: skip
    during = plain((await summary(sessions, JUNE_21)).text)
    assert "Riantec : emprunt, 40 barrières Vauban, le 21 juin 2027 (prêt en cours)" in during
    after = await summary(sessions, JULY_1)
    text = plain(after.text)
    assert "Réalisés (1) :\n- N° 1 : 40 barrières Vauban de Lorient à Riantec, le 21 juin 2027 (terminé)" in text  # fmt: skip
    assert "sans réponse" not in text  # the section is there only when a loan is
    book = opened(after)
    states = {r[0]: r[11] for r in book["Propositions"].iter_rows(min_row=2, values_only=True)}
    assert states == {1: "terminé", 2: "en attente de réponse"}


async def test_a_loan_nobody_answered_is_no_longer_waiting_once_its_day_is_gone(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await play(sessions, accept=False)
    june = plain((await summary(sessions, JUNE_1)).text)
    assert "(prêt proposé)" in june
    assert "En attente de réponse (1) :\n- N° 1 : 40 barrières Vauban" in june
    july = plain((await summary(sessions, JULY_1)).text)
    assert "En attente de réponse (0) :" in july
    assert "Restés sans réponse, dates passées (1) :\n- N° 1 : 40 barrières Vauban de Lorient à Riantec, le 21 juin 2027 (sans réponse, dates passées)" in july  # fmt: skip
    assert "0 prêt réalisé, 0 à venir, 0 en attente de réponse, 1 resté sans réponse" in july
    # What it would have spared counts no longer as pending: only the group order's 10 %.
    assert "Économies estimées : 0 € confirmées, 400 € en attente de réponse." in july


async def test_the_attachments_named_are_those_sent(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    rendered = await summary_of_play(sessions)
    book = opened(rendered)
    assert "Pics" in book.sheetnames
    for said in (rendered.text, rendered.html):
        named = re.search(r"Pièces jointes : (\S+) \(feuilles ([^)]*)\) et (\S+)\.", said)
        assert named is not None
        assert {named[1], named[3]} == set(rendered.files)
        assert named[2].split(", ") == book.sheetnames


async def test_the_workbook_prints_landscape_one_page_wide(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    rendered = await summary_of_play(sessions)
    book = opened(rendered)
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert (setup.orientation, setup.paperSize) == ("landscape", 9), sheet.title
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), sheet.title
        fit = sheet.sheet_properties.pageSetUpPr
        assert fit is not None and fit.fitToPage, sheet.title
        assert sheet.print_title_rows == "$1:$1", sheet.title  # the header on every page
        for column, cell in enumerate(sheet[1], start=1):
            # No header word is cut: its column is wider than its longest word.
            width = sheet.column_dimensions[get_column_letter(column)].width
            assert width > max(len(w) for w in str(cell.value).split()), (sheet.title, cell)
            assert cell.alignment.wrap_text
    proposals = book["Propositions"]
    motif = next(c for c in proposals[1] if c.value == "Motif")
    reason = proposals.cell(row=2, column=motif.column)
    assert reason.alignment.wrap_text and len(str(reason.value)) > 60
    assert (proposals.row_dimensions[2].height or 0) >= 30  # room for its lines


async def test_calendar_entries_are_unique_to_their_store(
    sessions: async_sessionmaker[AsyncSession], sqlite_template: Path, tmp_path: Path
) -> None:
    await play(sessions)
    first = await summary(sessions, JUNE_1)
    again = await summary(sessions, JUNE_1)
    copy = tmp_path / "other" / "mutualise.db"
    copy.parent.mkdir()
    shutil.copyfile(sqlite_template, copy)
    engine = create_engine(f"sqlite:///{copy}")
    try:
        other_sessions = session_factory(engine)
        await play(other_sessions)  # the same scenario: the same event and loan numbers
        other = await summary(other_sessions, JUNE_1)
    finally:
        await engine.dispose()

    def entries(rendered: Rendered) -> dict[str, str]:
        cal = icalendar.Calendar.from_ical(rendered.files["calendrier.ics"][1])
        return {str(e["UID"]): str(e["SUMMARY"]) for e in cal.walk("VEVENT")}

    mine, theirs = entries(first), entries(other)
    assert sorted(mine.values()) == sorted(theirs.values())  # the same entries…
    assert len(mine) == 3 and not set(mine) & set(theirs)  # …never taken for one another
    assert entries(again) == mine  # and stable from one summary to the next
    for uid, title in mine.items():
        assert re.fullmatch(r"(event|loan)-[12]\.200042174-[0-9a-f]{12}@mutualise", uid), uid
        assert not title[0].islower(), title  # a capital, or a day: "14 juillet"
