"""A register or plan file as a table of text: CSV or XLSX, the header matched whatever its
spelling, every row kept with its row number as a spreadsheet shows it (for `opcc import-allocations`)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from opcc.core.settings import MAX_FILE_BYTES, csv_module
from opcc.ingest.workbook import shown_value, zip_problem

csv = csv_module()

BLANK = ("", "-")


MAX_ROWS = 10_000
MAX_COLUMNS = 100  # a register's sheet may be this wide (a return's is read in its first 30 columns)


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
    if value is None or isinstance(value, Unsaved):
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
            rows, numbers, unsaved = [], [], []
            for number, values in enumerate(grid[index + 1 :], start=index + 2):
                cells = {k: values[i] if i < len(values) else None for k, i in columns.items()}
                unsaved += [
                    f"{path} row {number}, column {k}: a formula ({c.formula[:60]}) whose value the workbook does not hold; "
                    "open the workbook in Excel or LibreOffice, save it, and import it again (or type the value)"
                    for k, c in cells.items() if isinstance(c, Unsaved)
                ]
                record = {k: _cell_text(c) for k, c in cells.items()}
                if not any(record.values()):
                    continue
                rows.append({k: record.get(k, "") for k in (*required, *optional)})
                numbers.append(number)
            if unsaved:
                raise ImportRefused(unsaved)
            if len(rows) > MAX_ROWS:
                raise ImportRefused([f"{path}: {len(rows)} rows; a register of more than {MAX_ROWS:,} is not one"])
            return Table(path, rows, numbers)
    found = ", ".join(header_key(c) for c in (grid[0] if grid else []) if c) or "nothing"
    raise ImportRefused([f"{path}: no header row with the columns {', '.join(required)} (the first row has {found})"])


def _csv_grid(path: Path) -> list[list]:
    data = _file_bytes(path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRefused([f"{path}: saved as UTF-16 text; save it as 'CSV UTF-8' and import that"])
    if b"\x00" in data:
        # the raw files it would become are refused by the refresh, which holds back every commissioner
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ImportRefused([f"{path} row {line}: a NUL byte, so not a CSV text file; save it as 'CSV UTF-8' and import that"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Saved by Excel as plain 'CSV': Windows-1252 ('£' is one byte). A byte that is no character there
        # either was read as '\ufffd', a name changed silently: refused, naming its row.
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise ImportRefused([
                f"{path} row {line}: byte 0x{data[error.start]:02X} is a character neither in UTF-8 nor in Windows-1252; "
                "save it as 'CSV UTF-8' and import that"
            ]) from None
    # Records as the csv module finds them: str.splitlines() also broke a row at a character such as
    # U+2028 inside a quoted name.
    return list(csv.reader(io.StringIO(text, newline="")))


def _xlsx_grid(path: Path) -> list[list]:
    """The first visible sheet as the analyst sees it: a percentage as the percentage shown ('29.7%', not
    the 0.297 stored), a formula whose value was never saved as Unsaved (never as a blank), every row
    and every column the sheet declares (a row below a gap, a column past the 30th, is never dropped)."""
    from openpyxl import load_workbook

    data = _file_bytes(path)
    problem = zip_problem(io.BytesIO(data))
    if problem:
        raise ImportRefused([f"{path}: {problem}"])
    try:
        values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds on a file that is not a workbook
        raise ImportRefused([f"{path}: cannot be opened as a workbook ({type(error).__name__})"]) from None
    try:
        visible = [s.title for s in values.worksheets if getattr(s, "sheet_state", "visible") == "visible"]
        if not visible:
            raise ImportRefused([f"{path}: every sheet is hidden; unhide the register's sheet and save it"])
        sheet, formula_rows = values[visible[0]], formulas[visible[0]].iter_rows(values_only=True)
        if (sheet.max_column or 0) > MAX_COLUMNS:
            raise ImportRefused([
                f"{path}: sheet '{visible[0]}' is {sheet.max_column:,} columns wide; a register has at most "
                f"{MAX_COLUMNS}: delete the columns beyond its table and save it"
            ])
        grid, filled = [], 0
        for row, written in zip(sheet.iter_rows(), formula_rows, strict=False):
            cells = [_shown(cell, formula) for cell, formula in zip(row, written, strict=False)]
            filled += any(c not in (None, "") for c in cells)
            if filled > MAX_ROWS + 20:
                raise ImportRefused([f"{path}: more than {MAX_ROWS:,} rows; a register of more than {MAX_ROWS:,} is not one"])
            grid.append(cells)
        return grid
    finally:
        values.close()
        formulas.close()


@dataclass(frozen=True)
class Unsaved:
    """A cell holding a formula whose value the workbook does not hold (written by a program that does
    not calculate, or never saved after the formula was typed): what it shows cannot be known."""

    formula: str


def _shown(cell, formula):
    value = getattr(cell, "value", None)
    if value is None and isinstance(formula, str) and formula.startswith("="):
        return Unsaved(formula)
    if isinstance(value, str):
        return value  # kept whole: cell_text would cut a long name short
    return None if value is None else shown_value(cell)


def _file_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportRefused([f"{path}: {size / 1e6:.1f} MB, over the {MAX_FILE_BYTES / 1e6:.0f} MB limit for one file; not read"])
        return path.read_bytes()
    except OSError as error:
        raise ImportRefused([f"{path}: cannot be read: {error.strerror or error}"]) from None
