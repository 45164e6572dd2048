"""An analyst's mistakes at the command line: one line and a non-zero exit, never a traceback, and
nothing started or written first.

No warehouse is built: the commands run on a small DuckDB file made here, or on none.
"""

from __future__ import annotations

import time

import duckdb
import pytest

from opcc.core.periods import read_typed
from tests.conftest import run_opcc


@pytest.fixture
def small_warehouse(tmp_path):
    live = tmp_path / "opcc.duckdb"
    with duckdb.connect(str(live)) as con:
        con.execute("create schema audit")
        con.execute("create table audit.refreshes as select 'run' as run_id")
        con.execute("create table numbers as select range as n from range(3)")
    return live


def refused(completed, option: str) -> bool:
    return completed.returncode == 2 and f"Invalid value for '{option}'" in completed.stderr and "Traceback" not in completed.stderr


def test_a_warehouse_another_program_holds_for_writing_is_one_line(small_warehouse):
    """DuckDB lets one writer have a file and no one read it meanwhile: the read commands met that as
    a traceback (_duckdb.IOException: Could not set lock), and `opcc status` too."""
    writer = duckdb.connect(str(small_warehouse))  # this test's process holds it, as a notebook would
    try:
        for args in (
            ["cost-per-outcome"],
            ["template", "--contract", "X-1", "--period", "2016-17 Q1", "--out", str(small_warehouse.parent / "t.xlsx")],
            ["query", "select 1"],
        ):
            completed = run_opcc(*args, "--warehouse", str(small_warehouse))
            assert completed.returncode == 2, completed.stderr
            assert "Traceback" not in completed.stderr, completed.stderr
            assert "is open for writing by another program" in completed.stderr, completed.stderr
            assert len(completed.stderr.strip().splitlines()) == 1, completed.stderr
        status = run_opcc("status", "--warehouse", str(small_warehouse))
        assert status.returncode == 1 and "IN USE" in status.stdout and "Traceback" not in status.stderr, status.stderr
    finally:
        writer.close()
    assert not (small_warehouse.parent / "t.xlsx").exists()


def test_a_damaged_warehouse_fails_the_status(tmp_path):
    """A monitor asking `opcc status` of a zero-byte warehouse was told all is well (exit 0)."""
    live = tmp_path / "opcc.duckdb"
    live.write_bytes(b"")
    status = run_opcc("status", "--warehouse", str(live))
    assert status.returncode == 1 and "DAMAGED" in status.stdout, status.stdout + status.stderr


@pytest.mark.parametrize("typed", ["0000-01 Q1", "9999-00 Q4", "0999-00"])
def test_a_period_whose_days_are_not_in_the_calendar_is_refused(typed, tmp_path):
    """'0000-01 Q1' was read and written back as '0-01 Q1', which no command then recognised;
    '9999-00 Q4' ends in the year 10000."""
    with pytest.raises(ValueError, match="outside the years a period can be"):
        read_typed(typed)
    completed = run_opcc("report", "--warehouse", str(tmp_path / "none.duckdb"), "--period", typed)
    assert refused(completed, "--period"), completed.stderr


@pytest.mark.parametrize("seconds", ["inf", "nan", "1e400", "-5"])
def test_seconds_no_timer_can_wait_are_refused_before_the_query(small_warehouse, seconds):
    """`--timeout inf` ran the query and printed a timer thread's OverflowError traceback, exit 0."""
    completed = run_opcc("query", "--warehouse", str(small_warehouse), "select 1", "--timeout", seconds)
    assert refused(completed, "--timeout"), completed.stdout + completed.stderr


def test_a_huge_max_rows_prints_every_row(small_warehouse):
    """`--max-rows 99999999999999999999` was a TypeError traceback from DuckDB's fetchmany."""
    completed = run_opcc("query", "--warehouse", str(small_warehouse), "select n from numbers", "--max-rows", str(10**20))
    assert completed.returncode == 0, completed.stderr
    assert "(3 rows)" in completed.stdout


@pytest.mark.parametrize(
    "args",
    [["serve", "--port", "70000"], ["portal", "serve", "--port", "0"], ["docs", "--serve", "--port", "-1"]],
)
def test_a_port_no_server_can_listen_on_is_refused_at_once(tmp_path, args):
    """`opcc serve --port 99999999` started the daemon and code server, then ran on without a UI
    until killed; --port -1 started them and stopped with a socket error."""
    started = time.monotonic()
    completed = run_opcc(*args, "--warehouse", str(tmp_path / "none.duckdb"), timeout=60)
    assert refused(completed, "--port"), completed.stderr
    assert time.monotonic() - started < 30


def test_an_empty_code_is_refused_not_read_as_the_default(tmp_path):
    """`--commissioner ""` (a script's unset variable) quietly meant the default commissioner."""
    completed = run_opcc("cost-per-outcome", "--warehouse", str(tmp_path / "none.duckdb"), "--commissioner", " ")
    assert refused(completed, "--commissioner"), completed.stderr


def test_a_template_named_other_than_xlsx_is_refused_and_not_written(tmp_path):
    """`opcc template --out return.csv` wrote a workbook under a .csv name."""
    out = tmp_path / "return.csv"
    completed = run_opcc(
        "template", "--warehouse", str(tmp_path / "none.duckdb"), "--contract", "X-1", "--period", "2016-17 Q1", "--out", str(out)
    )
    assert completed.returncode == 2 and "name it with .xlsx" in completed.stderr, completed.stderr
    assert not out.exists()


def test_a_query_of_bytes_that_are_not_utf8_is_one_line(small_warehouse):
    """A query typed in Latin-1 reached DuckDB as lone surrogates: a TypeError traceback."""
    completed = run_opcc("query", "--warehouse", str(small_warehouse), "select '\udcff' as x")
    assert completed.returncode == 2 and "Traceback" not in completed.stderr, completed.stderr
    assert "not UTF-8 text (at character 9)" in completed.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["report", "--period", "2016-17 Q1", "--out", "{file}/pack"],
        ["docs", "--out", "{file}/docs"],
        ["publish", "--out", "{file}/open-data"],
        ["template", "--contract", "X-1", "--period", "2016-17 Q1", "--out", "{file}/sub/return.xlsx"],
    ],
)
def test_an_output_under_a_file_is_refused_before_any_work(tmp_path, args):
    """`--out` below a file (a path mistyped by a folder) was a NotADirectoryError or FileExistsError
    traceback once the pack, the documentation or the open data had been drawn."""
    file = tmp_path / "notes.txt"
    file.write_text("a file, not a folder\n", encoding="utf-8")
    completed = run_opcc(*(arg.format(file=file) for arg in args), "--warehouse", str(tmp_path / "none.duckdb"))
    assert refused(completed, "--out"), completed.stderr
    assert f"{file} is a file, not a folder" in completed.stderr
