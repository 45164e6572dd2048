"""The Dagster code location loads and holds the whole graph, from raw files to the published warehouse."""

import dagster as dg
import pytest

from orchestration.defs.definitions import defs


def asset_keys():
    return {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}


def test_graph_runs_from_raw_files_to_published_warehouse():
    keys = asset_keys()
    assert {"raw/contracts", "raw/allocation_lines", "raw/name_variants"} <= keys
    assert {"staging/stg_framework__allocation_lines", "intermediate/int_framework_lines"} <= keys
    assert {
        "marts/dim_contract",
        "marts/dim_strategic_priority",
        "marts/fct_allocation",
        "marts/fct_allocation_by_priority",
        "marts/fct_framework_changes",
        "marts/fct_budget_position",
        "audit/source_discrepancies",
        "warehouse",
    } <= keys


def test_dbt_sources_are_the_raw_assets():
    graph = defs.resolve_asset_graph()
    staging = graph.get(dg.AssetKey(["staging", "stg_framework__allocation_lines"]))
    assert dg.AssetKey(["raw", "allocation_lines"]) in staging.parent_keys


def test_publish_depends_on_every_other_asset():
    graph = defs.resolve_asset_graph()
    publish = graph.get(dg.AssetKey(["warehouse"]))
    others = graph.get_all_asset_keys() - {dg.AssetKey(["warehouse"])}
    assert others <= set(publish.parent_keys)


def test_refresh_job_selects_everything_and_runs_in_one_process():
    job = defs.resolve_job_def("refresh")
    assert job.executor_def.name == "in_process"
    selected = {key.to_user_string() for key in job.asset_layer.selected_asset_keys}
    assert selected == asset_keys()


def test_the_paths_are_bound_when_the_definitions_are_built_and_no_run_config_names_them(tmp_path):
    from orchestration.defs.definitions import build_definitions

    job = build_definitions(tmp_path / "here.duckdb", tmp_path / "raw").resolve_job_def("refresh")
    warehouse = job.resource_defs["warehouse"]
    assert "here.duckdb" in warehouse.description
    for hostile in ({"warehouse": str(tmp_path / "evil.duckdb")}, {"raw": str(tmp_path / "evil")}, {"lock_wait_seconds": 1}):
        with pytest.raises(dg.DagsterInvalidConfigError, match="unexpected config entr"):
            dg.validate_run_config(job, {"resources": {"warehouse": {"config": hostile}}})
