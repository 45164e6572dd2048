"""The dbt project: its manifest, parsed once per process (partially: only what changed), and dbt
run in this process.

`parsed_manifest` runs `dbt parse` through dbt's own Python API with a profile
that does not change from one refresh to the next (the build file is attached
under one fixed name, see profiles.yml), so dbt's partial parsing keeps its
work across refreshes and a parse costs about a second; every `dbt build` of
the process then runs on that manifest without parsing again. Nothing here
starts a subprocess or asks the network anything.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import re
import threading
from dataclasses import dataclass, field, fields
from pathlib import Path

from opcc.core.settings import DBT_PROJECT_DIR, apply_offline_environment
from opcc.core.timings import timed

apply_offline_environment()

# The project as dagster-dbt sees it: where the manifest is. It is prepared here, never by
# dagster-dbt (whose preparation runs `dbt --version`, which asks the package index).
DATABASE_ENV = "OPCC_DBT_DATABASE"
TEMP_DIRECTORY_ENV = "OPCC_DBT_TEMP_DIRECTORY"
_SOURCES = ("models", "macros", "tests", "seeds", "snapshots", "analyses")
RESULT_EVENTS = ("LogModelResult", "LogTestResult", "LogSeedResult", "LogSnapshotResult")
_lock = threading.Lock()  # dbt keeps global state: one invocation at a time in a process


def manifest_path(project_dir: Path = DBT_PROJECT_DIR) -> Path:
    return project_dir / "target" / "manifest.json"


def manifest_is_stale(project_dir: Path = DBT_PROJECT_DIR) -> bool:
    manifest = manifest_path(project_dir)
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    candidates = [project_dir / "dbt_project.yml", project_dir / "profiles.yml"]
    for folder in _SOURCES:
        if (project_dir / folder).exists():
            candidates.extend(p for p in (project_dir / folder).rglob("*") if p.is_file())
    return any(p.exists() and p.stat().st_mtime > built for p in candidates)


def _project_args(project_dir: Path) -> list[str]:
    return ["--project-dir", str(project_dir), "--profiles-dir", str(project_dir)]


@contextlib.contextmanager
def _environment(**values: str):
    previous = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


_parsed: dict[str, object] = {}


def parsed_manifest(project_dir: Path = DBT_PROJECT_DIR, force: bool = False):
    """dbt's Manifest of the project, parsed in this process (once, or again when a file changed).

    It also writes target/manifest.json, which the Dagster definitions read. Parsing reads no
    database: the profile's attached file is never opened.
    """
    key = str(project_dir)
    stale = force or manifest_is_stale(project_dir)
    if not stale and key in _parsed:
        return _parsed[key]
    if not stale:
        with timed("dbt parse"):
            kept = _kept_manifest(project_dir)
        if kept is not None:
            _parsed[key] = kept
            return kept
    from dbt.cli.main import dbtRunner

    # Always the same attached path while parsing: the profile is part of what partial parsing keeps.
    scratch = project_dir / "target" / "scratch.duckdb"
    # A current manifest.json need not be written again (a second's work on a slow disk).
    write = [] if stale else ["--no-write-json"]
    with timed("dbt parse"), _lock, _environment(**{DATABASE_ENV: str(scratch)}):
        result = dbtRunner().invoke(["parse", "--quiet", *write, *_project_args(project_dir)])
    if not result.success or result.result is None:
        raise RuntimeError(f"dbt parse failed: {result.exception or 'see dbt_project/target/dbt.log'}")
    _parsed[key] = result.result
    _keep_manifest(project_dir, result.result)
    return result.result


# The parsed Manifest kept for the next process, beside dbt's own partial-parse file: loading it is a
# hundredth of a partial parse. It is used only for the manifest.json it was parsed with, by the
# same dbt version.
def _kept_path(project_dir: Path) -> Path:
    return project_dir / "target" / "opcc_manifest.pickle"


def _kept_key(project_dir: Path) -> str:
    from dbt.version import __version__

    written = manifest_path(project_dir).stat()
    return f"{__version__}:{written.st_mtime_ns}:{written.st_size}"


# Only the Manifest's public fields are kept, and it is rebuilt from them: dbt's own pickling of a
# Manifest passes its fields positionally in an order that no longer matches the class (1.11), so
# an unpickled Manifest has its lookups in the wrong slots and every ref fails to compile.
def _manifest_fields(manifest) -> dict:
    return {f.name: getattr(manifest, f.name) for f in fields(manifest) if not f.name.startswith("_")}


def _keep_manifest(project_dir: Path, manifest) -> None:
    try:
        payload = pickle.dumps(
            (_kept_key(project_dir), _manifest_fields(manifest)), protocol=pickle.HIGHEST_PROTOCOL
        )
        scratch = _kept_path(project_dir).with_suffix(".tmp")
        scratch.write_bytes(payload)
        scratch.replace(_kept_path(project_dir))
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass  # only a cache: the next process parses


def _kept_manifest(project_dir: Path):
    try:
        key, kept = pickle.loads(_kept_path(project_dir).read_bytes())
        if key != _kept_key(project_dir):
            return None
        from dbt.contracts.graph.manifest import Manifest

        return Manifest(**kept)
    except Exception:  # missing, from another version, unreadable: parse instead
        return None


def prepare_manifest(project_dir: Path = DBT_PROJECT_DIR, force: bool = False) -> bool:
    """Make target/manifest.json current (the Dagster definitions read it). True if it parsed."""
    if not force and not manifest_is_stale(project_dir):
        return False
    parsed_manifest(project_dir, force=True)
    return True


def _release_database() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in the process after an invocation.

    DuckDB lets a file be opened once per process: while dbt-duckdb holds the build file, the
    refresh's own steps (ingest, quality checks, publish) could not open it.
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        environment = DuckDBConnectionManager._ENV
        DuckDBConnectionManager._ENV = None
    if environment is not None:
        environment.close()


@dataclass
class DbtRun:
    success: bool
    events: list[dict] = field(default_factory=list)  # dbt's structured result events, as in its JSON log
    error: str = ""


def run_dbt(
    args: list[str],
    *,
    database: Path,
    target_path: Path,
    project_dir: Path = DBT_PROJECT_DIR,
    environment: dict[str, str] | None = None,
) -> DbtRun:
    """Run a dbt command in this process, on the prepared manifest, against `database`."""
    from dbt.cli.main import dbtRunner
    from dbt_common.events.functions import msg_to_dict

    events: list[dict] = []

    def keep(message) -> None:
        if message.info.name in RESULT_EVENTS:
            events.append(msg_to_dict(message))

    manifest = parsed_manifest(project_dir)
    target_path.mkdir(parents=True, exist_ok=True)
    variables = {
        DATABASE_ENV: str(database),
        TEMP_DIRECTORY_ENV: str(target_path / "duckdb-temp"),
        **(environment or {}),
    }
    with _lock, _environment(**variables):
        runner = dbtRunner(manifest=manifest, callbacks=[keep])
        try:
            # --no-write-json: the manifest is already written and results come back as events. No
            # debug log file: writing every statement to it costs a tenth of a build's time (the
            # console lines still go to the refresh log).
            result = runner.invoke(
                [*args, "--no-write-json", "--log-level-file", "none", "--target-path", str(target_path), "--log-path", str(target_path),
                 *_project_args(project_dir)]
            )
        finally:
            _release_database()
    error = ""
    if not result.success:
        error = str(result.exception) if result.exception else (_failed_nodes(result.result) or "a dbt node failed")
    return DbtRun(result.success, events, error)


def _failed_nodes(outcome) -> str:
    """Which nodes failed and dbt's first line of why: 'marts.fct_x: Out of Range Error: ...'."""
    failed = []
    for node_result in getattr(outcome, "results", None) or []:
        if str(getattr(node_result.status, "value", node_result.status)) not in ("error", "fail"):
            continue
        node = node_result.node
        kind = str(getattr(node.resource_type, "value", node.resource_type))
        name = f"{node.schema}.{node.name}" if kind in ("model", "seed", "snapshot") else f"{kind.replace('_', ' ')} {node.name}"
        # dbt's message is 'Runtime Error in model x (path)' and then the database's own line
        message = re.sub(r"\x1b\[[0-9;]*m", "", node_result.message or "")  # no terminal colours in a one-line reason
        why = [line.strip() for line in message.splitlines() if line.strip()]
        failed.append(f"{name}: {' '.join(why[:2])[:400]}" if why else name)
    shown = "; ".join(failed[:3])
    return shown + (f" and {len(failed) - 3} more" if len(failed) > 3 else "")
