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

import dagster as dg
import duckdb

from opcc import quality
from opcc.core import warehouse as wh
from opcc.core.audit import ensure_base_tables
from opcc.core.periods import Period
from opcc.core.settings import duckdb_memory_limit

START_TAG = "opcc/start"
LOCK_WAIT_TAG = "opcc/lock_wait_seconds"

# Tables the warehouse keeps from one refresh to the next even when it is
# rebuilt from nothing: the evidence of which file arrived when.
CARRIED_TABLES = ("audit.file_history", "audit.superseded_return_rows")


class Warehouse:
    """The DuckDB warehouse a run builds, and the raw folder it reads.

    Where they are is the deployment's choice, never a run's: the paths are bound when the
    definitions are built (`build_definitions` in definitions.py: from the settings where the code
    location is served, from `opcc refresh`'s options in-process), and the resource takes no
    configuration at all, so a run launched from the UI or its GraphQL endpoint with run config
    naming other paths is refused before it starts."""

    def __init__(self, live: Path, raw: Path) -> None:
        self.live_path = Path(live)
        self.raw_path = Path(raw)
        self._lock: wh.WriterLock | None = None
        self._build: Path | None = None
        self._published = False
        self._refresh_years: list[str] | None = None

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

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        run = context.dagster_run
        run_id = context.run_id or "adhoc"
        tags = run.tags if run else {}
        live = self.live_path
        lock = wh.WriterLock(live, purpose=f"dagster run {run_id[:8]}")
        lock.acquire(timeout_seconds=float(tags.get(LOCK_WAIT_TAG, 0.0)))
        self._lock = lock
        if runs_quality_checks(run):
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

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        try:
            docs = quality.finish(self.live_path)
            if docs and context.log:
                context.log.info(f"Data Docs: {docs}")
            if self._build is not None and not self._published:
                wh.keep_failed(self._build, self.live_path)
        finally:
            self.release_lock()

    def release_lock(self) -> None:
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


# What an asset's parameter names to receive the run's Warehouse (a plain object: no config fields).
WarehouseResource = dg.ResourceParam[Warehouse]


def warehouse_resource(live: Path, raw: Path) -> dg.ResourceDefinition:
    """The `warehouse` resource with its paths bound here; its configuration schema is empty, so run
    config naming any path is an unexpected entry."""

    @dg.resource(config_schema={}, description=f"The warehouse {live}, built from {raw}; paths fixed by the deployment.")
    def warehouse(context: dg.InitResourceContext) -> Iterator[Warehouse]:
        handle = Warehouse(live, raw)
        try:
            handle.setup_for_execution(context)
        except BaseException:
            handle.release_lock()  # a setup that failed half-way must not keep the warehouse locked
            raise
        try:
            yield handle
        finally:
            handle.teardown_after_execution(context)

    return warehouse


def runs_quality_checks(run) -> bool:
    """Whether a run validates with Great Expectations (the whole job, the quality gate or a suite's
    check): only then is GE imported ahead of its first use, seconds of a run that checks nothing."""
    if run is None or (run.asset_selection is None and run.asset_check_selection is None):
        return True
    if any(key.path[:1] == ["audit"] and key.path[-1] == "held_back_versions" for key in run.asset_selection or ()):
        return True
    suites = {suite.name for suite in quality.load_suites()}
    return any(check.name.removesuffix("_warnings") in suites for check in run.asset_check_selection or ())


def partial_refresh_years(tags: dict) -> list[str] | None:
    """The financial years of the periods a run is for (a single partition or a range), if any."""
    from orchestration.defs.partitions import period_partitions

    keys = period_partitions.get_partition_keys()
    start = tags.get("dagster/asset_partition_range_start") or tags.get("dagster/partition")
    end = tags.get("dagster/asset_partition_range_end") or start
    if not start or start not in keys or end not in keys:
        return None
    periods = keys[keys.index(start) : keys.index(end) + 1]
    return sorted({Period.parse(p).financial_year for p in periods})


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
