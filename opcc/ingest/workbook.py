"""Reading an XLSX return (the template `opcc template` writes, or a long-form sheet) into rows.

A filled workbook gives exactly the rows a CSV return would give
(contract_id, period, measure, value, comment), each with its sheet row, and
its values go through the same rules. A cell is read as the value it shows:
a number formatted as a percentage (29.7% is stored as 0.297) is read as the
percentage, 29.7. The 'Submitted on' date is kept as evidence of when the
return was sent.

A workbook is opened only after its zip directory has been checked, so a
file that would expand to gigabytes is rejected before it is read; a file
that is not an .xlsx workbook (an .xls, .ods, .xlsm, an encrypted workbook,
a CSV under the wrong name) is refused with what it is and what to do.
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from openpyxl import load_workbook

from opcc.core.settings import MAX_FILE_BYTES, MAX_WORKBOOK_UNCOMPRESSED_BYTES
from opcc.ingest.csvfiles import MAX_VALUE_CHARS, NOT_A_FILE, FileReport, sha256_of, still_being_written
from opcc.ingest.filetypes import MAX_COLUMNS, SNIFF_BYTES, describe
from opcc.ingest.personal_data import screen

# The layout of the template (opcc/ingest/return_template.py writes it, this reads it).
SHEET = "Return"
FIRST_DATA_ROW = 13
SUBMITTED_ON_CELL = "B10"
MAX_UNCOMPRESSED_BYTES = MAX_WORKBOOK_UNCOMPRESSED_BYTES
MAX_COMPRESSION_RATIO = 200
MAX_ROWS = 5000
KNOWN_COLUMNS = {"contract_id", "period", "measure", "value", "comment", "what to report", "unit"}


def zip_problem(path) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile:
        return "not an XLSX workbook (not a zip archive)"
    except OSError as error:
        return f"cannot read file: {error}"
    total = sum(e.file_size for e in entries)
    if total > MAX_UNCOMPRESSED_BYTES:
        return f"workbook would expand to {total / 1e6:.0f} MB (limit {MAX_UNCOMPRESSED_BYTES / 1e6:.0f} MB); not opened"
    for entry in entries:
        if entry.compress_size and entry.file_size / entry.compress_size > MAX_COMPRESSION_RATIO and entry.file_size > 1_000_000:
            return f"workbook part {entry.filename} is compressed {entry.file_size // entry.compress_size}:1, like a zip bomb; not opened"
    if not any(e.filename == "xl/workbook.xml" for e in entries):
        return "not an XLSX workbook (no xl/workbook.xml)"
    return None


def cell_text(value) -> str:
    """A cell's value as the text a CSV would carry."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[: MAX_VALUE_CHARS * 2]


def shown_value(cell) -> str:
    """The text of a cell as the person who typed it sees it: a number in a cell formatted as a
    percentage is the percentage shown (0.297 under '0.0%' is '29.7%'), not the fraction stored, and
    keeps its '%', so a percentage typed for money or a count is refused as the same text in a CSV is."""
    value = getattr(cell, "value", None)
    number_format = getattr(cell, "number_format", None) or ""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in number_format.replace('"%"', ""):
        try:
            percent = (Decimal(repr(value)) * 100).normalize()
        except InvalidOperation:
            return cell_text(value)
        return format(percent, "f") + "%"
    return cell_text(value)


def read_workbook(path: Path, shown: str, max_file_bytes: int = MAX_FILE_BYTES) -> tuple[list[dict], FileReport]:
    """Rows of a return workbook (template or long form), or a rejected report saying why."""
    report = FileReport(path=shown)
    try:
        before = path.stat()
        report.size_bytes, report.modified_at = before.st_size, before.st_mtime
        if report.size_bytes > max_file_bytes:
            report.status = "rejected"
            report.reason = f"file is {report.size_bytes / 1e6:.1f} MB, over the {max_file_bytes / 1e6:.0f} MB limit for one return; not read"
            return [], report
        with os.fdopen(os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)), "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                report.status, report.reason = "rejected", NOT_A_FILE
                return [], report
            data = handle.read()
        if still_being_written(report, before, path.stat(), len(data)):
            return [], report
        report.sha256 = sha256_of(data)
    except OSError as error:
        report.status, report.reason = "rejected", f"cannot read file: {error.strerror or error}"
        return [], report
    problem = zip_problem(io.BytesIO(data)) if data.startswith(b"PK\x03\x04") else None
    problem = problem or describe(path, data[:SNIFF_BYTES])
    if problem:
        report.status, report.reason = "rejected", problem
        return [], report
    try:
        # The bytes read (and hashed) above, never the path again: what is read is what was fingerprinted.
        values_book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas_book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        report.status, report.reason = "rejected", f"workbook cannot be opened: {type(error).__name__}: {str(error)[:200]}"
        return [], report
    try:
        rows = _read_sheet(values_book, formulas_book, report)
    except TooManyRows as error:
        report.status, report.reason = "rejected", str(error)
        rows = []
    except Exception as error:
        report.status, report.reason = "rejected", f"workbook cannot be read: {type(error).__name__}: {str(error)[:200]}"
        rows = []
    finally:
        values_book.close()
        formulas_book.close()
    if report.read:
        report.rows_read = len(rows)
        if not rows:
            report.status, report.reason = "rejected", "the return sheet has no rows to read"
    return rows, report


class TooManyRows(ValueError):
    pass


def _grid(sheet) -> list[list]:
    """Every cell (value and number format) of the first MAX_ROWS x MAX_COLUMNS of a sheet; a sheet
    with a value further down is not a return (never read in part)."""
    grid = []
    for row in sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS):
        if len(grid) < MAX_ROWS:
            grid.append(list(row))
        elif any(getattr(c, "value", None) not in (None, "") for c in row):
            raise TooManyRows(f"sheet {screen(str(sheet.title)[:40])} has values below row {MAX_ROWS}: a return has one row per measure")
    return grid


def _label(cell) -> str:
    value = getattr(cell, "value", None)
    return str(value).strip().lower() if value is not None else ""


def _find_return_sheet(book, report: FileReport):
    candidates = [ws for ws in book.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
    hidden = [ws.title for ws in book.worksheets if getattr(ws, "sheet_state", "visible") != "visible"]
    if hidden:
        report.warnings.append(f"hidden sheets not read: {', '.join(screen(h[:40]) for h in hidden[:5])}")
    ordered = sorted(candidates, key=lambda ws: ws.title != SHEET)
    for position, sheet in enumerate(ordered):
        grid = _grid(sheet)
        for index, row in enumerate(grid[:60]):
            names = [_label(c) for c in row]
            if "measure" in names and "value" in names:
                others = [ws.title for ws in ordered[position + 1 :] if _has_return_header(ws)]
                if others:
                    report.warnings.append(
                        f"sheets also holding a return not read: {', '.join(screen(t[:40]) for t in others[:5])} "
                        f"(only sheet {screen(sheet.title[:40])} is read: send one return per workbook)"
                    )
                return sheet, grid, index, names
    return None, [], None, []


def _has_return_header(sheet) -> bool:
    for row in sheet.iter_rows(max_row=60, max_col=MAX_COLUMNS, values_only=True):
        names = {str(v).strip().lower() for v in row if v is not None}
        if "measure" in names and "value" in names:
            return True
    return False


def _read_sheet(values_book, formulas_book, report: FileReport) -> list[dict]:
    sheet, grid, header_index, names = _find_return_sheet(values_book, report)
    if sheet is None:
        report.status = "rejected"
        report.reason = "no visible sheet holds a return (a header row with 'measure' and 'value')"
        return []
    formulas = [[getattr(c, "value", None) for c in row] for row in _grid(formulas_book[sheet.title])]
    labels = {}
    for row in grid[:header_index]:
        if len(row) > 1 and isinstance(getattr(row[0], "value", None), str):
            labels[row[0].value.strip().lower()] = row[1]
    submitted = labels.get("submitted on")
    if submitted is not None and getattr(submitted, "value", None) is not None:
        # Kept as written (a date cell, or text typed as '08/07/2016'); read with the log's date rules.
        report.submitted_on = cell_text(submitted.value)[:40]
    column = {name: i for i, name in enumerate(names) if name}
    report.columns = list(column)
    long_form = "contract_id" in column and "period" in column
    contract = cell_text(getattr(labels.get("contract"), "value", None))
    period = cell_text(getattr(labels.get("period"), "value", None))
    rows = []
    for offset, row in enumerate(grid[header_index + 1 :], start=header_index + 2):
        def get(name, row=row):
            i = column.get(name)
            return row[i] if i is not None and i < len(row) else None

        values = [getattr(c, "value", None) for c in row]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        value_cell = get("value")
        value_text = shown_value(value_cell)
        if getattr(value_cell, "value", None) is None:
            formula = formulas[offset - 1][column["value"]] if offset - 1 < len(formulas) else None
            if isinstance(formula, str) and formula.startswith("="):
                value_text = "#FORMULA-WITHOUT-VALUE"
        rows.append(
            {
                "contract_id": cell_text(getattr(get("contract_id"), "value", None)) if long_form else contract,
                "period": cell_text(getattr(get("period"), "value", None)) if long_form else period,
                "measure": cell_text(getattr(get("measure"), "value", None)),
                "value": value_text,
                "comment": cell_text(getattr(get("comment"), "value", None)),
                "_source_file": report.path,
                "_source_row": offset,
            }
        )
    extra = [n for n in column if n not in KNOWN_COLUMNS]
    if extra:
        report.warnings.append(f"extra columns ignored: {', '.join(screen(e[:40]) for e in extra[:10])}")
    return rows
