"""`besoins.xlsx`: the semester summary as a workbook a coordinator can sort and filter,
and print.

Sheets Besoins, Propositions, Calendrier, Pics (demand peaks), Prix (the unit prices the
savings were estimated with) and Indicateurs, each with a bold frozen header, filters and
column widths wide enough for their header; printed on A4 landscape, one page wide, the
header row repeated on every page. Indicateurs and Pics carry native charts under their
table, bound to its cells (what a coordinator corrects there, the chart shows), each
printed from the top of a page it fits in. Written in openpyxl's write-only mode: rows
stream to the file. Text that came from users is always stored as text, never a formula.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import textwrap
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, Cell  # codes: text it would store as errors
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, MultiLevelStrRef
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.pagebreak import Break

from handlers.costs import format_month
from handlers.digests.semester import Semester

SHEETS = ("Besoins", "Propositions", "Calendrier", "Pics", "Prix", "Indicateurs")

# A cell starting with one of these would be read as a formula (or DDE) by a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The body's font, named: a font left unnamed is printed in a serif by LibreOffice.
_HEADER_FONT = Font(name="Calibri", sz=11, bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="center")
# Long text (reasons, lists of communes) wraps in its column rather than running on.
_WRAPPED = Alignment(wrap_text=True, vertical="top")
# Every other cell: at the top of its row too, or beside wrapped text it sits on its last line.
_TOP = Alignment(vertical="top")
# A header is bold, on at most two lines: a column is at least half its header wide.
_HEADER_HEIGHT = 32
# Text lines in a wrapped cell: a column's width counts digits of the body's font; words in
# a wider one (DejaVu Sans, where Calibri is missing) hold about one character per digit.
_CHARS_PER_WIDTH = 1.0
_LINE_HEIGHT = 15
PAPER_A4 = 9
DATE_FORMAT = "DD/MM/YYYY"
# Marked French (LCID 040C): LibreOffice then prints "12 346 €" and "15 000,00 €" whatever
# the language of the machine it runs on, where it printed "12,346 €" on an English one.
EURO_FORMAT = '[$-40C]#,##0 "€"'
PRICE_FORMAT = '[$-40C]#,##0.00 "€"'
PERCENT_FORMAT = "0%"


def _value(sheet: WriteOnlyWorksheet, value: Any, number_format: str | None, top: int) -> Any:
    """A plain value where openpyxl writes it as it is (numbers, ordinary text), a styled
    cell where it must be told: dates, formats, and text it would take for a formula or
    an error code; `top`, the workbook's index of the alignment at the top of the row."""
    if isinstance(value, str):
        if not value.startswith(FORMULA_STARTS) and value not in ERROR_CODES:
            return value
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"  # user text is text: "=1+2" or "@SUM(...)" is not computed
        cell.quotePrefix = True  # and shown with Excel's text mark, even once edited
    elif isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet)
        cell.value = value  # a date: stored as one, shown the French way
        cell.number_format = DATE_FORMAT
    elif number_format and value is not None:
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = number_format
    else:
        return value
    # A style of its own does not take Normal's alignment in LibreOffice: it is told, by
    # the alignment's index (assigning `cell.alignment` would look it up for each cell).
    cell._style.alignmentId = top  # type: ignore[attr-defined]
    return cell


def _setup(sheet: Any) -> None:
    """Frozen header and, on paper, A4 landscape one page wide, the header repeated.
    (`sheet` is write-only: it hands these to a worksheet its type stubs do not show.)"""
    sheet.freeze_panes = "A2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = PAPER_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as it takes
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    sheet.print_options.gridLines = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4  # inches
    sheet.page_margins.top = sheet.page_margins.bottom = 0.75
    sheet.page_margins.header = sheet.page_margins.footer = 0.3
    sheet.oddHeader.left.text = "&A"
    sheet.oddFooter.center.text = "Page &P sur &N"
    sheet.row_dimensions[1].height = _HEADER_HEIGHT


def _sheet(
    book: Workbook,
    title: str,
    columns: Sequence[tuple[str, int]],
    rows: Iterable[Sequence[Any]],
    formats: dict[int, str] | None = None,
    wrapped: Iterable[int] = (),
) -> tuple[WriteOnlyWorksheet, int]:
    """A sheet of `rows` under a header of `columns`; returns it and how many rows it has."""
    sheet = book.create_sheet(title)
    for index, (name, width) in enumerate(columns, start=1):
        # Wide enough for the header's longest word, and for half the header on a line.
        longest = max(len(word) for word in name.split())
        wide = max(width, longest + 3, len(name) // 2 + 3)
        sheet.column_dimensions[get_column_letter(index)].width = wide
    _setup(sheet)
    header = []
    for name, _ in columns:
        cell = WriteOnlyCell(sheet, name)
        cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _HEADER_ALIGNMENT
        header.append(cell)
    sheet.append(header)
    count = 0
    formats = formats or {}
    widths = {i: sheet.column_dimensions[get_column_letter(i + 1)].width for i in wrapped}
    top = book._alignments.add(_TOP)  # type: ignore[attr-defined]
    for row in rows:
        values = [_value(sheet, v, formats.get(i), top) for i, v in enumerate(row)]
        lines = 1
        for i, width in widths.items():
            text = row[i]
            if isinstance(text, str) and len(text) > width * _CHARS_PER_WIDTH:
                values[i] = _wrapped(sheet, values[i])
                lines = max(lines, _lines(text, width))
        if lines > 1:
            # A spreadsheet keeps the height it is given: wrapped text needs its lines.
            sheet.row_dimensions[count + 2].height = lines * _LINE_HEIGHT
        sheet.append(values)
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    return sheet, count


# A chart on paper: room for its title, axes and legend, then a line per category; at most
# what an A4 landscape page holds under the repeated header. Each chart starts a page.
_CHART_BASE_CM, _CHART_CM_PER_ROW, _CHART_MAX_CM = 6.5, 0.45, 15.0
_ROW_CM = 0.53  # a row of the default height (15 points)
# More peaks than this are in the Pics table, not in its chart: a page holds this many.
CHART_ROWS = 26
_SERIES_COLOURS = ("1F4E79", "F0A500")  # those of the page and of the mail


def _bars(
    sheet: WriteOnlyWorksheet,
    title: str,
    axes: tuple[str, str],
    series: Sequence[int],
    rows: int,
    width: int,
    stacked: bool = False,
    labels: int = 1,
    counted: int | None = None,
) -> BarChart:
    """Horizontal bars of columns `series` (1-based; each named by its header) against the
    labels of column A (of columns A to `labels`, in levels: "chapiteau | 14/07/2027"),
    over the `rows` rows under the header; `axes` are the titles of the labels' axis and
    of the values' axis; `counted`, the largest value when the bars count things."""
    chart = BarChart()
    chart.type = "bar"  # horizontal: long French names read on one line
    chart.title = title
    chart.x_axis.title, chart.y_axis.title = axes
    chart.x_axis.delete = chart.y_axis.delete = False  # shown (openpyxl hides them otherwise)
    chart.x_axis.scaling.orientation = "maxMin"  # the first row at the top, as in the table
    chart.legend.position = "b"
    if stacked:
        chart.grouping, chart.overlap = "stacked", 100
    for number, column in enumerate(series):
        data = Reference(sheet, min_col=column, min_row=1, max_row=rows + 1)
        chart.add_data(data, titles_from_data=True)
        colour = _SERIES_COLOURS[number % len(_SERIES_COLOURS)]
        chart.series[-1].graphicalProperties.solidFill = colour
        chart.series[-1].graphicalProperties.line.solidFill = colour
    categories = Reference(sheet, min_col=1, max_col=labels, min_row=2, max_row=rows + 1)
    chart.set_categories(categories)
    if labels > 1:
        for each in chart.series:
            each.cat = AxDataSource(multiLvlStrRef=MultiLevelStrRef(f=str(categories)))
    if counted is not None:
        chart.y_axis.majorUnit = _step(counted)  # a count has no fractions: ticks 0, 1, 2…
    chart.width = width
    chart.height = round(min(_CHART_BASE_CM + _CHART_CM_PER_ROW * rows, _CHART_MAX_CM), 1)
    return chart


def _step(largest: int) -> int:
    """A whole step between ticks, 1, 2 or 5 times a power of ten, for at most 10 ticks."""
    power = 1
    while True:
        for step in (power, 2 * power, 5 * power):
            if largest <= 10 * step:
                return step
        power *= 10


def _place(sheet: Any, charts: Sequence[BarChart], rows: int) -> None:
    """The charts under a table of `rows` rows, each from the top of a page of its own.
    (`sheet` is write-only: its type stubs do not show that it takes charts.)"""
    row = rows + 3
    for chart in charts:
        sheet.row_breaks.append(Break(id=row - 1))  # a page ends under the row before
        sheet.add_chart(chart, f"A{row}")
        row += math.ceil(chart.height / _ROW_CM) + 1


@lru_cache(maxsize=4096)  # families, states and labels repeat from row to row
def _lines(text: str, width: float) -> int:
    """How many lines `text` takes, wrapped in a column `width` wide."""
    return len(textwrap.wrap(text, int(width * _CHARS_PER_WIDTH)))


def _wrapped(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    """A text cell that wraps within its column."""
    cell = value if isinstance(value, Cell) else WriteOnlyCell(sheet, value)
    cell.alignment = _WRAPPED  # (a Cell already: text that _value marked as text)
    return cell


def _cells_at_top(book: Workbook) -> None:
    """Every plain cell at the top of its row, so that beside wrapped text a row reads on
    its first line: they take the style "Normal", made top-aligned, at no cost (styling
    each cell of the rows that wrap made the workbook half as slow again)."""
    book._named_styles["Normal"].alignment = _TOP  # type: ignore[attr-defined]


def workbook(summary: Semester) -> bytes:
    """The workbook of a semester summary, as the bytes of an .xlsx file."""
    book = Workbook(write_only=True)
    _cells_at_top(book)
    today = summary.today
    _sheet(
        book,
        "Besoins",
        [
            ("N°", 6),
            ("Commune", 18),
            ("Famille", 22),
            ("Type", 9),
            ("Matériel", 24),
            ("Quantité", 10),
            ("Unité", 8),
            ("Du", 11),
            ("Au", 11),
            ("Échéance", 11),
            ("État", 22),
            ("Déclaré le", 11),
        ],
        (
            (
                n.id,
                n.commune,
                family.label,
                n.kind_label,
                n.label,
                n.quantity,
                n.unit or None,
                n.start,
                n.end,
                n.deadline,
                n.status_label,
                n.declared,
            )
            for family in summary.families
            for n in family.needs
        ),
        wrapped=(2, 4, 10),
    )
    _sheet(
        book,
        "Propositions",
        [
            ("N°", 6),
            ("Type", 16),
            ("Matériel", 20),
            ("Quantité", 10),
            ("Communes", 26),
            ("Prêteurs", 16),
            ("Emprunteur", 14),
            ("Porteur", 14),
            ("Du", 11),
            ("Au", 11),
            ("Échéance", 11),
            ("État", 16),
            ("Sans réponse", 16),
            ("Motif", 44),
        ],
        (
            (
                p.id,
                p.kind_label,
                p.label,
                p.quantity,
                ", ".join(p.communes),
                ", ".join(p.lenders),
                p.borrower or "",
                p.carrier or "",
                p.start,
                p.end,
                p.deadline,
                p.state_label(today),
                ", ".join(p.awaiting),
                p.reason,
            )
            for p in summary.proposals
        ),
        wrapped=(1, 2, 4, 5, 11, 12, 13),
    )
    _sheet(
        book,
        "Calendrier",
        [
            ("Du", 11),
            ("Au", 11),
            ("Commune", 18),
            ("Manifestation", 32),
            ("Récurrente", 12),
            ("Matériel", 50),
        ],
        (
            (e.start, e.end, e.commune, e.name, "oui" if e.recurring else "non", e.equipment)
            for e in summary.events
        ),
        wrapped=(3, 5),
    )
    peaks, count = _sheet(
        book,
        "Pics",
        [
            ("Matériel", 28),
            ("Du", 11),
            ("Au", 11),
            ("Demandé", 11),
            ("Prêtable", 11),
            ("Manque", 11),
        ],
        ((p.label, p.first, p.last, p.asked, p.lendable, p.shortfall) for p in summary.peaks),
    )
    if count:
        charted = min(count, CHART_ROWS)
        title = "Demande et offre prêtable des articles en tension"
        if charted < count:
            title += f" ({charted} premiers pics)"
        # An item short at several times: its bars told apart by their first day.
        most = max(max(p.asked, p.lendable) for p in summary.peaks[:charted])
        demand = _bars(peaks, title, ("Matériel", "Quantité"), (4, 5), charted, 16, labels=2,
                       counted=most)  # fmt: skip
        _place(peaks, [demand], count)
    _sheet(
        book,
        "Prix",
        [
            ("Matériel", 28),
            ("Prix unitaire HT", 12),
            ("Source", 70),
            ("Date", 14),
        ],
        (
            (label, price.amount, price.source, format_month(price.date) if price.date else "")
            for label, price in summary.prices
        ),
        formats={1: PRICE_FORMAT},
        wrapped=(2,),
    )
    indicators, _ = _sheet(
        book,
        "Indicateurs",
        [
            ("Commune", 18),
            ("Besoins déclarés", 10),
            ("Avec proposition", 11),
            ("Part rapprochée", 10),
            ("Groupements", 13),
            ("Prêts reçus", 9),
            ("Prêts consentis", 10),
            ("Jours de prêt", 9),
            ("Économies confirmées", 12),
            ("Économies en attente", 12),
            ("A participé", 11),
        ],
        (
            (
                i.commune,
                i.needs,
                i.matched,
                i.share_matched,
                i.group_orders,
                i.loans_borrowed,
                i.loans_lent,
                i.days_lent,
                round(i.savings),
                round(i.savings_pending),
                "" if i is summary.total else "oui" if i.participated else "non",
            )
            for i in [*summary.indicators, summary.total]
        ),
        formats={3: PERCENT_FORMAT, 8: EURO_FORMAT, 9: EURO_FORMAT},
    )
    # The communes only: the total's bar would flatten every other.
    communes = len(summary.indicators)
    needs = _bars(indicators, "Besoins déclarés et rapprochés par commune",
                  ("Commune", "Nombre de besoins"), (2, 3), communes, 22,
                  counted=max((i.needs for i in summary.indicators), default=0))  # fmt: skip
    # A title on one line: on two, LibreOffice leaves the bars too little room to name each.
    savings = _bars(indicators, "Économies confirmées et en attente",
                    ("Commune", "Euros"), (9, 10), communes, 22, stacked=True)  # fmt: skip
    savings.y_axis.number_format = EURO_FORMAT
    _place(indicators, [needs, savings], communes + 1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
