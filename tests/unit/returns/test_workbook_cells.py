"""A workbook return is read as the person who filled it sees it, and what it leaves unread is said."""

from __future__ import annotations

import shutil

from openpyxl import load_workbook

from opcc.ingest.return_tools import validate_file
from tests.conftest import RAW

PERIOD = "2016-17 Q4"
TEMPLATE = RAW / "returns" / PERIOD / "LEI-032.xlsx"  # spend in D13, VIC_SATISFIED (a percentage) in D17


def workbook(tmp_path, edit):
    folder = tmp_path / "returns" / PERIOD
    folder.mkdir(parents=True)
    path = folder / "LEI-032.xlsx"
    shutil.copyfile(TEMPLATE, path)
    book = load_workbook(path)
    edit(book)
    book.save(path)
    return validate_file(path, RAW)


def test_a_percent_formatted_cell_is_a_percentage_for_a_percentage_and_refused_for_money(tmp_path):
    """50% typed in the spend cell was read as £50 (the CSV '50%' is refused): never guess a number."""

    def edit(book):
        sheet = book["Return"]
        sheet["D13"].value, sheet["D13"].number_format = 0.5, "0%"
        sheet["D17"].value, sheet["D17"].number_format = 0.297, "0.0%"

    result = workbook(tmp_path, edit)
    assert [(p["row_number"], p["column_name"]) for p in result.problems] == [(13, "value")]
    assert "value '50%' is a percentage, but spend_gbp is money" in result.problems[0]["reason"]
    assert result.rows_ok == 5, "29.7% in the percentage's own cell still loads (as 29.7)"


def test_a_second_visible_sheet_holding_a_return_is_named_as_not_read(tmp_path):
    def edit(book):
        copy = book.copy_worksheet(book["Return"])
        copy.title = "Q3 figures"

    result = workbook(tmp_path, edit)
    assert result.ok and result.rows_ok == 6
    assert any("sheets also holding a return not read: Q3 figures" in w for w in result.report.warnings), result.report.warnings
