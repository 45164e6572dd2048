"""Great Expectations is imported ahead of its first use only by a run that validates with it: the
whole refresh job, the quality gate or a suite's check; a run of other assets never pays for it."""

from types import SimpleNamespace

import dagster as dg

from orchestration.defs.resources import runs_quality_checks

RAW = dg.AssetKey(["raw", "contracts"])


def run(assets=None, checks=None):
    return SimpleNamespace(asset_selection=assets, asset_check_selection=checks)


def test_the_whole_job_and_the_gate_validate():
    assert runs_quality_checks(run())
    assert runs_quality_checks(run({RAW, dg.AssetKey(["audit", "held_back_versions"])}, set()))


def test_a_suites_check_validates_and_a_dbt_test_does_not():
    contracts = dg.AssetKey(["marts", "dim_contract"])
    assert runs_quality_checks(run({contracts}, {dg.AssetCheckKey(contracts, "contracts_warnings")}))
    assert not runs_quality_checks(run({contracts}, {dg.AssetCheckKey(contracts, "not_null_dim_contract_contract_id")}))
    assert not runs_quality_checks(run({RAW}, set()))
