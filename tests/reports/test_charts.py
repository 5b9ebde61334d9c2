"""Server-drawn SVG bar charts: named and described for screen readers, text on every bar,
escaped labels, no script."""

from __future__ import annotations

import re

from lms.reports.charts import BAR_AREA, Bar, bar_chart, bars_for, chart_units
from lms.reports.rows import BreakdownRow, Counts


def unit(key: str, depth: int, learners: int, completed: int) -> BreakdownRow:
    return BreakdownRow("unit", key, Counts(learners=learners, completed=completed), key, key, depth)


def test_a_chart_is_an_accessible_svg_with_a_label_and_value_per_bar():
    svg = str(
        bar_chart(
            "c1",
            "Completion by unit",
            "Share who completed",
            [Bar("กรมเอ", 50.0, "50.0% (3/6)"), Bar("<script>alert(1)</script>", 100.0, "100.0% (1/1)")],
        )
    )
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'role="img"' in svg and 'aria-labelledby="c1-title c1-desc"' in svg
    assert '<title id="c1-title">Completion by unit</title>' in svg
    assert '<desc id="c1-desc">Share who completed</desc>' in svg
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert ">กรมเอ</text>" in svg and ">50.0% (3/6)</text>" in svg
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)"', svg)]
    assert widths == [BAR_AREA / 2, BAR_AREA]
    assert "style=" not in svg  # the CSP allows no inline styles


def test_an_empty_chart_still_draws():
    svg = str(bar_chart("empty", "Nothing", "No data", []))
    assert "<rect" not in svg and 'role="img"' in svg


def test_chart_units_takes_the_first_level_with_two_units():
    rows = [unit("MIN", 0, 10, 5), unit("DA", 1, 6, 3), unit("DA-1", 2, 4, 2), unit("DB", 1, 4, 2)]
    assert [r.key for r in chart_units(rows)] == ["DA", "DB"]
    only_one_department = [
        unit("MIN", 0, 4, 1),
        unit("DA", 1, 4, 1),
        unit("DA-1", 2, 2, 1),
        unit("DA-2", 2, 2, 0),
    ]
    assert [r.key for r in chart_units(only_one_department)] == ["DA-1", "DA-2"]
    assert [r.key for r in chart_units([unit("MIN", 0, 4, 1)])] == ["MIN"]


def test_bars_skip_groups_without_learners(app):
    bars = bars_for([unit("DA", 1, 3, 1), unit("EMPTY", 1, 0, 0)], "th")
    assert [(b.label, round(b.percent, 1), b.text) for b in bars] == [("DA", 33.3, "33.3% (1/3)")]
