"""The multi-year trend: each priority's cost per headline outcome, quarter by quarter, across every
year the warehouse holds, drawn only where more than one year exists (one year is the quarterly chart
of the cost section already).

Written as inline SVG in the look of the pack's other charts (opcc/reporting/charts.py): text kept as
text, deterministic, every outside text escaped.
"""

from __future__ import annotations

import math

from opcc.reporting.charts import TICK, fit, panel_axes, panel_grid, scale_room
from opcc.reporting.svg import Drawing, text_width

PER_ROW = 3


def years_of(points: list[tuple[str, float | None]]) -> set[str]:
    return {period[:7] for period, _ in points}


def _tick_labels(quarters: list[str], room: float, size: float) -> list[str]:
    """Year over quarter at each tick; where the years would touch, the year only where it starts (and
    where even those would touch, every second or third of them); where the quarters would touch too,
    the years alone."""
    year_width = max((text_width(q[:7], size) for q in quarters), default=0) + 4
    show_quarters = max((text_width(q[7:].strip(), size) for q in quarters), default=0) + 3 <= room
    crowded = year_width > room
    every = max(1, math.ceil(year_width / (4 * room)))  # years start four ticks apart
    labels, starts = [], 0
    for index, quarter in enumerate(quarters):
        year, rest = quarter[:7], quarter[7:].strip()
        starts_year = index == 0 or quarters[index - 1][:7] != year
        shown = year if not crowded or (starts_year and starts % every == 0) else ""
        starts += starts_year
        labels.append(f"{shown}\n{rest}" if show_quarters else shown)
    return labels


def priority_trends(title: str, panels: list[dict], quarters: list[str]) -> str:
    """One small line per priority over `quarters` (several years); '' unless more than one year is shown."""
    if len({q[:7] for q in quarters}) < 2 or not panels:
        return ""
    width, row_height, margin, size = 900.0, 172.8, 8.0, 6.5
    cell = (width - 2 * margin) / PER_ROW
    rows = -(-len(panels) // PER_ROW)
    drawing = Drawing("multi-year-trend", width, row_height * rows)
    for index, panel, x0, y0, points, values in panel_grid(panels, quarters, PER_ROW, cell, row_height, margin):
        left, right = x0 + scale_room(values, False, size) + 2 * TICK + 2, x0 + cell - 14
        top, bottom = y0 + 4 + 8.5 * 1.2 + 6, y0 + row_height - 2 * TICK - 2 * size * 1.2 - 12
        drawing.group(f"panel-{index + 1}")
        heading = fit(f"{panel['priority']} {panel['priority_name']}", 40, 1, cell - 16, 8.5)
        drawing.text(x0 + 2, y0 + 4, heading, 8.5, valign="top")
        labels = _tick_labels(quarters, (right - left) / max(len(quarters), 1), size)
        panel_axes(drawing, quarters, labels, points, (left, top, right, bottom), size, labelled=False, marker=1.5,
                   line_width=1.5)
        drawing.end()
    return drawing.figure(title, max_width=False)
