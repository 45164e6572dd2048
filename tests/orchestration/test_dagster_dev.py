"""`dagster dev` serves the whole asset graph, with its checks, on localhost."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.warehouse  # builds a warehouse or starts Dagster: not in the fast selection

LOCATION_ERROR = """
{ workspaceOrError { ... on Workspace { locationEntries {
    locationOrLoadError { __typename ... on PythonError { message stack } } } } } }
"""
DAEMONS = """
{ instance { daemonHealth { allDaemonStatuses { daemonType healthy } } } }
"""
QUERY = """
{ assetNodes { assetKey { path } assetChecksOrError { ... on AssetChecks { checks { name blocking } } } } }
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_dagster_dev_serves_the_asset_graph(tmp_path):
    port = free_port()
    dagster = str(Path(sys.executable).parent / "dagster")
    env = {**os.environ, "OPCC_WAREHOUSE": str(tmp_path / "opcc.duckdb"), "DAGSTER_HOME": ""}
    env.pop("DAGSTER_HOME")
    log = open(tmp_path / "dagster-dev.log", "w")  # noqa: SIM115
    # Its own process group, so SIGINT reaches the webserver and code server as Ctrl-C would.
    process = subprocess.Popen(
        [dagster, "dev", "--host", "127.0.0.1", "--port", str(port)],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        nodes = None
        while time.monotonic() < deadline:
            try:
                data = graphql(port, QUERY)
                nodes = data.get("data", {}).get("assetNodes")
                if nodes:
                    break
                entries = graphql(port, LOCATION_ERROR)["data"]["workspaceOrError"]["locationEntries"]
                errors = [e["locationOrLoadError"] for e in entries if (e["locationOrLoadError"] or {}).get("__typename") == "PythonError"]
                assert not errors, f"code location failed to load: {errors[0]['message']}{''.join(errors[0]['stack'][-3:])}"
            except OSError:
                pass
            assert process.poll() is None, (tmp_path / "dagster-dev.log").read_text()
            time.sleep(1)
        assert nodes, "dagster dev did not serve the asset graph in time"
        keys = {"/".join(n["assetKey"]["path"]) for n in nodes}
        assert {"raw/allocation_lines", "marts/fct_allocation", "marts/fct_allocation_by_priority", "warehouse"} <= keys
        checks = {
            ("/".join(n["assetKey"]["path"]), c["name"], c["blocking"])
            for n in nodes
            for c in (n.get("assetChecksOrError") or {}).get("checks", [])
        }
        # The Great Expectations suites, on the assets they guard; the quality gate's suites on the gate.
        assert ("audit/input_files", "input_files", True) in checks
        assert ("audit/held_back_versions", "framework_totals", False) in checks
        assert ("marts/fct_cost_per_outcome", "cost_per_outcome", True) in checks
        # Warnings never stop anything (severity WARN), but what is downstream waits for them: the
        # review pack shows their results.
        assert ("marts/fct_contract_quarter", "contract_quarter_warnings", True) in checks
        assert ("raw/provider_returns", "every_return_row_accounted_for", True) in checks
        # Stop it as a user would, once it is fully up: its daemons create their storage on their
        # first beat, and an interrupt before that races them.
        while time.monotonic() < deadline:
            statuses = graphql(port, DAEMONS)["data"]["instance"]["daemonHealth"]["allDaemonStatuses"]
            if statuses and all(s["healthy"] for s in statuses):
                break
            time.sleep(1)
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        gone_by = time.monotonic() + 30
        while time.monotonic() < gone_by:  # the webserver and code server leave after dagster dev itself
            try:
                os.killpg(process.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.5)
        log.close()
    # No temporary Dagster home left behind in the project.
    assert not list(PROJECT_ROOT.glob(".tmp_dagster_home_*"))
