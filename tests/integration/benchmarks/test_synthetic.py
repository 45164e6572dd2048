"""The benchmark's synthetic data goes through the real pipeline cleanly, and its floors agree.

Timings are the benchmark's business (python -m benchmarks); this keeps the benchmark honest:
the data it times must load without a quarantined row or a failed check, and the floors must
read the same rows as the pipeline.
"""

import os
from pathlib import Path

import duckdb
import pytest

from benchmarks.measure import tree_rss_bytes
from benchmarks.run import floor_bulk_arrow, floor_duckdb_glob, floor_read_bytes, return_files
from benchmarks.synthetic import Preset, generate
from opcc.core import warehouse as wh
from orchestration.commands.refresh import run_refresh
from tests.conftest import RAW

pytestmark = pytest.mark.warehouse  # builds a warehouse or starts Dagster: not in the fast selection

TINY = Preset("tiny", commissioners=2, contracts=4, quarters=5)  # crosses a financial year


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    root = tmp_path_factory.mktemp("synthetic")
    data = generate(root / "raw", TINY, RAW)
    return root, data


def test_generator_writes_the_preset(synthetic):
    root, data = synthetic
    files = return_files(root / "raw")
    # the last quarter is held back for the incremental measurement
    assert len(files) == data["return_files"] - TINY.commissioners * TINY.contracts
    assert data["contracts"] == 8 and data["last_period"] == "2017-18 Q1"
    assert not (root / "raw" / "returns" / "2017-18 Q1").exists() and (root / "held_back" / "2017-18 Q1").is_dir()


def test_floors_read_every_row(synthetic):
    root, _ = synthetic
    files = return_files(root / "raw")
    rows_on_disk = sum(len(p.read_text().splitlines()) - 1 for p in files)
    glob, arrow = floor_duckdb_glob(root / "raw"), floor_bulk_arrow(files, root / "raw")
    assert glob["rows"] == arrow["rows"] == rows_on_disk
    assert glob["groups"] == arrow["groups"] > 0
    assert floor_read_bytes(files)["bytes"] == sum(p.stat().st_size for p in files)


def test_synthetic_data_refreshes_without_a_quarantined_row(synthetic, tmp_path):
    root, _ = synthetic
    live = tmp_path / "warehouse" / "opcc.duckdb"
    outcome = run_refresh(live, root / "raw", progress=False)
    assert outcome.success, outcome.reason
    with duckdb.connect(str(live), read_only=True) as con:
        files, read, loaded, quarantined = con.execute(
            "select count(*), sum(rows_read), sum(rows_loaded), sum(rows_quarantined) from audit.loaded_files "
            "where source_table = 'provider_returns' and path like '%NA_-%'"
        ).fetchone()
        assert files == len(return_files(root / "raw")) and read == loaded and quarantined == 0
        assert con.execute("select count(*) from audit.rejected_files").fetchone()[0] == 0
        commissioners = {r[0] for r in con.execute("select distinct commissioner_code from marts.fct_cost_per_outcome").fetchall()}
        assert commissioners == {"NAB", "NAC"}  # the Leicestershire framework is there, its returns are not
    assert {p.name for p in (wh.reports_dir(live) / "2016-17 Q4").iterdir()} == {"LEI", "NAB", "NAC"}


def test_tree_memory_counts_this_process():
    own = int(Path(f"/proc/{os.getpid()}/statm").read_text().split()[1]) * 4096
    assert tree_rss_bytes(os.getpid()) >= own > 0
