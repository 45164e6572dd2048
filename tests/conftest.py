"""Shared fixtures: the bundled warehouse is built once per session, tests use copies.

A refresh costs 15-25 s of Dagster and dbt start-up, so the session builds the
warehouse from the project's own raw/ folder once, through the `opcc refresh`
command exactly as a user runs it, and tests read it or copy it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from opcc.core.settings import apply_offline_environment

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RAW = PROJECT_ROOT / "raw"
OPCC = str(Path(sys.executable).parent / "opcc")

# Nothing phones home from the tests either: the one list of those settings is the library's.
apply_offline_environment()
# Tests write a return and refresh at once; the wait for files in motion (default 5 s) is
# exercised by the tests of that behaviour, which set it themselves.
os.environ.setdefault("OPCC_SETTLE_SECONDS", "0")


# Tests by speed: tests/unit/ (no refresh, no dbt parse; the whole folder in under a minute:
# `pytest tests/unit`) and tests/integration/ (they build a warehouse, or read the one the session
# builds). A test that builds one outside integration/ fails collection. Integration tests are also
# marked `warehouse`, so `-m "not warehouse"` still picks the fast ones out of a wider selection.
UNIT = PROJECT_ROOT / "tests" / "unit"
INTEGRATION = PROJECT_ROOT / "tests" / "integration"
WAREHOUSE_FIXTURES = {"bundled_refresh", "bundled_warehouse", "warehouse_copy", "db"}
# What in a test module's source builds a warehouse or parses the dbt project.
BUILDS_A_WAREHOUSE = re.compile(
    r"run_refresh\(|[\"']refresh[\"']|materialize\(|prepare_manifest\(|run_dbt\(|dbtRunner|bundled_refresh|bundled_warehouse"
)

# The Dagster assets read the dbt manifest when imported (a parse, when the project changed).
IMPORTS_THE_ASSETS = re.compile(r"^\s*(from|import) orchestration\.defs\.(assets|definitions)\b", re.M)


def builds_a_warehouse(item) -> bool:
    if WAREHOUSE_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    module = getattr(item, "module", None)
    source = Path(module.__file__).read_text(encoding="utf-8") if module and module.__file__ else ""
    return bool(BUILDS_A_WAREHOUSE.search(source) or IMPORTS_THE_ASSETS.search(source))


def pytest_collection_modifyitems(config, items) -> None:
    misplaced = []
    for item in items:
        if builds_a_warehouse(item):
            item.add_marker(pytest.mark.warehouse)
            if INTEGRATION not in Path(item.path).parents:
                misplaced.append(item.nodeid)
    if misplaced:
        raise pytest.UsageError(
            "these tests build a warehouse (or parse the dbt project) and belong under tests/integration/: "
            + ", ".join(sorted(misplaced))
        )


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session) -> None:
    """Parse the dbt project once, before test modules import the Dagster definitions (and, with
    xdist, before the workers start: they find the manifest current and parse nothing)."""
    from opcc.core.dbt_project import prepare_manifest

    if _only_unit(session.config):
        return  # the unit tier parses nothing
    prepare_manifest()


def _only_unit(config) -> bool:
    chosen = [Path(arg.split("::")[0]).resolve() for arg in config.args] or [Path.cwd()]
    return all(path == UNIT or UNIT in path.parents for path in chosen)


def indicator_units(raw: Path = RAW) -> dict[str, str]:
    """Each indicator's unit as the raw files give it: the plans' rows of kind `indicator` (and the
    optional shared catalogue, raw/reference/indicators.csv, where a project keeps one)."""
    import csv

    units: dict[str, str] = {}
    catalogue = raw / "reference" / "indicators.csv"
    if catalogue.exists():
        with catalogue.open(encoding="utf-8", newline="") as handle:
            units.update({r["indicator_code"]: r["unit"] for r in csv.DictReader(handle)})
    for elements in sorted((raw / "plans").glob("*/elements.csv")):
        with elements.open(encoding="utf-8", newline="") as handle:
            units.update({r["code"]: r.get("unit") or "count" for r in csv.DictReader(handle) if r["kind"] == "indicator"})
    return units


def statements(output: str) -> list[str]:
    """The refresh summary's statements, each whole: a statement wrapped over several short lines
    (its later lines indented deeper than its first) is joined back into one."""
    joined: list[str] = []
    for line in output.splitlines():
        lead = len(line) - len(line.lstrip(" "))
        if joined and line.strip() and lead > len(joined[-1]) - len(joined[-1].lstrip(" ")) and lead >= 4:
            joined[-1] += " " + line.strip()
        else:
            joined.append(line)
    return joined


def run_opcc(*args: str, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [OPCC, *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def shared_folder(tmp_path_factory) -> Path:
    """The run's own temporary folder, the same for every xdist worker (each has its basetemp below
    it); without xdist, the session's basetemp."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def reference_warehouse(db: Path) -> Path:
    """A warehouse file holding only the bundled reference tables a return is checked against."""
    from opcc.core.audit import ensure_base_tables, write_calendar
    from opcc.ingest.raw_tables import RAW_TABLES_BY_NAME, read_raw_table, write_raw_table

    with duckdb.connect(str(db)) as con:
        ensure_base_tables(con)
        write_calendar(con)
        for name in ("contracts", "indicators", "plan_elements", "targets"):
            write_raw_table(con, read_raw_table(RAW, RAW_TABLES_BY_NAME[name]))
    return db


def built_once(tmp_path_factory, name: str, build):
    """What `build(folder)` returned, built once for the whole run in a folder every worker shares:
    the first worker to ask builds it while the others wait on a lock, then all read it. A refresh
    costs 20-130 s: built by each of two workers (xdist spreads a module's tests over both) it costs
    the suite a core for that long. Pickled, not JSON: builds return tuples, Decimals and completed
    processes that tests compare as they are. What is built there is read, never changed: a test
    that changes it works on a copy of its own."""
    import fcntl
    import pickle

    shared = shared_folder(tmp_path_factory)
    folder, done = shared / name, shared / f"{name}.pickle"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, even if the build fails
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a failed build by another worker left
            folder.mkdir()
            done.write_bytes(pickle.dumps(build(folder)))
    return pickle.loads(done.read_bytes())


@pytest.fixture(scope="session")
def bundled_refresh(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """`opcc refresh` on the bundled raw data, as the README runs it (once for the run: tests only
    read it, or copy it)."""

    def build(folder: Path) -> dict:
        live, ledger = folder / "warehouse" / "opcc.duckdb", folder / "ledger"
        ledger.mkdir()
        # The submission ledger of this build in a folder of its own, not beside the project's raw folder.
        completed = run_opcc("refresh", "--warehouse", str(live), "--raw", str(RAW), env={"OPCC_LEDGER": str(ledger)})
        assert completed.returncode == 0, completed.stdout + completed.stderr
        return live, completed

    return built_once(tmp_path_factory, "bundled", build)


@pytest.fixture(scope="session")
def bundled_warehouse(bundled_refresh) -> Path:
    return bundled_refresh[0]


@pytest.fixture
def warehouse_copy(bundled_warehouse, tmp_path) -> Path:
    target = tmp_path / "warehouse" / "opcc.duckdb"
    target.parent.mkdir()
    shutil.copyfile(bundled_warehouse, target)
    return target


@pytest.fixture
def raw_copy(tmp_path) -> Path:
    target = tmp_path / "raw"
    shutil.copytree(RAW, target)
    return target


@pytest.fixture(scope="session")
def db(bundled_warehouse):
    con = duckdb.connect(str(bundled_warehouse), read_only=True)
    yield con
    con.close()


def scalar(con, sql: str, params=None):
    return con.execute(sql, params or []).fetchone()[0]
