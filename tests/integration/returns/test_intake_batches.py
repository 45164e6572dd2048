"""The intake reads periods in batches (OPCC_INGEST_BATCH_MB) and leaves exactly what one bulk leaves.

The bundled returns (2016-17) and a second financial year's folder go through the real intake
(`ingest_periods`) twice: once with a batch so small that every period is a batch of its own,
once with one batch for all. Every table the intake writes must be the same, and a copy of a
return in the other year's folder must be caught across batches, the same copy kept as in one
bulk: the first by name, unless the other was known before.
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from opcc.ingest.intake import _batches, ingest_periods
from tests.conftest import RAW, reference_warehouse

pytestmark = pytest.mark.warehouse

FIRST_YEAR = ["2016-17 Q1", "2016-17 Q2", "2016-17 Q3", "2016-17 Q4"]
LATER = "2017-18 Q1"
PERIODS = [*FIRST_YEAR, LATER]
NOW = datetime(2017, 8, 1, 9, 0)
SEEN = NOW.timestamp() - 3600
TABLES = {
    "raw.provider_returns": "select * from raw.provider_returns order by all",
    "raw.return_files": "select * exclude (loaded_at) from raw.return_files order by all",
    "raw.return_periods": "select * from raw.return_periods order by all",
    "audit.quarantined_rows": "select * exclude (run_id) from audit.quarantined_rows order by all",
    "audit.loaded_files": "select * exclude (run_id, loaded_at) from audit.loaded_files order by all",
    "audit.file_history": "select * from audit.file_history order by all",
    "audit.superseded_return_rows": "select * from audit.superseded_return_rows order by all",
}
# loaded_at is the clock's time of writing, not the intake's `now`: left out of the comparison.
# Every period a batch of its own, or all in one.
TINY, WHOLE = "0.000001", "100000"


def later_return(text: str) -> str:
    return text.replace("2016-17 Q1", LATER)


def setup(base: Path) -> tuple[Path, Path]:
    """A warehouse with the reference tables, and a raw folder of the bundled returns."""
    raw = base / "raw"
    for period in FIRST_YEAR:
        shutil.copytree(RAW / "returns" / period, raw / "returns" / period)
    (raw / "returns" / LATER).mkdir()
    return reference_warehouse(base / "opcc.duckdb"), raw


def ingest(db: Path, raw: Path, periods: list[str], run: str) -> dict:
    for path in (raw / "returns").rglob("*"):
        os.utime(path, (SEEN, SEEN))  # the two raw folders alike, to the modification time
    with duckdb.connect(str(db)) as con:
        outcome = ingest_periods(con, raw, periods, None, run, now=NOW, settle=0.0)
        tables = {name: con.execute(sql).fetchall() for name, sql in TABLES.items()}
    return {"files": {p: vars(r) for p, r in outcome.files.items()}, "loaded": outcome.rows_loaded,
            "quarantined": outcome.rows_quarantined, "tables": tables}


def status(result: dict, path: str) -> tuple[str, str]:
    return result["files"][path]["status"], result["files"][path]["reason"]


def test_a_tiny_batch_reads_each_period_alone(tmp_path):
    _, raw = setup(tmp_path)
    found = {p: sorted((raw / "returns" / p).iterdir()) for p in FIRST_YEAR}
    found = {p: [(f, f"returns/{p}/{f.name}") for f in files] for p, files in found.items()}
    assert [len(b) for b in _batches(found, 1)] == [len(found[p]) for p in FIRST_YEAR]
    assert [len(b) for b in _batches(found, 10**9)] == [sum(len(f) for f in found.values())]


def test_a_copy_in_a_later_years_folder_is_rejected_across_batches(tmp_path, monkeypatch):
    results = {}
    for size in (TINY, WHOLE):
        monkeypatch.setenv("OPCC_INGEST_BATCH_MB", size)
        db, raw = setup(tmp_path / size)
        # The same bytes in the next year's folder: the earlier file (first by name) is kept.
        shutil.copyfile(raw / "returns" / "2016-17 Q1" / "LEI-001.csv", raw / "returns" / LATER / "LEI-001 again.csv")
        results[size] = ingest(db, raw, PERIODS, "one")
    batched, whole = results[TINY], results[WHOLE]
    assert status(batched, f"returns/{LATER}/LEI-001 again.csv") == (
        "rejected", "identical to returns/2016-17 Q1/LEI-001.csv (same sha256): the same return is not loaded twice"
    )
    assert status(batched, "returns/2016-17 Q1/LEI-001.csv")[0] == "loaded"
    assert not [r for r in batched["tables"]["raw.provider_returns"] if f"returns/{LATER}/" in str(r)]
    assert batched["loaded"] > 0 and batched["quarantined"] > 0
    assert batched == whole
    assert list(batched["files"]) == list(whole["files"])


def test_a_copy_of_a_file_known_before_is_rejected_though_its_batch_comes_first(tmp_path, monkeypatch):
    results = {}
    for size in (TINY, WHOLE):
        monkeypatch.setenv("OPCC_INGEST_BATCH_MB", size)
        db, raw = setup(tmp_path / size)
        known = raw / "returns" / LATER / "LEI-001.csv"
        known.write_text(later_return((raw / "returns" / "2016-17 Q1" / "LEI-001.csv").read_text(encoding="utf-8")), encoding="utf-8")
        ingest(db, raw, [LATER], "first")
        # Its copy lands in an earlier year's folder, read in an earlier batch; the file known before is kept.
        shutil.copyfile(known, raw / "returns" / "2016-17 Q3" / "AAA copy.csv")
        results[size] = ingest(db, raw, PERIODS, "second")
    batched, whole = results[TINY], results[WHOLE]
    assert status(batched, "returns/2016-17 Q3/AAA copy.csv") == (
        "rejected", f"identical to returns/{LATER}/LEI-001.csv (same sha256): the same return is not loaded twice"
    )
    assert status(batched, f"returns/{LATER}/LEI-001.csv")[0] == "loaded"
    later_rows = [r for r in batched["tables"]["raw.provider_returns"] if f"returns/{LATER}/LEI-001.csv" in r]
    assert later_rows and not [r for r in batched["tables"]["raw.provider_returns"] if "AAA copy" in str(r)]
    assert batched == whole
