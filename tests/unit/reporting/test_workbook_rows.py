"""A table sheet's rows, written as sheet XML beside openpyxl, read back as a spreadsheet reads them."""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook, load_workbook

from opcc.reporting.data import Table
from opcc.reporting.workbook import FIRST_ROW, MONEY, MONEY_PENCE, PERCENT, _save, write_table

COLUMNS = ["contract_id", "note", "spend_gbp", "cost_per_unit_gbp", "share", "people", "received", "comment"]
ROWS = [
    ("C-1", "=HYPERLINK(\"http://x\")", Decimal("1234.5"), 12.25, 0.297, 17, date(2016, 7, 1), "fine"),
    ("C-2", "  padded  ", math.nan, None, None, None, datetime(2016, 7, 1, 9, 30), "a\x01b <b>&amp;</b> " + "word " * 40),
    ("C-3", "x" * 40_000, -0.0, 1e-7, 1.5, 2**40, None, ""),
]


def _table(rows) -> Table:
    return Table(
        "rows", "Rows & <things>", COLUMNS, rows, note="A note", money={"spend_gbp", "cost_per_unit_gbp"},
        percent={"share"}, counts={"people"}, sheet="Rows",
    )


def _written(tmp_path, rows):
    book = Workbook()
    placed = write_table(book, _table(rows), {})
    path = tmp_path / "rows.xlsx"
    _save(book, {"Rows": placed} if placed else {}, path)
    return load_workbook(path)["Rows"]


def test_values_types_and_formats_read_back(tmp_path):
    sheet = _written(tmp_path, ROWS)
    first = FIRST_ROW + 1
    assert [c.value for c in sheet[FIRST_ROW]][:3] == ["contract id", "note", "spend"]
    assert sheet.max_row == FIRST_ROW + len(ROWS) and sheet.dimensions == f"A1:H{FIRST_ROW + len(ROWS)}"
    spend, per_unit, share, people = (sheet.cell(row=first, column=c) for c in (3, 4, 5, 6))
    assert spend.value == 1234.5 and spend.number_format == MONEY
    assert per_unit.value == 12.25 and per_unit.number_format == MONEY_PENCE
    assert share.value == 0.297 and share.number_format == PERCENT
    assert people.value == 17 and people.number_format == "#,##0"
    assert sheet.cell(row=first, column=7).value == datetime(2016, 7, 1) and sheet.cell(row=first, column=7).is_date
    assert sheet.cell(row=first + 1, column=7).value == datetime(2016, 7, 1, 9, 30)
    assert sheet.cell(row=first + 2, column=6).value == 2**40
    assert sheet.cell(row=first + 2, column=4).value == 1e-7


def test_text_stays_text_and_nothing_is_guessed(tmp_path):
    sheet = _written(tmp_path, ROWS)
    first = FIRST_ROW + 1
    formula = sheet.cell(row=first, column=2)
    assert formula.data_type == "s" and formula.quotePrefix and formula.value.startswith("=HYPERLINK")
    assert sheet.cell(row=first + 1, column=2).value == "  padded  ", "spaces kept"
    assert sheet.cell(row=first + 1, column=3).value is None, "a number that is not finite is left blank, not 0"
    comment = sheet.cell(row=first + 1, column=8)
    assert comment.value.startswith("ab <b>&amp;</b> word"), "markup is text; a control character is dropped"
    assert comment.alignment.wrap_text and sheet.row_dimensions[first + 1].height > 12.75, "a long text wraps and its row grows"
    assert len(sheet.cell(row=first + 2, column=2).value) == 32767, "a spreadsheet cell holds 32,767 characters"
    assert sheet.cell(row=first + 2, column=8).value is None


def test_an_empty_table_says_so(tmp_path):
    sheet = _written(tmp_path, [])
    assert sheet.cell(row=FIRST_ROW + 1, column=1).value == "None."
    assert "Rows" in sheet.tables and sheet.tables["Rows"].ref == f"A{FIRST_ROW}:H{FIRST_ROW + 1}"
