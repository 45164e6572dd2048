"""The quarterly performance review pack: one self-contained HTML page and the same tables as a workbook.

The page carries its own styles and SVG charts (no script, no CDN: it opens
offline and can be e-mailed). Every piece of text that came from a provider
or a document is escaped in the HTML and written as a text cell in the
workbook, so it can neither run as script nor as a formula.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..safe_text import html_text, put_text, put_value
from . import charts
from .data import ReviewData, Table, load

RAG_COLOURS = {"green": "#2e7d32", "amber": "#f9a825", "red": "#c62828", "not reported": "#757575"}

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1f2933; background: #fff; }
header { background: #1b4965; color: #fff; padding: 1.2rem 2rem; }
header h1 { margin: 0 0 .3rem; font-size: 1.5rem; }
header p { margin: 0; opacity: .9; }
.banner { background: #fff4e5; border-left: 6px solid #f9a825; padding: .6rem 2rem; }
main { padding: 1rem 2rem 3rem; max-width: 1400px; }
nav a { margin-right: 1rem; }
section { margin-top: 2rem; }
h2 { border-bottom: 2px solid #1b4965; padding-bottom: .2rem; }
.cards { display: flex; flex-wrap: wrap; gap: .8rem; }
.card { border: 1px solid #d0d7de; border-radius: 6px; padding: .6rem .9rem; min-width: 150px; }
.card .figure { font-size: 1.4rem; font-weight: 600; }
.card .label { font-size: .85rem; color: #52606d; }
table { border-collapse: collapse; margin: .6rem 0; font-size: .85rem; }
th, td { border: 1px solid #d0d7de; padding: .25rem .45rem; text-align: left; vertical-align: top; }
th { background: #eef2f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.rag { color: #fff; font-weight: 600; border-radius: 3px; padding: 0 .4rem; }
.note { color: #52606d; font-size: .85rem; }
svg.chart { max-width: 100%; height: auto; }
td.wide { min-width: 22rem; }
@media print { nav { display: none; } section { page-break-inside: avoid; } }
"""


def _format(value, column: str, table: Table) -> tuple[str, bool]:
    if value is None:
        return "", False
    if column in table.money and isinstance(value, (int, float, Decimal)):
        return f"£{value:,.2f}", True
    if column in table.percent and isinstance(value, (int, float, Decimal)):
        return f"{float(value) * 100:.0f}%", True
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, (int, Decimal, float)):
        return (f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"), True
    if isinstance(value, (date, datetime)):
        return value.isoformat()[:16], False
    return str(value), False


def _html_table(table: Table, rag_column: str | None = None) -> str:
    head = "".join(f"<th>{html_text(c.replace('_', ' '))}</th>" for c in table.columns)
    body = []
    for row in table.rows:
        cells = []
        for column, value in zip(table.columns, row, strict=True):
            text, numeric = _format(value, column, table)
            if column == rag_column and value in RAG_COLOURS:
                cells.append(f'<td><span class="rag" style="background:{RAG_COLOURS[value]}">{html_text(text)}</span></td>')
            elif numeric:
                cells.append(f'<td class="num">{html_text(text)}</td>')
            else:
                wide = ' class="wide"' if column in ("exceptions", "failing_sample", "reason", "example") else ""
                cells.append(f"<td{wide}>{html_text(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(table.columns)}">none</td></tr>')
    note = f'<p class="note">{html_text(table.note)}</p>' if table.note else ""
    return f"<h3>{html_text(table.title)}</h3>{note}<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _card(figure: str, label: str) -> str:
    return f'<div class="card"><div class="figure">{html_text(figure)}</div><div class="label">{html_text(label)}</div></div>'


def render_html(data: ReviewData) -> str:
    h = data.headline
    returns = h["returns"]
    ratio = (h["spend_ytd_gbp"] / h["profile_ytd_gbp"]) if h["profile_ytd_gbp"] else 0
    cards = "".join(
        [
            _card(f"£{h['budget_gbp'] / 1_000_000:.3f}m", "commissioning budget"),
            _card(f"£{h['allocated_gbp']:,.0f}", f"allocated ({data.framework_version})"),
            _card(f"£{h['spend_ytd_gbp']:,.0f}", f"spent to date ({ratio * 100:.0f}% of profile)"),
            _card(f"£{h['reserve_gbp'] / 1_000_000:.3f}m", "commissioning reserve"),
            _card(f"{returns.get('received', 0) + returns.get('late', 0) + returns.get('resubmitted', 0)} of {h['returns_expected']}", "returns received"),
            _card(f"{returns.get('late', 0)} late, {returns.get('missing', 0)} missing", "returns this quarter"),
            _card(
                f"{h['rag'].get('red', 0)} red, {h['rag'].get('amber', 0)} amber, {h['rag'].get('green', 0)} green",
                "contracts by RAG",
            ),
            _card(f"{h['blocking_rules_passed']}/{h['blocking_rules']} passed, {h['quality_warnings']} warnings", "data quality rules"),
        ]
    )
    themes = data.theme_spend
    theme_chart = charts.grouped_bars(
        "Allocation and spend by theme, year to date",
        [str(r[0]) for r in themes.rows],
        {"allocation": [float(r[1] or 0) for r in themes.rows], "spend": [float(r[2] or 0) for r in themes.rows]},
    )
    quarters = [r["period"] for r in data.returns_by_quarter]
    trend_chart = charts.small_multiples(
        "Cost per outcome by quarter: each priority's headline outcome", data.cost_trend, quarters
    )
    returns_chart = charts.stacked_columns(
        "Returns by quarter", data.returns_by_quarter, ["received", "late", "resubmitted", "missing"]
    )
    banner = (
        '<div class="banner"><strong>Illustrative sample data.</strong> The provider returns in this pack were made by the '
        "project's sample generator; they are not published figures.</div>"
        if data.sample_data
        else ""
    )
    sections = [
        ("summary", "Summary", f'<div class="cards">{cards}</div>'),
        ("spend", "Allocation against spend by theme", theme_chart + _html_table(themes)),
        ("cost", "Cost per outcome", trend_chart + _html_table(data.cost_per_outcome)),
        ("contracts", "Contract performance", _html_table(data.contracts, rag_column="rag_status")),
        ("returns", "Returns received, late and missing", returns_chart + _html_table(data.returns_exceptions)),
        ("budget", "Budget position and reserve", _html_table(data.budget)),
        ("coverage", "Strategic priority coverage", _html_table(data.coverage)),
        (
            "quality",
            "Data quality",
            _html_table(data.quality_warnings) + _html_table(data.quarantined) + _html_table(data.rejected) + _html_table(data.discrepancies),
        ),
    ]
    nav = "".join(f'<a href="#{key}">{html_text(title)}</a>' for key, title, _ in sections)
    body = "".join(f'<section id="{key}"><h2>{html_text(title)}</h2>{content}</section>' for key, title, content in sections)
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Quarterly performance review {html_text(data.period)} - {html_text(data.commissioner_name)}</title>
<style>{STYLE}</style>
</head>
<body>
<header>
<h1>Quarterly performance review: {html_text(data.period)}</h1>
<p>{html_text(data.commissioner_name)} · {html_text(data.months)} · framework {html_text(data.framework_version)} · returns loaded {html_text(data.refreshed_at)} UTC</p>
</header>
{banner}
<main>
<nav>{nav}</nav>
{body}
</main>
</body>
</html>
"""


def write_workbook(data: ReviewData, path: Path) -> Path:
    book = Workbook()
    summary = book.active
    summary.title = "Summary"
    h = data.headline
    rows = [
        ("Quarterly performance review", data.period),
        ("Commissioner", data.commissioner_name),
        ("Quarter", data.months),
        ("Framework version", data.framework_version),
        ("Returns loaded (UTC)", data.refreshed_at),
        ("Commissioning budget (£)", h["budget_gbp"]),
        ("Allocated (£)", h["allocated_gbp"]),
        ("Spent to date (£)", h["spend_ytd_gbp"]),
        ("Profile to date (£)", h["profile_ytd_gbp"]),
        ("Commissioning reserve (£)", h["reserve_gbp"]),
        ("Returns expected this quarter", h["returns_expected"]),
        *((f"Returns {status}", count) for status, count in sorted(h["returns"].items())),
        ("Data quality warnings", h["quality_warnings"]),
    ]
    if data.sample_data:
        rows.append(("Note", "Illustrative sample data: provider returns made by the project's generator, not published figures."))
    for r, (label, value) in enumerate(rows, start=1):
        put_text(summary.cell(row=r, column=1), label)
        put_value(summary.cell(row=r, column=2), float(value) if isinstance(value, Decimal) else value)
        summary.cell(row=r, column=1).font = Font(bold=True)
    summary.column_dimensions["A"].width = 34
    summary.column_dimensions["B"].width = 60
    names = {
        "Spend by theme": data.theme_spend,
        "Cost per outcome": data.cost_per_outcome,
        "Contracts RAG": data.contracts,
        "Returns": data.returns_exceptions,
        "Budget": data.budget,
        "Coverage": data.coverage,
        "Quality warnings": data.quality_warnings,
        "Quarantined rows": data.quarantined,
        "Rejected files": data.rejected,
        "Discrepancies": data.discrepancies,
    }
    header_fill = PatternFill("solid", start_color="EEF2F6")
    for name, table in names.items():
        sheet = book.create_sheet(name)
        put_text(sheet.cell(row=1, column=1), table.title)
        sheet.cell(row=1, column=1).font = Font(bold=True, size=12)
        for c, column in enumerate(table.columns, start=1):
            cell = sheet.cell(row=2, column=c)
            put_text(cell, column.replace("_", " "))
            cell.font = Font(bold=True)
            cell.fill = header_fill
        for r, row in enumerate(table.rows, start=3):
            for c, (column, value) in enumerate(zip(table.columns, row, strict=True), start=1):
                cell = sheet.cell(row=r, column=c)
                if isinstance(value, Decimal):
                    value = float(value)
                if isinstance(value, list):
                    value = "; ".join(map(str, value))
                put_value(cell, value)
                if column in table.money:
                    cell.number_format = "£#,##0.00"
                elif column in table.percent:
                    cell.number_format = "0%"
                elif isinstance(value, str) and len(value) > 40:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        for c, column in enumerate(table.columns, start=1):
            longest = max([len(column)] + [len(str(row[c - 1] or "")) for row in table.rows[:200]])
            sheet.column_dimensions[get_column_letter(c)].width = min(max(10, longest + 2), 60)
        sheet.freeze_panes = "A3"
    book.properties.creator = "opcc report"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def pack_paths(out_dir: Path, period: str) -> tuple[Path, Path]:
    stem = f"review-{period.replace(' ', '-')}"
    return out_dir / f"{stem}.html", out_dir / f"{stem}.xlsx"


def build_pack(con: duckdb.DuckDBPyConnection, period: str, out_dir: Path, commissioner: str | None = None) -> tuple[Path, Path]:
    data = load(con, period, commissioner)
    html_path, xlsx_path = pack_paths(out_dir, period)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(render_html(data), encoding="utf-8")
    write_workbook(data, xlsx_path)
    return html_path, xlsx_path
