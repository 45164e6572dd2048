"""A register as one self-contained page in the review pack's style: no script, no web fonts, every
piece of text escaped, so it opens offline and can go on the commissioner's website as it is."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from opcc.core.safe_text import html_text
from opcc.reporting.pack import STYLE


def _cell(value, money: bool) -> str:
    if value is None:
        return "<td></td>"
    if money and isinstance(value, (int, float, Decimal)):
        return f'<td class="num">£{value:,.2f}</td>'
    if isinstance(value, (date, datetime)):
        return f"<td>{value.isoformat()}</td>"
    return f'<td class="wide">{html_text(value)}</td>' if len(str(value)) > 60 else f"<td>{html_text(value)}</td>"


def register_page(
    title: str, subtitle: str, intro: str, columns: list[str], rows: list[dict], money: tuple[str, ...] = (),
    total_column: str | None = None, findings: list[tuple[str, str, str]] | None = None,
) -> str:
    head = "".join(f"<th>{html_text(c.replace('_', ' '))}</th>" for c in columns)
    body = "".join("<tr>" + "".join(_cell(row.get(c), c in money) for c in columns) + "</tr>" for row in rows)
    if not body:
        body = f'<tr><td colspan="{len(columns)}">none</td></tr>'
    total = ""
    if total_column and rows:
        amount = sum((row[total_column] for row in rows), Decimal(0))
        total = f'<div class="cards"><div class="card"><div class="figure">£{amount:,.2f}</div><div class="label">{len(rows)} in all</div></div></div>'
    notes = ""
    if findings:
        items = "".join(f"<li>{html_text(subject)}: {html_text(finding)}</li>" for _, subject, finding in findings)
        notes = f'<section><h2>Before publishing</h2><p class="note">What the export could not complete from the warehouse:</p><ul class="note">{items}</ul></section>'
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">'
        f"<title>{html_text(title)}</title><style>{STYLE}</style></head><body>"
        f"<header><h1>{html_text(title)}</h1><p>{html_text(subtitle)}</p></header><main>"
        f'<p>{html_text(intro)}</p>{total}<section><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></section>'
        f"{notes}</main></body></html>\n"
    )
