"""An analyst's mistakes at the command line that need a warehouse or a refresh: one line and a
non-zero exit, never a traceback (the cheap ones are in tests/unit/orchestration/).
"""

from __future__ import annotations

import json

import pytest

from opcc.core.settings import default_commissioner
from tests.conftest import run_opcc

pytestmark = pytest.mark.warehouse


def test_codes_are_read_in_any_case_and_spacing(bundled_warehouse, db):
    """`--commissioner lei` was refused ('no commissioner'), while `--priority sp9` was read."""
    priority, indicator, period = db.execute(
        "select strategic_priority, indicator_code, period from marts.fct_cost_per_outcome "
        "where commissioner_code = ? and period_basis = 'quarter' order by period desc, 1, 2 limit 1",
        [default_commissioner()],
    ).fetchone()
    completed = run_opcc(
        "cost-per-outcome", "--warehouse", str(bundled_warehouse), "--format", "csv", "--period", period,
        "--commissioner", f" {default_commissioner().lower()} ", "--priority", f" {priority.lower()}",
        "--indicator", f"{indicator.lower()} ",
    )
    assert completed.returncode == 0, completed.stderr
    rows = completed.stdout.strip().splitlines()[1:]
    assert rows and all(f",{priority},{indicator}," in row for row in rows), completed.stdout


def test_timings_into_a_missing_folder_are_written_and_the_summary_kept(tmp_path):
    """`refresh --timings no/such/folder/t.json` was a FileNotFoundError traceback after the refresh,
    in place of its summary."""
    timings = tmp_path / "no" / "such" / "timings.json"
    completed = run_opcc(
        "refresh", "--warehouse", str(tmp_path / "wh" / "opcc.duckdb"), "--raw", str(tmp_path / "missing"),
        "--timings", str(timings), env={"OPCC_LEDGER": str(tmp_path / "ledger")},
    )
    assert completed.returncode == 1 and "Traceback" not in completed.stderr, completed.stderr
    assert "Refresh failed: raw folder" in completed.stderr
    assert "seconds" in json.loads(timings.read_text(encoding="utf-8"))


def test_an_empty_raw_folder_is_refused_at_once(tmp_path):
    """An empty raw folder ran 20 s of Dagster and made the warehouse's outputs folder, to say
    'dagster._core.definitions.events.Failure: no file matches ...'."""
    (tmp_path / "raw").mkdir()
    live = tmp_path / "wh" / "opcc.duckdb"
    completed = run_opcc("refresh", "--warehouse", str(live), "--raw", str(tmp_path / "raw"),
                         env={"OPCC_LEDGER": str(tmp_path / "ledger")})
    assert completed.returncode == 1 and "is empty: nothing to build the warehouse from" in completed.stderr, completed.stderr
    assert not live.parent.exists(), "nothing is written for a refresh that cannot start"


def test_a_step_failure_is_said_without_its_python_class(tmp_path):
    """A raw folder with none of the input files: the reason named each missing file, but after
    'dagster._core.definitions.events.Failure:'."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "notes.txt").write_text("not an input file\n", encoding="utf-8")
    completed = run_opcc("refresh", "--warehouse", str(tmp_path / "wh" / "opcc.duckdb"), "--raw", str(raw), "--quiet",
                         env={"OPCC_LEDGER": str(tmp_path / "ledger")})
    assert completed.returncode == 1, completed.stderr
    assert "no file matches framework/contracts.csv" in completed.stderr
    assert "dagster._core" not in completed.stderr and "Traceback" not in completed.stderr
