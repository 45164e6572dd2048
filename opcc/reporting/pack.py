# size: the pack's HTML rendering, table by table, until the tables are declared in the rpt_* models' meta (issue 24, item 3).
"""The quarterly performance review pack: one self-contained HTML page, the same as a workbook, and
on request a PDF of the page.

The page carries its own styles and charts (inline SVG: no script, no CDN, it
opens offline and can be e-mailed). It opens with what needs attention, then
the contract table, the sections, and a page per contract; it fits a 1366 px
screen and prints on A4 landscape with each section on a new page and table
headers repeated. Every piece of text that came from a provider or a
document is escaped in the HTML and written as a text cell in the workbook,
so it can neither run as script nor as a formula.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from opcc.core import vocabulary
from opcc.core.safe_text import html_text
from opcc.reporting import charts
from opcc.reporting.data import ReviewData, RuleFinding, Table, load
from opcc.reporting.workbook import write_workbook

RAG_WORDS = vocabulary.shown_as("rag", "outcome_rag", "indicator_rag", "attention")

STYLE = """
:root { --ink: #1f2933; --muted: #52606d; --line: #d0d7de; --brand: #1b4965; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: var(--ink);
       background: #fff; font-size: 14px; line-height: 1.35; }
header { background: var(--brand); color: #fff; padding: 1rem 1.5rem; }
header h1 { margin: 0 0 .25rem; font-size: 1.45rem; }
header p { margin: 0; opacity: .92; }
.banner { background: #fff4e5; border-left: 6px solid #b26a00; padding: .5rem 1.5rem; }
main { padding: .5rem 1.5rem 2rem; max-width: 1400px; }
nav { margin: .6rem 0; display: flex; flex-wrap: wrap; gap: .3rem 1rem; }
section { margin-top: 1.6rem; }
h2 { border-bottom: 2px solid var(--brand); padding-bottom: .15rem; margin: 0 0 .6rem; font-size: 1.25rem; }
h3 { margin: 1rem 0 .3rem; font-size: 1.05rem; }
h4 { margin: .8rem 0 .25rem; font-size: .95rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: .5rem; margin-bottom: .8rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .45rem .7rem; break-inside: avoid; }
.card .figure { font-size: 1.05rem; font-weight: 600; }
.card .label { font-size: .8rem; color: var(--muted); }
ol.attention { padding-left: 2rem; margin: .3rem 0; }
ol.attention li { margin: .2rem 0; break-inside: avoid; }
table { border-collapse: collapse; margin: .4rem 0 .8rem; font-size: .8rem; width: 100%; }
table.fixed { table-layout: fixed; }
th, td { border: 1px solid var(--line); padding: .2rem .35rem; text-align: left; vertical-align: top; overflow-wrap: break-word; }
th { background: #eef2f6; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; overflow-wrap: normal; }
.sub { color: var(--muted); font-size: .75rem; }
.rag { display: inline-block; color: #fff; font-weight: 600; border-radius: 3px; padding: 0 .35rem; font-size: .75rem;
       white-space: nowrap; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.rag-red { background: #c62828; } .rag-amber { background: #b26a00; } .rag-green { background: #2e7d32; }
.rag-not-reported { background: #616161; }
.rag-no-target, .rag-no-targets { background: #fff; color: var(--ink); border: 1px solid var(--line); }
table.fixed .rag { white-space: normal; } .rag-note { background: #1565c0; }
.note { color: var(--muted); font-size: .8rem; margin: .2rem 0; }
.none { color: var(--muted); font-style: italic; }
figure.chart { margin: .4rem 0 1rem; break-inside: avoid; }
figure.chart svg { width: 100%; height: auto; display: block; }
figcaption { font-size: .8rem; color: var(--muted); }
.contract-page { border-top: 1px solid var(--line); padding-top: .6rem; margin-top: 1.2rem; }
.contract-page .status { margin: .3rem 0; }
.contract-page table { font-size: .75rem; }
ul.comments { margin: .2rem 0; padding-left: 1.2rem; font-size: .85rem; }
a { color: #175cd3; }
@page { size: A4 landscape; margin: 11mm 11mm 12mm; }
@media print {
  body { font-size: 9.5pt; }
  header { background: none; color: var(--ink); padding: 0 0 .3rem; border-bottom: 2px solid var(--brand); }
  main { padding: 0; max-width: none; }
  nav, .screen-only { display: none; }
  section { break-before: page; margin-top: 0; }
  section#attention { break-before: auto; }
  .contract-page { break-before: page; border-top: none; margin-top: 0; }
  thead { display: table-header-group; }
  tr, li, .card { break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


def _number(value) -> float | None:
    return None if value is None else float(value)


def _money(value, pence: bool = False) -> str:
    if value is None:
        return ""
    return f"£{float(value):,.2f}" if pence else f"£{float(value):,.0f}"


def _percent(value) -> str:
    return "" if value is None else f"{float(value) * 100:.0f}%"


def _count(value) -> str:
    return "" if value is None else f"{round(float(value)):,}"


def badge(status: str | None) -> str:
    status = status or "not reported"
    css = status.replace(" ", "-")
    return f'<span class="rag rag-{html_text(css)}">{html_text(RAG_WORDS.get(status, status))}</span>'


def _format(value, column: str, table: Table) -> tuple[str, bool]:
    if value is None:
        return "", False
    if column in table.money:
        return _money(value, pence="cost_per" in column), True
    if column in table.percent:
        return _percent(value), True
    if column in table.counts:
        return _count(value), True
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, (int, Decimal, float)):
        return (f"{value:,}" if isinstance(value, int) else f"{float(value):,.2f}"), True
    if isinstance(value, datetime):
        return value.strftime("%-d %b %Y %H:%M"), False
    if isinstance(value, date):
        return value.strftime("%-d %b %Y"), False
    return str(value), False


def html_table(table: Table, skip: tuple[str, ...] = ()) -> str:
    columns = [c for c in table.columns if c not in skip]
    head = "".join(
        f'<th{" class=num" if (c in table.money or c in table.percent or c in table.counts) else ""}>{html_text(table.label(c))}</th>'
        for c in columns
    )
    body = []
    for record in table.records():
        cells = []
        for column in columns:
            value = record[column]
            if column in table.rag:
                cells.append(f"<td>{badge(value)}</td>")
                continue
            text, numeric = _format(value, column, table)
            cells.append(f'<td class="num">{html_text(text)}</td>' if numeric else f"<td>{html_text(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    note = f'<p class="note">{html_text(table.note)}</p>' if table.note else ""
    if not body:
        return f'<h3>{html_text(table.title)}</h3><p class="none">{html_text(table.empty)}</p>'
    return (
        f'<h3>{html_text(table.title)}</h3>{note}<table id="table-{html_text(table.key)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _card(figure: str, label: str, raw_figure: bool = False) -> str:
    shown = figure if raw_figure else html_text(figure)
    return f'<div class="card"><div class="figure">{shown}</div><div class="label">{html_text(label)}</div></div>'


def _anchor(contract_id: str) -> str:
    return f"contract-{contract_id}"


def _counts_line(red: int, amber: int, green: int, not_reported: int = 0) -> str:
    parts = [f"{badge('red')} {red}", f"{badge('amber')} {amber}", f"{badge('green')} {green}"]
    if not_reported:
        parts.append(f"{badge('not reported')} {not_reported}")
    return " ".join(parts)


def attention_section(data: ReviewData) -> str:
    s = data.summary
    received = s["received_on_time"] + s["received_late"] + s["resubmitted"]
    cards = [
        _card(_counts_line(s["overall_red"], s["overall_amber"], s["overall_green"], s["overall_not_reported"]),
              "contracts by overall status (the worse of finance and outcomes)", raw_figure=True),
        _card(_counts_line(s["finance_red"], s["finance_amber"], s["finance_green"]), "finance: spend against profile", raw_figure=True),
        _card(_counts_line(s["outcome_red"], s["outcome_amber"], s["outcome_green"], s["outcome_not_reported"])
              + (f" {badge('no targets')} {s['outcome_no_targets']}" if s.get("outcome_no_targets") else ""),
              "outcomes: worst outcome indicator with a target", raw_figure=True),
        _card(f"{received} of {s['returns_expected']} received", f"returns for {data.period}: {s['received_late']} late, "
              f"{s['resubmitted']} resubmitted, {s['missing']} missing"),
        _card(f"{_money(s['spend_ytd_gbp'])} spent", f"to date, {_percent(s['spend_to_reported_profile_ytd'])} of the "
              f"profile of the quarters reported ({_money(s['profile_reported_ytd_gbp'])})")
        if s["profile_reported_ytd_gbp"] else _card("no spend reported", "no return has reported spend this year yet"),
        _card(_money(s["allocated_gbp"]), f"allocated in {data.framework_version} to {s['contracts_in_version']} contracts"),
    ]
    if s["has_budget_lines"]:
        cards.append(_card(_money(s["commissioning_budget_gbp"]), f"commissioning budget; reserve {_money(s['reserve_printed_gbp'])}"))
    cards.append(_card(data.rule_counts.line(), "data quality rules (as the refresh and opcc check count them)"))
    items = []
    for item in data.attention:
        link = (
            f' <a class="screen-only" href="#{_anchor(item["contract_id"])}">contract page</a>' if item["contract_id"] else ""
        )
        items.append(f'<li data-kind="{html_text(item["kind"])}">{badge(item["severity"])} {html_text(item["attention"])}{link}</li>')
    listed = (
        f'<ol class="attention">{"".join(items)}</ol>' if items else '<p class="none">Nothing needs attention this quarter.</p>'
    )
    return f'<div class="cards">{"".join(cards)}</div><h3>Needs attention, worst first</h3>{listed}'


def streams_section(data: ReviewData) -> str:
    """Each funding stream of the year as its own section, with its own totals."""
    table = data.streams
    if table is None or not table.rows:
        return f'<p class="none">{html_text(table.empty if table is not None else "No allocation this year.")}</p>'
    parts = [f'<p class="note">{html_text(table.note)}</p>']
    for r in table.records():
        title = r["funding_stream_name"] + (f": {r['fund_name']}" if r["fund_name"] else "")
        spend = (
            f"{_money(r['spend_to_date_gbp'])} returned to date" if r["returns_received"] or r["spend_to_date_gbp"]
            else "no spend returned yet"
        )
        returns = (
            f"{r['returns_received']} of {r['returns_expected']} returns for {data.period} received"
            if r["returns_expected"] else f"no return expected for {data.period} (providers report: {r['reporting_rhythms']})"
        )
        parts.append(
            f'<h3 data-stream="{html_text(r["funding_stream_name"])}">{html_text(title)}</h3><div class="cards">'
            + _card(_money(r["allocated_gbp"]), f"allocated in {r['framework_version']} to {r['contracts']} contracts")
            + _card(spend, "spend the fund's providers returned this year")
            + _card(returns, f"returns: {r['reporting_rhythms']}")
            + "</div>"
        )
    return "".join(parts)


def contract_table(data: ReviewData) -> str:
    table = data.contracts
    if not table.rows:
        return f'<p class="none">{html_text(data.lacks.get("contracts") or table.empty)}</p>'
    rows = []
    for r in table.records():
        contract = (
            f'<a href="#{_anchor(r["contract_id"])}">{html_text(r["contract_id"])}</a> <strong>{html_text(r["initiative_name"])}</strong>'
            f'<div class="sub">{html_text(r["provider"])}</div>'
        )
        spend = (
            f'{html_text(_money(r["spend_ytd_gbp"]))}<div class="sub">{html_text(_percent(r["spend_to_reported_profile_ytd"]))} of '
            f'{html_text(_money(r["profile_reported_ytd_gbp"]))}</div>'
        )
        indicators = (
            f'<div class="sub">{r["indicators_red"]} red, {r["indicators_amber"]} amber, {r["indicators_green"]} green'
            + (f', {r["indicators_not_reported"]} not reported' if r["indicators_not_reported"] else "")
            + "</div>"
        )
        exceptions = "<br>".join(html_text(e) for e in (r["exceptions"] or "").split("; "))
        rows.append(
            f'<tr data-contract="{html_text(r["contract_id"])}"><td>{contract}</td><td>{html_text(r["return_status"])}</td>'
            f'<td class="num">{spend}</td><td>{badge(r["finance_rag"])}</td><td>{badge(r["outcome_rag"])}{indicators}</td>'
            f"<td>{badge(r['overall_status'])}</td><td>{exceptions}</td></tr>"
        )
    head = (
        '<colgroup><col style="width:21%"><col style="width:8%"><col style="width:11%"><col style="width:7%">'
        '<col style="width:11%"><col style="width:8%"><col style="width:34%"></colgroup>'
        "<thead><tr><th>contract</th><th>return</th><th class=num>spend to date</th><th>finance</th><th>outcomes</th>"
        "<th>overall</th><th>exceptions</th></tr></thead>"
    )
    return f'<p class="note">{html_text(table.note)}</p><table class="fixed" id="table-contracts">{head}<tbody>{"".join(rows)}</tbody></table>'


def _rows_table(title: str, columns: list[tuple[str, str]], rows: list[list[str]], numeric: set[str], empty: str) -> str:
    if not rows:
        return f'<h4>{html_text(title)}</h4><p class="none">{html_text(empty)}</p>'
    head = "".join(f'<th{" class=num" if key in numeric else ""}>{html_text(label)}</th>' for key, label in columns)
    body = "".join(
        "<tr>" + "".join(f'<td{" class=num" if key in numeric else ""}>{cell}</td>' for (key, _), cell in zip(columns, row, strict=True)) + "</tr>"
        for row in rows
    )
    return f"<h4>{html_text(title)}</h4><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _date(value) -> str:
    return "" if value is None else value.strftime("%-d %b %Y")


def contract_page(data: ReviewData, record: dict) -> str:
    cid = record["contract_id"]
    history = data.contract_history.get(cid, [])
    current = history[-1] if history else {}
    facts = " · ".join(
        html_text(part)
        for part in [
            record["provider"], record.get("strategic_theme"), record.get("funding_mechanism"),
            f"priorities {current.get('primary_priorities')}" + (f" (secondary {current['secondary_priority']})" if current.get("secondary_priority") else "")
            if current.get("primary_priorities") else None,
            f"allocation {_money(current.get('annual_allocated_gbp'))} for {data.financial_year}" if current else None,
        ]
        if part
    )
    quarter_rows = [
        [html_text(h["period"]), html_text(_money(h["spend_gbp"])), html_text(_money(h["profile_gbp"])),
         html_text(_money(h["spend_ytd_gbp"])), html_text(_money(h["profile_reported_ytd_gbp"])),
         html_text(_percent(h["spend_to_reported_profile_ytd"])), badge(h["finance_rag"]), html_text(h["return_status"]),
         html_text(_date(h["due_date"])), html_text(_date(h["first_received_on"])), html_text(_count(h["days_late"])),
         html_text(_count(h["submissions"])), html_text(h["received_according_to"] or "")]
        for h in history
    ]
    indicator_rows = [
        [html_text(f"{i['indicator_name']} ({i['indicator_code']})"), html_text(i["kind"]),
         html_text(_indicator_value(i["value"], i["unit"])), html_text(_indicator_value(i["value_ytd"], i["unit"])),
         html_text("no target set" if i["rag_status"] == "no target"
                   else _indicator_value(i["target_ytd"], i["unit"]) + (" (lower is better)" if i["better"] == "lower" else "")),
         html_text(_percent(i["achievement_ytd"])), badge(i["rag_status"])]
        for i in data.indicators.get(cid, [])
    ]
    comments = data.comments.get(cid, [])
    comment_list = (
        '<ul class="comments">' + "".join(
            f"<li><strong>{html_text(c['period'])}, {html_text(c['measure'])}:</strong> {html_text(c['comment'])}</li>" for c in comments
        ) + "</ul>"
        if comments else '<p class="none">No comments from the provider this year.</p>'
    )
    exceptions = html_text(record["exceptions"]) if record["exceptions"] != "none" else "none"
    return f"""<article class="contract-page" id="{_anchor(cid)}">
<h3>{html_text(cid)} {html_text(record['initiative_name'])}</h3>
<p class="sub">{facts}</p>
<p class="status">Overall {badge(record['overall_status'])} · finance {badge(record['finance_rag'])} · outcomes {badge(record['outcome_rag'])} · return {html_text(record['return_status'])}<br>Exceptions: {exceptions}</p>
{_rows_table("Spend against profile and returns, by quarter", [("q", "quarter"), ("s", "spend"), ("p", "profile"), ("sy", "spend to date"), ("py", "profile to date (quarters reported)"), ("r", "% of profile"), ("f", "finance"), ("st", "return"), ("d", "due"), ("rc", "received"), ("l", "days late"), ("n", "returns sent"), ("e", "received according to")], quarter_rows, {"s", "p", "sy", "py", "r", "l", "n"}, "No quarter reported yet.")}
{_rows_table(f"Indicators against their pro-rata target, {data.period}", [("i", "indicator"), ("k", "kind"), ("v", "this quarter"), ("y", "to date"), ("t", "target to date"), ("a", "% of target"), ("g", "RAG")], indicator_rows, {"v", "y", "t", "a"}, "No indicator reported or targeted for this contract.")}
<h4>The provider's comments</h4>{comment_list}
<p class="screen-only"><a href="#contracts">Back to the contract table</a> · <a href="#attention">What needs attention</a></p>
</article>"""


def _indicator_value(value, unit: str) -> str:
    if value is None:
        return "not reported"
    if unit == "percent":
        return f"{float(value):,.0f}%"
    if unit == "gbp":
        return _money(value)
    return f"{float(value):,.0f}"


def _rule_finding(finding: RuleFinding) -> str:
    kind = {"warning": "warning", "blocking": "blocking", "hold back": "held a version back"}.get(finding.severity, finding.severity)
    severity = "amber" if finding.severity == "warning" else "red"
    if finding.about_framework:
        what = "flagged entries of this commissioner's published framework; each kind is explained in the table below"
    elif finding.examples:
        what = "flagged " + "; ".join(finding.examples[:6]) + (" …" if len(finding.examples) > 6 else "")
    else:
        what = f"flagged {finding.rows_failing:,} of {finding.rows_checked:,} rows checked, none of those listed is this commissioner's"
    return f"<li>{badge(severity)} <strong>{html_text(finding.rule)}</strong> ({html_text(kind)}): {html_text(what)}</li>"


def quality_section(data: ReviewData, docs_link: str | None) -> str:
    counts = data.rule_counts
    findings = "".join(_rule_finding(f) for f in data.rule_findings)
    rules = (
        f"<h3>Rules that flagged this commissioner's data</h3><ul>{findings}</ul>"
        if findings else '<p class="none">No quality rule flagged this commissioner\'s data.</p>'
    )
    docs = (
        f'<p>Every rule, its result and the rows it flagged: <a href="{html_text(docs_link)}">Data Docs</a>.</p>' if docs_link else ""
    )
    return (
        f"<p><strong>Quality rules: {html_text(counts.line())}.</strong> A rule that fails a blocking check stops the refresh "
        "(this pack would not exist); a warning flags doubtful data and is listed here. The refresh summary and "
        "<code>opcc check</code> count the same rules the same way.</p>"
        f"{rules}{html_table(data.data_quality)}{docs}"
    )


def render_html(data: ReviewData, docs_link: str | None = None) -> str:
    themes = data.theme_spend
    sections: list[tuple[str, str, str]] = [("attention", "What needs attention", attention_section(data))]
    if data.streams is not None and len(data.streams.rows) > 1:
        sections.append(("funds", "Funds", streams_section(data)))
    sections.append(("contracts", "Contract performance", contract_table(data)))
    spend_html = ""
    if "spend" in data.lacks:
        spend_html += f'<p class="note">{html_text(data.lacks["spend"])}</p>'
    if themes.rows:
        spend_html += charts.allocation_against_spend(
            themes.title, [str(r[0]) for r in themes.rows], [_number(r[3]) or 0 for r in themes.rows], [_number(r[4]) or 0 for r in themes.rows]
        )
    sections.append(("spend", "Allocation against spend", spend_html + html_table(themes)))
    cost_html = f'<p class="none">{html_text(data.lacks["cost"])}</p>' if "cost" in data.lacks else ""
    if data.cost_trend:
        cost_html += "".join(
            charts.cost_per_outcome_panels("Cost per outcome by quarter: each priority's headline outcome", data.cost_trend, data.quarters)
        )
    sections.append(("cost", "Cost per outcome", html_table(data.service_costs) + cost_html + html_table(data.cost_per_outcome)))
    statuses = ["received on time", "late", "resubmitted", "missing"]
    returns_chart = charts.returns_by_status(
        "Returns by quarter and status",
        [{"period": r["period"], "received on time": r["received_on_time"], "late": r["received_late"], "resubmitted": r["resubmitted"],
          "missing": r["missing"]} for r in data.returns_by_quarter],
        statuses,
    ) if data.returns_by_quarter else ""
    returns_note = f'<p class="note">{html_text(data.lacks["returns"])}</p>' if "returns" in data.lacks else ""
    sections.append(("returns", "Returns received, late and missing", returns_note + returns_chart + html_table(data.returns_exceptions)))
    sections.append(("budget", "Budget position and reserve", html_table(data.budget)))
    sections.append(("coverage", "Strategic priority coverage", html_table(data.coverage)))
    sections.append(("quality", "Data quality", quality_section(data, docs_link)))
    pages = "".join(contract_page(data, r) for r in sorted(data.contracts.records(), key=lambda r: _natural(r["contract_id"])))
    sections.append(("contract-pages", "A page per contract", pages or '<p class="none">No contracts.</p>'))
    banner = (
        '<div class="banner"><strong>Illustrative sample data.</strong> The provider returns in this pack were made by the '
        "project's sample generator; they are not published figures.</div>"
        if data.sample_data
        else ""
    )
    nav = "".join(f'<a href="#{key}">{html_text(title)}</a>' for key, title, _ in sections)
    body = "\n".join(f'<section id="{key}"><h2>{html_text(title)}</h2>{content}</section>' for key, title, content in sections)
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


def _natural(text: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text or ""))


def pack_paths(out_dir: Path, period: str) -> tuple[Path, Path]:
    stem = f"review-{period.replace(' ', '-')}"
    return out_dir / f"{stem}.html", out_dir / f"{stem}.xlsx"


def docs_link(data_docs: Path | None, final_dir: Path) -> str | None:
    """A link to Data Docs that works where the pack ends up: relative when they share a tree."""
    if data_docs is None:
        return None
    try:
        return Path(os.path.relpath(data_docs, final_dir)).as_posix()
    except ValueError:
        return data_docs.as_uri()


def build_pack(
    con: duckdb.DuckDBPyConnection,
    period: str,
    out_dir: Path,
    commissioner: str | None = None,
    data_docs: Path | None = None,
    final_dir: Path | None = None,
) -> tuple[Path, Path]:
    """Write the pack's HTML and XLSX into out_dir. `final_dir` is where they will be read from, if
    they are moved there later (links are made for that place)."""
    data = load(con, period, commissioner, data_docs)
    html_path, xlsx_path = pack_paths(out_dir, period)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(render_html(data, docs_link(data_docs, final_dir or out_dir)), encoding="utf-8")
    write_workbook(data, xlsx_path)
    return html_path, xlsx_path
