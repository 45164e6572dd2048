"""A register or plan file as a table of text: CSV or XLSX, the header matched whatever its
spelling, every row kept with its row number as a spreadsheet shows it (for `opcc import-allocations`)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from opcc.core.settings import csv_module

csv = csv_module()

BLANK = ("", "-")


MAX_ROWS = 10_000


class ImportRefused(Exception):
    """The files cannot be imported as they are; `problems` says why, one line each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def header_key(name: object) -> str:
    """Header names match ignoring case, spaces and punctuation ('Allocated GBP' is allocated_gbp)."""
    return re.sub(r"[^a-z0-9]+", "_", str(name or "").strip().lower()).strip("_")


@dataclass
class Table:
    path: Path
    rows: list[dict[str, str]]  # values as text, keyed by the matched header
    row_numbers: list[int]  # the spreadsheet row each came from (header = its own row)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    return str(value).strip()


def read_table(path: Path, required: tuple[str, ...], optional: tuple[str, ...]) -> Table:
    """A CSV, or the first sheet of an XLSX workbook, whose header has every required column."""
    suffix = path.suffix.lower()
    if suffix in (".xls", ".ods", ".xlsm", ".xlsb"):
        raise ImportRefused([f"{path}: a {suffix} file; save it as .xlsx or .csv and import that"])
    grid = _xlsx_grid(path) if suffix == ".xlsx" else _csv_grid(path)
    wanted = set(required) | set(optional)
    for index, row in enumerate(grid[:20]):
        keys = [header_key(c) for c in row]
        if set(required) <= set(keys):
            twice = sorted({k for k in keys if k in wanted and keys.count(k) > 1})
            if twice:  # which of the two is meant cannot be known: never one of them silently
                raise ImportRefused([f"{path} row {index + 1}: the header names {', '.join(twice)} more than once"])
            columns = {k: i for i, k in enumerate(keys) if k in wanted}
            rows, numbers = [], []
            for number, values in enumerate(grid[index + 1 :], start=index + 2):
                record = {k: _cell_text(values[i]) if i < len(values) else "" for k, i in columns.items()}
                if not any(record.values()):
                    continue
                rows.append({k: record.get(k, "") for k in (*required, *optional)})
                numbers.append(number)
            if len(rows) > MAX_ROWS:
                raise ImportRefused([f"{path}: {len(rows)} rows; a register of more than {MAX_ROWS:,} is not one"])
            return Table(path, rows, numbers)
    found = ", ".join(header_key(c) for c in (grid[0] if grid else []) if c) or "nothing"
    raise ImportRefused([f"{path}: no header row with the columns {', '.join(required)} (the first row has {found})"])


def _csv_grid(path: Path) -> list[list]:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImportRefused([f"{path}: cannot be read: {error.strerror or error}"]) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRefused([f"{path}: saved as UTF-16 text; save it as 'CSV UTF-8' and import that"])
    if b"\x00" in data:
        # the raw files it would become are refused by the refresh, which holds back every commissioner
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ImportRefused([f"{path} row {line}: a NUL byte, so not a CSV text file; save it as 'CSV UTF-8' and import that"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    # Records as the csv module finds them: str.splitlines() also broke a row at a character such as
    # U+2028 inside a quoted name.
    return list(csv.reader(io.StringIO(text, newline="")))


def _xlsx_grid(path: Path) -> list[list]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a file that is not a workbook
        raise ImportRefused([f"{path}: cannot be opened as a workbook ({type(error).__name__})"]) from None
    try:
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(max_row=MAX_ROWS + 20, max_col=30, values_only=True)]
    finally:
        book.close()
