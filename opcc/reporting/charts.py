"""The review pack's charts, drawn with matplotlib and embedded as inline SVG.

Every chart has axes, quarter labels and its values printed at the points or
bars, so it reads the same on paper as on screen. The SVG keeps its text as
text (`svg.fonttype: none`): the page stays small, the browser draws it in
the page's font, and a PDF of the page can be searched. Output is
deterministic (no date, a fixed hash salt per chart, which also keeps the
ids of several charts on one page apart) and nothing is read from or written
to the network or the user's matplotlib settings.
"""

from __future__ import annotations

import io
import re
import textwrap
import threading
from collections.abc import Sequence
from html import escape

COLOURS = {
    "allocation": "#9db4c0",
    "spend": "#1b4965",
    "received on time": "#2e7d32",
    "late": "#b26a00",
    "resubmitted": "#1565c0",
    "missing": "#c62828",
    "line": "#1b4965",
}
FONT = ["DejaVu Sans"]  # ships with matplotlib: the same metrics on every machine


def _style(salt: str) -> dict:
    return {
        "svg.fonttype": "none",
        "svg.hashsalt": salt,
        "font.family": FONT,
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 9.5,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "legend.frameon": False,
    }


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


def _svg(figure, name: str, title: str, tight: bool = True) -> str:
    import matplotlib

    buffer = io.StringIO()
    # A tight bounding box draws the figure twice; the panels of many priorities are laid out by hand instead.
    fit = {"bbox_inches": "tight", "pad_inches": 0.08} if tight else {}
    with matplotlib.rc_context(_style(name)):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, **fit)
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    width = re.search(r'width="([\d.]+)pt"', text)
    px = round(float(width.group(1)) * 96 / 72) if width else 900
    # Sized by the page (CSS), not by points: the viewBox keeps its proportions.
    text = re.sub(r'<svg([^>]*?) width="[\d.]+pt" height="[\d.]+pt"', r"<svg\1", text, count=1)
    text = text.replace("<svg", f'<svg class="chart" role="img" aria-label="{escape(title)}"', 1)
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    # Several charts share a page: every id (and every reference to one) carries the chart's name.
    text = re.sub(r'\bid="([^"]+)"', rf'id="{name}-\1"', text)
    text = re.sub(r"url\(#([^)]+)\)", rf"url(#{name}-\1)", text)
    text = re.sub(r'href="#([^"]+)"', rf'href="#{name}-\1"', text)
    return f'<figure class="chart" style="max-width:{px}px">{text}<figcaption>{escape(title)}</figcaption></figure>'


def _figure(width: float, height: float, name: str):
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_style(name)):
        return Figure(figsize=(width, height), dpi=96)


def allocation_against_spend(title: str, categories: Sequence[str], allocation: Sequence[float], spend: Sequence[float]) -> str:
    """Horizontal bars per theme (or mechanism): allocation to date and spend to date, each labelled."""
    import matplotlib

    name = "allocation-spend"
    with matplotlib.rc_context(_style(name)):
        figure = _figure(9.5, 0.75 * max(len(categories), 1) + 1.1, name)
        axes = figure.subplots()
        positions = list(range(len(categories)))
        height = 0.38
        top = max([*allocation, *spend, 1])
        for offset, label, values in ((-height / 2, "allocation to date", allocation), (height / 2, "spend to date", spend)):
            colour = COLOURS["allocation" if label.startswith("allocation") else "spend"]
            bars = axes.barh([p + offset for p in positions], values, height=height, color=colour, label=label)
            axes.bar_label(bars, labels=[money(v) for v in values], padding=3, fontsize=8.5)
        axes.set_yticks(positions, [wrap(c, 30) for c in categories])
        axes.invert_yaxis()
        axes.set_xlim(0, top * 1.18)
        axes.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: money(v)))
        axes.set_xlabel("£, year to date")
        axes.legend(loc="lower right", ncols=2, bbox_to_anchor=(1, 1.0))
        axes.grid(axis="x", color="#e4e7eb", linewidth=0.6)
        axes.set_axisbelow(True)
    return _svg(figure, name, title)


# Figures of the cost-per-outcome panels kept for the next chart of the same layout: making a figure
# and its axes costs more than drawing on them, and a refresh draws these charts for every pack.
# One chart at a time draws on them (the lock); each use resets every artist a chart sets.
_panel_figures: dict[tuple[int, int], tuple[object, object]] = {}
_panel_lock = threading.Lock()


def _panel_figure(rows: int, per_row: int, name: str):
    key = (rows, per_row)
    if key not in _panel_figures:
        figure = _figure(12.5, 2.75 * rows, name)
        _panel_figures[key] = (figure, figure.subplots(rows, per_row, squeeze=False))
    figure, grid = _panel_figures[key]
    for axes in grid.flat:
        for artist in [*axes.lines, *axes.texts]:
            artist.remove()
        axes.set_visible(True)
    return figure, grid


def cost_per_outcome_panels(title: str, panels: list[dict], quarters: list[str], per_row: int = 4, rows_per_chart: int = 2) -> list[str]:
    """One small line chart per priority (its headline outcome's cost per outcome by quarter), in
    charts of at most `rows_per_chart` rows so each fits a printed page."""
    with _panel_lock:
        return _cost_per_outcome_panels(title, panels, quarters, per_row, rows_per_chart)


def _cost_per_outcome_panels(title: str, panels: list[dict], quarters: list[str], per_row: int, rows_per_chart: int) -> list[str]:
    import matplotlib

    charts = []
    per_chart = per_row * rows_per_chart
    labels = [q[-2:] for q in quarters]
    for start in range(0, len(panels), per_chart):
        chunk = panels[start : start + per_chart]
        name = f"cost-per-outcome-{start // per_chart + 1}"
        with matplotlib.rc_context(_style(name)):
            rows = -(-len(chunk) // per_row)
            figure, grid = _panel_figure(rows, per_row, name)
            for index, axes in enumerate(grid.flat):
                if index >= len(chunk):
                    axes.set_visible(False)
                    continue
                panel = chunk[index]
                values = dict(panel["points"])
                axes.set_title(wrap(f"{panel['priority']} {panel['priority_name']}", 28), fontsize=9, pad=16)
                axes.text(0, 1.02, wrap(panel["indicator_name"], 40, 1), transform=axes.transAxes, fontsize=7.5, color="#52606d", va="bottom")
                xs = [i for i, q in enumerate(quarters) if values.get(q) is not None]
                ys = [values[quarters[i]] for i in xs]
                axes.set_xticks(range(len(quarters)), labels)
                axes.set_xlim(-0.5, len(quarters) - 0.5)
                if ys:
                    axes.plot(xs, ys, marker="o", color=COLOURS["line"], linewidth=1.8, markersize=4)
                    for x, y in zip(xs, ys, strict=True):
                        axes.annotate(f"£{y:,.0f}", (x, y), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=7.5)
                    axes.set_ylim(0, max(ys) * 1.35)
                    axes.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: money(v)))
                    axes.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(4))
                else:
                    axes.set_ylim(0, 1)  # an empty panel's scale, whatever the figure showed before
                    axes.set_yticks([])
                    axes.text(0.5, 0.5, "no outcomes reported", transform=axes.transAxes, ha="center", va="center", color="#757575")
                axes.tick_params(labelsize=7.5)
                axes.grid(axis="y", color="#e4e7eb", linewidth=0.6)
                axes.set_axisbelow(True)
            top = 1 - 0.62 / (2.75 * rows)
            figure.subplots_adjust(left=0.065, right=0.99, bottom=0.22 / rows, top=top, hspace=0.75, wspace=0.42)
        part = f" ({start // per_chart + 1} of {-(-len(panels) // per_chart)})" if len(panels) > per_chart else ""
        charts.append(_svg(figure, name, title + part, tight=False))
    return charts


def returns_by_status(title: str, rows: list[dict], statuses: Sequence[str]) -> str:
    """Returns per quarter by status, as grouped bars with their counts: a status with one return
    is a bar labelled 1, not a sliver of a stack."""
    import matplotlib

    name = "returns-by-status"
    with matplotlib.rc_context(_style(name)):
        figure = _figure(max(4.5, 1.6 * len(rows) + 2.2), 3.2, name)
        axes = figure.subplots()
        width = 0.8 / max(len(statuses), 1)
        top = max([r[s] for r in rows for s in statuses] + [1])
        for i, status in enumerate(statuses):
            xs = [q + (i - (len(statuses) - 1) / 2) * width for q in range(len(rows))]
            values = [r[status] for r in rows]
            bars = axes.bar(xs, values, width=width * 0.95, color=COLOURS.get(status, "#555"), label=status)
            axes.bar_label(bars, labels=[f"{v:,}" for v in values], padding=2, fontsize=8)
        axes.set_xticks(range(len(rows)), [r["period"] for r in rows])
        axes.set_ylim(0, top * 1.2)
        axes.set_ylabel("returns")
        axes.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(5, integer=True))
        axes.legend(loc="lower left", ncols=len(statuses), bbox_to_anchor=(0, 1.0), fontsize=8)
        axes.grid(axis="y", color="#e4e7eb", linewidth=0.6)
        axes.set_axisbelow(True)
    return _svg(figure, name, title)
