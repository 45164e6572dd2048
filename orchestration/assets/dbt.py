"""dbt models as Dagster assets: staging, intermediate, marts and audit, keyed by schema.

dbt sources in the `raw` schema map onto the Dagster raw assets (`raw/<table>`),
so the graph runs from the files through to the marts. dbt tests become
asset checks; a failing test fails `dbt build` and the warehouse is not
published.
"""


import os
from collections.abc import Mapping
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


@dbt_assets(manifest=dbt_project.manifest_path, dagster_dbt_translator=translator, name="dbt_models")
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    # dbt writes to this run's build file, never to the live warehouse.
    os.environ[DBT_DATABASE_ENV] = str(warehouse.build_path)
    yield from dbt.cli(["build"], context=context, target_path=warehouse.dbt_target_path).stream()
