"""What a coordinator and a mairie print: `besoins.xlsx` and the loan agreement, opened in
real LibreOffice (Debian's soffice, headless) and printed to PDF, then read back with
poppler (pdfinfo, pdftohtml) for the size and orientation of each page, how many pages,
and the text each page shows: every column header whole and repeated on each page of a
long sheet, no word of a cell cut, amounts written the French way, the agreement on A4 in
French within its margins. Skipped, with the reason, where LibreOffice or poppler is
absent; `.ci/run` installs them."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.agreements import LoanTerms, agreement, render_docx
from handlers.inbound import Inbound
from handlers.inbox import Inbox
from storage.models import CatalogueItem, Channel, Commune, Need, NeedKind, Proposal, ProposalKind
from tests.conftest import Start
from tests.test_digests import JULY_1, PLAYED, READER, summary

SOFFICE = shutil.which("soffice")
POPPLER = [shutil.which(tool) for tool in ("pdfinfo", "pdftohtml", "pdftotext")]

pytestmark = [
    pytest.mark.printing,
    pytest.mark.parametrize("backend", ["sqlite"], indirect=True),
    pytest.mark.skipif(
        SOFFICE is None or None in POPPLER,
        reason="no LibreOffice or poppler on this machine (Debian packages "
        "libreoffice-calc-nogui, libreoffice-writer-nogui, poppler-utils; .ci/run installs them)",
    ),
]

A4 = (595.3, 841.9)  # points, portrait
# Enough needs for the Besoins sheet to run over several pages.
EXTRA_NEEDS = 150


@pytest.fixture
def store_start() -> Start:
    """The scenario of the digests' tests, its loan accepted."""
    return PLAYED


def printed(document: Path, profile: Path) -> Path:
    """`document` printed to PDF by LibreOffice, beside it (a profile of its own: two
    instances sharing one wait for each other, or fail)."""
    subprocess.run(
        [str(SOFFICE), f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(document.parent), str(document)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    pdf = document.with_suffix(".pdf")
    assert pdf.exists(), f"LibreOffice printed nothing for {document.name}"
    return pdf


@dataclass
class Page:
    """One printed page: its size in points, and its text, fragment by fragment."""

    width: float
    height: float
    fragments: list[tuple[float, float, float, str, str]] = field(default_factory=list)
    fonts: dict[str, tuple[str, str]] = field(default_factory=dict)  # id: (family, colour)
    families: set[str] = field(default_factory=set)  # of the fonts this page uses

    def words(self, colour: str | None = None) -> list[str]:
        """The page's words, top to bottom; only those of that colour if one is given."""
        return [
            word
            for _, _, _, font, text in sorted(self.fragments)
            if colour is None or self.fonts[font][1] == colour
            for word in text.split()
        ]

    def first_line(self) -> str:
        """The text at the top of the page (a sheet's name, printed as its page header)."""
        return min(self.fragments)[4].strip()


def pages(pdf: Path) -> list[Page]:
    """The pages of `pdf`, in points (poppler at zoom 1)."""
    xml = subprocess.run(
        [str(POPPLER[1]), "-xml", "-i", "-zoom", "1", "-stdout", str(pdf)],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout  # fmt: skip
    root, found = ET.fromstring(xml), []
    # A font is declared on the first page that uses it, and kept for the pages after.
    fonts = {
        s.get("id", ""): (s.get("family", ""), s.get("color", "")) for s in root.iter("fontspec")
    }
    for element in root.iter("page"):
        page = Page(float(element.get("width", 0)), float(element.get("height", 0)), fonts=fonts)
        used = {text.get("font", "") for text in element.iter("text")}
        page.families = {fonts[f][0] for f in used}
        for text in element.iter("text"):
            top, left = float(text.get("top", 0)), float(text.get("left", 0))
            right = left + float(text.get("width", 0))
            words = "".join(text.itertext())
            page.fragments.append((top, left, right, text.get("font", ""), words))
        found.append(page)
    return found


def sizes(pdf: Path) -> list[tuple[float, float]]:
    """Each page's exact size in points, as pdfinfo reads it."""
    info = subprocess.run(
        [str(POPPLER[0]), "-f", "1", "-l", "9999", str(pdf)],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout  # fmt: skip
    return [(float(w), float(h)) for w, h in re.findall(r"size:\s+([\d.]+) x ([\d.]+)", info)]


def plain(pdf: Path) -> str:
    """The text of `pdf`, as pdftotext lays it out."""
    return subprocess.run(
        [str(POPPLER[2]), "-layout", str(pdf), "-"],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout  # fmt: skip


async def _more_needs(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Two more marquees asked for, which nobody lends (a joint purchase, a long type), and
    purchases of many catalogue items, long labels and families among them, over every
    commune, as the inbox would have recorded them."""
    inbox = Inbox(sessions, READER)
    for sender, day in (("mairie@caudan.fr", 15), ("mairie@cleguer.fr", 16)):
        text = f"Nous souhaiterions emprunter un chapiteau pour le {day} août"
        await inbox.receive(
            Inbound.from_line(sender, text, dt.datetime(2027, 5, day, 9, tzinfo=dt.UTC))
        )
    async with sessions.begin() as session:
        items = (await session.scalars(select(CatalogueItem).order_by(CatalogueItem.id))).all()
        communes = (await session.scalars(select(Commune.insee).order_by(Commune.insee))).all()
        for number in range(EXTRA_NEEDS):
            item = items[number * 7 % len(items)]
            at = dt.datetime(2027, 5, 1 + number % 28, 9, tzinfo=dt.UTC)
            session.add(Need(
                commune_insee=communes[number % len(communes)], item_id=item.id,
                item_label=item.label, quantity=1 + number % 40, unit=item.unit,
                kind=NeedKind.PURCHASE, deadline=dt.date(2027, 9, 1) + dt.timedelta(days=number),
                channel=Channel.EMAIL, created_at=at, updated_at=at,
            ))  # fmt: skip


async def test_the_workbook_prints_landscape_one_page_wide_headers_whole(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await _more_needs(sessions)
    rendered = await summary(sessions, JULY_1)
    xlsx = tmp_path / "besoins.xlsx"
    xlsx.write_bytes(rendered.files["besoins.xlsx"][1])
    pdf = printed(xlsx, tmp_path / "profile")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.read_bytes()))

    # A4 landscape, every page.
    assert {(round(w, 1), round(h, 1)) for w, h in sizes(pdf)} == {A4[::-1]}
    printed_pages = pages(pdf)
    by_sheet: dict[str, list[Page]] = {}
    for page in printed_pages:
        by_sheet.setdefault(page.first_line(), []).append(page)
    assert list(by_sheet) == book.sheetnames  # each sheet prints, in order, under its name
    kinds = {row[1] for row in book["Propositions"].iter_rows(min_row=2, values_only=True)}
    assert "achat en commun" in kinds
    needs = book["Besoins"].max_row - 1
    assert needs > EXTRA_NEEDS
    # Long enough to run over pages, and no more pages than a dozen of rows each would take.
    assert 2 <= len(by_sheet["Besoins"]) <= math.ceil(needs / 12)
    assert len(printed_pages) <= len(by_sheet["Besoins"]) + 10

    for name, sheet_pages in by_sheet.items():
        headers = [str(cell.value) for cell in book[name][1]]
        expected = Counter(word for header in headers for word in header.split())
        for number, page in enumerate(sheet_pages, start=1):
            # The header row, white on blue, on every page, each of its words whole: no
            # column is left to another page, no header is cut or loses a line.
            assert Counter(page.words(colour="#ffffff")) == expected, (name, number)
            # The header in the body's sans-serif, as the cells are.
            assert not [f for f in page.families if "Serif" in f], (name, number)

    # No word of a cell cut or run into its neighbour's: each is printed whole on its
    # sheet's pages (a cut line or text running under the next cell leaves it out).
    for name in ("Besoins", "Propositions", "Calendrier", "Prix"):
        shown = Counter(word for page in by_sheet[name] for word in page.words())
        for row in book[name].iter_rows(min_row=2, values_only=True):
            for value in row:
                if isinstance(value, str):
                    for word in value.split():
                        assert shown[word], (name, word, value)
    # Amounts the French way, whatever the language of the machine that prints them.
    prices = " ".join(page_text for page in by_sheet["Prix"] for page_text in page.words())
    assert "800,00 €" in prices.replace("\xa0", " ").replace("\u202f", " ")


async def test_the_agreement_prints_on_a4_in_french(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    async with sessions() as session:
        loan = await session.scalar(select(Proposal.id).where(Proposal.kind == ProposalKind.LOAN))
        assert loan is not None
        context = await agreement(session, loan, LoanTerms(), JULY_1.date())
    docx = tmp_path / "convention.docx"
    docx.write_bytes(render_docx(context))
    pdf = printed(docx, tmp_path / "profile")

    # A4 portrait, the agreement and its inventory annex on a few pages.
    page_sizes = sizes(pdf)
    assert {(round(w, 1), round(h, 1)) for w, h in page_sizes} == {A4}
    assert 2 <= len(page_sizes) <= 4
    # LibreOffice read the document as French: the PDF says so to readers and speech.
    assert b"/Lang(fr-FR)" in pdf.read_bytes()
    text = " ".join(plain(pdf).replace("\xa0", " ").split())
    assert "CONVENTION DE PRÊT DE MATÉRIEL ENTRE COMMUNES" in text
    assert "Fait en deux exemplaires originaux" in text
    assert "Pour la commune de Lorient" in text and "Pour la commune de Riantec" in text
    assert "ANNEXE — ÉTAT DES LIEUX CONTRADICTOIRE" in text
    assert f"page 1 sur {len(page_sizes)}" in text
    # Within margins of about 2.5 cm (71 points) on each side.
    for page in pages(pdf):
        for top, left, right, _, words in page.fragments:
            assert left > 60 and right < page.width - 60 and 40 < top < page.height - 40, words
