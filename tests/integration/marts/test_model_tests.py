"""The project's own generic tests on a real warehouse: the grain test (one query per key) fails on a
duplicated key and on an empty key part; the in_vocabulary test fails on a word the vocabulary seed
does not have (tests/unit/core/test_grain_yml.py keeps every key to one grain test)."""

from __future__ import annotations

import duckdb

from opcc.core.dbt_project import run_dbt
from opcc.core.dbt_tests import describe


def _grain_results(database, target, model: str, test: str = "grain") -> dict[str, int]:
    run = run_dbt(["test", "--select", f"{model},test_name:{test}"], database=database, target_path=target)
    return {event["data"]["node_info"]["node_name"]: event["data"]["num_failures"] for event in run.events}


def test_a_duplicated_key_and_an_empty_key_part_each_fail_the_grain(warehouse_copy, tmp_path):
    assert _grain_results(warehouse_copy, tmp_path / "clean", "dim_framework_version") == {
        "grain_dim_framework_version_commissioner_code__framework_version": 0
    }
    with duckdb.connect(str(warehouse_copy)) as con:
        con.execute("insert into marts.dim_commissioner select * from marts.dim_commissioner limit 1")
        first, last = con.execute("select min(rowid), max(rowid) from marts.dim_framework_version").fetchone()
        assert first < last
        con.execute("insert into marts.dim_framework_version select * from marts.dim_framework_version where rowid = ?", [first])
        con.execute("update marts.dim_framework_version set framework_version = null where rowid = ?", [last])

    assert _grain_results(warehouse_copy, tmp_path / "one", "dim_commissioner") == {"grain_dim_commissioner_commissioner_code": 1}
    # the duplicate's twin with an empty version, and the empty version itself: two offending keys
    assert _grain_results(warehouse_copy, tmp_path / "two", "dim_framework_version") == {
        "grain_dim_framework_version_commissioner_code__framework_version": 2
    }
    assert describe("grain_dim_framework_version_commissioner_code__framework_version") == (
        "dim_framework_version has one row per commissioner_code, framework_version (none of them empty)"
    )


def test_a_status_outside_the_vocabulary_fails(warehouse_copy, tmp_path):
    with duckdb.connect(str(warehouse_copy)) as con:
        con.execute("update marts.fct_return_submissions set submission_status = 'in farce' where rowid = 0")
    name = "in_vocabulary_fct_return_submissions_submission_status__submission_status"
    assert _grain_results(warehouse_copy, tmp_path, "fct_return_submissions", "in_vocabulary") == {name: 1}
    assert describe(name) == (
        "submission_status of fct_return_submissions is one of in force, partly in force, superseded, not counted "
        "(the submission_status vocabulary)"
    )


def test_a_model_that_cannot_be_built_is_named_with_the_databases_reason(warehouse_copy, tmp_path):
    """What the refresh says when dbt fails: the model and the database's own line, not 'a node failed'."""
    with duckdb.connect(str(warehouse_copy)) as con:
        con.execute("drop table marts.fct_allocation_by_priority cascade")
    run = run_dbt(["run", "--select", "fct_national_comparison"], database=warehouse_copy, target_path=tmp_path / "t")
    assert not run.success
    assert run.error.startswith("marts.fct_national_comparison: Runtime Error in model fct_national_comparison"), run.error
    assert "fct_allocation_by_priority" in run.error, run.error
