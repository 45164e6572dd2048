"""What looks like personal data in a return, which must only ever carry aggregates.

A row holding something that looks like an email address, a phone number, a
National Insurance number, a date of birth, a named person or a house address
with its postcode is quarantined with the kind of data named, and the value
itself is withheld: it is copied neither into the warehouse nor into a log.
The patterns are deliberately cautious: a false alarm costs an analyst a
look; a miss puts someone's details in a public report.
"""

from __future__ import annotations

import re

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
    "value": "c_value is null",
    "measure": "not regexp_full_match(c_measure, '[A-Za-z0-9_]{1,40}')",
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
    for kind, pattern in _COMPILED.items():
        if pattern.search(text or ""):
            return kind
    return None


def personal_column(name: str) -> bool:
    return bool(PERSONAL_COLUMNS.search(name or ""))
