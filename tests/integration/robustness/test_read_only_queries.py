"""Ad-hoc queries open the warehouse read-only and refuse anything that writes."""

import pytest

from tests.conftest import run_opcc


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("delete from marts.fct_allocation", "refused a DELETE statement"),
        ("drop table marts.fct_allocation", "refused a DROP statement"),
        ("create table marts.x as select 1", "refused a CREATE statement"),
        ("select 1; delete from marts.fct_allocation", "refused a DELETE statement"),
        ("copy (select * from marts.fct_allocation) to '/tmp/opcc-leak.csv'", "refused a COPY statement"),
        ("attach '/tmp/opcc-other.duckdb' as other", "refused a ATTACH statement"),
        ("set enable_external_access = true", "refused a SET statement"),
    ],
)
def test_statements_that_write_are_refused(bundled_warehouse, sql, message):
    completed = run_opcc("query", "--warehouse", str(bundled_warehouse), sql)
    assert completed.returncode == 2
    assert message in completed.stderr


def test_a_select_cannot_read_or_write_files(bundled_warehouse):
    completed = run_opcc("query", "--warehouse", str(bundled_warehouse), "select * from read_csv('/etc/passwd')")
    assert completed.returncode == 2 and "disabled" in completed.stderr.lower()


def test_a_select_answers(bundled_warehouse):
    completed = run_opcc("query", "--warehouse", str(bundled_warehouse), "select count(*) as contracts from marts.dim_contract", "--format", "json")
    assert completed.returncode == 0 and '"contracts": 57' in completed.stdout
