"""The indicators' charts as PNG pictures, for mail: a mail client shows an image, never an
SVG nor a script. Horizontal bars drawn with Pillow, in the bundled DejaVu Sans (French
accents, œ and € included, whatever fonts the machine has), at twice the size shown so
that they stay sharp on a phone. What is drawn is `charts.ChartData`, as on the page."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

from PIL import Image, ImageDraw, ImageFont

from handlers.digests.charts import ChartData, Row

SCALE = 2  # pixels drawn for each pixel shown
WIDTH = 640  # as shown, in CSS pixels
MARGIN = 12
TITLE_SIZE, TEXT_SIZE = 15, 12
BAR = 13  # one bar's thickness
GAP = 8  # between two rows
LABEL_MAX = 270  # widest label column; longer labels are cut with "…"
# A long chart is cut: the rest is in the mail's tables and in the workbook.
MAX_ROWS = 26  # as the workbook's chart of the peaks: what an A4 page holds
INK, MUTED, RULE, PAPER = "#1b1b1b", "#555555", "#c9d6e3", "#ffffff"
COLOURS = ("#1f4e79", "#f0a500")  # the page's two series
ALT_ROWS = 12  # charts no longer than this say all their figures in their alt text


@dataclass(frozen=True)
class Picture:
    """A chart as a PNG: its file name (also its Content-ID in a mail), the text said
    instead of it, and its size as shown."""

    name: str
    alt: str
    width: int
    height: int
    png: bytes


# The pictures' file names, which a coordinator sees attached to the summary: French words.
PICTURE_NAMES = {"chart-needs": "besoins", "chart-savings": "economies", "chart-peaks": "pics"}


def _blend(colour: str, weight: float) -> tuple[int, ...]:
    """`colour` laid over white paper with that weight (0: paper, 1: the colour)."""
    rgb = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return tuple(round(255 + (c - 255) * weight) for c in rgb)


@cache
def _palette() -> Image.Image:
    """Every colour a chart has: paper, the text's antialiased shades over it, the rule and
    the series. Mapping to it is several times quicker than finding a palette each time."""
    colours = [_blend(PAPER, 1)]
    colours += [_blend(INK, k / 15) for k in range(1, 16)]
    colours += [_blend(MUTED, k / 7) for k in range(1, 8)]
    colours += [_blend(c, 1) for c in (RULE, *COLOURS)]
    image = Image.new("P", (1, 1))
    image.putpalette([v for colour in colours for v in colour])
    return image


@cache
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    data = resources.files("handlers").joinpath("fonts", name).read_bytes()
    return ImageFont.truetype(io.BytesIO(data), size * SCALE)


def _fitted(text: str, font: ImageFont.FreeTypeFont, width: float) -> str:
    """`text`, cut with "…" where it is wider than `width` (drawn pixels)."""
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


@dataclass(frozen=True)
class _Layout:
    """Where a chart's parts go, in drawn pixels: the bars start at `bars_x` and the
    largest one (or the largest sum, stacked) is `space` long."""

    label_width: float
    bars_x: float
    space: float
    per_row: float
    top: float
    largest: float


def _layout(chart: ChartData, rows: tuple[Row, ...]) -> _Layout:
    text, s = font(TEXT_SIZE), SCALE
    label_width = min(max(text.getlength(r.label) for r in rows) + 8 * s, LABEL_MAX * s)
    value_width = max(text.getlength(" / ".join(r.shown)) for r in rows) + 8 * s
    bars_x = MARGIN * s + label_width
    return _Layout(
        label_width=label_width,
        bars_x=bars_x,
        space=WIDTH * s - MARGIN * s - bars_x - value_width,
        per_row=(BAR * (1 if chart.stacked else len(chart.series)) + GAP) * s,
        top=(MARGIN + 24 + 22) * s,  # under the title and the legend
        largest=max((sum(r.values) if chart.stacked else max(r.values)) for r in rows) or 1.0,
    )


def picture(chart: ChartData) -> Picture:
    """The chart drawn as a PNG (a chart with no rows is not drawn: ask `chart.empty`)."""
    rows = chart.rows[:MAX_ROWS]
    left = len(chart.rows) - len(rows)
    at = _layout(chart, rows)
    s = SCALE
    height = int(at.top + len(rows) * at.per_row) // s + (22 if left else 0) + MARGIN
    image = Image.new("RGB", (WIDTH * s, height * s), PAPER)
    draw = ImageDraw.Draw(image)
    _heading(draw, chart)
    for index, row in enumerate(rows):
        _row(draw, chart, row, at, at.top + index * at.per_row)
    draw.line((at.bars_x, at.top - 3 * s, at.bars_x, at.top + len(rows) * at.per_row),
              fill=RULE, width=s)  # fmt: skip
    if left:
        more = f"… et {left} de plus : le détail est dans le classeur joint."
        draw.text((MARGIN * s, (height - MARGIN - 16) * s), more, font=font(TEXT_SIZE),
                  fill=MUTED)  # fmt: skip
    buffer = io.BytesIO()
    # Flat colours and antialiased text: a small palette keeps it sharp and light.
    # Compressed at level 3: half the time of the default level, for a quarter more bytes.
    flat = image.quantize(palette=_palette(), dither=Image.Dither.NONE)
    flat.save(buffer, "PNG", compress_level=3)
    name = PICTURE_NAMES.get(chart.id, chart.id.removeprefix("chart-"))
    return Picture(f"graphique-{name}.png", _alt(chart), WIDTH, height, buffer.getvalue())


def _heading(draw: ImageDraw.ImageDraw, chart: ChartData) -> None:
    """The title, then a legend: each series' colour and name."""
    s, text, title = SCALE, font(TEXT_SIZE), font(TITLE_SIZE, bold=True)
    shown = _fitted(chart.title, title, (WIDTH - 2 * MARGIN) * s)
    draw.text((MARGIN * s, MARGIN * s), shown, font=title, fill=INK)
    x: float = MARGIN * s
    y = (MARGIN + 26) * s
    for number, name in enumerate(chart.series):
        draw.rectangle((x, y + 2 * s, x + 11 * s, y + 13 * s), fill=COLOURS[number % 2])
        draw.text((x + 16 * s, y), name, font=text, fill=INK)
        x += 16 * s + text.getlength(name) + 18 * s


def _row(draw: ImageDraw.ImageDraw, chart: ChartData, row: Row, at: _Layout, y: float) -> None:
    """One row: its label, its bars (side by side, or end to end when stacked), its figures."""
    s, text = SCALE, font(TEXT_SIZE)
    middle = y + at.per_row / 2 - GAP * s / 2
    label = _fitted(row.label, text, at.label_width - 8 * s)
    draw.text((at.bars_x - 6 * s, middle), label, font=text, fill=INK, anchor="rm")
    x = end = at.bars_x
    for number, value in enumerate(row.values):
        length = at.space * value / at.largest
        bar_y = y if chart.stacked else y + number * BAR * s
        if length >= 1:
            draw.rectangle((x, bar_y, x + length, bar_y + (BAR - 2) * s),
                           fill=COLOURS[number % 2])  # fmt: skip
        end = max(end, x + length)
        if chart.stacked:
            x += length
    shown = " / ".join(row.shown)
    draw.text((end + 5 * s, middle), shown, font=text, fill=MUTED, anchor="lm")


def _alt(chart: ChartData) -> str:
    """What a reader hears or sees in place of the picture: its title, what it shows, and
    its figures when they are few."""
    if len(chart.rows) <= ALT_ROWS:
        return f"{chart.title}. {chart.figures}."
    return f"{chart.title}. {chart.description} Les chiffres sont dans les tableaux ci-dessous."
