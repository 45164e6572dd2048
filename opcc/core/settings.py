"""Where things are, and the settings every part of the warehouse shares.

Business settings (the return deadline, attribution shares, RAG thresholds, the
overspend ratio, the first reporting period, the default commissioner) live in
one place: the `vars:` of dbt_project.yml, where the dbt models read them. The
Python (templates, the schedule, the review pack, the sample generator) reads
them from there through `setting()`, so changing one changes them all.

Paths are a deployment's choice and come from the environment:
`OPCC_WAREHOUSE` (default `warehouse/opcc.duckdb`) and `OPCC_RAW` (default
`raw/`); relative paths are taken from the directory the command runs in, as a
user expects of a command-line tool.
"""

from __future__ import annotations

import csv
import functools
import os
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
DEFAULT_WAREHOUSE = "warehouse/opcc.duckdb"
DEFAULT_RAW = "raw"

# What any reader of an input file accepts: one home for the limits, imported by every reader
# (the return reader, the independent row counter, the workbook reader, the folder scans, the
# register and plan importers), so they agree on what is read and what is refused.
MAX_FILE_BYTES = 20 * 1024 * 1024  # one input file (a quarterly return is a few kB)
MAX_WORKBOOK_UNCOMPRESSED_BYTES = 50 * 1024 * 1024  # a workbook's parts, before it is opened
# Python's csv module stops at a field of 131,072 characters by default; every reader here reads
# a field as long as the file itself may be, so the row counter and the reader never disagree.
CSV_FIELD_LIMIT = MAX_FILE_BYTES
MAX_FOLDER_DEPTH = 16  # folders below raw/returns/ looked into when listing what is not read
MAX_FOLDER_ENTRIES = 50_000  # entries listed in one scan of a folder that is not read
SHOWN_PER_KIND = 5  # rejected files named one by one in a terminal or log summary, per reason

csv.field_size_limit(CSV_FIELD_LIMIT)


def csv_module():
    """The csv module with the project's field limit in force (every csv reader here goes through
    it, so no reader meets Python's default 131,072-character limit)."""
    csv.field_size_limit(CSV_FIELD_LIMIT)
    return csv


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


@functools.cache
def _dbt_vars() -> dict[str, Any]:
    from opcc.core.yaml_files import load_yaml

    with open(DBT_PROJECT_DIR / "dbt_project.yml", encoding="utf-8") as handle:
        return dict(load_yaml(handle).get("vars") or {})


def all_settings() -> dict[str, Any]:
    return dict(_dbt_vars())


def setting(name: str) -> Any:
    """A business setting, from the `vars:` of dbt_project.yml (the place the models read it)."""
    values = _dbt_vars()
    if name not in values:
        raise KeyError(f"no setting '{name}' in the vars of {DBT_PROJECT_DIR / 'dbt_project.yml'}")
    return values[name]


def return_due_days() -> int:
    return int(setting("return_due_days"))


def default_commissioner() -> str:
    return str(setting("default_commissioner"))


def commissioner(explicit: str | None = None) -> str:
    """The commissioner a command is about: the one named, else the default_commissioner setting."""
    return explicit or default_commissioner()


def warehouse_path(explicit: str | os.PathLike | None = None) -> Path:
    return Path(explicit or os.environ.get("OPCC_WAREHOUSE") or DEFAULT_WAREHOUSE).expanduser().absolute()


def raw_dir(explicit: str | os.PathLike | None = None) -> Path:
    return Path(explicit or os.environ.get("OPCC_RAW") or DEFAULT_RAW).expanduser().absolute()


def settle_seconds() -> float:
    """How long a return file must have been left alone before it is read (OPCC_SETTLE_SECONDS,
    default 5): a file still being copied or saved is left for the next run, never read in half."""
    try:
        return max(float(os.environ.get("OPCC_SETTLE_SECONDS", "5")), 0.0)
    except ValueError:
        return 5.0


def duckdb_memory_limit() -> str:
    """DuckDB's memory while a refresh writes (OPCC_DUCKDB_MEMORY_LIMIT, default 1GB); beyond it DuckDB
    spills to disk beside the build file, so a national refresh fits a small machine."""
    return os.environ.get("OPCC_DUCKDB_MEMORY_LIMIT") or "1GB"


def dbt_threads() -> int:
    """Models dbt builds at once in a refresh (OPCC_DBT_THREADS, default one per CPU): DuckDB already
    spreads each model over every CPU, so more at once only divides its memory limit between them
    (measured at national scale: 2 at a time on 2 CPUs builds faster than 4, and spills less)."""
    try:
        return max(int(os.environ.get("OPCC_DBT_THREADS") or os.cpu_count() or 1), 1)
    except ValueError:
        return os.cpu_count() or 1


DEFAULT_INGEST_BATCH_MB = 8


def ingest_batch_bytes() -> int:
    """Bytes of return files a refresh reads and checks at once (OPCC_INGEST_BATCH_MB, default 8):
    whole periods are read in batches of about this much, so the memory the intake holds is one
    batch's rows, not every period's, however long the history."""
    try:
        megabytes = float(os.environ.get("OPCC_INGEST_BATCH_MB") or DEFAULT_INGEST_BATCH_MB)
    except ValueError:
        megabytes = DEFAULT_INGEST_BATCH_MB
    return max(int(megabytes * 2**20), 1)


def pack_workers() -> int:
    """Processes drawing review packs at once in a refresh (OPCC_PACK_WORKERS, default one per CPU):
    each holds a DuckDB connection and a pack in memory, so a small machine may want fewer."""
    try:
        return max(int(os.environ.get("OPCC_PACK_WORKERS") or os.cpu_count() or 1), 1)
    except ValueError:
        return os.cpu_count() or 1
