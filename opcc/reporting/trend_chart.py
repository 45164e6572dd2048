"""The multi-year trend: each priority's cost per headline outcome, quarter by quarter, across every
year the warehouse holds, drawn only where more than one year exists (one year is the quarterly chart
of the cost section already).

Drawn with matplotlib as inline SVG, text kept as text, deterministic (no date, a fixed hash salt),
in the same look as the pack's other charts (opcc/reporting/charts.py).
"""

from __future__ import annotations

import io
import re
from html import escape

from opcc.reporting.charts import COLOURS, money, wrap

PER_ROW = 3


def years_of(points: list[tuple[str, float | None]]) -> set[str]:
    return {period[:7] for period, _ in points}


def priority_trends(title: str, panels: list[dict], quarters: list[str]) -> str:
    """One small line per priority over `quarters` (several years); '' unless more than one year is shown."""
    import matplotlib
    from matplotlib.figure import Figure

    if len({q[:7] for q in quarters}) < 2 or not panels:
        return ""
    name = "multi-year-trend"
    style = {"svg.fonttype": "none", "svg.hashsalt": name, "font.family": ["DejaVu Sans"], "font.size": 8,
             "axes.spines.top": False, "axes.spines.right": False}
    with matplotlib.rc_context(style):
        rows = -(-len(panels) // PER_ROW)
        figure = Figure(figsize=(12.5, 2.4 * rows), dpi=96)
        grid = figure.subplots(rows, PER_ROW, squeeze=False)
        labels = [q.replace(" ", "\n") for q in quarters]
        for index, axes in enumerate(grid.flat):
            if index >= len(panels):
                axes.set_visible(False)
                continue
            panel = panels[index]
            values = dict(panel["points"])
            xs = [i for i, q in enumerate(quarters) if values.get(q) is not None]
            axes.plot(xs, [values[quarters[i]] for i in xs], marker="o", markersize=3, color=COLOURS["line"], linewidth=1.5)
            axes.set_title(wrap(f"{panel['priority']} {panel['priority_name']}", 40, 1), fontsize=8.5, loc="left")
            axes.set_xticks(range(len(quarters)), labels, fontsize=6.5)
            axes.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: money(v)))
            axes.grid(axis="y", color="#e4e7eb", linewidth=0.6)
        figure.subplots_adjust(left=0.06, right=0.99, bottom=0.3 / rows, top=1 - 0.35 / rows, hspace=0.9, wspace=0.3)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r'<svg([^>]*?) width="[\d.]+pt" height="[\d.]+pt"', r"<svg\1", svg, count=1)
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{name}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{name}-\1)", svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{name}-\1"', svg)
    svg = svg.replace("<svg", f'<svg class="chart" role="img" aria-label="{escape(title)}"', 1)
    return f'<figure class="chart">{svg}<figcaption>{escape(title)}</figcaption></figure>'
