"""The operations console cannot be pointed elsewhere: a run launched through the real
dagster-webserver's GraphQL endpoint with run config naming other paths is refused; `opcc serve`
binds 127.0.0.1 unless told otherwise and warns when it listens beyond this machine."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from orchestration.commands.serve import exposure_warning
from tests.conftest import PROJECT_ROOT
from tests.integration.orchestration.test_serve_and_status import free_port

LAUNCH = """
mutation Launch($config: RunConfigData) {
  launchRun(executionParams: {
    selector: {repositoryLocationName: "orchestration.defs.definitions", repositoryName: "__repository__", jobName: "refresh"},
    runConfigData: $config
  }) {
    __typename
    ... on RunConfigValidationInvalid { errors { message } }
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
  }
}
"""

HOSTILE_CONFIGS = [
    {"resources": {"warehouse": {"config": {"warehouse": "EVIL/opcc.duckdb", "raw": "EVIL/raw"}}}},
    {"resources": {"warehouse": {"config": {"raw": "EVIL/raw"}}}},
    {"resources": {"io_manager": {"config": {"base_dir": "EVIL/io"}}}},
]


def post(port: int, query: str, variables: dict) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture
def webserver(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(tmp_path / "dagster"),
        "OPCC_WAREHOUSE": str(tmp_path / "deployment" / "opcc.duckdb"),
        "OPCC_RAW": str(tmp_path / "deployment" / "raw"),
    }
    (tmp_path / "dagster").mkdir()
    log = tmp_path / "webserver.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "dagster-webserver"), "-m", "orchestration.defs.definitions", "--host", "127.0.0.1",
             "--port", str(port)],
            cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, log.read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5):
                    break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(1)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_a_run_launched_with_other_paths_is_refused(webserver, tmp_path):
    evil = tmp_path / "evil"
    for config in HOSTILE_CONFIGS:
        text = json.dumps(config).replace("EVIL", str(evil))
        answer = post(webserver, LAUNCH, {"config": json.loads(text)})
        launched = answer["data"]["launchRun"]
        assert launched["__typename"] == "RunConfigValidationInvalid", launched
        assert any("unexpected config entr" in e["message"] for e in launched["errors"]), launched
    time.sleep(2)
    assert not evil.exists(), "nothing was written where the run config pointed"
    assert not (tmp_path / "deployment" / "opcc.duckdb").exists(), "no run started"


def test_serve_warns_when_it_listens_beyond_this_machine():
    assert exposure_warning("127.0.0.1") is None and exposure_warning("localhost") is None
    warning = exposure_warning("0.0.0.0")
    assert warning and "no login" in warning and "reverse proxy" in warning
