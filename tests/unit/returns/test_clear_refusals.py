"""Clear refusals: every file a provider or office software may send gets one line saying what it is
and what to do, from `opcc validate-return` as from the refresh; no traceback anywhere."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from opcc.core import sql_macros
from orchestration.commands.cli import main
from tests.conftest import RAW, run_opcc

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "returns"


@pytest.mark.parametrize(
    ("fixture", "name", "says"),
    [
        ("excel-97.xls", "LEI-032.xls", "an Excel 97-2003 workbook (.xls)"),
        ("opendocument.ods", "LEI-032.ods", "an OpenDocument spreadsheet (.ods)"),
        ("macro-enabled.xlsm", "LEI-032.xlsm", "a macro-enabled workbook (.xlsm)"),
        ("password-protected.xlsx", "LEI-032.xlsx", "a password-protected (encrypted) workbook"),
        ("utf16-unicode-text.csv", "LEI-003.csv", "UTF-16 text"),
        ("semicolon-separated.csv", "LEI-003.csv", "columns separated by ';', not commas"),
        ("excel-97.xls", "LEI-032.xlsx", "an Excel 97-2003 workbook (.xls)"),  # an .xls renamed .xlsx
        ("opendocument.ods", "LEI-032.csv", "an OpenDocument spreadsheet (.ods)"),  # and an .ods renamed .csv
        ("semicolon-separated.csv", "LEI-003.xlsx", "columns separated by ';', not commas"),
    ],
)
def test_validate_return_says_what_the_file_is_and_what_to_do(tmp_path, fixture, name, says):
    folder = tmp_path / "returns" / "2016-17 Q1"
    folder.mkdir(parents=True)
    path = folder / name
    shutil.copyfile(FIXTURES / fixture, path)
    result = CliRunner().invoke(main, ["validate-return", str(path), "--raw", str(RAW)])
    assert result.exit_code == 1 and (result.exception is None or isinstance(result.exception, SystemExit)), result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and says in lines[0] and ("save it as" in lines[0] or "rename" in lines[0] or "remove the password" in lines[0])


def test_validate_return_refuses_an_xls_in_one_line_from_the_command(tmp_path):
    path = tmp_path / "LEI-032.xls"
    shutil.copyfile(FIXTURES / "excel-97.xls", path)
    completed = run_opcc("validate-return", str(path), "--raw", str(RAW), timeout=120)
    assert completed.returncode == 1 and "Traceback" not in completed.stdout + completed.stderr
    assert completed.stdout.strip().splitlines() == [
        f"{path}: cannot be read: an Excel 97-2003 workbook (.xls), a format the warehouse does not read: open it in Excel "
        "or LibreOffice and save it as 'Excel Workbook (.xlsx)' or 'CSV UTF-8 (Comma delimited)'"
    ]


def test_validate_return_never_prints_personal_data(tmp_path):
    folder = tmp_path / "returns" / "2016-17 Q1"
    folder.mkdir(parents=True)
    for name in ("pii-headerless.csv", "pii-malformed-row.csv"):
        shutil.copyfile(FIXTURES / name, folder / name)
        completed = run_opcc("validate-return", str(folder / name), "--raw", str(RAW), timeout=120)
        output = completed.stdout + completed.stderr
        assert completed.returncode == 1 and "Traceback" not in output
        assert not re.search(r"Jane|John|07700|1987|1990|High Street|Mill Lane|LE1 5AB|LE10", output), output


def test_validate_return_with_no_reference_data_is_one_line(tmp_path):
    path = tmp_path / "LEI-009.csv"
    shutil.copyfile(FIXTURES / "split-spend.csv", path)
    completed = run_opcc("validate-return", str(path), "--raw", str(tmp_path / "nowhere"), timeout=120)
    assert completed.returncode == 2 and "Traceback" not in completed.stderr
    assert completed.stderr.strip().splitlines() == [f"error: {tmp_path / 'nowhere' / 'framework' / 'contracts.csv'} is needed to check a return"]


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("08/07/2016 12:37:00", "2016-07-08 12:37:00"),  # as Excel writes it
        ("08/07/2016 12:37", "2016-07-08 12:37:00"),
        ("8/7/2016", "2016-07-08 00:00:00"),
        ("08-07-2016", "2016-07-08 00:00:00"),
        ("08.07.2016", "2016-07-08 00:00:00"),
        ("08/07/16", "2016-07-08 00:00:00"),
        ("8 July 2016", "2016-07-08 00:00:00"),
        ("8 Jul 2016 09:15", "2016-07-08 09:15:00"),
        ("2016-07-08", "2016-07-08 00:00:00"),
        ("2016-07-08T12:37:00", "2016-07-08 12:37:00"),
        ("2016-07-08 12:37", "2016-07-08 12:37:00"),
        (" 2016-07-08 12:37:05.250 ", "2016-07-08 12:37:05.250000"),
        ("07/13/2016", None),  # month first: not a UK date, and not guessed
        ("last Tuesday", None),
        ("", None),
    ],
)
def test_dates_are_read_as_people_in_the_uk_type_them(typed, read):
    value = sql_macros.evaluate("parse_uk_timestamp", typed)
    assert (str(value) if value is not None else None) == read
