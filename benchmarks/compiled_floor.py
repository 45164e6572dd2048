"""The compiled-SQL floor: what the project's own transformations cost with nothing around them.

dbt compiles every model and test of the project (a full build's SQL) against a copy of a
refreshed warehouse; then, in one DuckDB connection and with no dbt or Dagster, each model is
created from its compiled SQL in dependency order, as its materialisation says (view or table),
and each data test's query is run. The refresh's own dbt stages are reported beside these.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb

from opcc.core.dbt_project import DBT_PROJECT_DIR, manifest_path, run_dbt

CATALOG = "warehouse"  # the name the build file is attached under (dbt_project/profiles.yml)


def _compiled(target: Path, node: dict) -> str:
    path = target / "compiled" / node["package_name"] / node["original_file_path"]
    if node["original_file_path"].endswith((".yml", ".yaml")):  # a generic test, written beneath its yml
        path = path / node["path"]
    return path.read_text(encoding="utf-8")


def compiled_floor(warehouse: Path) -> dict:
    """Seconds to build every model and run every data test of the project from compiled SQL."""
    manifest = json.loads(manifest_path().read_text(encoding="utf-8"))
    nodes = manifest["nodes"]
    models = {uid: n for uid, n in nodes.items() if n["resource_type"] == "model" and n["config"]["materialized"] != "ephemeral"}
    tests = {uid: n for uid, n in nodes.items() if n["resource_type"] == "test"}
    with tempfile.TemporaryDirectory(prefix="opcc-floor-") as scratch:
        copy = Path(scratch) / "floor.duckdb"
        shutil.copyfile(warehouse, copy)
        target = Path(scratch) / "target"
        # --full-refresh: every incremental model's SQL as a first build writes it
        compiled = run_dbt(["compile", "--full-refresh", "--quiet"], database=copy, target_path=target,
                           project_dir=DBT_PROJECT_DIR)
        if not compiled.success:
            raise RuntimeError(f"dbt compile failed: {compiled.error}")
        statements = {uid: _compiled(target, n) for uid, n in {**models, **tests}.items()}
        order = TopologicalSorter(
            {uid: [d for d in n["depends_on"]["nodes"] if d in models] for uid, n in models.items()}
        ).static_order()

        con = duckdb.connect()
        con.execute(f"attach '{copy}' as {CATALOG}")
        for node in models.values():  # start from the raw tables only, as a full refresh does
            kind = con.execute(
                "select table_type from information_schema.tables where table_catalog = ? and table_schema = ? and table_name = ?",
                [CATALOG, node["schema"], node["alias"]],
            ).fetchone()
            if kind:
                con.execute(f"drop {'view' if kind[0] == 'VIEW' else 'table'} {CATALOG}.{node['schema']}.{node['alias']} cascade")
        started = time.perf_counter()
        for uid in order:
            node = models[uid]
            kind = "view" if node["config"]["materialized"] == "view" else "table"
            con.execute(f"create schema if not exists {CATALOG}.{node['schema']}")
            con.execute(f"create {kind} {CATALOG}.{node['schema']}.{node['alias']} as {statements[uid]}")
        models_seconds = time.perf_counter() - started
        started = time.perf_counter()
        failing = 0
        for uid in tests:
            failing += con.execute(f"select count(*) from ({statements[uid]}) as test").fetchone()[0] > 0
        tests_seconds = time.perf_counter() - started
        con.close()
    return {
        "models": len(models),
        "tests": len(tests),
        "models_seconds": models_seconds,
        "tests_seconds": tests_seconds,
        "seconds": models_seconds + tests_seconds,
        "failing_tests": int(failing),
    }
