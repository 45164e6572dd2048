"""Every reader of an input file is bounded, with its limits from one home (settings.py), and a
file over a limit fails alone, with one line naming it: never a crash that stops everyone."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

import pytest

from opcc.core import settings
from opcc.ingest.csvfiles import FileReport
from opcc.ingest.filetypes import refusal
from opcc.ingest.return_tools import validate_file
from opcc.ingest.returns import discover, scan_returns_folder, summarise_not_read, walk_bounded
from opcc.ingest.row_count import count_file

PROJECT_ROOT = Path(__file__).resolve().parents[3]
RAW = PROJECT_ROOT / "raw"
HEADER = "contract_id,period,measure,value,comment\n"
LONG = 140_000  # over Python's default csv field limit of 131,072 characters


def long_comment_return(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        HEADER + f'LEI-001,2016-17 Q1,spend_gbp,94792.85,"{"x" * LONG}"\nLEI-001,2016-17 Q1,TRT_STARTS,47,\n', encoding="utf-8"
    )
    return path


def test_limits_have_one_home_and_the_csv_field_limit_is_the_file_limit():
    import csv

    assert settings.CSV_FIELD_LIMIT >= settings.MAX_FILE_BYTES
    assert csv.field_size_limit() == settings.CSV_FIELD_LIMIT
    from opcc.ingest import csvfiles, workbook

    assert csvfiles.MAX_FILE_BYTES is settings.MAX_FILE_BYTES
    assert workbook.MAX_UNCOMPRESSED_BYTES == settings.MAX_WORKBOOK_UNCOMPRESSED_BYTES


def test_every_module_that_reads_csv_takes_the_limit_from_settings():
    """No module imports the csv module directly (whose default limit is 131,072 characters)."""
    offenders = []
    for path in (PROJECT_ROOT / "orchestration").rglob("*.py"):
        if path.name == "settings.py":
            continue
        text = path.read_text(encoding="utf-8")
        if "\nimport csv\n" in text or "\nfrom csv import" in text:
            offenders.append(str(path.relative_to(PROJECT_ROOT)))
    assert not offenders, f"import csv through settings.csv_module(): {offenders}"


def test_a_comment_over_the_csv_field_limit_fails_only_its_row_and_the_counter_agrees(tmp_path):
    path = long_comment_return(tmp_path / "returns" / "2016-17 Q1" / "LEI-001.csv")
    assert count_file(path).rows == 2  # the independent counter reads it (the old counter raised _csv.Error)
    check = validate_file(path, RAW)
    assert check.report.read
    assert check.rows_ok == 1
    assert [(p["row_number"], p["column_name"]) for p in check.problems] == [(2, "comment")]
    assert "comment longer than" in check.problems[0]["reason"]


def test_a_field_over_the_limit_in_the_counter_is_a_line_naming_why(tmp_path, monkeypatch):
    """Even a field beyond every limit is a ValueError the accounting check reports, never a crash."""
    path = long_comment_return(tmp_path / "r.csv")
    import csv

    monkeypatch.setattr(settings, "CSV_FIELD_LIMIT", 1000)
    previous = csv.field_size_limit(1000)
    try:
        with pytest.raises(ValueError, match="cannot be counted"):
            count_file(path)
    finally:
        csv.field_size_limit(previous)


def test_a_register_with_a_very_long_description_is_read_not_a_traceback(tmp_path):
    from opcc.framework_import.register import ImportRefused, import_allocations

    register = tmp_path / "register.csv"
    register.write_text(
        "initiative,provider,allocated_gbp,funding_mechanism,primary_priority,description\n"
        f'Thing,Someone,1000,NOPE,NOPE,"{"d" * LONG}"\n',
        encoding="utf-8",
    )
    raw = tmp_path / "raw"
    import shutil

    shutil.copytree(RAW, raw)
    with pytest.raises(ImportRefused) as refused:
        import_allocations(register, raw, commissioner="TST", version="2016-17 v1", plan_file=None)
    assert all("field larger" not in line for line in refused.value.problems)


def make_deep(top: Path, depth: int = 1500) -> None:
    here = os.getcwd()
    os.chdir(top)
    try:
        for _ in range(depth):
            os.mkdir("d")
            os.chdir("d")
        Path("LEI-001.csv").write_text(HEADER, encoding="utf-8")
    finally:
        os.chdir(here)


def remove_deep(top: Path) -> None:
    """shutil.rmtree (and so pytest's tmp_path cleanup) recurses: take the tree down by hand."""
    here = os.getcwd()
    os.chdir(top)
    try:
        depth = 0
        while os.path.isdir("d"):
            os.chdir("d")
            depth += 1
        for name in os.listdir("."):
            os.remove(name)
        for _ in range(depth):
            os.chdir("..")
            os.rmdir("d")
    finally:
        os.chdir(here)


@pytest.fixture
def deep_folder(tmp_path):
    top = tmp_path / "raw" / "returns" / "not a period"
    top.mkdir(parents=True)
    make_deep(top)
    yield tmp_path / "raw"
    remove_deep(top)


def test_a_folder_1500_deep_is_listed_as_rejected_with_its_reason(deep_folder):
    raw = deep_folder
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # no recursion, whatever the depth
    try:
        scan = scan_returns_folder(raw, date(2016, 11, 24))
    finally:
        sys.setrecursionlimit(limit)
    reasons = {n.path: n.reason for n in scan.notes}
    assert "returns/not a period" in reasons
    deep = [r for p, r in reasons.items() if "nested more than" in r]
    assert deep and f"{settings.MAX_FOLDER_DEPTH} deep" in deep[0]


def test_a_folder_scan_stops_at_the_entry_bound(tmp_path):
    for i in range(30):
        (tmp_path / f"f{i:02}").write_text("x")
    files, stopped = walk_bounded(tmp_path, max_entries=10)
    assert len(files) <= 10 and "more than 10 entries" in stopped


def test_a_hard_link_or_a_symbolic_link_from_outside_raw_is_not_read(tmp_path):
    outside = tmp_path / "secret.csv"
    outside.write_text(HEADER + "LEI-001,2016-17 Q1,spend_gbp,1,\n", encoding="utf-8")
    folder = tmp_path / "raw" / "returns" / "2016-17 Q1"
    folder.mkdir(parents=True)
    os.link(outside, folder / "LEI-001.csv")
    os.symlink(outside, folder / "LEI-002.csv")
    found, refused = discover(tmp_path / "raw", "2016-17 Q1", settle=0)
    assert found == []
    reasons = {r.path: r.reason for r in refused}
    assert "hard link" in reasons["returns/2016-17 Q1/LEI-001.csv"]
    assert "symbolic link" in reasons["returns/2016-17 Q1/LEI-002.csv"]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("first", ["contract_id", "€contract_id", "ŉ,contract_id"])
def test_utf16_without_a_byte_order_mark_says_utf16(tmp_path, encoding, first):
    path = tmp_path / "return.csv"
    path.write_bytes((first + ",period,measure,value,comment\nLEI-001,2016-17 Q1,spend_gbp,1,\n").encode(encoding))
    assert "UTF-16 text" in (refusal(path) or "")
    check = validate_file(path, RAW)
    assert not check.report.read and "UTF-16" in check.report.reason


def test_twenty_thousand_files_not_read_are_summarised_not_listed():
    reports = [FileReport(path=f"returns/x/{i}.txt", status="rejected", reason="not a return: a text file (.txt)") for i in range(20_000)]
    reports += [FileReport(path="returns/y/a.xls", status="rejected", reason="an Excel 97-2003 workbook (.xls): save it")]
    lines = summarise_not_read(reports)
    assert len(lines) <= 2 + settings.SHOWN_PER_KIND
    assert "20,001 files" in lines[0] and "audit.rejected_files" in lines[0]
    assert any("20,000 x rejected" in line and "returns/x/0.txt" in line for line in lines)
    few = summarise_not_read(reports[:3])
    assert len(few) == 3 and few[0].startswith("returns/x/0.txt")
