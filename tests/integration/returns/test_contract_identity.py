"""Contract identity comes from rows, not file names: a file overwritten with another contract's
return is a review item naming both contracts, and neither loses its figures without a flag."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from tests.conftest import RAW, run_opcc

pytestmark = pytest.mark.warehouse

QUARTER = "select contract_id, spend_gbp, return_status, needs_review, return_note from marts.fct_contract_quarter " \
    "where period = '2016-17 Q1' and contract_id in ('LEI-002', 'LEI-003') order by 1"


def test_a_file_overwritten_with_another_contracts_return_keeps_both_and_flags_them(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    live = tmp_path / "warehouse" / "opcc.duckdb"
    first = run_opcc("refresh", "--warehouse", str(live), "--raw", str(raw), "--quiet")
    assert first.returncode in (0, 3), first.stdout + first.stderr
    with duckdb.connect(str(live), read_only=True) as con:
        before = {row[0]: row for row in con.execute(QUARTER).fetchall()}
    folder = raw / "returns" / "2016-17 Q1"
    # LEI-002's file now holds LEI-003's return (a corrected spend, so not a byte-for-byte copy).
    (folder / "LEI-002.csv").write_text(
        (folder / "LEI-003.csv").read_text(encoding="utf-8").replace("spend_gbp,51582.5", "spend_gbp,51600"), encoding="utf-8"
    )
    second = run_opcc("refresh", "--warehouse", str(live), "--raw", str(raw), "--period", "2016-17 Q1", "--quiet")
    assert second.returncode in (0, 3), second.stdout + second.stderr
    with duckdb.connect(str(live), read_only=True) as con:
        after = {row[0]: row for row in con.execute(QUARTER).fetchall()}
    lei_002, lei_003 = after["LEI-002"], after["LEI-003"]
    assert lei_002[1] == before["LEI-002"][1], "LEI-002 keeps the figures of its own latest return"
    assert lei_002[2] != "missing"
    for row in (lei_002, lei_003):
        assert row[3], row
        assert "LEI-002.csv has held the returns of LEI-002 and LEI-003" in row[4], row
    assert lei_003[1] == 51600, "the newer file's figure for LEI-003 is in force, flagged"
