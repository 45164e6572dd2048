"""The quarterly performance review pack: one self-contained HTML page, the same as a workbook, and
on request a PDF of the page.

The page carries its own styles and charts (inline SVG: no script, no CDN, it
opens offline and can be e-mailed). It opens with what needs attention, then
the contract table, the sections, and a page per contract (contract_page.py);
it fits a 1366 px screen and prints on A4 landscape (page_style.py). The
tables are those the reporting models declare (declared.py), formatted by
format.py. Every piece of text that came from a provider or a
document is escaped in the HTML and written as a text cell in the workbook,
so it can neither run as script nor as a formula.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

from opcc.core.safe_text import html_text
from opcc.reporting import charts, direction, trend_chart
from opcc.reporting import contract_page as contract_pages
from opcc.reporting.data import PackRows, ReviewData, RuleFinding, load
from opcc.reporting.format import _money, _number, _percent, badge, html_table
from opcc.reporting.page_style import PRINT, SCREEN, page_rule
from opcc.reporting.page_style import STYLE as STYLE  # the look the open data pages share
from opcc.reporting.workbook import write_workbook


def _card(figure: str, label: str, raw_figure: bool = False) -> str:
    shown = figure if raw_figure else html_text(figure)
    return f'<div class="card"><div class="figure">{shown}</div><div class="label">{html_text(label)}</div></div>'


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
            f' <a class="screen-only" href="#{contract_pages._anchor(item["contract_id"])}">contract page</a>' if item["contract_id"] else ""
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
    travels = direction.by_contract(data)
    for r in table.records():
        contract = (
            f'<a href="#{contract_pages._anchor(r["contract_id"])}">{html_text(r["contract_id"])}</a> <strong>{html_text(r["initiative_name"])}</strong>'
            f'<div class="sub">{html_text(r["provider"])}</div>'
        )
        spend = (
            f'{html_text(_money(r["spend_ytd_gbp"]))}<div class="sub">{html_text(_percent(r["spend_to_reported_profile_ytd"]))} of '
            f'{html_text(_money(r["profile_reported_ytd_gbp"]))}</div>'
            # nothing reported yet is said in words, not as £0 of £0
            if r["profile_reported_ytd_gbp"] else '<span class="sub">no spend reported yet</span>'
        )
        indicators = (
            f'<div class="sub">{r["indicators_red"]} red, {r["indicators_amber"]} amber, {r["indicators_green"]} green'
            + (f', {r["indicators_not_reported"]} not reported' if r["indicators_not_reported"] else "")
            + "</div>"
        )
        exceptions = "<br>".join(html_text(e) for e in (r["exceptions"] or "").split("; "))
        travel = direction.moved(travels.get(r["contract_id"], {}))
        travel = f'<div class="sub">{html_text(travel)}</div>' if travel else ""
        rows.append(
            f'<tr data-contract="{html_text(r["contract_id"])}"><td>{contract}</td><td>{html_text(r["return_status"])}</td>'
            f'<td class="num">{spend}</td><td>{badge(r["finance_rag"])}</td><td>{badge(r["outcome_rag"])}{indicators}</td>'
            f"<td>{badge(r['overall_status'])}{travel}</td><td>{exceptions}</td></tr>"
        )
    head = (
        '<colgroup><col style="width:21%"><col style="width:8%"><col style="width:11%"><col style="width:7%">'
        '<col style="width:11%"><col style="width:8%"><col style="width:34%"></colgroup>'
        "<thead><tr><th>contract</th><th>return</th><th class=num>spend to date</th><th>finance</th><th>outcomes</th>"
        "<th>overall</th><th>exceptions</th></tr></thead>"
    )
    return f'<p class="note">{html_text(table.note)}</p><table class="fixed" id="table-contracts">{head}<tbody>{"".join(rows)}</tbody></table>'


def _rule_finding(finding: RuleFinding) -> str:
    kind = {"warning": "warning", "blocking": "blocking", "hold back": "held a version back"}.get(finding.severity, finding.severity)
    severity = "amber" if finding.severity == "warning" else "red"
    if finding.sentence:  # the same sentence as the refresh summary and `opcc check`
        return f"<li>{badge(severity)} {html_text(finding.sentence)} ({html_text(kind)})</li>"
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
    trend = trend_chart.priority_trends("Cost per headline outcome, every quarter held", data.long_trend, data.all_quarters)
    sections.append(("direction", "Direction of travel", direction.section(data, trend)))
    cost_html = f'<p class="none">{html_text(data.lacks["cost"])}</p>' if "cost" in data.lacks else ""
    if data.cost_trend:
        cost_html += "".join(
            charts.cost_per_outcome_panels("Cost per outcome by quarter: each priority's headline outcome", data.cost_trend, data.quarters)
        )
    services = (
        f'<div class="in-appendix">{html_table(data.service_costs)}</div><p class="appendix-note">{html_text(data.service_costs.title)}: '
        "in the appendix (<code>opcc report --pdf --appendix</code>) and the workbook's Cost per service sheet.</p>"
    )
    sections.append(("cost", "Cost per outcome", services + cost_html + html_table(data.cost_per_outcome)))
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
    pages = "".join(contract_pages.contract_page(data, r) for r in sorted(data.contracts.records(), key=lambda r: _natural(r["contract_id"])))
    sections.append(("contract-pages", "Appendix: a page per contract", pages or '<p class="none">No contracts.</p>'))
    banner = (
        '<div class="banner"><strong>Illustrative sample data.</strong> The provider returns in this pack were made by the '
        "project's sample generator; they are not published figures.</div>"
        if data.sample_data
        else ""
    )
    nav = "".join(f'<a href="#{key}">{html_text(title)}</a>' for key, title, _ in sections)
    contents = "".join(f"<li>{html_text(title)}</li>" for key, title, _ in sections if key != "contract-pages")
    contents = f'<nav class="contents print-only"><strong>Contents</strong><ol>{contents}</ol></nav>'
    body = "\n".join(
        f'<section id="{key}"><h2>{html_text(title)}</h2>{content}</section>'
        for key, title, content in sections
    )
    title = f"Quarterly performance review {data.period}"
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Quarterly performance review {html_text(data.period)} - {html_text(data.commissioner_name)}</title>
<style>{SCREEN}{PRINT}{page_rule(title, data.commissioner_name)}</style>
</head>
<body>
<header>
<h1>Quarterly performance review: {html_text(data.period)}</h1>
<p>{html_text(data.commissioner_name)} · {html_text(data.months)} · framework {html_text(data.framework_version)} · returns loaded {html_text(data.refreshed_at)} UTC</p>
</header>
{banner}
<main>
<nav>{nav}</nav>
{contents}
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
    rows: PackRows | None = None,
) -> tuple[Path, Path]:
    """Write the pack's HTML and XLSX into out_dir. `final_dir` is where they will be read from, if
    they are moved there later (links are made for that place). `rows` reads the pack's rows with
    other packs of the period (data.PackRows); without it, the pack reads its own."""
    data = load(con, period, commissioner, data_docs, rows)
    html_path, xlsx_path = pack_paths(out_dir, period)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(render_html(data, docs_link(data_docs, final_dir or out_dir)), encoding="utf-8")
    write_workbook(data, xlsx_path)
    return html_path, xlsx_path
