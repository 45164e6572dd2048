"""Direction of travel in the pack: what changed since the previous quarter and since the same
quarter last year, in words and arrows, for the commissioner, each priority and each contract.

The figures are rpt_direction_of_travel's (declared as the pack table `direction`); this module
only says them. An arrow shows which way a figure went, not whether that is good: a cost per
outcome that went down is ▼. A contract's status says better or worse in words.
"""

from __future__ import annotations

from opcc.core.safe_text import html_text
from opcc.reporting.data import ReviewData

UP, DOWN = "▲", "▼"


def _pounds(value, pence: bool = False) -> str:
    return f"£{abs(float(value)):,.2f}" if pence else f"£{abs(float(value)):,.0f}"


def change(value, kind: str = "money", ratio=None) -> str:
    """A change as an arrow and its size: '▲ £37,779 (4%)', '▼ 3', 'no change'; '' when there is nothing to compare."""
    if value is None:
        return ""
    number = float(value)
    if number == 0:
        return "no change"
    size = _pounds(number, kind == "pence") if kind in ("money", "pence") else f"{abs(number):,.0f}" if number == round(number) else f"{abs(number):,.2f}"
    share = f" ({abs(float(ratio)) * 100:.0f}%)" if ratio is not None else ""
    return f"{UP if number > 0 else DOWN} {size}{share}"


def moved(record: dict) -> str:
    """A contract's overall status against the previous quarter, in words: '▲ better (was red)'."""
    way = record.get("status_moved")
    if way not in ("up", "down"):
        return ""
    return (f"{UP} better" if way == "up" else f"{DOWN} worse") + f" (was {record.get('previous_status')})"


def by_contract(data: ReviewData) -> dict[str, dict]:
    return {r["subject"]: r for r in data.tables["direction"].records() if r["level"] == "contract"}


def _headline(record: dict, data: ReviewData) -> str:
    parts = []
    if record["previous_period"]:
        parts.append(
            f"spend {change(record['spend_change_gbp'], ratio=record['spend_change_ratio'])} on {record['previous_period']}; "
            f"contracts red {record['contracts_red']} ({change(record['contracts_red_change'], 'count') or 'as before'})"
        )
    else:
        parts.append(f"no quarter before {data.period} in this warehouse to compare with")
    if record["year_before_period"]:
        parts.append(
            f"against {record['year_before_period']}: spend {change(record['spend_change_on_year_gbp'], ratio=record['spend_change_on_year_ratio'])}"
        )
    else:
        parts.append("no same quarter last year to compare with")
    return f"Spend this quarter £{float(record['spend_gbp'] or 0):,.0f}: " + "; ".join(parts) + "."


def section(data: ReviewData, trend_html: str = "") -> str:
    """The commissioner's headline change, each priority's headline outcome and the contracts whose status moved."""
    table = data.tables["direction"]
    records = table.records()
    if not records:
        return f'<p class="none">{html_text(table.empty)}</p>'
    parts = [f'<p class="note">{html_text(table.note)}</p>']
    overall = next((r for r in records if r["level"] == "commissioner"), None)
    if overall:
        parts.append(f"<p>{html_text(_headline(overall, data))}</p>")
    priorities = [r for r in records if r["level"] == "priority"]
    if priorities:
        on_year = any(r["year_before_period"] for r in priorities)
        head = ["priority", "headline outcome", "spend", "on the quarter", "outcomes", "on the quarter", "£ per outcome", "on the quarter"]
        head += ["£ per outcome on the year"] if on_year else []
        rows = []
        for r in priorities:
            name = (r["subject_name"] or "").split(": ", 1)
            cells = [
                r["subject"], name[-1], f"£{float(r['spend_gbp'] or 0):,.0f}", change(r["spend_change_gbp"], ratio=r["spend_change_ratio"]),
                "" if r["outcome_value"] is None else f"{float(r['outcome_value']):,.2f}".removesuffix(".00"),
                change(r["outcome_change"], "count"),
                "" if r["cost_per_outcome_gbp"] is None else f"£{float(r['cost_per_outcome_gbp']):,.2f}",
                change(r["cost_per_outcome_change_gbp"], "pence"),
            ] + ([change(r["cost_per_outcome_change_on_year_gbp"], "pence")] if on_year else [])
            rows.append("<tr>" + "".join(f"<td>{html_text(c)}</td>" for c in cells) + "</tr>")
        parts.append(
            "<h3>Each priority's headline outcome against the previous quarter</h3>"
            f'<table id="table-direction"><thead><tr>{"".join(f"<th>{html_text(h)}</th>" for h in head)}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
    better = [r for r in records if r["level"] == "contract" and r["status_moved"] == "up"]
    worse = [r for r in records if r["level"] == "contract" and r["status_moved"] == "down"]
    for title, found in (("Contracts whose status got worse", worse), ("Contracts whose status got better", better)):
        if found:
            items = "".join(
                f"<li>{html_text(r['subject'])} {html_text(r['subject_name'])}: {html_text(r['previous_status'])} to {html_text(r['status'])}</li>"
                for r in found
            )
            parts.append(f"<h4>{html_text(title)} since {html_text(found[0]['previous_period'])}</h4><ul>{items}</ul>")
    return "".join(parts) + trend_html
