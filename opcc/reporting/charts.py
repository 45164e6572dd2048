"""The review pack's charts, written directly as inline SVG (svg.py).

Every chart has axes, quarter labels and its values printed at the points or
bars, so it reads the same on paper as on screen. Its text stays text: the
page stays small, the browser draws it in the page's font, and a PDF of the
page can be searched. Output is deterministic, every id carries the chart's
name (several charts share a page), every outside text is escaped, and
nothing is read from or written to the network.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from opcc.reporting.svg import AUTO_STEPS, STEPS, Drawing, nice_ticks, text_width

COLOURS = {
    "allocation": "#9db4c0",
    "spend": "#1b4965",
    "received on time": "#2e7d32",
    "late": "#b26a00",
    "resubmitted": "#1565c0",
    "missing": "#c62828",
    "line": "#1b4965",
}
GRID = "#e4e7eb"
MUTED = "#52606d"
EMPTY = "#757575"
TICK = 3.5  # a tick's length, and the gap between it and its label, in points


def money(value: float | None) -> str:
    """£ with a unit that fits a label: £1.23m, £456k, £789."""
    if value is None:
        return "n/a"
    if abs(value) >= 1_000_000:
        return f"£{value / 1_000_000:,.2f}m"
    if abs(value) >= 10_000:
        return f"£{value / 1_000:,.0f}k"
    return f"£{value:,.0f}"


def wrap(text: str, width: int, lines: int = 2) -> str:
    """Wrap at word boundaries; the last line ends with an ellipsis only if words had to go."""
    wrapped = textwrap.wrap(text or "", width=width) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1].rstrip(" ,;:") + "…"
    return "\n".join(wrapped)


def fit(text: str, width: int, lines: int, room: float, size: float, bold: bool = False) -> str:
    """`wrap`, narrower until every line fits `room` points (wide letters take more room than the average)."""
    while True:
        wrapped = wrap(text, width, lines)
        if width <= 8 or max(text_width(line, size, bold) for line in wrapped.split("\n")) <= room:
            return wrapped
        width -= 2


def widest(texts: Sequence[str], size: float, bold: bool = False) -> float:
    return max((text_width(line, size, bold) for text in texts for line in text.split("\n")), default=0.0)


def legend(drawing: Drawing, entries: Sequence[tuple[str, str]], x: float, y: float, size: float, align: str = "left") -> float:
    """Coloured squares and their labels in one row whose text is centred on `y`; returns the row's width."""
    patch_w, patch_h, gap, spacing = 2 * size * 0.7, 0.7 * size, 0.8 * size, 2 * size
    widths = [patch_w + gap + text_width(label, size) for label, _ in entries]
    total = sum(widths) + spacing * (len(entries) - 1)
    left = x - total if align == "right" else x
    drawing.group("legend")
    for (label, colour), width in zip(entries, widths, strict=True):
        drawing.rect(left, y - patch_h / 2, patch_w, patch_h, colour)
        drawing.text(left + patch_w + gap, y, label, size, valign="middle")
        left += width + spacing
    drawing.end()
    return total


def allocation_against_spend(title: str, categories: Sequence[str], allocation: Sequence[float], spend: Sequence[float]) -> str:
    """Horizontal bars per theme (or mechanism): allocation to date and spend to date, each labelled."""
    drawing_width, band, size = 684.0, 54.0, 9.0
    labels = [wrap(c, 30) for c in categories]
    left = 6 + widest(labels, size) + 2 * TICK
    right = drawing_width - 10
    top = 6 + size + 8  # the legend's row above the plot
    plot_height = band * max(len(categories), 1)
    bottom = top + plot_height
    height = bottom + 2 * TICK + size * 1.2 + 6 + size * 1.2 + 6
    drawing = Drawing("allocation-spend", drawing_width, height)
    high = max([*allocation, *spend, 1]) * 1.18
    scale = (right - left) / high

    drawing.group("plot")
    ticks = nice_ticks(0, high, 7, steps=AUTO_STEPS)
    for tick in ticks:
        x = left + tick * scale
        drawing.line(x, top, x, bottom, GRID, 0.6)
    bar = band * 0.38
    for offset, key, values in ((-bar, "allocation", allocation), (0.0, "spend", spend)):
        for index, value in enumerate(values):
            centre = top + band * (index + 0.5)
            drawing.rect(left, centre + offset, max(value, 0) * scale, bar, COLOURS[key])
            drawing.text(left + max(value, 0) * scale + 3, centre + offset + bar / 2, money(value), 8.5, valign="middle")
    drawing.line(left, top, left, bottom)
    drawing.line(left, bottom, right, bottom)
    for tick in ticks:
        x = left + tick * scale
        drawing.line(x, bottom, x, bottom + TICK)
        drawing.text(x, bottom + 2 * TICK, money(tick), size, anchor="middle", valign="top")
    for index, label in enumerate(labels):
        centre = top + band * (index + 0.5)
        drawing.line(left - TICK, centre, left, centre)
        drawing.text(left - 2 * TICK, centre, label, size, anchor="end", valign="middle")
    drawing.text((left + right) / 2, bottom + 2 * TICK + size * 1.2 + 6, "£, year to date", size, anchor="middle", valign="top")
    drawing.end()
    legend(drawing, [("allocation to date", COLOURS["allocation"]), ("spend to date", COLOURS["spend"])], right, 6 + size / 2, size,
           align="right")
    return drawing.figure(title)


def _y_axis(drawing: Drawing, left: float, right: float, top: float, bottom: float, ticks: list[float], labels: list[str],
            y_of, size: float) -> None:
    for tick, label in zip(ticks, labels, strict=True):
        y = y_of(tick)
        drawing.line(left, y, right, y, GRID, 0.6)
        drawing.line(left - TICK, y, left, y)
        drawing.text(left - 2 * TICK, y, label, size, anchor="end", valign="middle")
    drawing.line(left, top, left, bottom)


def panel_scale(values: list[float], labelled: bool) -> tuple[float, float, list[float]]:
    """A panel's £ scale and ticks: from £0 with room above for the labels of its points, or (unlabelled,
    the long trend) a little wider than its values, as a plot autoscales."""
    if labelled:
        low, high, most, steps = 0.0, max(max(values) * 1.35, 1), 4, STEPS
    else:
        pad = (max(values) - min(values)) * 0.05 or abs(max(values)) * 0.1 or 1.0
        low, high, most, steps = min(values) - pad, max(values) + pad, 5, AUTO_STEPS
    return low, high, nice_ticks(low, high, most, steps=steps)


def tick_money(ticks: list[float]) -> list[str]:
    """£ labels of an axis: as money() writes them, or in whole pounds where money()'s £k would print
    two ticks the same (£14,000 and £14,200 are both £14k)."""
    labels = [money(t) for t in ticks]
    return labels if len(set(labels)) == len(labels) else [f"£{t:,.0f}" for t in ticks]


def scale_room(values: list[float], labelled: bool, size: float) -> float:
    """The room a panel's £ tick labels need left of its axis."""
    return widest(tick_money(panel_scale(values, labelled)[2]), size) if values else 0.0


def panel_axes(drawing: Drawing, quarters: list[str], tick_labels: list[str], points: dict, box: tuple[float, float, float, float],
               size: float, labelled: bool, marker: float, line_width: float) -> None:
    """One small line chart in `box` (left, top, right, bottom): quarters along, £ up, gridlines, each
    point's value if `labelled`, and the words 'no outcomes reported' where the priority has no point."""
    left, top, right, bottom = box
    step = (right - left) / max(len(quarters), 1)
    xs = [i for i, q in enumerate(quarters) if points.get(q) is not None]
    ys = [points[quarters[i]] for i in xs]
    if ys:
        low, high, ticks = panel_scale(ys, labelled)

        def y_of(value: float) -> float:
            return bottom - (value - low) / (high - low) * (bottom - top)

        _y_axis(drawing, left, right, top, bottom, ticks, tick_money(ticks), y_of, size)
        path = [(left + step * (x + 0.5), y_of(y)) for x, y in zip(xs, ys, strict=True)]
        drawing.polyline(path, COLOURS["line"], line_width)
        for (px, py), y in zip(path, ys, strict=True):
            drawing.circle(px, py, marker, COLOURS["line"])
            if labelled:
                drawing.text(px, py - 6, f"£{y:,.0f}", size, anchor="middle")
    else:
        drawing.line(left, top, left, bottom)
        drawing.text((left + right) / 2, (top + bottom) / 2, "no outcomes reported", size + 1.5, anchor="middle", valign="middle",
                     colour=EMPTY)
    drawing.line(left, bottom, right, bottom)
    for index, label in enumerate(tick_labels):
        x = left + step * (index + 0.5)
        drawing.line(x, bottom, x, bottom + TICK)
        drawing.text(x, bottom + 2 * TICK, label, size, anchor="middle", valign="top")


def panel_grid(panels: list[dict], quarters: list[str], per_row: int, cell: float, row_height: float, margin: float):
    """Each panel of a grid of small charts with where it sits: (index, panel, x0, y0, its points by
    quarter, its values in quarter order)."""
    for index, panel in enumerate(panels):
        points = dict(panel["points"])
        values = [points[q] for q in quarters if points.get(q) is not None]
        yield index, panel, margin + cell * (index % per_row), row_height * (index // per_row), points, values


def cost_per_outcome_panels(title: str, panels: list[dict], quarters: list[str], per_row: int = 4, rows_per_chart: int = 2) -> list[str]:
    """One small line chart per priority (its headline outcome's cost per outcome by quarter), in
    charts of at most `rows_per_chart` rows so each fits a printed page."""
    charts = []
    per_chart = per_row * rows_per_chart
    parts = -(-len(panels) // per_chart)
    labels = [q[-2:] for q in quarters]
    width, row_height, margin, size = 900.0, 198.0, 8.0, 7.5
    cell = (width - 2 * margin) / per_row
    for start in range(0, len(panels), per_chart):
        chunk = panels[start : start + per_chart]
        number = start // per_chart + 1
        rows = -(-len(chunk) // per_row)
        drawing = Drawing(f"cost-per-outcome-{number}", width, row_height * rows)
        for index, panel, x0, y0, points, values in panel_grid(chunk, quarters, per_row, cell, row_height, margin):
            left, right = x0 + scale_room(values, True, size) + 2 * TICK + 2, x0 + cell - 14
            drawing.group(f"panel-{index + 1}")
            heading = fit(f"{panel['priority']} {panel['priority_name']}", 28, 2, cell - 16, 9, bold=True)
            # a one-line heading sits on its indicator, as a two-line one does: the axes of a row stay level
            below = y0 + 6 + 2 * 10.8 + 4
            drawing.text(x0 + 2, below - 3, heading, 9, valign="bottom", bold=True)
            indicator = fit(panel.get("indicator_name") or "", 40, 1, cell - 16, size)
            drawing.text(x0 + 2, below, indicator, size, valign="top", colour=MUTED)
            top = y0 + 6 + 2 * 10.8 + 4 + size * 1.2 + 8
            bottom = y0 + row_height - 2 * TICK - size * 1.2 - 14
            panel_axes(drawing, quarters, labels, points, (left, top, right, bottom), size, labelled=True, marker=2.0,
                       line_width=1.8)
            drawing.end()
        part = f" ({number} of {parts})" if parts > 1 else ""
        charts.append(drawing.figure(title + part))
    return charts


def returns_by_status(title: str, rows: list[dict], statuses: Sequence[str]) -> str:
    """Returns per quarter by status, as grouped bars with their counts: a status with one return
    is a bar labelled 1, not a sliver of a stack."""
    size = 9.0
    entries = [(status, COLOURS.get(status, "#555")) for status in statuses]
    legend_width = sum(2 * 8 * 0.7 + 0.8 * 8 + text_width(s, 8) for s in statuses) + 2 * 8 * (len(statuses) - 1)
    high = max([r[s] for r in rows for s in statuses] + [1]) * 1.2
    ticks = nice_ticks(0, high, 5, integer=True)
    left = 6 + size * 1.2 + 6 + widest([f"{t:,.0f}" for t in ticks], size) + 2 * TICK
    width = max(72 * max(4.5, 1.6 * len(rows) + 2.2), left + legend_width + 12)
    right, top = width - 10, 6 + 8 + 10
    height = 72 * 3.2
    bottom = height - 6 - size * 1.2 - 2 * TICK
    drawing = Drawing("returns-by-status", width, height)

    def y_of(value: float) -> float:
        return bottom - value / high * (bottom - top)

    band = (right - left) / max(len(rows), 1)
    bar = band * 0.8 / max(len(statuses), 1)
    drawing.group("plot")
    _y_axis(drawing, left, right, top, bottom, ticks, [f"{t:,.0f}" for t in ticks], y_of, size)
    for i, status in enumerate(statuses):
        for q, row in enumerate(rows):
            centre = left + band * (q + 0.5) + (i - (len(statuses) - 1) / 2) * bar
            value = row[status]
            drawing.rect(centre - bar * 0.475, y_of(value), bar * 0.95, y_of(0) - y_of(value), COLOURS.get(status, "#555"))
            drawing.text(centre, y_of(value) - 2, f"{value:,}", 8, anchor="middle")
    drawing.line(left, bottom, right, bottom)
    for q, row in enumerate(rows):
        x = left + band * (q + 0.5)
        drawing.line(x, bottom, x, bottom + TICK)
        drawing.text(x, bottom + 2 * TICK, str(row["period"]), size, anchor="middle", valign="top")
    drawing.text(6 + size, (top + bottom) / 2, "returns", size, rotate=True)
    drawing.end()
    legend(drawing, entries, left, 6 + 4, 8)
    return drawing.figure(title)
