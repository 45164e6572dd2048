"""Checks that can fail, bounded queries, one warehouse's files its own, a full or read-only disk,
and a sensor that waits for files in motion."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from opcc.core import warehouse as wh
from opcc.quality import load_suites, quality_dir, validate
from orchestration.defs.assets.returns import unaccounted_rows
from orchestration.defs.sensors import returns_folder_sensor
from tests.conftest import OPCC, PROJECT_ROOT, RAW, run_opcc

# --- The row accounting check counts from the files, and fails when the accounting is wrong ------


def test_the_accounting_check_passes_on_the_bundled_data_and_fails_when_a_row_goes_missing(warehouse_copy):
    with duckdb.connect(str(warehouse_copy)) as con:
        assert unaccounted_rows(con, RAW) == []
        # Quarantined rows are counted where they are, never as read - loaded.
        recorded = con.execute(
            "select f.rows_quarantined, count(q.path) from audit.loaded_files f left join audit.quarantined_rows q using (path) "
            "where f.source_table = 'provider_returns' group by all having f.rows_quarantined != count(q.path)"
        ).fetchall()
        assert recorded == []
        con.execute("delete from audit.quarantined_rows where path = 'returns/2016-17 Q1/LEI-015.csv'")
        con.execute(
            "delete from raw.provider_returns where source_file = 'returns/2016-17 Q2/LEI-001.csv' and measure = 'spend_gbp'"
        )
        problems = unaccounted_rows(con, RAW)
    assert problems == [
        "returns/2016-17 Q1/LEI-015.csv: 5 rows in the file, 4 loaded + 0 quarantined = 4",
        "returns/2016-17 Q2/LEI-001.csv: 5 rows in the file, 4 loaded + 0 quarantined = 4",
    ]


def test_the_accounting_check_catches_a_row_counted_twice_and_a_rejected_file_with_rows(warehouse_copy):
    with duckdb.connect(str(warehouse_copy)) as con:
        con.execute(
            "insert into raw.provider_returns select * from raw.provider_returns where source_file = 'returns/2016-17 Q3/LEI-002.csv' limit 1"
        )
        con.execute("update audit.loaded_files set status = 'rejected' where path = 'returns/2016-17 Q4/LEI-003.csv'")
        problems = unaccounted_rows(con, RAW)
    assert any(p.startswith("returns/2016-17 Q3/LEI-002.csv:") and "= " in p for p in problems)
    assert any(p.startswith("returns/2016-17 Q4/LEI-003.csv: not read (rejected) but") for p in problems)


# --- opcc query: a time limit and a row limit for printing -------------------------------------------


def test_a_runaway_query_is_stopped_at_its_time_limit(bundled_warehouse):
    started = time.monotonic()
    completed = run_opcc(
        "query", "--warehouse", str(bundled_warehouse), "--timeout", "2",
        "select count(*) from range(1000000000000) a, marts.fct_contract_quarter b",
    )
    assert time.monotonic() - started < 30
    assert completed.returncode == 2 and "Traceback" not in completed.stderr
    assert completed.stderr.strip().splitlines() == [
        "error: the query ran for more than 2 s and was stopped: narrow it (a WHERE clause, fewer joins, a LIMIT) "
        "or give it longer with --timeout SECONDS"
    ]


def test_a_table_stops_at_its_row_limit_and_says_so(bundled_warehouse):
    table = run_opcc("query", "--warehouse", str(bundled_warehouse), "select * from range(5000)")
    lines = table.stdout.strip().splitlines()
    assert len(lines) == 2 + 1000 + 1 and "the first 1,000 rows; the query returns more" in lines[-1]
    few = run_opcc("query", "--warehouse", str(bundled_warehouse), "--max-rows", "3", "select * from range(5000)")
    assert [line.strip() for line in few.stdout.strip().splitlines()[2:]] == ["0", "1", "2", "(the first 3 rows; the query returns more: --max-rows N to see more)"]
    whole = run_opcc("query", "--warehouse", str(bundled_warehouse), "--format", "csv", "select * from range(5000)")
    assert len(whole.stdout.strip().splitlines()) == 5001, "csv prints every row unless told"


# --- Two warehouses in one folder share nothing a refresh writes ---------------------------------------


def test_two_warehouses_in_one_folder_have_their_own_build_target_and_quality_folders(tmp_path):
    a, b, c = tmp_path / "a.duckdb", tmp_path / "b.duckdb", tmp_path / "a.db"
    for make in (wh.build_dir, wh.build_path, wh.dbt_target_path, quality_dir, wh.lock_path, wh.failed_path):
        paths = {make(a), make(b), make(c)}
        assert len(paths) == 3, make.__name__
    assert wh.dbt_target_path(a).is_relative_to(wh.build_dir(a)) and wh.build_path(a).is_relative_to(wh.build_dir(a))
    assert not wh.build_dir(b).is_relative_to(wh.build_dir(a))


def test_a_refresh_keeps_its_dbt_target_in_its_own_build_folder(bundled_warehouse):
    build = wh.build_dir(bundled_warehouse)
    assert (build / "dbt-target").is_dir(), "the session's refresh used the warehouse's own dbt target"
    assert not (bundled_warehouse.parent / ".build").exists(), "nothing shared with another warehouse in the folder"
    assert not wh.build_path(bundled_warehouse).exists(), "published: no build left behind"


# --- A full or read-only disk: one line, live warehouse untouched, partial build removed ----------------


def _can_mount() -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None


@pytest.fixture
def small_disk(tmp_path):
    """A real disk that fills up: a small tmpfs when we may mount one, else a file-size limit on the process."""
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = _can_mount() and subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(folder)]).returncode == 0
    yield folder, mounted
    if mounted:
        subprocess.run(["umount", "-l", str(folder)])


def _refresh(live: Path, *extra: str, limit_bytes: int | None = None) -> subprocess.CompletedProcess:
    def limit():
        if limit_bytes:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.run(
        [OPCC, "refresh", "--warehouse", str(live), "--raw", str(RAW), "--quiet", *extra],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600, preexec_fn=limit,
    )


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _assert_one_line_and_untouched(completed, live: Path, before: str, why: str) -> None:
    assert completed.returncode == 1 and "Traceback" not in completed.stdout + completed.stderr
    failure = [line for line in completed.stderr.splitlines() if not line.startswith("Refreshing ")]
    assert len(failure) == 1 and failure[0].startswith("Refresh failed: cannot write beside the warehouse") and why in failure[0], failure
    assert "the live warehouse is unchanged and the partial build was removed" in failure[0]
    assert _sha(live) == before
    assert not wh.build_path(live).exists() and not wh.build_path(live).with_name(wh.build_path(live).name + ".wal").exists()
    assert not wh.failed_path(live).exists()


def test_a_full_disk_is_one_line_and_the_live_warehouse_is_untouched(bundled_warehouse, small_disk):
    folder, mounted = small_disk
    live = folder / "opcc.duckdb"
    shutil.copyfile(bundled_warehouse, live)  # about 23 MB of the 32 MB
    before = _sha(live)
    completed = _refresh(live, "--period", "2016-17 Q1", limit_bytes=None if mounted else 4 * 1024 * 1024)
    _assert_one_line_and_untouched(completed, live, before, "the disk is full")


def test_a_read_only_disk_is_one_line_and_the_live_warehouse_is_untouched(bundled_warehouse, small_disk):
    folder, mounted = small_disk
    live = folder / "opcc.duckdb"
    shutil.copyfile(bundled_warehouse, live)
    before = _sha(live)
    if mounted:
        assert subprocess.run(["mount", "-o", "remount,ro", str(folder)]).returncode == 0
        why = "the disk is read-only"
    else:
        folder.chmod(0o555)  # not root: a folder this user may not write
        why = "this user may not write there"
    try:
        completed = _refresh(live)
    finally:
        folder.chmod(0o755) if not mounted else None
    _assert_one_line_and_untouched(completed, live, before, why)


# --- The sensor waits for a file in motion, as the refresh does ------------------------------------------


def test_the_sensor_waits_for_a_file_still_being_written(raw_copy, monkeypatch):
    from orchestration.defs.definitions import defs

    monkeypatch.setenv("OPCC_RAW", str(raw_copy))
    monkeypatch.setenv("OPCC_SETTLE_SECONDS", "60")
    hour_ago = time.time() - 3600
    for path in (raw_copy / "returns").rglob("*"):
        os.utime(path, (hour_ago, hour_ago))
    with dg.DagsterInstance.ephemeral() as instance:
        def tick(cursor=None):
            return returns_folder_sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=cursor, definitions=defs))

        first = tick()
        assert len(first.run_requests) == 4
        (raw_copy / "returns" / "2016-17 Q3" / "LEI-027.csv").write_text(
            "contract_id,period,measure,value,comment\nLEI-027,2016-17 Q3,spend_gbp,5000,\n", encoding="utf-8"
        )
        waiting = tick(first.cursor)
        assert not waiting.run_requests, "a file modified seconds ago is still being written"
        assert json.loads(waiting.cursor)["2016-17 Q3"] == json.loads(first.cursor)["2016-17 Q3"]
        os.utime(raw_copy / "returns" / "2016-17 Q3" / "LEI-027.csv", (hour_ago + 60, hour_ago + 60))
        settled = tick(waiting.cursor)
        assert [r.partition_key for r in settled.run_requests] == ["2016-17 Q3"]


# --- An unreadable date in the submission log names the log row and the value ----------------------------


def test_an_unreadable_log_date_names_its_row_and_value(warehouse_copy):
    with duckdb.connect(str(warehouse_copy)) as con:
        con.execute("update raw.submission_log set received_at = '31/02/2016 10:00' where _source_row = 5")
        outcome = validate(con, {s.name: s for s in load_suites()}["submission_log"], warehouse_copy)
    failed = [o for o in outcome.failed(blocking=True)]
    assert len(failed) == 1 and failed[0].rows_failing == 1
    sample = " ".join(failed[0].failing_sample)
    assert "submission_log.csv row 5" in sample and "31/02/2016 10:00" in sample
