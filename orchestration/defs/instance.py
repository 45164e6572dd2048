"""The one Dagster instance every run of a warehouse records into.

`opcc refresh`, `opcc serve` (the UI and the daemon: schedules and sensors),
and `opcc status` all use the instance in `DAGSTER_HOME` when it is set, else
in a folder beside the warehouse (`<warehouse folder>/.dagster/`), created on
first use. So a refresh run from the command line shows in the UI with its
materializations, partitions and check results, a run the UI or the schedule
launched shows in `opcc status`, and schedules and sensors switched on in the
UI stay on across restarts.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import OrderedDict
from pathlib import Path

import sqlalchemy as db
from dagster import Field, StringSource
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from sqlalchemy.pool import StaticPool

HOME_ENV = "DAGSTER_HOME"
FOLDER = ".dagster"

# Nothing leaves the machine; one run at a time (DuckDB has one writer, and every refresh also
# takes the warehouse's writer lock); run workers inherit the environment that names the warehouse.
INSTANCE_YAML = """\
# The Dagster instance of this warehouse (written by opcc on first use; edit freely).
telemetry:
  enabled: false
nux:
  enabled: false
run_queue:
  max_concurrent_runs: 1
# Dagster's own SQLite event log, keeping its database connections open (see
# orchestration/defs/instance.py): a refresh records about a thousand events.
event_log_storage:
  module: orchestration.defs.instance
  class: WarehouseEventLogStorage
  config: {}
"""


class WarehouseEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log, with each database's connection kept open (a few at a time) and
    commits left to SQLite's write-ahead log without a sync each.

    The stock storage opens a new engine and connection, and syncs to disk, for every event: a
    refresh records about a thousand, which costs seconds. Here a process keeps the connections of
    the last few databases it wrote; a run log may lose its last events on a power cut (SQLite's
    WAL with synchronous=NORMAL), never the warehouse, which does not live here.
    """

    KEEP_OPEN = 8

    def __init__(self, base_dir: str | None = None, inst_data=None):
        self._engines: OrderedDict[str, db.Engine] = OrderedDict()
        self._engines_lock = threading.RLock()
        self._tables_seen: set[str] = set()
        if not base_dir:  # the webserver and daemon `opcc serve` starts are given DAGSTER_HOME
            home = os.environ.get(HOME_ENV)
            if not home:
                raise RuntimeError(f"{HOME_ENV} is not set and the event log storage has no base_dir")
            base_dir = str(Path(home) / "history" / "runs")
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def config_type(cls):
        return {"base_dir": Field(StringSource, is_required=False)}

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> db.Engine:
        with self._engines_lock:
            engine = self._engines.get(shard)
            if engine is not None:
                self._engines.move_to_end(shard)
                return engine
            engine = db.create_engine(
                self.conn_string_for_shard(shard),
                poolclass=StaticPool,
                connect_args={"timeout": 15, "check_same_thread": False},
            )
            db.event.listen(engine, "connect", lambda connection, _: connection.execute("PRAGMA synchronous=NORMAL"))
            self._engines[shard] = engine
            while len(self._engines) > self.KEEP_OPEN:
                _, oldest = self._engines.popitem(last=False)
                oldest.dispose()
            return engine

    @contextlib.contextmanager
    def _connect(self, shard: str):
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as connection, connection.begin():
                yield connection

    def has_table(self, table_name: str) -> bool:
        # Asked for every asset event (does this instance know asset checks?): the stock answer opens
        # a new engine each time. A table, once there, stays.
        if table_name in self._tables_seen:
            return True
        found = super().has_table(table_name)
        if found:
            self._tables_seen.add(table_name)
        return found

    def dispose(self) -> None:
        with self._engines_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()
        super().dispose()


def dagster_home(live: Path) -> Path:
    """DAGSTER_HOME when set, else the warehouse's own, in its outputs folder."""
    from opcc.core.warehouse import outputs_dir

    configured = os.environ.get(HOME_ENV)
    return Path(configured).expanduser().absolute() if configured else outputs_dir(live) / FOLDER


def ensure_home(live: Path) -> Path:
    """Create the instance folder and its dagster.yaml if missing."""
    home = dagster_home(live)
    home.mkdir(parents=True, exist_ok=True)
    settings = home / "dagster.yaml"
    if not settings.exists():
        settings.write_text(INSTANCE_YAML, encoding="utf-8")
    return home


def open_instance(live: Path):
    """The persistent instance for this warehouse (a DagsterInstance; close it when done)."""
    return instance_at(ensure_home(live))


def instance_at(home: Path):
    """The instance whose dagster.yaml is in `home`, opened without pointing DAGSTER_HOME at it: its
    event log is told its folder here (the dagster.yaml this module writes leaves it to the
    environment, which the webserver and daemon that `opcc serve` starts are given)."""
    import dagster as dg
    from dagster._core.instance.ref import InstanceRef

    from opcc.core.yaml_files import load_yaml

    overrides = {}
    configured = (load_yaml((home / "dagster.yaml").read_text(encoding="utf-8")) or {}).get("event_log_storage") or {}
    if configured.get("class") == WarehouseEventLogStorage.__name__ and not (configured.get("config") or {}).get("base_dir"):
        config = {**(configured.get("config") or {}), "base_dir": str(home / "history" / "runs")}
        overrides["event_log_storage"] = {**configured, "config": config}
    return dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(home), overrides=overrides))
