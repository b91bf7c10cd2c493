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


@dataclass(frozen=True)
class Bar:
    series: int
    x: float
    y: float
    width: float
    value: float
    text: str


@dataclass(frozen=True)
class Row:
    label: str
    y: float
    values: tuple[str, ...]
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Chart:
    """One chart: what it shows (title, description, series…), its rows as drawn, its size."""

    data: ChartData
    rows: tuple[Row, ...]
    width: int
    height: int


def bars(data: ChartData) -> Chart:
    """The bars of a chart's rows, scaled to the largest value (or largest sum, stacked)."""
    stacked, series = data.stacked, data.series
    top = max((sum(r.values) if stacked else max(r.values, default=0) for r in data.rows),
              default=0.0) or 1.0  # fmt: skip
    per_row = BAR_HEIGHT * (1 if stacked else len(series)) + ROW_GAP
    drawn = []
    for index, row in enumerate(data.rows):
        y = index * per_row + ROW_GAP / 2
        placed = []
        x = float(LABEL_WIDTH)
        for number, value in enumerate(row.values):
            width = BAR_SPACE * value / top
            top_y = y if stacked else y + number * BAR_HEIGHT
            placed.append(Bar(number, x, top_y, width, value, row.shown[number]))
            if stacked:
                x += width
        drawn.append(Row(row.label, y, row.shown, tuple(placed)))
    return Chart(data, tuple(drawn), LABEL_WIDTH + BAR_SPACE + VALUE_SPACE,
                 int(len(data.rows) * per_row + ROW_GAP))  # fmt: skip
