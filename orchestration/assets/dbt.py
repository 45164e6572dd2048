"""dbt models as Dagster assets: staging, intermediate, marts and audit, keyed by schema.

dbt sources in the `raw` schema map onto the Dagster raw assets (`raw/<table>`),
so the graph runs from the files through to the marts. dbt tests become
asset checks; a failing test fails `dbt build` and the warehouse is not
published.
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


class OpccTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            # A side table written by an ingest asset names that asset in its source meta.
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


BUILD_STATE_DDL = """
create table if not exists audit.build_state (key varchar primary key, value varchar);
create table if not exists audit.refresh_scope (financial_year varchar)
"""


def inputs_fingerprint(con) -> str:
    """Everything but the returns that the models read: framework and reference files, and the models."""
    files = con.execute(
        "select string_agg(path || ':' || coalesce(sha256, ''), ',' order by path) from audit.loaded_files "
        "where source_table != 'provider_returns'"
    ).fetchone()[0]
    digest = hashlib.sha256((files or "").encode())
    digest.update(Path(dbt_project.manifest_path).read_bytes())
    return digest.hexdigest()


def dbt_build_args(warehouse: WarehouseResource) -> tuple[list[str], str, str]:
    """A partial refresh whose other inputs are unchanged rebuilds only its years; anything else, all."""
    with warehouse.get_connection() as con:
        con.execute(BUILD_STATE_DDL)
        fingerprint = inputs_fingerprint(con)
        previous = con.execute("select value from audit.build_state where key = 'inputs'").fetchone()
        years = warehouse.refresh_years
        con.execute("delete from audit.refresh_scope")
        if years and previous and previous[0] == fingerprint:
            con.execute("insert into audit.refresh_scope select unnest(?)", [years])
            return ["build"], fingerprint, f"years {', '.join(years)}"
    return ["build", "--full-refresh"], fingerprint, "everything"


@dbt_assets(manifest=dbt_project.manifest_path, dagster_dbt_translator=translator, name="dbt_models")
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    args, fingerprint, scope = dbt_build_args(warehouse)
    context.log.info(f"dbt builds {scope}")
    # dbt writes to this run's build file, never to the live warehouse.
    os.environ[DBT_DATABASE_ENV] = str(warehouse.build_path)
    yield from dbt.cli(args, context=context, target_path=warehouse.dbt_target_path).stream()
    with warehouse.get_connection() as con:
        con.execute("insert or replace into audit.build_state values ('inputs', ?)", [fingerprint])
