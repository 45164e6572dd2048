"""`opcc refresh` as a user runs it: summary, exit codes, and a failed build never touching the live warehouse."""

import hashlib
import re

import duckdb

from opcc.core import warehouse as wh
from orchestration.commands.refresh import run_refresh
from tests.conftest import run_opcc


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_refresh_prints_progress_and_summary(bundled_refresh):
    live, completed = bundled_refresh
    assert live.exists()
    assert "▶ dbt_models" in completed.stderr
    assert "✓ marts/fct_allocation" in completed.stderr
    summary = completed.stdout
    assert "Warehouse published" in summary
    assert re.search(r"marts\s+\d+ tables\s+[\d,]+ rows", summary)
    rules = re.search(r"rules\s+(\d+) rules: (\d+) passed, (\d+) warned, (\d+) failed", summary)
    assert rules and rules[4] == "0" and int(rules[3]) > 0, "only warning rules may flag the bundled data"
    assert int(rules[1]) == int(rules[2]) + int(rules[3])
    assert re.search(r"tests\s+\d+ dbt tests and file checks passed, 0 failed", summary)
    assert "Data Docs" in summary
    assert re.search(r"took\s+[\d.]+ s", summary)
    # nothing but the refresh's own lines: no library teardown noise after the summary
    assert "nanobind" not in completed.stderr + completed.stdout
    assert "Traceback" not in completed.stderr
    # The build file and the lock are gone or released; no failed build lying about.
    assert not wh.build_path(live).exists()
    assert not wh.failed_path(live).exists()
    assert not wh.is_locked(live)


def test_missing_raw_folder_is_a_one_line_reason(tmp_path):
    completed = run_opcc("refresh", "--warehouse", str(tmp_path / "w.duckdb"), "--raw", str(tmp_path / "nowhere"))
    assert completed.returncode != 0
    assert f"raw folder {tmp_path / 'nowhere'} not found" in completed.stderr
    assert not (tmp_path / "w.duckdb").exists()


def test_locked_warehouse_is_refused_with_the_holder_named(warehouse_copy, raw_copy):
    lock = wh.WriterLock(warehouse_copy, purpose="test holding the lock")
    lock.acquire()
    try:
        completed = run_opcc("refresh", "--warehouse", str(warehouse_copy), "--raw", str(raw_copy))
    finally:
        lock.release()
    assert completed.returncode != 0
    assert "locked by process" in completed.stderr and "test holding the lock" in completed.stderr


def test_failed_build_leaves_the_live_warehouse_untouched(warehouse_copy, raw_copy):
    before = sha(warehouse_copy)
    with (raw_copy / "reference" / "targets.csv").open("a", encoding="utf-8") as targets:
        targets.write("LEI-001,2016-17\n")  # a row cut short: reference data must be whole

    outcome = run_refresh(warehouse_copy, raw_copy, progress=False)

    assert not outcome.success
    assert outcome.reason.startswith("blocking rule failed: input_files: Every row of every reference file was read")
    assert "reference/targets.csv" in outcome.reason
    assert sha(warehouse_copy) == before
    with duckdb.connect(str(warehouse_copy), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_allocation").fetchone()[0] == 113
    assert wh.failed_path(warehouse_copy).exists(), "the failed build is kept beside the warehouse for inspection"
    assert not wh.is_locked(warehouse_copy)


def test_everything_a_refresh_makes_stays_in_the_warehouse_s_own_folder(bundled_refresh):
    """A warehouse kept in a shared folder leaves nothing loose there: its build, packs, open data,
    quality results, Dagster instance and log are all in `<name>.opcc/` beside it."""
    live, completed = bundled_refresh
    assert completed.returncode == 0, completed.stderr
    assert sorted(p.name for p in live.parent.iterdir()) == sorted([live.name, wh.outputs_dir(live).name])
    made = {p.name for p in wh.outputs_dir(live).iterdir()}
    assert {"reports", "open-data", "quality", ".dagster", "refresh.log"} <= made, made


def test_a_first_refresh_before_any_return_has_arrived(tmp_path, raw_copy):
    """A commissioner just set up: its register, plan and reference files, and no returns folder yet.
    The warehouse is built and published from the allocations; no quarter is loaded, so no return is
    expected yet and no review pack is drawn."""
    import shutil

    shutil.rmtree(raw_copy / "returns")
    live = tmp_path / "first" / "opcc.duckdb"
    completed = run_opcc("refresh", "--warehouse", str(live), "--raw", str(raw_copy), "--quiet")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "Traceback" not in completed.stderr
    with duckdb.connect(str(live), read_only=True) as con:
        assert con.execute("select count(*) from raw.provider_returns").fetchone()[0] == 0
        assert con.execute("select count(*) from marts.fct_allocation").fetchone()[0] == 113
        assert con.execute("select count(*) from marts.dim_contract").fetchone()[0] > 0
        assert con.execute("select count(*) from raw.return_periods").fetchone()[0] == 0
        assert con.execute("select count(*) from marts.fct_contract_quarter").fetchone()[0] == 0
    assert "Warehouse published" in completed.stdout
    assert not (wh.reports_dir(live)).exists() or not any(wh.reports_dir(live).rglob("*.html"))
