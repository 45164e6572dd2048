"""The dbt project, built once and shared by every module that needs it.

dagster-dbt reads `target/manifest.json` when the definitions load. The
manifest is prepared by `dbt parse` as a build step (`opcc refresh` does it
when a dbt file changed; `dagster dev` does it through `prepare_if_dev`),
never on every import.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from .settings import DBT_PROJECT_DIR, apply_offline_environment

apply_offline_environment()


def _put_venv_on_path() -> None:
    """dagster-dbt calls `dbt` by name (prepare_if_dev, DbtCliResource): use the one beside this Python."""
    venv_bin = str(Path(sys.executable).parent)
    if venv_bin not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = venv_bin + os.pathsep + os.environ.get("PATH", "")


_put_venv_on_path()

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()

_SOURCES = ("models", "macros", "tests", "seeds", "snapshots", "analyses")


def dbt_executable() -> str:
    """The dbt next to this Python, so a venv's dbt is used even when the venv is not activated."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def manifest_is_stale(project_dir: Path = DBT_PROJECT_DIR) -> bool:
    manifest = project_dir / "target" / "manifest.json"
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    candidates = [project_dir / "dbt_project.yml", project_dir / "profiles.yml"]
    for folder in _SOURCES:
        if (project_dir / folder).exists():
            candidates.extend(p for p in (project_dir / folder).rglob("*") if p.is_file())
    return any(p.exists() and p.stat().st_mtime > built for p in candidates)


def prepare_manifest(project_dir: Path = DBT_PROJECT_DIR, force: bool = False) -> bool:
    """Run `dbt parse` when the manifest is missing or older than the dbt sources. True if it ran."""
    if not force and not manifest_is_stale(project_dir):
        return False
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"}
    env.setdefault("OPCC_DBT_DATABASE", str(project_dir / "target" / "parse-only.duckdb"))
    completed = subprocess.run(
        [dbt_executable(), "parse", "--quiet", "--project-dir", str(project_dir), "--profiles-dir", str(project_dir)],
        cwd=project_dir,
        env=env,
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"dbt parse failed:\n{completed.stdout}\n{completed.stderr}")
    return True
