"""Done when: a return named with bytes that are not UTF-8 and a return of 20,000 rows repeating one
measure are read like any other, and hold back nobody.

The first failed the whole refresh (UnicodeEncodeError in provider_returns); the second gave each of
its rows a reason naming every other row (quadratic: 200,000 rows never finished) and the review pack
one line per row (200,000 rows made a pack of 43 MB that took half a minute to write).
"""

from __future__ import annotations

import csv
import os
import shutil

import duckdb
import pytest

from opcc.core import warehouse as wh
from tests.conftest import RAW, built_once, run_opcc

pytestmark = pytest.mark.warehouse

Q4 = "2016-17 Q4"
NOT_UTF8 = b"LEI-002 \xff\xfe.csv"
REPEATS = 20_000


def build(root):
    raw = root / "raw"
    shutil.copytree(RAW, raw)
    q4 = raw / "returns" / Q4
    os.rename(q4 / "LEI-002.csv", os.path.join(os.fsencode(q4), NOT_UTF8))
    (q4 / "LEI-008.csv").write_text("contract_id,period,measure,value,comment\n" + f"LEI-008,{Q4},spend_gbp,100,\n" * REPEATS)
    live = root / "warehouse" / "opcc.duckdb"
    return live, run_opcc("refresh", "--warehouse", str(live), "--raw", str(raw))


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    return built_once(tmp_path_factory, "hostile_sweep", build)


@pytest.fixture(scope="module")
def con(swept):
    live, _ = swept
    connection = duckdb.connect(str(live), read_only=True)
    yield connection
    connection.close()


def bundled_spend(contract: str) -> float:
    with (RAW / "returns" / Q4 / f"{contract}.csv").open(newline="", encoding="utf-8") as handle:
        return next(float(r["value"]) for r in csv.DictReader(handle) if r["measure"] == "spend_gbp")


def test_the_refresh_publishes(swept):
    _, refreshed = swept
    output = refreshed.stdout + refreshed.stderr
    assert refreshed.returncode == 0, output[-3000:]
    assert "Warehouse published" in refreshed.stdout and "Traceback" not in output


def test_a_name_that_is_not_utf8_is_read_under_a_printable_stand_in(con):
    (path, status), = con.execute(
        "select path, status from audit.loaded_files where path like 'returns/2016-17 Q4/LEI-002%'"
    ).fetchall()
    assert status == "loaded" and path.isprintable() and "[name not printable, " in path
    spend = con.execute("select spend_gbp from marts.fct_contract_quarter where contract_id = 'LEI-002' and period = ?", [Q4]).fetchone()
    assert spend == (bundled_spend("LEI-002"),)


def test_a_measure_repeated_20000_times_is_quarantined_row_by_row_and_summarised_in_the_pack(swept, con):
    live, _ = swept
    count, longest = con.execute(
        "select count(*), max(length(reason)) from audit.quarantined_rows where path = 'returns/2016-17 Q4/LEI-008.csv'"
    ).fetchone()
    assert count == REPEATS and longest < 200
    findings = con.execute(
        "select items, finding from reporting.rpt_data_quality where example = 'returns/2016-17 Q4/LEI-008.csv' order by items desc"
    ).fetchall()
    assert len(findings) == 11 and findings[0] == (
        REPEATS - 10,
        f"{REPEATS - 10} more rows of LEI-008.csv ({Q4}) were not loaded besides the 10 listed: "
        "each row and its reason is in audit.quarantined_rows",
    )
    pack = next(wh.reports_dir(live).rglob("review-2016-17-Q4.html"))
    assert pack.stat().st_size < 1_000_000, "the pack lists ten rows of the file, not 20,000"


def test_a_contract_registered_twice_is_named_with_its_file_and_rows(tmp_path):
    """The refresh said only 'stg_framework__contracts has one row per contract_id': which contract,
    and where, the analyst had to find by hand."""
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    registry = raw / "framework" / "contracts.csv"
    lines = registry.read_text(encoding="utf-8").splitlines(keepends=True)
    twice = next(number for number, line in enumerate(lines, start=1) if line.startswith("LEI-003,"))
    registry.write_text("".join(lines) + lines[twice - 1].replace("Co-com", "Grant", 1), encoding="utf-8")
    refreshed = run_opcc("refresh", "--warehouse", str(tmp_path / "warehouse" / "opcc.duckdb"), "--raw", str(raw))
    assert refreshed.returncode == 1 and "Traceback" not in refreshed.stderr
    failed = next(line for line in refreshed.stderr.splitlines() if line.startswith("Refresh failed"))
    assert (
        "stg_framework__contracts has one row per contract_id (none of them empty); "
        f"first: contract_id 'LEI-003' at framework/contracts.csv rows {twice}, {len(lines) + 1}"
    ) in failed, failed


def test_a_contract_of_an_unknown_commissioner_is_named_with_its_file_and_row(tmp_path):
    """The refresh's line for a failed relationships test names the first value that breaks it and
    where it was read, as for a grain test (the tables as staging builds them, in a file of their own)."""
    from orchestration.commands.refresh import _first_clash

    database = tmp_path / "opcc.failed.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create schema staging")
        con.execute("create table staging.stg_reference__commissioners as select 'LEI' as commissioner_code, "
                    "'reference/commissioners.csv' as source_file, 2 as source_row")
        con.execute("create table staging.stg_framework__contracts as select * from (values "
                    "('LEI-001', 'LEI', 'framework/contracts.csv', 2), ('LEI-004', 'NOR', 'framework/contracts.csv', 5), "
                    "('LEI-005', null, 'framework/contracts.csv', 6)) t(contract_id, commissioner_code, source_file, source_row)")
    name = "relationships_stg_framework__contracts_commissioner_code__commissioner_code__ref_stg_reference__commissioners_"
    assert _first_clash(name, database) == "; first: commissioner_code 'NOR' at framework/contracts.csv row 5"
    assert _first_clash("grain_stg_framework__contracts_contract_id", database) == "", "the grain holds: nothing to name"


def test_a_commissioner_listed_twice_is_named_with_its_file_and_rows(warehouse_copy):
    """The refresh said only 'stg_reference__commissioners has one row per commissioner_code': the staging
    model kept no file or row, so the line could not say where the second LEI was."""
    from orchestration.commands.refresh import _first_clash

    with duckdb.connect(str(warehouse_copy)) as con:
        con.execute("insert into raw.commissioners select * replace (3 as _source_row) from raw.commissioners where _source_row = 2")
    assert _first_clash("grain_stg_reference__commissioners_commissioner_code", warehouse_copy) == (
        "; first: commissioner_code 'LEI' at reference/commissioners.csv rows 2, 3"
    )
