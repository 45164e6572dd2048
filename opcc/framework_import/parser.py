"""Read the tables and figures of a published commissioning framework from its text.

The parser works on text as extracted from the PDF or Word original: cells
separated by tabs, one table row per line when extraction went well, and
rows broken over several lines (or pages) when it did not. It never guesses
silently: every repair it makes is noted on the row it repaired, and every
row it cannot read with confidence is flagged with its line number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from opcc.framework_import.adapter import ADAPTER
from opcc.framework_import.text import (
    comparable,
    normalise_spaces,
    parse_money,
    parse_money_millions,
    strip_markup,
)

ALLOCATION_COLUMNS = (
    "theme_printed",
    "initiative_printed",
    "value_printed",
    "provider_printed",
    "mechanism_printed",
    "primary_priority_printed",
    "secondary_priority_printed",
    "reach_printed",
)
# Cells that carry running text and may continue on the next extracted line.
TEXT_COLUMNS = {"theme_printed", "initiative_printed", "provider_printed", "reach_printed"}
ADDITIONAL_COLUMNS = ("initiative_printed", "value_printed", "need_printed", "linkage_printed")

# Words a table cell does not end on when its text runs on to the next line.
_RUN_ON_WORDS = {
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "of",
    "on", "or", "that", "the", "their", "to", "which", "who", "will", "with",
}


@dataclass
class Issue:
    line: int
    severity: str  # 'flag': could not be read with confidence; 'note': repaired, see message
    table: str
    message: str


@dataclass
class Row:
    table: str
    first_line: int
    cells: dict[str, str]
    notes: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # why it cannot be read with confidence

    def note(self, message: str) -> None:
        self.notes.append(message)


@dataclass
class ParsedFramework:
    allocation_rows: list[Row] = field(default_factory=list)
    flagged_rows: list[Row] = field(default_factory=list)  # read but not trusted: left out of the output
    totals: list[dict] = field(default_factory=list)
    plf_rows: list[dict] = field(default_factory=list)
    budget_lines: list[dict] = field(default_factory=list)
    priorities: list[dict] = field(default_factory=list)
    document_date: str = ""
    financial_year: str = ""
    issues: list[Issue] = field(default_factory=list)
    pending_problem: str = ""

    def flag(self, line: int, table: str, message: str) -> None:
        self.issues.append(Issue(line, "flag", table, message))

    @property
    def flags(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "flag"]


def _cells(line: str, width: int) -> list[str]:
    cells = [normalise_spaces(strip_markup(c)) for c in line.split("\t")]
    cells += [""] * (width - len(cells))
    return cells


def _is_header(cells: list[str]) -> bool:
    return comparable(cells[0]) in {"strategic theme", "name description of provision"}


def _heading(line: str) -> str:
    return comparable(strip_markup(line))


class _TableState:
    def __init__(self, name: str, columns: tuple[str, ...]):
        self.name = name
        self.columns = columns
        self.rows: list[Row] = []


def parse_framework(text: str, known_initiatives: list[str] | None = None) -> ParsedFramework:
    """Parse a framework document's text.

    known_initiatives: initiative names already in the contract registry. They
    let the parser tell where a row starts when the text of the row above ran
    into its first cell (a page break in the PDF); without them such a row is
    flagged rather than guessed.
    """
    known = sorted({comparable(k) for k in known_initiatives or [] if k}, key=len, reverse=True)
    lines = text.splitlines()
    result = ParsedFramework()
    _parse_figures(lines, result)
    _parse_priorities(lines, result)
    themes = {_theme_key(p["theme_printed"]) for p in result.priorities} | {_theme_key(t) for t in ADAPTER["themes_spanning_priorities"]}

    pending_table: str | None = None  # set by a heading, used by the next header row
    table: _TableState | None = None
    for number, raw_line in enumerate(lines, start=1):
        heading = _heading(raw_line)
        if "\t" not in raw_line:
            if heading in {"table 1", "table 1."}:
                pending_table = "table_1"
            elif heading.startswith("existing commitments"):
                pending_table = "appendix_b"
            elif heading.endswith("additional allocations"):
                pending_table = "appendix_c"
            continue
        cells = _cells(raw_line, 8)
        if table is None:
            if comparable(cells[0]) == "strategic theme" and comparable(cells[1]).startswith("contract name"):
                if pending_table not in {"table_1", "appendix_b"}:
                    result.flag(number, "?", "allocation table header without a 'Table 1' or 'Existing commitments' heading above it; read as Appendix B")
                table = _TableState(pending_table or "appendix_b", ALLOCATION_COLUMNS)
            elif comparable(cells[0]) == "name description of provision":
                table = _TableState("appendix_c", ADDITIONAL_COLUMNS)
            elif comparable(cells[0]) == "csp" and re.fullmatch(r"\d{4}/\d{2}", cells[1]) and not result.plf_rows:
                _parse_plf(lines, number, result)
            continue
        done = _table_line(table, cells, number, result, known, themes)
        if done:
            result.allocation_rows.extend(table.rows)
            table = None
            pending_table = None
    if table is not None:
        result.flag(len(lines), table.name, "table never reached its total row; the document may be cut short")
        result.allocation_rows.extend(table.rows)
    for row in result.allocation_rows:
        _validate_row(row, result)
    result.flagged_rows = [r for r in result.allocation_rows if r.problems]
    result.allocation_rows = [r for r in result.allocation_rows if not r.problems]
    return result


MECHANISM_LABELS = {"direct", "cocom", "plf", "pccgrant", "cocommissioning", "partnershiplocalityfund"}


def _theme_key(text: str) -> str:
    return comparable(text.replace("&", " and ")).replace(" ", "")


def _starts_row(table: _TableState, cells: list[str], themes: set[str]) -> bool:
    """A line starts a new row when its amount reads as money, or, with an unreadable amount,
    when it has a whole theme and a funding mechanism (a real row whose value is then flagged).
    A line with a fragment of a theme and garbled codes is the extractor's second take on the row above."""
    if table.name == "appendix_c":
        return bool(cells[0]) and parse_money(cells[1]) is not None
    if not cells[1]:
        return False
    if parse_money(cells[2]) is not None:
        return True
    return bool(cells[2]) and _theme_key(cells[0]) in themes and comparable(cells[4]).replace(" ", "") in MECHANISM_LABELS


def _table_line(
    table: _TableState, cells: list[str], number: int, result: ParsedFramework, known: list[str], themes: set[str]
) -> bool:
    """Consume one extracted line of a table; True when the table's total row was read."""
    if _is_header(cells):
        return False
    width = len(table.columns)
    cells = cells[:width] if not any(cells[width:]) else cells
    if len(cells) > width:
        result.flag(number, table.name, f"line has {len(cells)} cells, the table has {width}; not read")
        return False
    first = cells[0]
    subtotal = re.match(r"^(?P<theme>.+?)\s+Sub-?total$", first, re.IGNORECASE)
    if subtotal or comparable(first) in {"grand total", "total"}:
        kind = "theme_subtotal" if subtotal else ("grand_total" if comparable(first) == "grand total" else "table_total")
        value_cell = cells[2] if table.name != "appendix_c" else cells[1]
        result.totals.append(
            {
                "source_table": table.name,
                "total_kind": kind,
                "label_printed": first,
                "theme_printed": subtotal["theme"] if subtotal else "",
                "value_printed": value_cell,
                "source_line": number,
            }
        )
        if parse_money(value_cell) is None:
            result.flag(number, table.name, f"total '{first}' has no readable value ({value_cell!r})")
        return kind != "theme_subtotal"

    if _starts_row(table, cells, themes):
        _take_run_on_text(table, cells, number, result, known)
        row = Row(table.name, number, dict(zip(table.columns, cells, strict=True)), lines=[number])
        if result.pending_problem:
            row.problems.append(result.pending_problem)
            result.pending_problem = ""
        table.rows.append(row)
        return False
    if not table.rows:
        result.flag(number, table.name, "text before the first row of the table; not read")
        return False
    # A continuation line: running text goes on the row above, anything else is a
    # duplicate the extractor garbled (kept out, noted on the row).
    row = table.rows[-1]
    row.lines.append(number)
    garbled = []
    for column, cell in zip(table.columns, cells, strict=True):
        if not cell:
            continue
        if column in TEXT_COLUMNS or column in {"need_printed", "linkage_printed"}:
            row.cells[column] = normalise_spaces(f"{row.cells[column]} {cell}")
        elif not row.cells[column]:
            row.cells[column] = cell
        else:
            garbled.append(f"{column.removesuffix('_printed')} {cell!r}")
    if garbled:
        row.note(f"line {number}: cells garbled by extraction ignored ({', '.join(garbled)}); the row's own line {row.first_line} is read")
    else:
        row.note(f"line {number}: continuation of the row's text")
    return False


def _take_run_on_text(table: _TableState, cells: list[str], number: int, result: ParsedFramework, known: list[str]) -> None:
    """Move text that belongs to the row above out of this row's first text cell.

    After a page break the extractor may start a row with the end of the
    previous row's sentence: an unclosed '(' above and a ')' here, or a
    lower-case start after a sentence that stopped on 'that' / 'the'.
    """
    if not table.rows:
        return
    column = 1 if table.name != "appendix_c" else 0
    cell = cells[column]
    previous = table.rows[-1]
    key = table.columns[column]
    above = previous.cells[key]
    if above.count("(") > above.count(")") and ")" in cell:
        cut = cell.index(")") + 1
        previous.cells[key] = normalise_spaces(f"{above} {cell[:cut]}")
        cells[column] = cell[cut:].strip()
        previous.note(f"line {number}: closing text '{cell[:cut]}' found at the start of the next row, moved here")
        previous.lines.append(number)
        return
    ends_mid_sentence = above.split()[-1].lower() in _RUN_ON_WORDS if above.split() else False
    if cell[:1].islower() and ends_mid_sentence:
        position = _known_start(cell, known)
        if position is None:
            result.flag(
                number,
                table.name,
                f"row starts with text that seems to continue the row above ('{cell[:40]}...'); "
                "cannot tell where this row's initiative name begins",
            )
            result.pending_problem = "its first cell seems to start with the end of the row above"
            return
        previous.cells[key] = normalise_spaces(f"{above} {cell[:position]}")
        cells[column] = cell[position:].strip()
        previous.note(f"line {number}: text '{cell[:position].strip()}' that ran into the next row moved here")
        previous.lines.append(number)


def _known_start(cell: str, known: list[str]) -> int | None:
    """Character offset in cell where a known initiative name begins, if exactly one does."""
    key = comparable(cell)
    for name in known:
        at = key.find(" " + name + " ")
        if at > 0:
            words_before = len(key[: at + 1].split())
            # Map the word count back onto the original cell.
            spans = list(re.finditer(r"\S+", cell))
            consumed = 0
            for span in spans:
                consumed += len(comparable(span.group()).split())
                if consumed >= words_before:
                    return span.end() + 1
    return None


def _validate_row(row: Row, result: ParsedFramework) -> None:
    cells = row.cells
    problems = []
    if parse_money(cells["value_printed"]) is None:
        problems.append(f"value {cells['value_printed']!r} is not an amount of money")
    if not cells["initiative_printed"]:
        problems.append("row has no initiative name")
    if row.table != "appendix_c" and not cells["theme_printed"]:
        problems.append("row has no strategic theme")
    for problem in problems:
        result.flag(row.first_line, row.table, problem)
    row.problems += problems


def _parse_plf(lines: list[str], header_line: int, result: ParsedFramework) -> None:
    for number in range(header_line + 1, len(lines) + 1):
        cells = _cells(lines[number - 1], 2)
        if not any(cells):
            if result.plf_rows:
                break
            continue
        if comparable(cells[0]) == "total":
            result.totals.append(
                {
                    "source_table": "plf_table",
                    "total_kind": "table_total",
                    "label_printed": cells[0],
                    "theme_printed": "",
                    "value_printed": cells[1],
                    "source_line": number,
                }
            )
            return
        if parse_money(cells[1]) is None:
            result.flag(number, "plf_table", f"PLF line {cells[0]!r} has no readable value ({cells[1]!r})")
        result.plf_rows.append({"csp_printed": cells[0], "value_printed": cells[1], "source_line": number})
    result.flag(header_line, "plf_table", "PLF table has no Total row")


_MONEY_M = r"£\s?\d+(?:\.\d+)?m"
# The budget sentences of section 3 and the reserve note, in the wording frameworks use.
_BUDGET_PATTERNS = (
    ("commissioning_budget", rf"commissioning budget (?:for (?P<year>\d{{4}}/\d{{2}}) )?(?:is|of|will be)[^£]{{0,40}}(?P<v>{_MONEY_M})"),
    ("committed", rf"(?P<v>{_MONEY_M}) (?:has been |already )?committed|committed (?:previously )?(?:of |at )?(?P<v2>{_MONEY_M})"),
    ("available", rf"available funding[^£]{{0,30}}(?P<v>{_MONEY_M})"),
    ("additional_allocations", rf"available funding[^£]{{0,30}}{_MONEY_M},? of which (?P<v>{_MONEY_M})|additional allocations? (?:of|total) (?P<v2>{_MONEY_M})"),
    ("reserve", rf"(?:balance|remainder) of (?P<v>{_MONEY_M})[^.]{{0,80}}Reserve|Reserve of (?P<v2>{_MONEY_M})"),
)


def _parse_figures(lines: list[str], result: ParsedFramework) -> None:
    for number, line in enumerate(lines, start=1):
        plain = strip_markup(re.sub(r"<sup>.*?</sup>", "", line))
        section = re.match(r"^[-\s]*(?P<s>\d+\.\d+)\s", plain)
        for name, pattern in _BUDGET_PATTERNS:
            match = re.search(pattern, plain, re.IGNORECASE)
            if match and not any(b["budget_line"] == name for b in result.budget_lines):
                value = (match.group("v") or match.groupdict().get("v2") or "").rstrip(".,").replace(" ", "")
                if parse_money_millions(value) is None:
                    result.flag(number, "budget", f"{name} figure {value!r} is not readable")
                result.budget_lines.append(
                    {
                        "budget_line": name,
                        "value_printed": value,
                        "section": section["s"] if section else "",
                        "source_line": number,
                    }
                )
                if name == "commissioning_budget" and match.group("year"):
                    result.financial_year = match["year"].replace("/", "-")
        if not result.document_date:
            date = re.search(r"\b(\d{1,2})(?:st|nd|rd|th|<sup>\w+</sup>)?\s+(January|February|March|April|May|June|July|August|September|October|November|December)\s+(\d{4})\b", line)
            if date:
                result.document_date = f"{date[1]} {date[2]} {date[3]}"
    for name, _ in _BUDGET_PATTERNS:
        if not any(b["budget_line"] == name for b in result.budget_lines):
            result.flag(0, "budget", f"budget figure '{name}' not found in the text")


def _parse_priorities(lines: list[str], result: ParsedFramework) -> None:
    theme = ""
    for number, line in enumerate(lines, start=1):
        plain = strip_markup(line).lstrip("-• ").strip()
        theme_match = re.match(r"^Theme:\s*(?P<t>.+)$", plain)
        if theme_match:
            theme = theme_match["t"].strip()
            continue
        item = re.match(r"^(?P<n>\d{1,2})\.\s+(?P<name>.+)$", plain)
        if theme and item and 1 <= int(item["n"]) <= 30:
            if any(p["priority_number"] == int(item["n"]) for p in result.priorities):
                continue
            result.priorities.append(
                {
                    "priority_number": int(item["n"]),
                    "theme_printed": theme,
                    "priority_printed": item["name"].strip(),
                    "source_line": number,
                }
            )
        elif theme and plain and not item and result.priorities:
            theme = "" if not plain.startswith("Theme") else theme


def money(text: str) -> Decimal:
    value = parse_money(text)
    return value if value is not None else Decimal(0)
