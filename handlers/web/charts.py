"""Charts drawn on the server as inline SVG: horizontal bars, one row per label, one bar per
series. What is shown comes from `handlers/digests/charts.py` (the mail draws the same);
where it is drawn is computed here (positions, widths); `templates/charts.html.j2` writes
the markup, with a title, a description and the same figures as a table."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.digests.charts import ChartData

LABEL_WIDTH = 150
BAR_SPACE = 300
BAR_HEIGHT = 12
ROW_GAP = 8
VALUE_SPACE = 110
# A label longer than this (and a little more) is cut in the chart's margin, as jinja2's
# `truncate(24, True, '…')` with its default leeway of 5 would; the table keeps it whole.
LABEL_CHARS = 24
LEEWAY = 5


# Rows and bars are slotted and not frozen: the peaks' chart may have a thousand rows,
# two bars each, built for every page.
@dataclass(slots=True)
class Bar:
    """One bar, its place written as the SVG takes it (to a tenth of a unit), and the
    tooltip it carries ("Lorient : 12 déclarés")."""

    series: int
    x: str
    y: str
    width: str
    value: float
    text: str
    title: str


@dataclass(slots=True)
class Row:
    """One row: its label's baseline, its bars, and where its figures are written."""

    label: str
    # The label as the chart's margin writes it, cut to LABEL_CHARS.
    short: str
    label_y: float
    values: tuple[str, ...]
    bars: tuple[Bar, ...]
    # Where the figures, "12 / 3", are written: after the last bar.
    value_x: str
    value_y: str

    @property
    def figures(self) -> str:
        return " / ".join(self.values)


@dataclass(frozen=True)
class Chart:
    """One chart: what it shows (title, description, series…), its rows as drawn, its size."""

    data: ChartData
    rows: tuple[Row, ...]
    width: int
    height: int


def _tenth(number: float) -> str:
    return f"{number:.1f}"


def _short(label: str) -> str:
    if len(label) <= LABEL_CHARS + LEEWAY:
        return label
    return label[: LABEL_CHARS - 1] + "…"


def bars(data: ChartData) -> Chart:
    """The bars of a chart's rows, scaled to the largest value (or largest sum, stacked),
    their places written once here: a chart may have a thousand rows (one a peak)."""
    stacked, series = data.stacked, data.series
    top = max((sum(r.values) if stacked else max(r.values, default=0) for r in data.rows),
              default=0.0) or 1.0  # fmt: skip
    per_row = BAR_HEIGHT * (1 if stacked else len(series)) + ROW_GAP
    drawn = []
    for index, row in enumerate(data.rows):
        y = index * per_row + ROW_GAP / 2
        placed = []
        x = float(LABEL_WIDTH)
        end = top_y = 0.0
        for number, value in enumerate(row.values):
            width = BAR_SPACE * value / top
            top_y = y if stacked else y + number * BAR_HEIGHT
            end = x + width
            shown = row.shown[number]
            placed.append(Bar(number, _tenth(x), _tenth(top_y), _tenth(width), value, shown,
                              f"{row.label} : {shown} {series[number]}"))  # fmt: skip
            if stacked:
                x += width
        drawn.append(Row(row.label, _short(row.label), y + 10, row.shown, tuple(placed),
                         _tenth(end + 4), _tenth(top_y + 10)))  # fmt: skip
    return Chart(data, tuple(drawn), LABEL_WIDTH + BAR_SPACE + VALUE_SPACE,
                 int(len(data.rows) * per_row + ROW_GAP))  # fmt: skip
