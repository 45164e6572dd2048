"""A page per contract, the pack's appendix: its facts, its quarters of spend and returns, its
indicators against their pro-rata target and its provider's comments."""

from __future__ import annotations

from opcc.core.safe_text import html_text
from opcc.reporting.data import ReviewData
from opcc.reporting.format import _count, _money, _percent, badge


def _anchor(contract_id: str) -> str:
    return f"contract-{contract_id}"


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
