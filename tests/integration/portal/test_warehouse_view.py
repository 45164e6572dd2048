"""What the portal reads from the warehouse: the reporting rhythm when the warehouse has it (and
quarterly before), and a new warehouse swapped in by a refresh is what the next page shows."""

from __future__ import annotations

import dataclasses
import os
import shutil

import duckdb
import pytest
from django.test import Client, override_settings

from opcc.core.periods import is_period
from opcc.portal.warehouse_view import DEFAULT_RHYTHM, reporting_rhythm, returns_due, rhythm_periods, warehouse
from tests.conftest import RAW
from tests.integration.portal.conftest import bundled_contracts, make_account


@pytest.mark.parametrize("rhythm", ["quarterly", "half-yearly", "annual"])
def test_the_periods_of_a_rhythm_are_ones_the_period_grammar_knows(rhythm):
    periods = rhythm_periods("2018-19", rhythm)
    assert periods and all(is_period(p) for p in periods)
    expected = {"quarterly": [f"2018-19 Q{n}" for n in range(1, 5)], "half-yearly": ["2018-19 H1", "2018-19 H2"],
                "annual": ["2018-19"]}[rhythm]
    if all(is_period(p) for p in expected):
        assert periods == expected
    else:  # before half-years and years are periods, such a contract is asked for quarters
        assert periods == rhythm_periods("2018-19", "quarterly")
    assert rhythm_periods("2018-19", "none") == []


def test_the_rhythm_comes_from_the_warehouse_when_it_has_it(warehouse_copy, tmp_path):
    bundled_warehouse = warehouse_copy  # the session's warehouse may be open here with other settings
    contract = bundled_contracts(RAW)[0]
    with warehouse(bundled_warehouse) as con:
        has_column = bool(con.execute(
            "select count(*) from information_schema.columns where table_schema = 'marts' and table_name = 'dim_contract' "
            "and column_name = 'reporting_rhythm'").fetchone()[0])
        before = reporting_rhythm(con, contract.contract_id)
    if not has_column:
        assert before == DEFAULT_RHYTHM
    copy = tmp_path / "opcc.duckdb"
    shutil.copyfile(bundled_warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        if not has_column:
            con.execute("alter table marts.dim_contract add column reporting_rhythm varchar")
        con.execute("update marts.dim_contract set reporting_rhythm = 'annual' where contract_id = ?", [contract.contract_id])
    with warehouse(copy) as con:
        assert reporting_rhythm(con, contract.contract_id) == "annual"
        rhythm, due = returns_due(con, contract.contract_id)
    assert rhythm == "annual" and due


def test_a_refresh_swapping_the_warehouse_shows_on_the_next_page(site_paths, bundled_warehouse, tmp_path):
    live = tmp_path / "warehouse" / "opcc.duckdb"
    live.parent.mkdir()
    shutil.copyfile(bundled_warehouse, live)
    contract = bundled_contracts(site_paths.raw)[2]
    account = make_account("provider", [contract.contract_id])
    client = Client()
    client.force_login(account.user, backend="django.contrib.auth.backends.ModelBackend")
    with override_settings(OPCC_PORTAL_PATHS=dataclasses.replace(site_paths, warehouse=live)):
        first = client.get(f"/contracts/{contract.contract_id}/").content.decode()
        assert 'class="status missing"' not in first
        with duckdb.connect(str(live), read_only=True) as con:
            period = con.execute("select max(period) from marts.fct_contract_quarter where contract_id = ?",
                                 [contract.contract_id]).fetchone()[0]
        built = tmp_path / "build.duckdb"
        shutil.copyfile(live, built)
        with duckdb.connect(str(built)) as con:
            con.execute("update marts.fct_contract_quarter set return_status = 'missing' where contract_id = ? and period = ?",
                        [contract.contract_id, period])
        os.replace(built, live)  # what a refresh does when it publishes
        second = client.get(f"/contracts/{contract.contract_id}/").content.decode()
    assert 'class="status missing"' in second
