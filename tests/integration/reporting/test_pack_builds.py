"""Review packs are rebuilt only where the figures they read changed, and the pool of worker
processes draws the same pack as the refresh's own process (issue 25, item 1)."""

from __future__ import annotations

import duckdb
import pytest

from opcc.reporting.data import NoPack, PackRows, load
from opcc.reporting.pack import build_pack, pack_paths
from opcc.reporting.pack_builds import FINGERPRINT_FILE, PackJob, build_packs, fingerprints, is_current, runs

PERIODS = ["2016-17 Q3", "2016-17 Q4"]


def _prints(live, period="2016-17 Q4"):
    with duckdb.connect(str(live), read_only=True) as con:
        return fingerprints(con, period, ["LEI"], None, live.parent / "reports")["LEI"]


def test_a_figure_the_pack_reads_changes_its_fingerprint_and_a_load_time_does_not(warehouse_copy):
    before = _prints(warehouse_copy)
    assert before == _prints(warehouse_copy), "the same rows give the same fingerprint"
    assert before != _prints(warehouse_copy, "2016-17 Q3"), "each period's pack has its own"
    with duckdb.connect(str(warehouse_copy)) as con:
        con.execute("update reporting.rpt_period_summary set returns_loaded_at = returns_loaded_at + interval 1 day")
    assert _prints(warehouse_copy) == before, "loading the same files again changes no figure"
    with duckdb.connect(str(warehouse_copy)) as con:
        con.execute("update reporting.rpt_stream_allocation set spend_to_date_gbp = spend_to_date_gbp + 1e-9")
    assert _prints(warehouse_copy) == before, "a sum of doubles added in another order is the same figure"
    with duckdb.connect(str(warehouse_copy)) as con:
        (column,) = con.execute(
            "select column_name from information_schema.columns where table_schema = 'reporting' "
            "and table_name = 'rpt_contract_status' and data_type in ('DOUBLE', 'DECIMAL(18,2)', 'BIGINT', 'INTEGER') limit 1"
        ).fetchone()
        con.execute(f'update reporting.rpt_contract_status set "{column}" = coalesce("{column}", 0) + 1 '
                    "where contract_id = (select min(contract_id) from reporting.rpt_contract_status)")
    assert _prints(warehouse_copy) != before, f"a changed {column} of one contract rebuilds the pack"


def test_a_published_pack_is_current_only_with_its_fingerprint_and_every_file(tmp_path):
    job = PackJob("2016-17 Q4", "LEI", tmp_path / "staged", tmp_path / "final", "abc")
    names = [p.name for p in pack_paths(tmp_path, job.period)]
    job.final.mkdir()
    for name in names:
        (job.final / name).write_text("pack")
    assert not is_current(job, names), "no fingerprint kept: built again"
    (job.final / FINGERPRINT_FILE).write_text("abc\n")
    assert is_current(job, names)
    assert not is_current(PackJob(job.period, "LEI", job.staged, job.final, "abd"), names), "other figures: built again"
    (job.final / names[1]).unlink()
    assert not is_current(job, names), "a pack with a file missing is built again"


def test_the_pool_draws_the_same_packs_as_one_process(warehouse_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("OPCC_PACK_WORKERS", "2")
    jobs = [PackJob(p, "LEI", tmp_path / "pool" / p, tmp_path / "final" / p, f"print-{p}") for p in PERIODS]
    results = build_packs(warehouse_copy, [*jobs, PackJob("2016-17 Q4", "NOPE", tmp_path / "x", tmp_path / "y", "z")], None)
    assert [r.job for r in results][:2] == jobs and all(r.error is None for r in results[:2])
    assert results[2].error and results[2].error[0] == "NoPack" and "NOPE" in results[2].error[1], "one bad pack is named, not raised"
    with duckdb.connect(str(warehouse_copy), read_only=True) as con:
        for job, result in zip(jobs, results, strict=False):
            html, _ = build_pack(con, job.period, tmp_path / "alone" / job.period, "LEI", final_dir=job.final)
            assert result.files[0].read_text(encoding="utf-8") == html.read_text(encoding="utf-8")
            assert (job.staged / FINGERPRINT_FILE).read_text().strip() == job.fingerprint


def test_packs_read_together_are_the_packs_read_alone(db):
    """PackRows reads every pack's rows of a period in one query per table; each pack gets exactly
    the rows, in the order, it reads alone, and a commissioner without a pack is still told why."""
    for period in PERIODS:
        codes = [r[0] for r in db.execute("select commissioner_code from marts.dim_commissioner order by 1").fetchall()]
        together = PackRows(db, period, [*codes, "NOPE"])
        built = 0
        for code in codes:
            try:
                alone = load(db, period, code)
            except NoPack as error:
                with pytest.raises(NoPack, match=str(error).split("(")[0].strip()):
                    load(db, period, code, rows=together)
                continue
            assert load(db, period, code, rows=together) == alone, f"{code} {period}: the same pack read together"
            built += 1
        assert built, f"no pack of {period} was compared"
        with pytest.raises(NoPack, match="NOPE"):
            load(db, period, "NOPE", rows=together)


def test_a_pack_the_rows_do_not_cover_reads_its_own(db):
    rows = PackRows(db, PERIODS[0], ["LEI"])
    assert load(db, PERIODS[1], "LEI", rows=rows) == load(db, PERIODS[1], "LEI"), "another period: read alone"


def test_runs_keep_the_order_hold_one_period_and_shorten_towards_the_end(tmp_path):
    jobs = [PackJob("2016-17 Q4", f"C{i:02}", tmp_path, tmp_path, "") for i in range(41)]
    cut = runs(jobs, 2)
    assert [job for run in cut for job in run] == jobs
    sizes = [len(run) for run in cut]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] > 2 * sizes[-1] and min(sizes) >= 2, sizes
    mixed = [PackJob("2016-17 Q3", "A", tmp_path, tmp_path, ""), *jobs[:3], PackJob("2016-17 Q3", "B", tmp_path, tmp_path, "")]
    cut = runs(mixed, 2)
    assert [job for run in cut for job in run] == mixed
    assert all(len({job.period for job in run}) == 1 for run in cut), "a run reads one period's rows"
    assert runs([], 2) == []


def test_the_same_figures_make_the_same_workbook_in_any_process(bundled_warehouse, tmp_path):
    """Two processes with different string hashing draw the same pack: every part of the workbook is
    the same bytes but the time it was written (a set's order must never reach the file)."""
    import zipfile

    from tests.conftest import run_opcc

    parts = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        completed = run_opcc("report", "--warehouse", str(bundled_warehouse), "--period", "2016-17 Q4", "--out", str(out),
                             env={"PYTHONHASHSEED": seed})
        assert completed.returncode == 0, completed.stderr
        (workbook,) = out.rglob("*.xlsx")
        with zipfile.ZipFile(workbook) as archive:
            parts.append({name: archive.read(name) for name in archive.namelist() if name != "docProps/core.xml"})
    assert parts[0].keys() == parts[1].keys()
    assert [name for name in parts[0] if parts[0][name] != parts[1][name]] == []
