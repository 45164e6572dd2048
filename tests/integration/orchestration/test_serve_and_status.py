"""One Dagster instance: a command-line refresh shows in the UI; `opcc serve` runs the sensor end to end.

A warehouse is refreshed from the command line; `opcc serve` (webserver and
daemon) then shows that run's materializations and check results through the
UI's GraphQL endpoint, the returns sensor switched on through the UI launches
a refresh that completes, `opcc status` names both, and Ctrl-C stops
everything `opcc serve` started.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from opcc.core import warehouse as wh
from tests.conftest import OPCC, PROJECT_ROOT, RAW, run_opcc

pytestmark = pytest.mark.warehouse

ASSET = """
{ assetNodeOrError(assetKey: {path: ["marts", "fct_cost_per_outcome"]}) { ... on AssetNode {
    assetMaterializations(limit: 1) { runId }
    assetChecksOrError { ... on AssetChecks { checks { name executionForLatestMaterialization { status runId } } } }
} } }
"""
START_SENSOR = """
mutation { startSensor(sensorSelector: {repositoryLocationName: "orchestration.defs.definitions",
    repositoryName: "__repository__", sensorName: "returns_folder_sensor"}) {
  __typename ... on Sensor { sensorState { status } } ... on PythonError { message } } }
"""
RUNS = "{ runsOrError(limit: 10) { ... on Runs { results { runId status tags { key value } } } } }"


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
        return json.loads(response.read())["data"]


def wait_for(what, condition, seconds, process, log):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"opcc serve stopped while waiting for {what}:\n{log.read_text()[-3000:]}"
        try:
            value = condition()
            if value:
                return value
        except OSError:
            pass
        time.sleep(1)
    raise AssertionError(f"{what}: not within {seconds} s\n{log.read_text()[-3000:]}")


def processes_marked(marker: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if marker.encode() in (proc / "environ").read_bytes():
                    found.append(int(proc.name))
            except OSError:
                continue
    return found


def test_the_ui_shows_a_command_line_refresh_and_the_sensor_runs_one(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    for quarter in ("Q2", "Q3", "Q4"):  # one quarter on disk: the sensor's first look finds it
        shutil.rmtree(raw / "returns" / f"2016-17 {quarter}")
    live = tmp_path / "warehouse" / "opcc.duckdb"
    refreshed = run_opcc("refresh", "--warehouse", str(live), "--raw", str(raw), "--quiet")
    assert refreshed.returncode == 0, refreshed.stderr
    assert (wh.outputs_dir(live) / ".dagster" / "dagster.yaml").exists(), "the instance is the warehouse's own"

    before = run_opcc("status", "--warehouse", str(live))
    assert before.returncode == 0, before.stderr
    assert "started by the command line" in before.stdout and "returns_folder_sensor: off" in before.stdout

    port, marker = free_port(), f"opcc-serve-test-{uuid.uuid4()}"
    log = tmp_path / "serve.log"
    env = {**os.environ, "OPCC_SERVE_TEST_MARKER": marker}
    env.pop("DAGSTER_HOME", None)
    with log.open("w") as output:
        # Its own process group: SIGINT to it is Ctrl-C at a terminal.
        process = subprocess.Popen(
            [OPCC, "serve", "--warehouse", str(live), "--raw", str(raw), "--port", str(port)],
            cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        node = wait_for("the UI", lambda: graphql(port, ASSET)["assetNodeOrError"], 120, process, log)
        cli_run = node["assetMaterializations"][0]["runId"]
        checks = {c["name"]: c["executionForLatestMaterialization"] for c in node["assetChecksOrError"]["checks"]}
        assert checks["cost_per_outcome"] == {"status": "SUCCEEDED", "runId": cli_run}

        started = graphql(port, START_SENSOR)["startSensor"]
        assert started["sensorState"]["status"] == "RUNNING", started

        def sensor_run():
            for run in graphql(port, RUNS)["runsOrError"]["results"]:
                tags = {t["key"]: t["value"] for t in run["tags"]}
                if tags.get("opcc/trigger") == "returns_folder_sensor" and run["status"] in ("SUCCESS", "FAILURE"):
                    return run
            return None

        run = wait_for("a refresh launched by the sensor", sensor_run, 240, process, log)
        assert run["status"] == "SUCCESS", log.read_text()[-3000:]

        after = run_opcc("status", "--warehouse", str(live))
        assert f"Last refresh: run {run['runId'][:8]} success, started by returns_folder_sensor" in after.stdout
        assert "returns_folder_sensor: on" in after.stdout
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            code = process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
    assert code == 0, log.read_text()[-3000:]
    assert "Stopped." in log.read_text()
    time.sleep(1)
    assert processes_marked(marker) == [], "opcc serve left processes running"
