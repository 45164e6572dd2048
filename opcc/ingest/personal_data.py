"""What looks like personal data in a return, which must only ever carry aggregates.

A row holding something that looks like an email address, a phone number, a
National Insurance number, a date of birth, a named person or a house address
with its postcode is quarantined with the kind of data named, and the value
itself is withheld: it is copied neither into the warehouse nor into a log.
The patterns are deliberately cautious: a false alarm costs an analyst a
look; a miss puts someone's details in a public report.

The same patterns screen every other text the warehouse keeps or prints
about an input (`screen`): the reason a file was rejected, a line that could
not be parsed, a warning, a log line. A text that may hold personal data is
replaced whole; a line that could not be parsed is then kept only as its
fingerprint (`fingerprint_line`) beside its file and row.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

# kind -> RE2/Python-compatible pattern (case-insensitive)
PATTERNS: dict[str, str] = {
    "an email address": r"[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}",
    "a phone number": r"(\+44\s?\(?0?\)?\s?[1-9]\d{2,3}|\b0[1-9]\d{2,3})[\s-]?\d{3}[\s-]?\d{3,4}\b",
    # Any NI-number shape, including prefixes HMRC never issues (QQ is the one used in examples).
    "a National Insurance number": r"\b[a-z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[a-d]\b",
    "a date of birth": r"\b(d\.?o\.?b\.?|date of birth|born( on)?)\b[\s:]*(\d|[a-z]+ \d)",
    "a named person": r"\b(mr|mrs|ms|miss|mx|dr)\.?\s+[a-z][a-z'-]+|\b(client|victim|offender|patient|service user)('s)? name\b",
    "an address with a postcode": r"\b\d{1,4}[a-z]?,?\s+[a-z][a-z' ]+\b(street|st|road|rd|lane|ln|avenue|ave|close|drive|way|court|crescent|place|gardens|terrace|grove)\b.{0,40}\b[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2}\b",
}

# Column names that announce personal data in a return's header.
PERSONAL_COLUMNS = re.compile(
    r"(^|_| )(name|first.?name|surname|forename|dob|date.?of.?birth|birth|email|e-mail|phone|mobile|telephone|address|postcode|"
    r"post.?code|nino|ni.?number|national.?insurance|nhs.?number)($|_| )",
    re.IGNORECASE,
)

# Each column is searched only when it is not of its usual, harmless shape: a comment that is
# there, a value that is not a number, a code that is not a code. Most rows skip every pattern.
TEXT_COLUMNS = {
    "comment": "coalesce(comment, '') != ''",
    "value": "c_value is null or length(c_value_text) >= 9",  # a phone number typed as a value reads as a number
    "measure": "c_measure != 'spend_gbp' and not measure_known",
    "contract_id": "not contract_known",
    "period": "not period_well_formed",
}


def _sql_literal(pattern: str) -> str:
    return "'" + pattern.replace("'", "''") + "'"


def _column_check(column: str, when: str) -> str:
    branches = "\n".join(
        f"                when regexp_matches(coalesce({column}, ''), {_sql_literal('(?i)' + pattern)}) "
        f"then {{'column': '{column}', 'reason': 'personal data: {column} looks like it holds {kind}; returns must carry totals only (value withheld)'}}"
        for kind, pattern in PATTERNS.items()
    )
    return f"case when {when} then case\n{branches}\n            end end"


# One problem at most per column: the SQL validation appends these to a row's problems.
PERSONAL_DATA_SQL = ",\n            ".join(_column_check(c, when) for c, when in TEXT_COLUMNS.items())

_COMPILED = {kind: re.compile(pattern, re.IGNORECASE) for kind, pattern in PATTERNS.items()}


def personal_data_kind(text: str) -> str | None:
    """The kind of personal data `text` seems to hold, or None (Python twin of the SQL, for headers)."""
    text = text or ""
    # '_' and '+' join words in names people give files ('Jane_Smith_07700900123'): read as spaces too.
    probes = (text, re.sub(r"[_+]", " ", text)) if ("_" in text or "+" in text) else (text,)
    for kind, pattern in _COMPILED.items():
        if any(pattern.search(probe) for probe in probes):
            return kind
    return None


def personal_column(name: str) -> bool:
    return bool(PERSONAL_COLUMNS.search(name or ""))


WITHHELD = "[withheld: may be personal data]"


def screen(text: str | None) -> str | None:
    """`text` itself, or WITHHELD when any personal-data pattern matches it."""
    if text is None:
        return None
    return WITHHELD if personal_data_kind(text) else text


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def printable(text: str) -> str:
    """`text` as it can be stored and printed on one line: a control character (a newline, an escape
    that would steer a terminal) and a byte that is not UTF-8 in a name the system gave (Python holds
    it as a lone surrogate, which no database or terminal accepts) are each shown as '\ufffd'."""
    return _CONTROL.sub("\ufffd", text) if _CONTROL.search(text) else text


def quoted(text: str, limit: int = 200) -> str:
    """`text` in quotes for a reason or message, or WITHHELD: a reason never repeats personal data."""
    text = printable(text)
    return WITHHELD if personal_data_kind(text) else "'" + text[:limit] + ("…" if len(text) > limit else "") + "'"


def fingerprint_line(text: str) -> str:
    """What is kept of a line that could not be parsed: the line itself if it passes the screen,
    else only its fingerprint and length, which identify it without repeating it."""
    if not personal_data_kind(text):
        return text
    digest = hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:16]
    return f"[line withheld: may be personal data; sha256 {digest}…, {len(text)} characters]"


def screen_table_column(table, column: str):
    """Every value of a text column of an Arrow table through the screen, in bulk (RE2, as the SQL)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = table.column(column)
    hit = None
    for pattern in PATTERNS.values():
        match = pc.match_substring_regex(values, pattern, ignore_case=True)
        hit = match if hit is None else pc.or_(hit, match)
    if hit is None or not pc.any(pc.fill_null(hit, False)).as_py():
        return table
    screened = pc.if_else(pc.fill_null(hit, False), pa.scalar(WITHHELD, values.type), values)
    return table.set_column(table.schema.get_field_index(column), column, screened)


NAME_WITHHELD = re.compile(r"^\[name withheld: may be personal data, ([0-9a-f]{12})\](\.[A-Za-z0-9]{1,8})?$")
# A name with control characters or bytes that are not UTF-8: shown with '\ufffd' for them and its
# fingerprint, so two such names never show alike and the file on disk is found again from the name shown.
NAME_NOT_PRINTABLE = re.compile(r" \[name not printable, ([0-9a-f]{12})\](\.[A-Za-z0-9]{1,8})?$")


def stands_in(name: str) -> bool:
    """True when `name` is a stand-in shown_name made, not a name as it is on disk."""
    return bool(NAME_WITHHELD.match(name) or NAME_NOT_PRINTABLE.search(name))


# A refresh screens every file's name, and a provider names its return the same way each quarter.
@lru_cache(maxsize=65536)
def shown_name(name: str) -> str:
    """A file or folder name as the warehouse may keep and print it: the name itself, or, when it may
    hold personal data (a person's name, email, phone number ...), a stand-in made from its
    fingerprint, the same at every refresh, keeping its extension. Separators people use in file names
    ('_', '-', '.') are read as spaces for the screen, so 'Mr_Smith_07700_900123.csv' is caught."""
    stem, dot, suffix = name.rpartition(".") if "." in name[1:] else (name, "", "")
    if printable(name) != name:
        digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:12]
        extension = f".{suffix}" if dot and re.fullmatch(r"[A-Za-z0-9]{1,8}", suffix) else ""
        return shown_name(f"{printable(stem if extension else name)} [name not printable, {digest}]{extension}")
    probes = (name, re.sub(r"[_+.-]", " ", stem or name))
    if not any(personal_data_kind(p) for p in probes):
        return name
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    extension = f".{suffix}" if dot and re.fullmatch(r"[A-Za-z0-9]{1,8}", suffix) else ""
    return f"[name withheld: may be personal data, {digest}]{extension}"


def matches_shown(name: str, shown: str) -> bool:
    """True when `shown` is how the name `name` is shown (itself, or its stand-in)."""
    return shown_name(name) == shown
