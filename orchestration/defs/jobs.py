"""Jobs. `refresh` is the whole graph: the job `opcc refresh`, the schedules and the sensor run."""

from __future__ import annotations

import dagster as dg

refresh_job = dg.define_asset_job(
    "refresh",
    selection=dg.AssetSelection.all(),
    description="Load every raw file, build every dbt model, run every check, publish the warehouse.",
)
