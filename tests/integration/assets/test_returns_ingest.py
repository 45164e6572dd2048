"""The partitioned returns ingest, through real Dagster runs on copies of the bundled warehouse."""

import csv
import os
import shutil
import time

import duckdb
import pytest
from openpyxl import load_workbook

from orchestration.commands.refresh import run_refresh
from tests.conftest import RAW, scalar


def rows(path, sql, params=None):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def count_data_rows_in_sample_files() -> int:
    """Rows in every sample return, counted straight from the files (CSV module, openpyxl)."""
    total = 0
    for path in (RAW / "returns").glob("*/*"):
        if path.suffix == ".csv":
            with path.open(newline="", encoding="utf-8") as handle:
                total += sum(1 for row in list(csv.reader(handle))[1:] if any(cell.strip() for cell in row))
        elif path.suffix == ".xlsx":
            sheet = load_workbook(path, read_only=True)["Return"]
            total += sum(1 for row in sheet.iter_rows(min_row=13, values_only=True) if row and row[0])
    return total


def test_every_sample_row_is_accounted_for(db):
    per_file = db.execute(
        "select path, rows_read, rows_loaded, rows_quarantined from audit.loaded_files where source_table = 'provider_returns'"
    ).fetchall()
    assert per_file and all(read == loaded + quarantined for _, read, loaded, quarantined in per_file)
    assert sum(r[1] for r in per_file) == count_data_rows_in_sample_files()
    loaded = scalar(db, "select count(*) from raw.provider_returns")
    quarantined = scalar(db, "select count(*) from audit.quarantined_rows where source_table = 'provider_returns'")
    assert loaded + quarantined == count_data_rows_in_sample_files()
    assert scalar(db, "select count(*) from audit.rejected_files") == 0


def test_contract_quarter_holds_four_quarters_with_the_real_life_events(db):
    statuses = dict(
        db.execute("select return_status, count(*) from marts.fct_contract_quarter group by 1").fetchall()
    )
    assert statuses == {"received": 225, "late": 1, "resubmitted": 1, "missing": 1}
    assert [r[0] for r in db.execute("select distinct period from marts.fct_contract_quarter order by 1").fetchall()] == [
        "2016-17 Q1", "2016-17 Q2", "2016-17 Q3", "2016-17 Q4"
    ]
    late = db.execute("select contract_id, period, days_late from marts.fct_contract_quarter where return_status = 'late'").fetchall()
    assert late == [("LEI-005", "2016-17 Q2", 29)]
    missing = db.execute("select contract_id, period, spend_gbp from marts.fct_contract_quarter where return_status = 'missing'").fetchall()
    assert missing == [("LEI-027", "2016-17 Q3", None)]


def test_resubmission_supersedes_and_both_are_kept(db):
    history = db.execute(
        "select path, is_latest, superseded_by, spend_gbp_in_this_file from marts.fct_return_submissions "
        "where contract_id = 'LEI-022' and period = '2016-17 Q2' order by submission_number"
    ).fetchall()
    assert [h[0] for h in history] == ["returns/2016-17 Q2/LEI-022.csv", "returns/2016-17 Q2/LEI-022 corrected.csv"]
    assert [h[1] for h in history] == [False, True]
    assert history[0][2] == "returns/2016-17 Q2/LEI-022 corrected.csv"
    spend = scalar(db, "select spend_gbp from marts.fct_contract_quarter where contract_id = 'LEI-022' and period = '2016-17 Q2'")
    assert spend == history[1][3] and history[0][3] == pytest.approx(spend * 10)


def test_received_date_comes_from_the_return_when_the_log_has_none(db):
    row = db.execute(
        "select received_according_to, first_received_at::date from marts.fct_contract_quarter "
        "where contract_id = 'LEI-053' and period = '2016-17 Q3'"
    ).fetchone()
    sheet = load_workbook(RAW / "returns" / "2016-17 Q3" / "LEI-053.xlsx")["Return"]
    assert row == ("date on the return", sheet["B10"].value.date())


def test_corrected_file_changes_only_its_quarter_and_file_times_do_not_matter(warehouse_copy, raw_copy):
    def snapshot(period_clause):
        return rows(
            warehouse_copy,
            f"select * from marts.fct_contract_quarter where {period_clause} order by contract_id, period",
        )

    others_before = snapshot("period != '2016-17 Q2'")
    folder = raw_copy / "returns" / "2016-17 Q2"
    original = (folder / "LEI-013.csv").read_text(encoding="utf-8")
    corrected = original.replace("spend_gbp,", "spend_gbp,1", 1)  # a different spend figure
    (folder / "LEI-013 v2.csv").write_text(corrected, encoding="utf-8")
    with (raw_copy / "returns" / "submission_log.csv").open("a", encoding="utf-8") as log:
        log.write("2016-17 Q2,LEI-013 v2.csv,2016-11-02 10:00,corrected spend\n")
    # Every other file gets a new modification time: received dates must not move.
    later = time.time() + 86400 * 400
    for path in (raw_copy / "returns").rglob("*.csv"):
        if path.name != "LEI-013 v2.csv":
            os.utime(path, (later, later))

    outcome = run_refresh(warehouse_copy, raw_copy, periods=["2016-17 Q2"], progress=False)
    assert outcome.success, outcome.reason

    assert snapshot("period != '2016-17 Q2'") == others_before
    new_spend = float(corrected.split("spend_gbp,")[1].split(",")[0])
    after = rows(
        warehouse_copy,
        "select return_status, spend_gbp, submissions from marts.fct_contract_quarter where contract_id = 'LEI-013' and period = '2016-17 Q2'",
    )
    assert after == [("resubmitted", new_spend, 2)]
    statuses = rows(warehouse_copy, "select return_status, count(*) from marts.fct_contract_quarter group by 1 order by 1")
    assert dict(statuses) == {"late": 1, "missing": 1, "received": 224, "resubmitted": 2}

    # The partial refresh rebuilt only 2016-17 in its incremental models; a full refresh of the
    # same files must give the very same marts and reporting tables.
    full = warehouse_copy.parent / "full" / "opcc.duckdb"
    assert run_refresh(full, raw_copy, progress=False).success
    with duckdb.connect(str(warehouse_copy), read_only=True) as partial_con, duckdb.connect(str(full), read_only=True) as full_con:
        tables = [t for (t,) in full_con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema in ('marts', 'reporting') and table_type = 'BASE TABLE' order by 1"
        ).fetchall()]
        assert len(tables) > 30 and "reporting.rpt_contract_cost_per_outcome" in tables
        for table in tables:
            schema, name = table.split(".")
            # When rows were loaded is not a figure (the two refreshes loaded the same files at different
            # times); a sum of doubles differs in its last bits with the order DuckDB's threads add in.
            figures = [f'round("{c}", 6)' if kind in ("DOUBLE", "FLOAT") else f'"{c}"' for c, kind in full_con.execute(
                "select column_name, data_type from information_schema.columns where table_schema = ? and table_name = ? "
                "and data_type not like 'TIMESTAMP%' order by ordinal_position", [schema, name]).fetchall()]
            query = f"select {', '.join(figures)} from {table} order by all"
            assert partial_con.execute(query).fetchall() == full_con.execute(query).fetchall(), table


def test_refreshing_the_same_files_twice_changes_nothing(warehouse_copy, raw_copy):
    tables = ["marts.fct_contract_quarter", "marts.fct_return_submissions", "raw.provider_returns", "audit.quarantined_rows"]

    def contents():
        with duckdb.connect(str(warehouse_copy), read_only=True) as con:
            return {t: con.execute(f"select * exclude (run_id) from {t} order by all").fetchall() if t.startswith("audit")
                    else con.execute(f"select * from {t} order by all").fetchall() for t in tables}

    first = contents()
    shutil.copyfile(raw_copy / "returns" / "2016-17 Q1" / "LEI-001.csv", raw_copy / "returns" / "2016-17 Q1" / "LEI-001 copy.csv")
    outcome = run_refresh(warehouse_copy, raw_copy, periods=["2016-17 Q1"], progress=False)
    assert outcome.success, outcome.reason
    assert contents() == first, "the same return loaded a second time must change nothing"
    rejected = rows(warehouse_copy, "select path, reason from audit.rejected_files")
    assert rejected == [("returns/2016-17 Q1/LEI-001 copy.csv", "identical to returns/2016-17 Q1/LEI-001.csv (same sha256): the same return is not loaded twice")]


def test_audit_return_files_lists_every_file_once_with_what_became_of_it(db):
    on_disk = {
        f"{p.parent.name}/{p.name}" for p in (RAW / "returns").glob("*/*") if p.suffix in (".csv", ".xlsx")
    }
    listed = db.execute(
        "select path, status, received_at, rows_read, rows_loaded, rows_quarantined, sha256 from audit.return_files"
    ).fetchall()
    assert {row[0].removeprefix("returns/") for row in listed} == on_disk and len(listed) == len(on_disk)
    assert all(read == loaded + quarantined and len(sha) == 64 and received for _, _, received, read, loaded, quarantined, sha in listed)
    statuses = {path: status for path, status, *_ in listed}
    assert [p for p, s in statuses.items() if s == "superseded"] == [
        p for p in statuses if p.endswith("2016-17 Q2/LEI-022.csv")
    ]
    assert statuses[next(p for p in statuses if p.endswith("LEI-022 corrected.csv"))] == "loaded"
