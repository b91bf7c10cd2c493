"""Charts drawn on the server as inline SVG: horizontal bars, one row per label, one bar per
series. What is drawn is computed here (positions, widths); `templates/charts.html.j2`
writes the markup, with a title, a description and the same figures as a table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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
    """One chart: its id (for aria), title, description, series names, rows and size."""

    id: str
    title: str
    description: str
    series: tuple[str, ...]
    rows: tuple[Row, ...]
    width: int
    height: int
    stacked: bool

    @property
    def empty(self) -> bool:
        return not self.rows


def bars(
    chart_id: str,
    title: str,
    description: str,
    series: Sequence[str],
    rows: Sequence[tuple[str, Sequence[float]]],
    shown: Sequence[Sequence[str]] | None = None,
    stacked: bool = False,
) -> Chart:
    """Bars for `rows` (label, one value per series), scaled to the largest value (or
    largest sum, stacked); `shown` gives each value as the table writes it."""
    top = max((sum(v) if stacked else max(v, default=0) for _, v in rows), default=0.0) or 1.0
    per_row = BAR_HEIGHT * (1 if stacked else len(series)) + ROW_GAP
    drawn = []
    for index, (label, values) in enumerate(rows):
        y = index * per_row + ROW_GAP / 2
        texts = tuple(shown[index]) if shown else tuple(f"{v:g}" for v in values)
        placed = []
        x = float(LABEL_WIDTH)
        for number, value in enumerate(values):
            width = BAR_SPACE * value / top
            top_y = y if stacked else y + number * BAR_HEIGHT
            placed.append(Bar(number, x, top_y, width, value, texts[number]))
            if stacked:
                x += width
        drawn.append(Row(label, y, texts, tuple(placed)))
    return Chart(chart_id, title, description, tuple(series), tuple(drawn),
                 LABEL_WIDTH + BAR_SPACE + VALUE_SPACE, int(len(rows) * per_row + ROW_GAP),
                 stacked)  # fmt: skip
