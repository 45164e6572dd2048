"""Dagster resources: the warehouse being built, the raw input folder, and dbt.

Every asset of a run writes to the run's own build file (see warehouse.py);
the `warehouse` asset publishes it at the end. A run tagged
`opcc/start=empty` builds from nothing (a full refresh); any other run starts
from a copy of the live warehouse, so refreshing one quarter keeps the rest.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from opcc import quality
from opcc.core import warehouse as wh
from opcc.core.audit import ensure_base_tables
from opcc.core.settings import duckdb_memory_limit, raw_dir, warehouse_path

START_TAG = "opcc/start"
LOCK_WAIT_TAG = "opcc/lock_wait_seconds"

# Tables the warehouse keeps from one refresh to the next even when it is
# rebuilt from nothing: the evidence of which file arrived when.
CARRIED_TABLES = ("audit.file_history", "audit.superseded_return_rows")


class WarehouseResource(ConfigurableResource):
    """The DuckDB warehouse a run builds, and the raw folder it reads.

    Where they are is the deployment's choice, never a run's: the paths come only from the
    environment the code location runs in (OPCC_WAREHOUSE, OPCC_RAW: settings.py), and the
    resource has no configuration field naming a path, so a run launched from the UI or its
    GraphQL endpoint with run config naming other paths is refused before it starts."""

    lock_wait_seconds: float = 0.0

    _lock: wh.WriterLock | None = PrivateAttr(default=None)
    _build: Path | None = PrivateAttr(default=None)
    _published: bool = PrivateAttr(default=False)
    _kept_failed: Path | None = PrivateAttr(default=None)
    _refresh_years: list[str] | None = PrivateAttr(default=None)

    @property
    def live_path(self) -> Path:
        return warehouse_path()

    @property
    def raw_path(self) -> Path:
        return raw_dir()

    @property
    def refresh_years(self) -> list[str] | None:
        """Financial years a partial refresh (named periods, on a copy of the live warehouse) touches;
        None for a full refresh."""
        return self._refresh_years

    @property
    def dbt_target_path(self) -> Path:
        return wh.dbt_target_path(self.live_path)

    @property
    def build_path(self) -> Path:
        if self._build is None:
            raise RuntimeError("the warehouse resource is used outside a run")
        return self._build

    def setup_for_execution(self, context: InitResourceContext) -> None:
        run = context.dagster_run
        run_id = context.run_id or "adhoc"
        tags = run.tags if run else {}
        live = self.live_path
        lock = wh.WriterLock(live, purpose=f"dagster run {run_id[:8]}")
        lock.acquire(timeout_seconds=float(tags.get(LOCK_WAIT_TAG, self.lock_wait_seconds)))
        self._lock = lock
        quality.prefetch()
        build = wh.build_path(live)
        wh.remove_stale_build(live)
        from_live = tags.get(START_TAG, "live") != "empty"
        if wh.is_unreadable(live):  # a run from the UI, the schedule or the sensor recovers as `opcc refresh` does
            kept = wh.set_aside(live)
            context.log.warning(f"the live warehouse could not be read (damaged): kept aside as {kept}; building from nothing")
        self._refresh_years = partial_refresh_years(tags) if from_live and live.exists() else None
        wh.start_build(live, build, from_live=from_live)
        with duckdb.connect(str(build)) as con:
            ensure_base_tables(con)
        if not from_live and live.exists():
            carry_over(live, build)
        self._build = build
        self._published = False

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        try:
            docs = quality.finish(self.live_path)
            if docs and context.log:
                context.log.info(f"Data Docs: {docs}")
            if self._build is not None and not self._published:
                self._kept_failed = wh.keep_failed(self._build, self.live_path)
        finally:
            if self._lock is not None:
                self._lock.release()
                self._lock = None

    @contextlib.contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        # Closed however the step ends: an open handle on the build file would keep dbt (which runs in
        # this process) from attaching it.
        con = duckdb.connect(str(self.build_path), config={"memory_limit": duckdb_memory_limit()})
        try:
            yield con
        finally:
            con.close()

    def publish(self) -> Path:
        wh.publish(self.build_path, self.live_path)
        self._published = True
        wh.failed_path(self.live_path).unlink(missing_ok=True)  # superseded by a good build
        return self.live_path


def partial_refresh_years(tags: dict) -> list[str] | None:
    """The financial years of the periods a run is for (a single partition or a range), if any."""
    from orchestration.defs.partitions import period_partitions

    keys = period_partitions.get_partition_keys()
    start = tags.get("dagster/asset_partition_range_start") or tags.get("dagster/partition")
    end = tags.get("dagster/asset_partition_range_end") or start
    if not start or start not in keys or end not in keys:
        return None
    periods = keys[keys.index(start) : keys.index(end) + 1]
    return sorted({p[:7] for p in periods})


def carry_over(live: Path, build: Path) -> None:
    """Copy the tables that must outlive a full rebuild from the live warehouse into the build."""
    with duckdb.connect(str(build)) as con:
        con.execute(f"ATTACH '{_sql_path(live)}' AS previous (READ_ONLY)")
        present = {
            f"{schema}.{name}"
            for schema, name in con.execute(
                "select schema_name, table_name from duckdb_tables() where database_name = 'previous'"
            ).fetchall()
        }
        for table in CARRIED_TABLES:
            if table in present:
                con.execute(f"insert into {table} by name select * from previous.{table}")
        con.execute("DETACH previous")


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
