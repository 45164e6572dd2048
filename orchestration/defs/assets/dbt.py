"""dbt models as Dagster assets, in two builds around the quality gate, dbt run in this process.

`dbt_candidates` builds staging and the framework models that hold every
version's figures (tag `framework_candidate`). The gate (assets/quality.py)
then judges each framework version and lists the ones it holds back in
audit.held_back_versions; `dbt_models` builds everything else from that,
leaving held-back versions out of the marts.

dbt sources in the `raw` schema map onto the Dagster raw assets (`raw/<table>`),
so the graph runs from the files through to the marts. dbt tests become asset
checks; a failing test fails its build and the warehouse is not published.
dbt runs in the refresh's own process on the manifest prepared once per change
of the project (opcc/core/dbt_project.py); dagster-dbt turns dbt's result
events into Dagster's, exactly as it does for its own CLI runs.
"""

import hashlib
import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject, dbt_assets
from dagster_dbt.asset_utils import get_subset_selection_for_context
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage

from opcc.core.dbt_project import manifest_path, prepare_manifest, run_dbt
from opcc.core.settings import DBT_PROJECT_DIR, dbt_threads, duckdb_memory_limit
from opcc.core.timings import add, dbt_split, spent
from orchestration.defs.resources import WarehouseResource

CANDIDATES = "tag:framework_candidate"
prepare_manifest()  # only when a file of the dbt project is newer than its manifest


class OpccTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            # A table written by a Dagster asset (not a file) names that asset in its source meta.
            declared = dbt_resource_props.get("meta", {}).get("dagster", {}).get("asset_key")
            if declared:
                return dg.AssetKey(declared)
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        schema = dbt_resource_props.get("config", {}).get("schema") or dbt_resource_props["schema"]
        return dg.AssetKey([schema, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        schema = dbt_resource_props.get("config", {}).get("schema")
        return f"dbt_{schema}" if schema else "dbt"


# The one DbtProject of the code location: where its manifest is, for the dbt assets and the pack.
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

translator = OpccTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


def inputs_fingerprint(con) -> str:
    """Everything but the returns that the models read: framework, plan and reference files, and the models."""
    files = con.execute(
        "select string_agg(path || ':' || coalesce(sha256, ''), ',' order by path) from audit.loaded_files "
        "where source_table != 'provider_returns'"
    ).fetchone()[0]
    held = con.execute(
        "select string_agg(commissioner_code || ':' || framework_version, ',' order by all) from audit.held_back_versions"
    ).fetchone()[0]
    digest = hashlib.sha256((files or "").encode())
    digest.update((held or "").encode())
    digest.update(Path(dbt_project.manifest_path).read_bytes())
    return digest.hexdigest()


def dbt_build_args(warehouse: WarehouseResource) -> tuple[list[str], str, str]:
    """A partial refresh whose other inputs are unchanged rebuilds only its years; anything else, all."""
    with warehouse.get_connection() as con:
        fingerprint = inputs_fingerprint(con)
        previous = con.execute("select value from audit.build_state where key = 'inputs'").fetchone()
        years = warehouse.refresh_years
        con.execute("delete from audit.refresh_scope")
        if years and previous and previous[0] == fingerprint:
            con.execute("insert into audit.refresh_scope select unnest(?)", [years])
            return ["build"], fingerprint, f"years {', '.join(years)}"
    return ["build", "--full-refresh"], fingerprint, "everything"


def _manifest_dict() -> dict:
    return json.loads(manifest_path().read_text(encoding="utf-8"))


def build(context: dg.AssetExecutionContext, warehouse: WarehouseResource, args: list[str], select: str | None, exclude: str | None):
    """`dbt build` of this asset's models (the run's subset of them) into the run's build file."""
    manifest = _manifest_dict()
    selection, indirect = get_subset_selection_for_context(
        context, manifest, select, exclude, None, translator, os.environ.get("DBT_INDIRECT_SELECTION")
    )
    parsing, started = spent()["dbt parse"], time.perf_counter()
    run = run_dbt(
        # unit tests check the models' arithmetic on made-up rows: the test suite runs them, not every refresh
        [*args, "--exclude-resource-type", "unit_test", *selection],
        database=warehouse.build_path,  # never the live warehouse
        target_path=warehouse.dbt_target_path,
        # The refresh's memory bound and dbt's threads (settings.py) for dbt's connection too: one home for their defaults.
        environment={
            "OPCC_DUCKDB_MEMORY_LIMIT": duckdb_memory_limit(),
            "OPCC_DBT_THREADS": str(dbt_threads()),
            **({"DBT_INDIRECT_SELECTION": indirect} if indirect else {}),
        },
    )
    wall = time.perf_counter() - started - (spent()["dbt parse"] - parsing)
    for stage, seconds in dbt_split(run.events, wall).items():
        add(stage, seconds)
    for raw_event in run.events:
        message = DbtCoreCliEventMessage(raw_event=raw_event, event_history_metadata={})
        yield from message.to_default_asset_events(
            manifest=manifest, dagster_dbt_translator=translator, context=context, target_path=warehouse.dbt_target_path
        )
    if not run.success:
        raise dg.Failure(f"dbt build failed: {run.error}")


@dbt_assets(manifest=dbt_project.manifest_path, dagster_dbt_translator=translator, name="dbt_candidates", select=CANDIDATES)
def dbt_candidates(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    yield from build(context, warehouse, ["build"], CANDIDATES, None)


@dbt_assets(manifest=dbt_project.manifest_path, dagster_dbt_translator=translator, name="dbt_models", exclude=CANDIDATES)
def dbt_models(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    args, fingerprint, scope = dbt_build_args(warehouse)
    context.log.info(f"dbt builds {scope}")
    yield from build(context, warehouse, args, None, CANDIDATES)
    with warehouse.get_connection() as con:
        con.execute("insert or replace into audit.build_state values ('inputs', ?)", [fingerprint])
