"""A suite that fails on hundreds of thousands of rows (a broken input: every return of a national raw
missing) is validated by Great Expectations as any other, in seconds: every failing row counted and
known by its keys, the first ones listed in the order a reader expects, and a results file (and so
Data Docs) holding only the first rows of each rule."""

import json

import duckdb
import pytest

from opcc.quality import held_back, load_suites, validate
from opcc.quality.docs import quality_dir
from opcc.quality.failing_rows import KEPT_ROWS
from opcc.quality.last_published import failing_commissioners

ROWS = 200_000
SUITES = {suite.name: suite for suite in load_suites()}
NOT_REPORTED = "Every indicator with a target is reported"


@pytest.fixture
def warehouse(tmp_path):
    live = tmp_path / "warehouse" / "opcc.duckdb"
    live.parent.mkdir()
    con = duckdb.connect(str(live))
    con.execute("create schema marts; create schema intermediate")
    # Contract numbers 0-4999 ('C-10' after 'C-9' for a reader, before it for a plain sort), one in ten reported.
    con.execute(f"""create table marts.fct_indicator_performance as
        select 'C-' || (i % 5000) as contract_id, '2025-26 Q' || (1 + i // 5000 % 4) as period,
          'IND' || (i // 20000) as indicator_code, '2025-26' as financial_year, false as missed_by_more_than_half,
          case when i % 10 = 3 then 'green' else 'not reported' end as rag_status, null::double as achievement_ytd
        from range({ROWS}) t(i)""")
    # Shares of 53 commissioners' contracts in three versions each; every fourth contract's shares add up.
    con.execute(f"""create table intermediate.int_priority_shares as
        select 'COM' || (i % 53) as commissioner_code, 'v' || (i % 3) as framework_version, 'K-' || i as contract_id,
          case when i % 4 = 0 then 1.0 else 0.5 end as share, 'own' as priority_role
        from range({ROWS}) t(i)""")
    con.execute("create table intermediate.int_framework_lines (framework_version varchar, contract_id varchar, mechanism_class varchar)")
    yield con, live
    con.close()


def test_hundreds_of_thousands_of_failing_rows_are_counted_and_named_in_a_readers_order(warehouse):
    con, live = warehouse
    outcome = validate(con, SUITES["contract_performance"], live, run_name="many failing rows")
    result = next(o for o in outcome.outcomes if o.rule.rule == NOT_REPORTED)
    failing = con.execute("select count(*) from marts.fct_indicator_performance where rag_status = 'not reported'").fetchone()[0]
    assert result.rows_checked == ROWS and result.rows_failing == failing == len(result.failing_keys) == ROWS * 9 // 10
    first = con.execute(
        "select contract_id, period, indicator_code from marts.fct_indicator_performance where rag_status = 'not reported' "
        "order by split_part(contract_id, '-', 2)::int, period, split_part(indicator_code, 'D', 2)::int limit 12"
    ).fetchall()
    assert [(k["contract_id"], k["period"], k["indicator_code"]) for k in result.failing_keys[:12]] == first
    assert list(result.failing_keys[0]) == ["rag_status", "contract_id", "period", "indicator_code", "achievement_ytd"]
    named = "; ".join(" ".join(row) for row in first[:5])
    assert result.finding() == f"{failing:,} indicators with a target were not reported: {named} and {failing - 5:,} more"
    assert result.failing_sample[0] == f"{' / '.join(first[0])}: rag_status=not reported, achievement_ytd=nan"
    keys = {(k["contract_id"], k["period"], k["indicator_code"]) for k in result.failing_keys}
    assert len(keys) == failing  # every failing row, each once

    # What is kept for Data Docs: the exact count, and the first rows with their keys, as GE writes them.
    [path] = (quality_dir(live) / "validations" / "contract_performance").rglob("*.json")
    assert path.stat().st_size < 500_000
    kept = next(r["result"] for r in json.loads(path.read_text())["results"] if r["expectation_config"]["meta"]["rule"] == NOT_REPORTED)
    assert kept["unexpected_count"] == failing and len(kept["unexpected_index_list"]) == KEPT_ROWS
    assert kept["unexpected_index_list"][0] == {
        "rag_status": "not reported", "contract_id": "C-0", "period": "2025-26 Q1", "indicator_code": "IND0", "achievement_ytd": None,
    }
    assert kept["unexpected_index_column_names"] == ["contract_id", "period", "indicator_code", "achievement_ytd"]


def test_every_version_with_a_failing_row_is_held_back_however_many_rows_fail(warehouse):
    con, live = warehouse
    outcome = validate(con, SUITES["framework_attribution"], live, run_name="many failing rows")
    [result] = outcome.failed(blocking=True)
    failing = con.execute("select count(*) from intermediate.int_priority_shares where share != 1").fetchone()[0]
    assert result.rows_failing == len(result.failing_keys) == failing == ROWS * 3 // 4
    versions = set(con.execute("select distinct commissioner_code, framework_version from intermediate.int_priority_shares where share != 1").fetchall())
    held = held_back(outcome)
    assert {(h.commissioner_code, h.framework_version) for h in held} == versions and len(held) == len(versions) == 53 * 3
    # In a reader's order: COM2 before COM10, and each version's first failing contracts first.
    assert [h.commissioner_code for h in held[:4]] == ["COM0", "COM0", "COM0", "COM1"]
    # COM0 v0: contracts 159 * k, every fourth adding up
    assert held[0].detail.startswith("share_total=0.5, contract_id=K-159; share_total=0.5, contract_id=K-318; share_total=0.5, contract_id=K-477;")
    assert set(failing_commissioners(con, outcome)) == {code for code, _ in versions}
