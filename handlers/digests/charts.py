"""The indicators' charts as data: what each one shows (title, description, series, one
row of figures per commune or per peak), the same wherever it is drawn: as SVG on the
shared page (`handlers/web/charts.py`), as a PNG picture in the semester summary's mail
(`pictures.py`). The workbook draws its own from its cells."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.digests.render import euros
from handlers.digests.semester import Semester
from handlers.wording import stretch


@dataclass(frozen=True)
class Row:
    """One label and its value in each series, with each value as a table writes it."""

    label: str
    values: tuple[float, ...]
    shown: tuple[str, ...]


@dataclass(frozen=True)
class ChartData:
    """One chart: its id (for aria, and its picture's name), title, description, the
    heading of its label column, its series, rows, and whether the series add up."""

    id: str
    title: str
    description: str
    heading: str
    series: tuple[str, ...]
    rows: tuple[Row, ...]
    stacked: bool = False

    @property
    def empty(self) -> bool:
        return not self.rows

    @property
    def figures(self) -> str:
        """The chart said in one line of text: "Caudan : déclarés 3, rapprochés 2 ; …"."""
        return " ; ".join(
            f"{row.label} : "
            + ", ".join(f"{s} {v}" for v, s in zip(row.shown, self.series, strict=True))
            for row in self.rows
        )


def _counts(values: tuple[float, ...]) -> tuple[str, ...]:
    return tuple(f"{v:g}" for v in values)


def indicator_charts(summary: Semester) -> list[ChartData]:
    """The three charts of the indicators: needs declared and matched by commune, savings
    confirmed and pending by commune, demand against lendable supply of the items short."""
    communes = [i for i in summary.indicators if i.needs or i.savings or i.savings_pending]
    needs = ChartData(
        "chart-needs", "Besoins déclarés et rapprochés par commune",
        "Pour chaque commune, le nombre de besoins déclarés ce semestre et le nombre de "
        "ceux qui ont trouvé une proposition.",
        "Commune", ("déclarés", "rapprochés"),
        tuple(Row(i.commune, (i.needs, i.matched), _counts((i.needs, i.matched)))
              for i in communes if i.needs),
    )  # fmt: skip
    savings = ChartData(
        "chart-savings", "Économies confirmées et en attente par commune",
        "Pour chaque commune, en euros, les économies des propositions confirmées et "
        "celles des propositions qui attendent une réponse.",
        "Commune", ("confirmées", "en attente"),
        tuple(Row(i.commune, (i.savings, i.savings_pending),
                  (euros(i.savings), euros(i.savings_pending)))
              for i in communes if i.savings or i.savings_pending),
        stacked=True,
    )  # fmt: skip
    peaks = ChartData(
        "chart-peaks", "Demande et offre prêtable des articles en tension",
        "Pour chaque pic de demande de l'année, la quantité demandée et la quantité que "
        "les communes du territoire prêtent ces jours-là.",
        "Article et jours", ("demandé", "prêtable"),
        tuple(Row(f"{p.plural}, {stretch(p.first, p.last)}", (p.asked, p.lendable),
                  _counts((p.asked, p.lendable)))
              for p in summary.peaks),
    )  # fmt: skip
    return [needs, savings, peaks]
