"""Where things are: every path the pipeline uses comes from here.

`OPCC_WAREHOUSE` (default `warehouse/opcc.duckdb`) and `OPCC_RAW` (default
`raw/`) are read from the environment; relative paths are taken from the
directory the command runs in, as a user expects of a command-line tool.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
DEFAULT_WAREHOUSE = "warehouse/opcc.duckdb"
DEFAULT_RAW = "raw"

# Nothing may phone home: Dagster, dbt and Great Expectations all honour these.
OFFLINE_ENVIRONMENT = {
    "DAGSTER_DISABLE_TELEMETRY": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    "DO_NOT_TRACK": "1",
    "GX_ANALYTICS_ENABLED": "False",
}


def apply_offline_environment() -> None:
    for key, value in OFFLINE_ENVIRONMENT.items():
        os.environ.setdefault(key, value)


def commissioner(explicit: str | None = None) -> str:
    """The commissioner whose review pack the pipeline builds (OPCC_COMMISSIONER, default LEI)."""
    return explicit or os.environ.get("OPCC_COMMISSIONER") or "LEI"


def warehouse_path(explicit: str | os.PathLike | None = None) -> Path:
    return Path(explicit or os.environ.get("OPCC_WAREHOUSE") or DEFAULT_WAREHOUSE).expanduser().absolute()


def raw_dir(explicit: str | os.PathLike | None = None) -> Path:
    return Path(explicit or os.environ.get("OPCC_RAW") or DEFAULT_RAW).expanduser().absolute()


def duckdb_memory_limit() -> str:
    """DuckDB's memory while a refresh writes (OPCC_DUCKDB_MEMORY_LIMIT, default 1GB); beyond it DuckDB
    spills to disk beside the build file, so a national refresh fits a small machine."""
    return os.environ.get("OPCC_DUCKDB_MEMORY_LIMIT") or "1GB"
