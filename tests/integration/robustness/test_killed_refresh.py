"""A refresh killed at any point leaves the live warehouse intact and queryable; the next one completes."""

import hashlib
import os
import signal
import subprocess
import time

import duckdb

from opcc.core import warehouse as wh
from orchestration.commands.refresh import run_refresh
from tests.conftest import OPCC, PROJECT_ROOT


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def kill_when(live, raw, marker: str, delay: float = 0.0) -> list[str]:
    """Start `opcc refresh`, SIGKILL its whole process group (dbt included) once `marker` is printed."""
    process = subprocess.Popen(
        [OPCC, "refresh", "--warehouse", str(live), "--raw", str(raw)],
        cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    seen = []
    try:
        for line in process.stderr:
            seen.append(line.rstrip())
            if marker in line:
                time.sleep(delay)
                os.killpg(process.pid, signal.SIGKILL)
                break
    finally:
        process.wait(timeout=120)
    assert any(marker in line for line in seen), "\n".join(seen[-20:])
    assert process.returncode == -signal.SIGKILL
    return seen


def assert_intact(live, before):
    assert sha(live) == before
    with duckdb.connect(str(live), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_contract_quarter").fetchone()[0] == 228
    assert not wh.is_locked(live), "the kernel releases the dead refresh's lock"


def test_sigkill_during_ingest_dbt_and_checks_then_a_normal_refresh(warehouse_copy, raw_copy):
    before = sha(warehouse_copy)
    kill_when(warehouse_copy, raw_copy, "▶ provider_returns")  # loading the returns
    assert_intact(warehouse_copy, before)
    kill_when(warehouse_copy, raw_copy, "▶ dbt_models", delay=4)  # dbt is building the models
    assert_intact(warehouse_copy, before)
    kill_when(warehouse_copy, raw_copy, "▶ gx_marts")  # Great Expectations checks the marts
    assert_intact(warehouse_copy, before)
    assert wh.build_path(warehouse_copy).exists(), "a killed refresh leaves its half-built file behind"

    outcome = run_refresh(warehouse_copy, raw_copy, progress=False)

    assert outcome.success, outcome.reason
    assert not wh.build_path(warehouse_copy).exists()
    with duckdb.connect(str(warehouse_copy), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_contract_quarter").fetchone()[0] == 228
