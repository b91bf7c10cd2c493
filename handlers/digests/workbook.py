"""`besoins.xlsx`: the semester summary as a workbook a coordinator can sort and filter.

Sheets Besoins, Propositions, Calendrier, Pics (demand peaks) and Indicateurs, each with a
bold frozen header, filters and column widths. Written in openpyxl's write-only mode: rows
stream to the file. Text that came from users is always stored as text, never as a formula.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES  # text it would store as an error value
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from handlers.digests.semester import Semester

# A cell starting with one of these would be read as a formula (or DDE) by a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
DATE_FORMAT = "DD/MM/YYYY"
EURO_FORMAT = '#,##0 "€"'
PERCENT_FORMAT = "0%"


def _value(sheet: WriteOnlyWorksheet, value: Any, number_format: str | None = None) -> Any:
    """A plain value where openpyxl writes it as it is (numbers, ordinary text), a styled
    cell where it must be told: dates, formats, and text it would take for a formula or
    an error code."""
    if isinstance(value, str):
        if not value.startswith(FORMULA_STARTS) and value not in ERROR_CODES:
            return value
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"  # user text is text: "=1+2" or "@SUM(...)" is not computed
        cell.quotePrefix = True  # and shown with Excel's text mark, even once edited
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet)
        cell.value = value  # a date: stored as one, shown the French way
        cell.number_format = DATE_FORMAT
        return cell
    if number_format and value is not None:
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = number_format
        return cell
    return value


def _sheet(
    book: Workbook,
    title: str,
    columns: Sequence[tuple[str, int]],
    rows: Iterable[Sequence[Any]],
    formats: dict[int, str] | None = None,
) -> None:
    sheet = book.create_sheet(title)
    for index, (_, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    header = []
    for name, _ in columns:
        cell = WriteOnlyCell(sheet, name)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        header.append(cell)
    sheet.append(header)
    count = 0
    formats = formats or {}
    for row in rows:
        sheet.append([_value(sheet, v, formats.get(i)) for i, v in enumerate(row)])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"


def workbook(summary: Semester) -> bytes:
    """The workbook of a semester summary, as the bytes of an .xlsx file."""
    book = Workbook(write_only=True)
    _sheet(
        book,
        "Besoins",
        [
            ("N°", 7),
            ("Commune", 22),
            ("Famille", 24),
            ("Type", 9),
            ("Matériel", 30),
            ("Quantité", 10),
            ("Unité", 8),
            ("Du", 12),
            ("Au", 12),
            ("Échéance", 12),
            ("État", 22),
            ("Déclaré le", 12),
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
    )
    _sheet(
        book,
        "Propositions",
        [
            ("N°", 7),
            ("Type", 24),
            ("Matériel", 30),
            ("Quantité", 10),
            ("Communes", 40),
            ("Prêteurs", 24),
            ("Emprunteur", 20),
            ("Porteur", 20),
            ("Du", 12),
            ("Au", 12),
            ("Échéance", 12),
            ("État", 22),
            ("Sans réponse", 30),
            ("Motif", 80),
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
                p.status_label,
                ", ".join(p.awaiting),
                p.reason,
            )
            for p in summary.proposals
        ),
    )
    _sheet(
        book,
        "Calendrier",
        [
            ("Du", 12),
            ("Au", 12),
            ("Commune", 22),
            ("Manifestation", 36),
            ("Récurrente", 11),
            ("Matériel", 60),
        ],
        (
            (e.start, e.end, e.commune, e.name, "oui" if e.recurring else "non", e.equipment)
            for e in summary.events
        ),
    )
    _sheet(
        book,
        "Pics",
        [
            ("Matériel", 28),
            ("Du", 12),
            ("Au", 12),
            ("Demandé", 11),
            ("Prêtable", 11),
            ("Manque", 11),
        ],
        ((p.label, p.first, p.last, p.asked, p.lendable, p.shortfall) for p in summary.peaks),
    )
    _sheet(
        book,
        "Indicateurs",
        [
            ("Commune", 24),
            ("Besoins déclarés", 12),
            ("Avec proposition", 12),
            ("Part rapprochée", 12),
            ("Groupements", 12),
            ("Prêts reçus", 11),
            ("Prêts consentis", 11),
            ("Jours de prêt", 11),
            ("Économies confirmées", 14),
            ("Économies en attente", 14),
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
                "oui" if i.participated else "non",
            )
            for i in [*summary.indicators, summary.total]
        ),
        formats={3: PERCENT_FORMAT, 8: EURO_FORMAT, 9: EURO_FORMAT},
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
