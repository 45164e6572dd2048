"""The submission ledger outlives the warehouse, and a damaged warehouse is named and recovered.

One raw folder, refreshed; a return resubmitted and refreshed again (two versions of one file, its
first rows kept). Then the live warehouse is deleted and refreshed: the same audit.file_history and
kept rows come back from the raw folder and the ledger beside it. Then the live file is damaged
(cut short): status, query and report say what happened and the one command that recovers; the
refresh keeps the damaged file aside and rebuilds the same history.
"""

from __future__ import annotations

import shutil

import duckdb
import pytest

from opcc.core import warehouse as wh
from opcc.ingest.ledger import ROWS, VERSIONS, ledger_dir
from tests.conftest import RAW, built_once, run_opcc

pytestmark = pytest.mark.warehouse

HISTORY = (
    "select path, version, sha256, period, size_bytes, first_seen_at, status, reason, submitted_on "
    "from audit.file_history order by path, version"
)
KEPT = "select * exclude (superseded_at) from audit.superseded_return_rows order by path, version, source_row"
FIGURES = "select contract_id, period, spend_gbp, return_status from marts.fct_contract_quarter order by all"


def rows(live, sql):
    with duckdb.connect(str(live), read_only=True) as con:
        return con.execute(sql).fetchall()


def refresh(live, raw):
    result = run_opcc("refresh", "--warehouse", str(live), "--raw", str(raw), "--quiet")
    assert result.returncode in (0, 3), result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Built once for the run, whichever worker asks first; tests that delete or damage it take a copy."""
    return built_once(tmp_path_factory, "ledger", build)


def build(root):
    raw = root / "raw"
    shutil.copytree(RAW, raw)
    live = root / "warehouse" / "opcc.duckdb"
    refresh(live, raw)
    edited = raw / "returns" / "2016-17 Q1" / "LEI-002.csv"
    edited.write_text(edited.read_text(encoding="utf-8").replace("spend_gbp,", "spend_gbp,1", 1), encoding="utf-8")
    refresh(live, raw)
    return root, rows(live, HISTORY), rows(live, KEPT), rows(live, FIGURES)


@pytest.fixture
def resubmitted(built, tmp_path):
    """The built folder copied whole for this test: the raw folder, its ledger beside it, the warehouse
    and its outputs."""
    root, history, kept, figures = built
    copy = tmp_path / "ledger"
    shutil.copytree(root, copy, symlinks=True)
    return copy / "raw", copy / "warehouse" / "opcc.duckdb", history, kept, figures


def test_the_ledger_is_beside_the_raw_folder_and_holds_every_version(resubmitted):
    raw, _, history, kept, _ = resubmitted
    folder = ledger_dir(raw)
    assert folder == raw.parent / "raw.ledger"
    lines = (folder / VERSIONS).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("path,version,sha256,")
    assert len(lines) - 1 == len(history)
    assert any(",returns/2016-17 Q1/LEI-002.csv," in "," + line for line in lines)
    assert len((folder / ROWS).read_text(encoding="utf-8").splitlines()) - 1 == len(kept) > 0
    assert [v for p, v, *_ in history if p == "returns/2016-17 Q1/LEI-002.csv"] == [1, 2]


def test_deleting_the_warehouse_and_refreshing_restores_the_same_history(resubmitted):
    raw, live, history, kept, figures = resubmitted
    ledger_before = (ledger_dir(raw) / VERSIONS).read_bytes()
    live.unlink()
    refresh(live, raw)
    assert rows(live, HISTORY) == history
    assert rows(live, KEPT) == kept
    assert rows(live, FIGURES) == figures
    assert (ledger_dir(raw) / VERSIONS).read_bytes() == ledger_before, "nothing new arrived: the ledger is unchanged"


def test_a_damaged_warehouse_is_named_and_recovered(resubmitted):
    raw, live, history, kept, figures = resubmitted
    size = live.stat().st_size
    with live.open("r+b") as handle:
        handle.truncate(size // 3)
    for command in (
        ["status", "--warehouse", str(live)],
        ["query", "--warehouse", str(live), "select 1"],
        ["report", "--warehouse", str(live), "--period", "2016-17 Q4"],
    ):
        result = run_opcc(*command)
        said = result.stdout + result.stderr
        assert "Traceback" not in said, said
        # Prose wraps at the terminal's width (a long temporary path moves the break); the command stays whole.
        assert "cannot be read" in " ".join(said.split()), said
        assert f"opcc refresh --warehouse {live}" in said, said
    recovered = refresh(live, raw)
    aside = list(wh.outputs_dir(live).glob("opcc.damaged-*.duckdb"))
    assert len(aside) == 1 and aside[0].stat().st_size == size // 3, "the damaged file is kept aside, never deleted"
    assert "kept aside as" in recovered.stderr
    assert rows(live, HISTORY) == history
    assert rows(live, KEPT) == kept
    assert rows(live, FIGURES) == figures
