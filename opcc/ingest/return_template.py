"""The return workbook a provider fills in: one contract and one quarter.

Contract, provider and period are filled in and locked; the provider types a
value (and a comment) against spend and each indicator, in unlocked cells
with data validation. The layout (sheet name, where the measures start) is
the one the reader knows (ingest/workbook.py), so a filled template reads
back exactly like the CSV.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from opcc.core.safe_text import put_text, put_value
from opcc.ingest.workbook import FIRST_DATA_ROW, SHEET, SUBMITTED_ON_CELL

HEADER = ("measure", "what to report", "unit", "value", "comment")
INPUT_FILL = PatternFill("solid", start_color="FFF2CC")
LABEL_FONT = Font(bold=True)
# Percentages are typed as the number shown (29.7 for 29.7%), so the cell is not formatted as a
# percentage: Excel would store 29.7% as 0.297.
VALUE_FORMATS = {"gbp": "#,##0.00", "count": "0", "percent": "0.0"}


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


# size: the template workbook's layout, cell by cell, reads best top to bottom.
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
    submitted = sheet[SUBMITTED_ON_CELL]
    submitted.protection = Protection(locked=False)
    submitted.fill = INPUT_FILL
    submitted.number_format = "dd/mm/yyyy"
    date_rule = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True)
    date_rule.error, date_rule.errorTitle = "Enter the date you send this return.", "Date"
    sheet.add_data_validation(date_rule)
    date_rule.add(SUBMITTED_ON_CELL)

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
        value_cell.number_format = VALUE_FORMATS[line.unit]
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


def template_lines_for(measures: list[tuple[str, str, str]]) -> list[TemplateLine]:
    return [TemplateLine("spend_gbp", "Spend in the quarter (£)", "gbp")] + [
        TemplateLine(code, name, unit) for code, name, unit in measures
    ]
