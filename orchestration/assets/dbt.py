"""dbt models as Dagster assets, in two builds around the quality gate.

`dbt_candidates` builds staging and the framework models that hold every
version's figures (tag `framework_candidate`). The gate (assets/quality.py)
then judges each framework version and lists the ones it holds back in
audit.held_back_versions; `dbt_models` builds everything else from that,
leaving held-back versions out of the marts.

dbt sources in the `raw` schema map onto the Dagster raw assets (`raw/<table>`),
so the graph runs from the files through to the marts. dbt tests become asset
checks; a failing test fails its build and the warehouse is not published.
"""

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from ..project import dbt_project
from ..resources import DBT_DATABASE_ENV, WarehouseResource

CANDIDATES = "tag:framework_candidate"


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


@dbt_assets(manifest=dbt_project.manifest_path, dagster_dbt_translator=translator, name="dbt_candidates", select=CANDIDATES)
def dbt_candidates(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    # dbt writes to this run's build file, never to the live warehouse.
    os.environ[DBT_DATABASE_ENV] = str(warehouse.build_path)
    yield from dbt.cli(["build"], context=context, target_path=warehouse.dbt_target_path).stream()


@dbt_assets(manifest=dbt_project.manifest_path, dagster_dbt_translator=translator, name="dbt_models", exclude=CANDIDATES)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    args, fingerprint, scope = dbt_build_args(warehouse)
    context.log.info(f"dbt builds {scope}")
    os.environ[DBT_DATABASE_ENV] = str(warehouse.build_path)
    yield from dbt.cli(args, context=context, target_path=warehouse.dbt_target_path).stream()
    with warehouse.get_connection() as con:
        con.execute("insert or replace into audit.build_state values ('inputs', ?)", [fingerprint])
