"""How a figure, a status and a declared table read in the pack's HTML: money as £, ratios as %,
counts as whole numbers, statuses as coloured badges that keep their word. Every text is escaped."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from opcc.core import vocabulary
from opcc.core.safe_text import html_text
from opcc.reporting.data import Table

RAG_WORDS = vocabulary.shown_as("rag", "outcome_rag", "indicator_rag", "attention")

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
