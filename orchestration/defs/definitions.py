"""The Dagster code location: every asset, check, job, schedule and sensor of the warehouse.

`dagster dev` (from the project root) serves `defs`, whose warehouse and raw
folder are the deployment's settings (OPCC_WAREHOUSE, OPCC_RAW: settings.py);
`opcc refresh` builds the same definitions for the paths it was given and runs
their `refresh` job in-process. Runs execute in one process, step after step:
DuckDB allows one writer, and every step writes the run's build file.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from opcc.core.settings import apply_offline_environment, raw_dir, warehouse_path
from orchestration.defs.assets.dbt import dbt_candidates, dbt_models
from orchestration.defs.assets.framework import raw_assets
from orchestration.defs.assets.open_data import grants_and_contracts
from orchestration.defs.assets.publish import published_warehouse_asset
from orchestration.defs.assets.quality import held_back_versions, quality_checks
from orchestration.defs.assets.report import review_pack
from orchestration.defs.assets.returns import every_return_row_accounted_for, provider_returns, returns_folder
from orchestration.defs.jobs import refresh_job
from orchestration.defs.progress import progress_logger, silent_logger
from orchestration.defs.resources import warehouse_resource
from orchestration.defs.schedules import quarterly_returns_schedule
from orchestration.defs.sensors import returns_folder_sensor

apply_offline_environment()

@dg.io_manager(config_schema={}, description="Values between steps kept in memory; no configuration (no path).")
def no_config_io_manager(_init_context) -> dg.InMemoryIOManager:
    return dg.InMemoryIOManager()


_built = [
    *raw_assets, provider_returns, returns_folder, dbt_candidates, held_back_versions, dbt_models, review_pack,
    grants_and_contracts,
]
warehouse_asset = published_warehouse_asset([key for a in _built for key in a.keys])



def build_definitions(live: Path, raw: Path) -> dg.Definitions:
    """Every definition, with the warehouse and raw folder bound: passed, never read from a run."""
    return dg.Definitions(
        assets=[*_built, warehouse_asset],
        asset_checks=[every_return_row_accounted_for, *quality_checks],
        jobs=[refresh_job],
        schedules=[quarterly_returns_schedule],
        sensors=[returns_folder_sensor],
        # No resource takes a path from run config: the warehouse's are bound here, and the assets
        # hand no values between steps (nothing for an IO manager to store anywhere).
        resources={"warehouse": warehouse_resource(live, raw), "io_manager": no_config_io_manager},
        loggers={"progress": progress_logger, "silent": silent_logger},
        # The executor's configuration is fixed here too: nothing in a run's config reaches the disk.
        executor=dg.in_process_executor.configured({}, name="in_process"),
    )


defs = build_definitions(warehouse_path(), raw_dir())
