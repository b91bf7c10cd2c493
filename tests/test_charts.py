"""The indicators' charts where people read: inline PNG pictures in the semester summary's
mail, sent over a real SMTP conversation on loopback, and native charts in `besoins.xlsx`,
bound to the cells of their tables."""

from __future__ import annotations

import asyncio
import io
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

import openpyxl
import pytest
from aiosmtpd.smtp import SMTP
from jinja2 import Environment
from openpyxl.worksheet.worksheet import Worksheet
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.digests import DigestConfig, semester_summary
from handlers.digests.charts import ChartData, Row
from handlers.digests.delivery import deliver
from handlers.digests.pictures import MAX_ROWS, SCALE, WIDTH, font, picture
from handlers.digests.workbook import _step
from handlers.web.charts import bars
from mail.sending import Relay, deliver_due
from storage import views
from storage.members import add_member
from storage.models import Commune, Role
from tests.test_digests import JULY_1, play, summary
from tests.test_mail_smtp import Sink

CHARTS = ["graphique-besoins.png", "graphique-economies.png", "graphique-pics.png"]


async def sent_summary(sessions: async_sessionmaker[AsyncSession]) -> EmailMessage:
    """The semester summary of 1 July 2027, queued for a coordinator and handed to a relay
    on loopback; the mail as the relay received it."""
    await play(sessions)
    async with sessions.begin() as session:
        lorient = await session.get(Commune, "56121")
        assert lorient is not None
        await add_member(session, lorient, Role.COORDINATOR, emails=["coord@agglo.example"])
        (scope,) = await views.territories(session)
        items = await views.catalogue(session)
        rendered = await semester_summary(session, scope, items, JULY_1, DigestConfig())
        assert await deliver(session, rendered, "2027-07-01", JULY_1) == 1
    sink = Sink()
    relay_server = await asyncio.get_running_loop().create_server(
        lambda: SMTP(sink), "127.0.0.1", 0
    )
    port = relay_server.sockets[0].getsockname()[1]
    try:
        relay = Relay("127.0.0.1", port, "besoins@mutualise.example", timeout=5)
        sent, failed = await deliver_due(sessions, relay, lambda: JULY_1)
    finally:
        relay_server.close()
    assert sent and not failed
    (envelope,) = [e for e in sink.received if e.rcpt_tos == ["coord@agglo.example"]]
    mail = message_from_bytes(envelope.original_content or b"", policy=default)
    assert isinstance(mail, EmailMessage)
    return mail


async def test_the_semester_mail_shows_its_charts_inline(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    mail = await sent_summary(sessions)
    # mixed: [alternative: [text, related: [html, pictures]], workbook, calendar]
    assert mail.get_content_type() == "multipart/mixed"
    alternative, *attached = mail.iter_parts()
    assert [p.get_filename() for p in attached] == ["besoins.xlsx", "calendrier.ics"]
    assert all(p.get_content_disposition() == "attachment" for p in attached)
    text, related = alternative.iter_parts()
    assert (text.get_content_type(), related.get_content_type()) == (
        "text/plain", "multipart/related",
    )  # fmt: skip
    html, *pictures = related.iter_parts()
    assert html.get_content_type() == "text/html"
    markup = html.get_content()
    assert [p["Content-ID"] for p in pictures] == [f"<{name}>" for name in CHARTS]
    for part in pictures:
        cid = part["Content-ID"].strip("<>")
        assert f'<img src="cid:{cid}" alt="' in markup
        assert part.get_content_type() == "image/png"
        assert part.get_content_disposition() == "inline"
        data = part.get_payload(decode=True)
        assert isinstance(data, bytes) and data.startswith(b"\x89PNG\r\n\x1a\n")
        assert 2_000 < len(data) < 150_000, (cid, len(data))
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
        assert width == WIDTH * SCALE and 150 < height < 2_000, (cid, image.size)
        shown = f'width="{WIDTH}" height="{height // SCALE}"'
        assert shown in markup.split(f"cid:{cid}")[1].split(">")[0]
    # The alt text says the chart, with its figures when they are few.
    assert (
        'alt="Besoins déclarés et rapprochés par commune. Caudan : déclarés 1, rapprochés 1 ; '
        "Cléguer : déclarés 1, rapprochés 1 ; Quéven : déclarés 1, rapprochés 0 ; "
        'Riantec : déclarés 1, rapprochés 1."' in markup
    )
    assert 'alt="Demande et offre prêtable des articles en tension. chapiteaux' in markup
    # The plain text has no picture, and the figures as text.
    words = text.get_content().replace("\xa0", " ").replace("\u202f", " ")
    assert "cid:" not in words and "graphique" not in words
    assert "Riantec : 1 besoin déclaré, 100 % avec proposition" in words
    assert "2 000 € d'économies confirmées" in words


def test_the_pictures_write_french_with_the_bundled_font() -> None:
    drawn_in = font(12)
    missing = bytes(drawn_in.getmask("\u4e00"))  # a glyph the font has not: its blank box
    for letter in "éèêëàâçîïôûùüÿœæÉÈÊÀÇŒ€«»’":
        assert bytes(drawn_in.getmask(letter)) != missing, letter
    long = ChartData(
        "chart-peaks", "Demande et offre prêtable des articles en tension", "…", "Article",
        ("demandé", "prêtable"),
        tuple(Row(f"ganivelles, le {d} août 2027", (40.0, 10.0), ("40", "10"))
              for d in range(1, 41)),
    )  # fmt: skip
    drawn = picture(long)
    # Cut at MAX_ROWS rows, a line says how many more: the mail stays readable.
    assert drawn.height < 60 + MAX_ROWS * 34 + 40
    assert drawn.alt.endswith("Les chiffres sont dans les tableaux ci-dessous.")


@pytest.mark.parametrize(
    ("largest", "step"),
    [(0, 1), (2, 1), (10, 1), (11, 2), (20, 2), (21, 5), (50, 5), (51, 10), (180, 20), (4000, 500)],
)
def test_counts_tick_in_whole_steps_ten_at_most(largest: int, step: int) -> None:
    assert _step(largest) == step


def _charts(sheet: object) -> list[Any]:
    """The charts of a sheet openpyxl read (its type stubs do not show them)."""
    return list(vars(sheet)["_charts"])


def _text(title: object) -> str:
    """The text of a chart's or an axis's title, as openpyxl reads it back."""
    rich = title.tx.rich  # type: ignore[attr-defined]
    return "".join(run.t for paragraph in rich.p for run in paragraph.r or [])


async def test_the_workbook_has_native_charts_bound_to_its_cells(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await play(sessions)
    rendered = await summary(sessions, JULY_1)
    book = openpyxl.load_workbook(io.BytesIO(rendered.files["besoins.xlsx"][1]))
    indicators, peaks = book["Indicateurs"], book["Pics"]
    assert isinstance(indicators, Worksheet) and isinstance(peaks, Worksheet)
    needs, savings = _charts(indicators)
    assert _text(needs.title) == "Besoins déclarés et rapprochés par commune"
    assert (_text(needs.x_axis.title), _text(needs.y_axis.title)) == (
        "Commune", "Nombre de besoins",
    )  # fmt: skip
    # 25 communes in rows 2 to 26; the total (row 27) is left out.
    assert [s.tx.strRef.f for s in needs.series] == ["'Indicateurs'!B1", "'Indicateurs'!C1"]
    assert [s.val.numRef.f for s in needs.series] == [
        "'Indicateurs'!$B$2:$B$26", "'Indicateurs'!$C$2:$C$26",
    ]  # fmt: skip
    assert {s.cat.numRef.f for s in needs.series} == {"'Indicateurs'!$A$2:$A$26"}
    assert indicators["A26"].value == "Riantec" and indicators["A27"].value == "Total"
    assert _text(savings.title) == "Économies confirmées et en attente"  # on one line
    # Counts tick in whole steps (a commune declared at most 2 needs: 0, 1, 2); euros as
    # LibreOffice chooses.
    assert (needs.y_axis.majorUnit, savings.y_axis.majorUnit) == (1, None)
    assert _text(savings.y_axis.title) == "Euros" and savings.grouping == "stacked"
    assert [s.val.numRef.f for s in savings.series] == [
        "'Indicateurs'!$I$2:$I$26", "'Indicateurs'!$J$2:$J$26",
    ]  # fmt: skip
    # Under the table, each from the top of a page of its own, and no taller than a page.
    assert needs.anchor._from.row == 28 and savings.anchor._from.row > needs.anchor._from.row
    breaks = [b.id for b in indicators.row_breaks.brk]
    assert breaks == [28, savings.anchor._from.row]
    assert all(c.height <= 15 for c in (needs, savings))
    (demand,) = _charts(peaks)
    assert _text(demand.title) == "Demande et offre prêtable des articles en tension"
    assert [s.val.numRef.f for s in demand.series] == ["'Pics'!$D$2", "'Pics'!$E$2"]
    # Told apart by item and first day: one item may be short at several times.
    assert {s.cat.multiLvlStrRef.f for s in demand.series} == {"'Pics'!$A$2:$B$2"}
    assert (_text(demand.x_axis.title), _text(demand.y_axis.title)) == ("Matériel", "Quantité")
    # The print setup stays: A4 landscape, one page wide, the header on every page.
    for sheet in (indicators, peaks):
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
        assert sheet.print_title_rows == "$1:$1" and sheet.freeze_panes == "A2"
    assert not _charts(book["Besoins"])


def test_the_page_cuts_chart_labels_as_jinja2_truncate_does() -> None:
    """The cut labels and the tooltips are written in Python for speed: they must read as
    the template's `truncate(24, True, '…')` and its three expressions wrote them."""
    labels = ["podiums, le 14 juillet 2027", "x" * 29, "y" * 30,
              "ganivelles, du 12 au 14 juillet 2027", "tentes <pliantes> & barnums, le 1er mai"]  # fmt: skip
    data = ChartData("chart-peaks", "Pics", "…", "Article", ("demandé", "prêtable"),
                     tuple(Row(label, (3, 1), ("3", "1")) for label in labels))  # fmt: skip
    truncate = Environment(autoescape=True).from_string(
        "{{ label|truncate(24, True, '…') }}|{{ label }} : {{ shown }} {{ series }}"
    )
    for row in bars(data).rows:
        for bar in row.bars:
            written = truncate.render(label=row.label, shown=bar.text,
                                      series=data.series[bar.series])  # fmt: skip
            ours = Environment(autoescape=True).from_string("{{ a }}|{{ b }}")
            assert ours.render(a=row.short, b=bar.title) == written
    assert [len(r.short) for r in bars(data).rows] == [27, 29, 24, 24, 24]
