"""Text from providers, made safe for the places the project writes it.

In a workbook, a cell whose text starts with '=', '+', '-', '@' (or a tab or
carriage return) could run as a formula; such text is written as a string
cell with Excel's quote prefix, so it stays text even when a user edits the
cell. In HTML, text is escaped.
"""

from __future__ import annotations

import html
from functools import lru_cache

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    return bool(text) and text.startswith(FORMULA_TRIGGERS)


def put_text(cell, text: str | None) -> None:
    """Write text into an openpyxl cell so that it can never be evaluated as a formula."""
    cell.value = text
    if text is None:
        return
    cell.data_type = "s"
    if looks_like_formula(text):
        cell.quotePrefix = True


def put_value(cell, value) -> None:
    """Numbers and dates as themselves; anything textual through put_text."""
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)) or hasattr(value, "isoformat") or hasattr(value, "as_tuple"):
        cell.value = value
    else:
        put_text(cell, str(value))


def html_text(text) -> str:
    if text is None:
        return ""
    text = str(text)
    # Short texts only are remembered: a long comment is seldom repeated, and thousands of them
    # kept would hold their size twice over in every process that draws packs.
    return _escaped(text) if len(text) <= SHORT_TEXT else html.escape(text, quote=True)


SHORT_TEXT = 200


@lru_cache(maxsize=65536)  # a page repeats its words (statuses, names, ids) thousands of times
def _escaped(text: str) -> str:
    return html.escape(text, quote=True)
