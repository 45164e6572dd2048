"""The XLSX return: a template a provider fills in, and the reader that turns it back into rows.

The template holds one contract and one quarter: contract, provider and
period are filled in and locked; the provider types a value (and a comment)
against spend and each indicator, in unlocked cells with data validation.
Read back, a workbook gives exactly the rows a CSV return would give
(contract_id, period, measure, value, comment), each with its sheet row.

A workbook is opened only after its zip directory has been checked, so a
file that would expand to gigabytes is rejected before it is read.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..safe_text import put_text, put_value
from .csvfiles import MAX_FILE_BYTES, MAX_VALUE_CHARS, FileReport, sha256_of

SHEET = "Return"
HEADER = ("measure", "what to report", "unit", "value", "comment")
FIRST_DATA_ROW = 13
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_ROWS = 5000
MAX_COLUMNS = 30
INPUT_FILL = PatternFill("solid", start_color="FFF2CC")
LABEL_FONT = Font(bold=True)


@dataclass(frozen=True)
class TemplateLine:
    measure: str
    label: str
    unit: str  # gbp | count | percent


@dataclass(frozen=True)
class TemplateHeader:
    contract_id: str
    initiative: str
    provider: str
    period: str
    months: str
    due: date


def write_template(
    path: Path,
    header: TemplateHeader,
    lines: list[TemplateLine],
    values: dict[str, float | str] | None = None,
    comments: dict[str, str] | None = None,
    submitted_on: date | None = None,
) -> Path:
    """Write a return workbook; with `values` it is a filled one (the sample generator's use)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet["A1"] = "Quarterly performance return"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = "Fill in the yellow cells: numbers only (money in pounds, percentages 0 to 100) and any comment."
    for row, (label, value) in enumerate(
        [
            ("Contract", header.contract_id),
            ("Initiative", header.initiative),
            ("Provider", header.provider),
            ("Period", header.period),
            ("Quarter", header.months),
            ("Return due", header.due),
            ("Submitted on", submitted_on),
        ],
        start=4,
    ):
        sheet.cell(row=row, column=1, value=label).font = LABEL_FONT
        cell = sheet.cell(row=row, column=2)
        put_value(cell, value)
        if isinstance(value, date):
            cell.number_format = "dd/mm/yyyy"
    submitted = sheet["B10"]
    submitted.protection = Protection(locked=False)
    submitted.fill = INPUT_FILL
    submitted.number_format = "dd/mm/yyyy"
    date_rule = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True)
    date_rule.error, date_rule.errorTitle = "Enter the date you send this return.", "Date"
    sheet.add_data_validation(date_rule)
    date_rule.add("B10")

    for column, title in enumerate(HEADER, start=1):
        sheet.cell(row=FIRST_DATA_ROW - 1, column=column, value=title).font = LABEL_FONT
    rules = {
        "gbp": DataValidation(type="decimal", operator="between", formula1="0", formula2="1000000000", allow_blank=True),
        "count": DataValidation(type="whole", operator="between", formula1="0", formula2="10000000", allow_blank=True),
        "percent": DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True),
    }
    messages = {"gbp": "An amount in pounds, 0 or more.", "count": "A whole number, 0 or more.", "percent": "A percentage from 0 to 100."}
    for unit, rule in rules.items():
        rule.error, rule.errorTitle = messages[unit], "Value"
        rule.prompt, rule.promptTitle = messages[unit], "Value"
        sheet.add_data_validation(rule)
    comment_rule = DataValidation(type="textLength", operator="lessThanOrEqual", formula1="1000", allow_blank=True)
    comment_rule.error = "Keep comments under 1,000 characters, with no names or personal details."
    sheet.add_data_validation(comment_rule)
    for offset, line in enumerate(lines):
        row = FIRST_DATA_ROW + offset
        put_text(sheet.cell(row=row, column=1), line.measure)
        put_text(sheet.cell(row=row, column=2), line.label)
        put_text(sheet.cell(row=row, column=3), line.unit)
        value_cell = sheet.cell(row=row, column=4)
        put_value(value_cell, (values or {}).get(line.measure))
        comment_cell = sheet.cell(row=row, column=5)
        put_text(comment_cell, (comments or {}).get(line.measure) or None)
        for cell in (value_cell, comment_cell):
            cell.protection = Protection(locked=False)
            cell.fill = INPUT_FILL
        value_cell.number_format = {"gbp": "#,##0.00", "count": "0", "percent": "0.0"}[line.unit]
        rules[line.unit].add(value_cell.coordinate)
        comment_rule.add(comment_cell.coordinate)
        comment_cell.alignment = Alignment(wrap_text=True)
    for column, width in zip("ABCDE", (18, 52, 9, 16, 50), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = f"A{FIRST_DATA_ROW}"
    sheet.protection.sheet = True  # locked cells (contract, period, measures) cannot be typed over
    sheet.protection.formatColumns = False
    workbook.properties.creator = "opcc template"
    workbook.properties.created = workbook.properties.modified = datetime(2016, 4, 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    _fix_zip_times(path)
    return path


def _fix_zip_times(path: Path) -> None:
    """openpyxl stamps each part, and the 'modified' property, with the time of writing; fixed times
    make the same workbook the same bytes."""
    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info)) for info in source.infolist()]
    parts = [
        (info, re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2016-04-01T00:00:00Z", data))
        if info.filename == "docProps/core.xml"
        else (info, data)
        for info, data in parts
    ]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts:
            fixed = zipfile.ZipInfo(info.filename, date_time=(2016, 4, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, data)


def _zip_problem(path: Path) -> str | None:
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


def read_workbook(path: Path, shown: str, max_file_bytes: int = MAX_FILE_BYTES) -> tuple[list[dict], FileReport]:
    """Rows of a return workbook (template or long form), or a rejected report saying why."""
    report = FileReport(path=shown)
    try:
        report.size_bytes = path.stat().st_size
        if report.size_bytes > max_file_bytes:
            report.status = "rejected"
            report.reason = f"file is {report.size_bytes / 1e6:.1f} MB, over the {max_file_bytes / 1e6:.0f} MB limit for one return; not read"
            return [], report
        report.sha256 = sha256_of(path.read_bytes())
    except OSError as error:
        report.status, report.reason = "rejected", f"cannot read file: {error.strerror or error}"
        return [], report
    problem = _zip_problem(path)
    if problem:
        report.status, report.reason = "rejected", problem
        return [], report
    try:
        values_book = load_workbook(path, read_only=True, data_only=True)
        formulas_book = load_workbook(path, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        report.status, report.reason = "rejected", f"workbook cannot be opened: {type(error).__name__}: {str(error)[:200]}"
        return [], report
    try:
        rows = _read_sheet(values_book, formulas_book, report)
    except Exception as error:
        report.status, report.reason = "rejected", f"workbook cannot be read: {type(error).__name__}: {str(error)[:200]}"
        rows = []
    finally:
        values_book.close()
        formulas_book.close()
    if report.status != "rejected":
        report.rows_read = len(rows)
        if not rows:
            report.status, report.reason = "rejected", "the return sheet has no rows to read"
    return rows, report


def _grid(sheet) -> list[list]:
    grid = []
    for row in sheet.iter_rows(min_row=1, max_row=MAX_ROWS, max_col=MAX_COLUMNS, values_only=True):
        grid.append(list(row))
    return grid


def _find_return_sheet(book, report: FileReport):
    candidates = [ws for ws in book.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
    hidden = [ws.title for ws in book.worksheets if getattr(ws, "sheet_state", "visible") != "visible"]
    if hidden:
        report.warnings.append(f"hidden sheets not read: {', '.join(hidden[:5])}")
    ordered = sorted(candidates, key=lambda ws: ws.title != SHEET)
    for sheet in ordered:
        grid = _grid(sheet)
        for index, row in enumerate(grid[:60]):
            names = [str(c).strip().lower() if c is not None else "" for c in row]
            if "measure" in names and "value" in names:
                return sheet, grid, index, names
    return None, [], None, []


def _read_sheet(values_book, formulas_book, report: FileReport) -> list[dict]:
    sheet, grid, header_index, names = _find_return_sheet(values_book, report)
    if sheet is None:
        report.status = "rejected"
        report.reason = "no visible sheet holds a return (a header row with 'measure' and 'value')"
        return []
    formulas = _grid(formulas_book[sheet.title])
    labels = {}
    for row in grid[:header_index]:
        if row and isinstance(row[0], str) and len(row) > 1:
            labels[row[0].strip().lower()] = row[1]
    submitted = labels.get("submitted on")
    if isinstance(submitted, (date, datetime)):
        report.submitted_on = cell_text(submitted)
    column = {name: i for i, name in enumerate(names) if name}
    report.columns = list(column)
    long_form = "contract_id" in column and "period" in column
    contract = cell_text(labels.get("contract"))
    period = cell_text(labels.get("period"))
    rows = []
    for offset, row in enumerate(grid[header_index + 1 :], start=header_index + 2):
        def get(name, row=row):
            i = column.get(name)
            return row[i] if i is not None and i < len(row) else None

        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        value = get("value")
        value_text = cell_text(value)
        if value is None:
            formula = formulas[offset - 1][column["value"]] if offset - 1 < len(formulas) else None
            if isinstance(formula, str) and formula.startswith("="):
                value_text = "#FORMULA-WITHOUT-VALUE"
        rows.append(
            {
                "contract_id": cell_text(get("contract_id")) if long_form else contract,
                "period": cell_text(get("period")) if long_form else period,
                "measure": cell_text(get("measure")),
                "value": value_text,
                "comment": cell_text(get("comment")),
                "_source_file": report.path,
                "_source_row": offset,
            }
        )
    extra = [n for n in column if n not in {"contract_id", "period", "measure", "value", "comment", "what to report", "unit"}]
    if extra:
        report.warnings.append(f"extra columns ignored: {', '.join(extra[:10])}")
    return rows


def template_lines_for(measures: list[tuple[str, str, str]]) -> list[TemplateLine]:
    return [TemplateLine("spend_gbp", "Spend in the quarter (£)", "gbp")] + [
        TemplateLine(code, name, unit) for code, name, unit in measures
    ]


def column_letter(index: int) -> str:
    return get_column_letter(index)
