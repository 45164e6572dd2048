"""Text helpers for the framework importer.

Published frameworks come as text extracted from PDF or Word: dashes vary
(hyphen, en dash, em dash), markup leaks in (markdown headings, <b>), and
money is printed as `£1,234`, `£1114` or `£4.611m`. Money and the
spelling-insensitive key are read by the dbt project's parsing macros (one
definition for the importer and the models; see opcc/core/sql_macros.py).
"""

from __future__ import annotations

import re
from decimal import Decimal

from opcc.core import sql_macros

DASHES = "\u2013\u2014\u2012\u2212"  # en dash, em dash, figure dash, minus

_MARKUP = re.compile(r"</?(?:b|i|u|strong|em|sup|sub)>|\*\*|^#+\s*", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def strip_markup(text: str) -> str:
    """Remove the markdown and HTML emphasis that PDF/Word extraction leaves in cells."""
    return _SPACES.sub(" ", _MARKUP.sub("", text)).strip()


def normalise_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def parse_money(text: str) -> Decimal | None:
    """'£1,234' -> 1234; '£1114' -> 1114; anything else -> None (never a guess). A document prints
    its amounts with '£': a bare number in its text is not an amount."""
    if not text.strip().startswith("£"):
        return None
    return sql_macros.parse_gbp(text)


def parse_money_millions(text: str) -> Decimal | None:
    """'£4.611m' -> 4611000."""
    return sql_macros.parse_gbp_millions(text)


def comparable(text: str | None) -> str:
    """The spelling-insensitive key: case, accents, dashes, spacing and punctuation removed.

    Used to tell a real difference between two printings from a typographic one.
    """
    return sql_macros.conform_key(text) if text else ""


_SEPARATOR = re.compile(f"\\s*[{DASHES}]\\s*|\\s+-\\s+")


def split_initiative(cell: str) -> tuple[str, str]:
    """Split a printed 'Initiative – description' cell into (name, description).

    The first segment is the name; short qualifier segments that follow it
    ('North', 'East and West', 'Town Centre') stay with the name; the
    description starts at the first longer segment. Hyphens inside words
    ('sub-region', 'Co- ordinating') are not separators.
    """
    cell = normalise_spaces(cell)
    segments = [s for s in _SEPARATOR.split(cell) if s]
    if len(segments) <= 1:
        return cell, ""
    name_parts = [segments[0]]
    rest = segments[1:]
    while rest and len(rest[0].split()) <= 3 and rest[0][:1].isupper() and len(rest) > 1:
        name_parts.append(rest.pop(0))
    # Re-cut the original text so the description keeps its own dashes.
    name = " – ".join(name_parts)
    description_start = _nth_separator_end(cell, len(name_parts))
    description = cell[description_start:].strip() if description_start is not None else ""
    return name, description


def _nth_separator_end(cell: str, n: int) -> int | None:
    for i, match in enumerate(_SEPARATOR.finditer(cell), start=1):
        if i == n:
            return match.end()
    return None
