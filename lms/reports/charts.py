"""Accessible bar charts as inline SVG, drawn on the server: no JavaScript, no images.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and described by its ``<desc>``
(``aria-labelledby``), with a text label and the value written beside every bar, so it reads
without colour and without the picture. The page shows the chart's data table next to it.
Only presentation attributes are used (the CSP allows no inline styles).
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from lms.reports.labels import row_label
from lms.reports.rows import BreakdownRow

WIDTH = 800
LABEL_WIDTH = 250
BAR_AREA = 380
ROW_HEIGHT = 28
TOP = 30
LABEL_CHARS = 34
BAR_COLOUR = "#1d4e89"
GRID_COLOUR = "#b8c2cc"
TEXT_COLOUR = "#1b1f23"


@dataclass(frozen=True)
class Bar:
    label: str
    percent: float
    text: str


def bars_for(rows: list[BreakdownRow], language: str) -> list[Bar]:
    """One bar per breakdown row with learners: completion % and "completed of learners"."""
    bars = []
    for row in rows:
        counts = row.counts
        if counts.completion_percent is None:
            continue
        text = f"{counts.completion_percent:.1f}% ({counts.completed}/{counts.learners})"
        bars.append(Bar(row_label(row, language), counts.completion_percent, text))
    return bars


def chart_units(rows: list[BreakdownRow]) -> list[BreakdownRow]:
    """The unit rows worth a chart: those at the shallowest depth holding two or more units
    (below a ministry, its departments and provincial offices), or all when no depth does."""
    units = [row for row in rows if row.key != "none"]
    for depth in sorted({row.depth for row in units}):
        level = [row for row in units if row.depth == depth]
        if len(level) >= 2:
            return level
    return units


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def bar_chart(chart_id: str, title: str, description: str, bars: list[Bar]) -> Markup:
    """An SVG horizontal bar chart of percentages (0-100), one labelled bar per item."""
    height = TOP + ROW_HEIGHT * max(len(bars), 1) + 10
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{escape(chart_id)}" class="bar-chart" role="img" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" font-size="13" fill="{TEXT_COLOUR}">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(description)}</desc>',
    ]
    for tick in (0, 25, 50, 75, 100):
        x = LABEL_WIDTH + BAR_AREA * tick / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="{TOP - 6}" x2="{x:.1f}" y2="{height - 10}" stroke="{GRID_COLOUR}" '
            f'stroke-width="1" aria-hidden="true"/>'
            f'<text x="{x:.1f}" y="{TOP - 12}" text-anchor="middle" font-size="11" aria-hidden="true">'
            f"{tick}%</text>"
        )
    for index, bar in enumerate(bars):
        y = TOP + index * ROW_HEIGHT
        width = BAR_AREA * max(0.0, min(bar.percent, 100.0)) / 100
        parts.append(
            f'<g class="bar"><title>{escape(bar.label)}: {escape(bar.text)}</title>'
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 18}" text-anchor="end">{escape(_short(bar.label))}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 5}" width="{width:.1f}" height="{ROW_HEIGHT - 10}" '
            f'fill="{BAR_COLOUR}"/>'
            f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{y + 18}">{escape(bar.text)}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every interpolated text is escaped above)
