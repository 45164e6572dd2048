"""A return whose file name holds bytes that are not UTF-8 or control characters (a newline, a terminal
escape) is read like any other, under a name that can be stored and printed on one line."""

from __future__ import annotations

import os
import shutil
from collections import Counter

from click.testing import CliRunner

from opcc.ingest.return_tools import reference_connection
from opcc.ingest.returns import discover, disk_path, read_returns, validate_returns
from orchestration.commands.cli import main
from tests.conftest import RAW

PERIOD = "2016-17 Q4"
NAMES = [b"LEI-002 \xff\xfe.csv", b"LEI-003\nnew.csv", b"LEI-004 \x1b[31mred.csv", b"LEI-005 \xfe\xff.csv"]


def make_folder(tmp_path):
    raw = tmp_path / "raw"
    folder = raw / "returns" / PERIOD
    folder.mkdir(parents=True)
    for name in NAMES:
        contract = name[:7].decode()
        source = RAW / "returns" / PERIOD / f"{contract}.csv"
        shutil.copyfile(source, os.path.join(os.fsencode(folder), name))
    return raw


def test_each_name_is_shown_printable_distinct_and_leads_back_to_its_file(tmp_path):
    raw = make_folder(tmp_path)
    found, refused = discover(raw, PERIOD, settle=0)
    assert not refused and len(found) == len(NAMES)
    shown = [s for _, s in found]
    assert len(set(shown)) == len(NAMES), "two names that differ only in bytes that are not UTF-8 stay apart"
    for disk, name in found:
        name.encode("utf-8")  # the warehouse and a terminal accept it
        assert name.isprintable() and "name not printable" in name
        assert disk_path(raw, name) == disk
    bulk = read_returns(found)
    assert all(report.read for report in bulk.files.values())
    with reference_connection(RAW) as con:
        checked = validate_returns(con, bulk.table)
    assert checked.loaded.num_rows == sum(r.rows_read for r in bulk.files.values()) and checked.quarantined.num_rows == 0


def test_validate_return_prints_one_line_per_problem_with_no_escape_or_traceback(tmp_path):
    raw = make_folder(tmp_path)
    path = os.path.join(os.fsencode(raw / "returns" / PERIOD), b"LEI-005 \xff\x1b[2J.csv")
    with open(path, "wb") as handle:
        handle.write(b"contract_id,period,measure,value,comment\nLEI-005,2016-17 Q4,spend_gbp,\x1b[2J12,\n")
    result = CliRunner().invoke(main, ["validate-return", os.fsdecode(path), "--raw", str(RAW)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "\x1b" not in result.output and all(line.isprintable() for line in lines)
    assert any("row 2, column value: value '\ufffd[2J12' is not a number" in line for line in lines), lines


def test_validate_return_of_a_file_wrong_on_every_row_lists_the_first_problems_and_counts_the_rest(tmp_path):
    """A provider's 5,000-row export with a broken value column printed a line a problem; the first 200
    and a count by column of the rest say the same, and --max-problems 0 still prints every one."""
    folder = tmp_path / PERIOD
    folder.mkdir()
    path = folder / "LEI-005.csv"
    rows = [f"LEI-005,{PERIOD},spend_gbp,n/a {i}," for i in range(3000)] + [f"LEI-005,{PERIOD},,{i}," for i in range(2000)]
    path.write_text("contract_id,period,measure,value,comment\n" + "\n".join(rows) + "\n", encoding="utf-8")
    every = CliRunner().invoke(main, ["validate-return", str(path), "--raw", str(RAW), "--max-problems", "0"])
    problems = [line for line in every.output.splitlines() if ", column " in line]
    assert len(problems) > 5000 and every.exit_code == 1, every.output[-500:]
    assert "value 'n/a 2999' is not a number" in every.output and "row 5001, column measure: no measure" in every.output

    capped = CliRunner().invoke(main, ["validate-return", str(path), "--raw", str(RAW)])
    assert capped.exit_code == 1, capped.output
    lines = capped.output.splitlines()
    assert [line for line in lines if ", column " in line] == problems[:200]
    rest = Counter(line.split(", column ")[1].split(":")[0] for line in problems[200:])
    counted = ", ".join(f"{column} {count:,}" for column, count in sorted(rest.items(), key=lambda item: (-item[1], item[0])))
    assert f"{path}: and {len(problems) - 200:,} more problem(s), by column: {counted} (--max-problems 0 prints every one)" in lines
    assert lines[-1] == every.output.splitlines()[-1] == f"{len(problems)} problem(s); 0 of 5000 rows would load"
