"""Charts as inline SVG: drawn here, so the review pack needs no script library and opens offline."""

from __future__ import annotations

from html import escape

PALETTE = {"allocation": "#9db4c0", "spend": "#1b4965", "received": "#2e7d32", "late": "#f9a825", "resubmitted": "#1565c0", "missing": "#c62828"}
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


def _money(value: float) -> str:
    if abs(value) >= 1_000_000:
        return f"£{value / 1_000_000:.2f}m"
    if abs(value) >= 1_000:
        return f"£{value / 1_000:.0f}k"
    return f"£{value:,.0f}"


def grouped_bars(title: str, categories: list[str], series: dict[str, list[float]], width: int = 760) -> str:
    """Horizontal bars, one group per category (e.g. allocation and spend per theme)."""
    bar, gap, label_width = 16, 14, 310
    names = list(series)
    height = 40 + len(categories) * (len(names) * bar + gap) + 30
    top = max([v for values in series.values() for v in values] + [1])
    scale = (width - label_width - 90) / top
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg" {FONT}>']
    parts.append(f'<title>{escape(title)}</title>')
    y = 30
    for i, category in enumerate(categories):
        parts.append(f'<text x="{label_width - 8}" y="{y + bar * len(names) / 2 + 4}" text-anchor="end">{escape(category)}</text>')
        for name in names:
            value = series[name][i] or 0
            length = max(value * scale, 0)
            colour = PALETTE.get(name, "#555")
            parts.append(
                f'<rect class="bar" data-series="{escape(name)}" x="{label_width}" y="{y}" width="{length:.1f}" height="{bar - 2}" fill="{colour}">'
                f"<title>{escape(category)}, {escape(name)}: {_money(value)}</title></rect>"
            )
            parts.append(f'<text x="{label_width + length + 4:.1f}" y="{y + bar - 5}">{_money(value)}</text>')
            y += bar
        y += gap
    legend_x = label_width
    for name in names:
        parts.append(f'<rect x="{legend_x}" y="8" width="12" height="12" fill="{PALETTE.get(name, "#555")}"/>')
        parts.append(f'<text x="{legend_x + 16}" y="18">{escape(name)}</text>')
        legend_x += 110
    parts.append("</svg>")
    return "".join(parts)


def small_multiples(title: str, panels: list[dict], quarters: list[str], per_row: int = 4) -> str:
    """One small line chart per strategic priority: its headline outcome's cost per outcome by quarter."""
    panel_w, panel_h, pad = 230, 130, 14
    rows = max(1, -(-len(panels) // per_row))
    width, height = per_row * (panel_w + pad), rows * (panel_h + pad) + 10
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg" {FONT}>']
    parts.append(f'<title>{escape(title)}</title>')
    for index, panel in enumerate(panels):
        ox = (index % per_row) * (panel_w + pad)
        oy = (index // per_row) * (panel_h + pad)
        values = {q: v for q, v in panel["points"] if v is not None}
        parts.append(f'<g class="panel" transform="translate({ox},{oy})">')
        parts.append(f'<rect width="{panel_w}" height="{panel_h}" fill="#f7f9fb" stroke="#d0d7de"/>')
        parts.append(f'<text x="6" y="15" font-weight="600">{escape(panel["priority"])} {escape(panel["short_name"][:28])}</text>')
        parts.append(f'<text x="6" y="29" font-size="10" fill="#555">{escape(panel["indicator_name"][:42])}</text>')
        if values:
            top = max(values.values()) * 1.15 or 1
            x_step = (panel_w - 30) / max(len(quarters) - 1, 1)
            points = []
            for i, quarter in enumerate(quarters):
                if quarter in values:
                    x = 15 + i * x_step
                    y = panel_h - 18 - (values[quarter] / top) * (panel_h - 55)
                    points.append((x, y, quarter, values[quarter]))
            if len(points) > 1:
                path = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y, _, _) in enumerate(points))
                parts.append(f'<path class="line" d="{path}" fill="none" stroke="{PALETTE["spend"]}" stroke-width="2"/>')
            for x, y, quarter, value in points:
                parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{PALETTE["spend"]}"><title>{escape(quarter)}: £{value:,.2f}</title></circle>')
            last = points[-1]
            parts.append(f'<text x="{panel_w - 6}" y="{panel_h - 4}" text-anchor="end" font-size="11">£{last[3]:,.0f} ({escape(last[2][-2:])})</text>')
        else:
            parts.append(f'<text x="6" y="{panel_h / 2}" fill="#777">no outcomes reported</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def stacked_columns(title: str, rows: list[dict], keys: list[str], width: int = 520) -> str:
    """Stacked columns per quarter (returns received, late, resubmitted, missing)."""
    height, column, gap, bottom = 230, 60, 40, 30
    total = max([sum(r[k] for k in keys) for r in rows] + [1])
    scale = (height - 70) / total
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg" {FONT}>']
    parts.append(f'<title>{escape(title)}</title>')
    for i, row in enumerate(rows):
        x = 30 + i * (column + gap)
        y = height - bottom
        for key in keys:
            h = row[key] * scale
            if h:
                y -= h
                parts.append(
                    f'<rect class="bar" data-series="{key}" x="{x}" y="{y:.1f}" width="{column}" height="{h:.1f}" fill="{PALETTE[key]}">'
                    f"<title>{escape(row['period'])}: {row[key]} {key}</title></rect>"
                )
        parts.append(f'<text x="{x + column / 2}" y="{height - bottom + 16}" text-anchor="middle">{escape(row["period"][-2:])}</text>')
        parts.append(f'<text x="{x + column / 2}" y="{y - 4:.1f}" text-anchor="middle">{sum(row[k] for k in keys)}</text>')
    legend_x = 10
    for key in keys:
        parts.append(f'<rect x="{legend_x}" y="6" width="12" height="12" fill="{PALETTE[key]}"/><text x="{legend_x + 16}" y="16">{key}</text>')
        legend_x += 100
    parts.append("</svg>")
    return "".join(parts)
