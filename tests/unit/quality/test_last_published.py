"""The versions' part of the ledger on a small DuckDB file: what a published version held is kept
once per content and put back when the version is held back; the date it was first held back
outlives the warehouse; a failing check's rows are put down to the commissioners they belong to."""

from __future__ import annotations

import duckdb

from opcc.core.audit import ensure_audit_tables
from opcc.quality import last_published
from opcc.quality.runner import RuleOutcome, SuiteOutcome
from opcc.quality.suites import Rule, Suite

FOLDER = "LEI-2016-17-v2"


def warehouse(path, value: str, sha: str) -> duckdb.DuckDBPyConnection:
    """The tables the ledger reads: one version of one commissioner, with one allocation line."""
    con = duckdb.connect(str(path))
    ensure_audit_tables(con)
    con.execute("create schema raw; create schema intermediate")
    con.execute(
        "create table intermediate.int_framework_versions as "
        f"select '{FOLDER}' as version_folder, 'LEI' as commissioner_code, '2016-17 v2' as framework_version"
    )
    for table in last_published.VERSION_TABLES:
        con.execute(f"create table raw.{table} (framework_version varchar, value_printed varchar, _source_file varchar, _source_row integer)")
    con.execute("insert into raw.allocation_lines values ('2016-17 v2', ?, ?, 2)", [value, f"framework/{FOLDER}/allocation_lines.csv"])
    con.execute(
        "insert into audit.loaded_files (source_table, path, sha256, status, loaded_at) values ('allocation_lines', ?, ?, 'loaded', now())",
        [f"framework/{FOLDER}/allocation_lines.csv", sha],
    )
    return con


def test_a_published_version_held_back_later_gets_its_published_rows_back(tmp_path, monkeypatch):
    monkeypatch.setenv("OPCC_LEDGER", str(tmp_path / "ledger"))
    raw = tmp_path / "raw"
    with warehouse(tmp_path / "one.duckdb", "£370,136", "a" * 64) as con:
        assert last_published.record(con, raw) == 1
        assert last_published.record(con, raw) == 0, "the same content is kept once"

    edited = warehouse(tmp_path / "two.duckdb", "£371,136", "b" * 64)
    [kept] = last_published.keep(edited, raw, {("LEI", "2016-17 v2"): "Every printed subtotal ..."})
    assert edited.execute("select value_printed from raw.allocation_lines").fetchall() == [("£370,136",)]
    assert (kept.commissioner_code, kept.framework_version) == ("LEI", "2016-17 v2")
    assert kept.published_at <= kept.held_back_since
    edited.close()

    # Another warehouse (the first one lost) holding back the same edit: held back since the same time.
    again = warehouse(tmp_path / "three.duckdb", "£371,136", "b" * 64)
    [kept_again] = last_published.keep(again, raw, {("LEI", "2016-17 v2"): "Every printed subtotal ..."})
    assert kept_again.held_back_since == kept.held_back_since
    again.close()

    # Edited again, still failing: held back since the first time after it was published.
    other = warehouse(tmp_path / "four.duckdb", "£372,136", "c" * 64)
    [kept_other] = last_published.keep(other, raw, {("LEI", "2016-17 v2"): "Every printed subtotal ..."})
    assert kept_other.held_back_since == kept.held_back_since
    other.close()

    # Corrected and published: the new content is kept as the version's last published.
    with warehouse(tmp_path / "five.duckdb", "£370,137", "d" * 64) as fixed:
        assert last_published.record(fixed, raw) == 1
        assert last_published.last_published(raw)[("LEI", "2016-17 v2")]["sha256"] != kept.published_sha256


def test_a_version_never_published_has_nothing_to_keep(tmp_path, monkeypatch):
    monkeypatch.setenv("OPCC_LEDGER", str(tmp_path / "ledger"))
    with warehouse(tmp_path / "one.duckdb", "£370,136", "a" * 64) as con:
        assert last_published.keep(con, tmp_path / "raw", {("LEI", "2016-17 v2"): "a rule"}) == []
        assert con.execute("select value_printed from raw.allocation_lines").fetchall() == [("£370,136",)]


def _outcome(rows: list[dict], keys: tuple[str, ...]) -> SuiteOutcome:
    rule = Rule("Attributed pounds add up to the allocation, to the penny", "expect_column_values_to_be_between", "x", "critical")
    suite = Suite("priority_attribution", ("marts", "fct_allocation_by_priority"), "marts", "select 1", (rule,), keys)
    return SuiteOutcome(suite, [RuleOutcome(rule, False, 10, len(rows), [], rows, keys)])


def test_a_failing_rule_is_put_down_to_the_commissioners_whose_rows_broke_it():
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute("create table marts.dim_contract as select 'NOR-003' as contract_id, 'NOR' as commissioner_code")
    by_code = _outcome([{"commissioner_code": "NOR", "contract_id": "NOR-003"}], ("commissioner_code", "contract_id"))
    assert set(last_published.failing_commissioners(con, by_code)) == {"NOR"}
    by_contract = _outcome([{"contract_id": "NOR-003", "period": "2016-17 Q1"}], ("contract_id", "period"))
    found = last_published.failing_commissioners(con, by_contract)
    assert list(found) == ["NOR"] and "contract_id=NOR-003" in found["NOR"]
    nobody = _outcome([{"period": "2016-17 Q1"}], ("period",))
    assert last_published.failing_commissioners(con, nobody) == {}, "a row naming no commissioner still stops everyone"
