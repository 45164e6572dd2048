"""Nothing reaches the network at run time, and nothing is written into the project's tracked files.

Every Python process these commands start (dbt, Dagster's code servers and
run workers included) loads an audit hook that records each attempt to look
up a host or open a socket to anything but this machine: a police network
treats an outbound attempt as a finding, so the test expects none at all.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from opcc.core import warehouse as wh
from tests.conftest import OPCC, PROJECT_ROOT, RAW

pytestmark = pytest.mark.warehouse

HOOK = '''
import os, socket, sys

_LOG = os.environ.get("OPCC_NETWORK_LOG")
_LOCAL = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "", None}


def _record(what):
    with open(_LOG, "a", encoding="utf-8") as log:
        log.write(f"{os.getpid()} {sys.argv[:2]} {what}\\n")


def _hook(event, args):
    if event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex"):
        host = args[0]
        if isinstance(host, bytes):
            host = host.decode(errors="replace")
        if host not in _LOCAL and not str(host).startswith("127."):
            _record(f"{event} {host!r}")
    elif event in ("socket.connect", "socket.sendto"):
        sock, address = args[0], args[-1]
        if getattr(sock, "family", None) == socket.AF_UNIX:
            return
        host = address[0] if isinstance(address, tuple) and address else address
        if host not in _LOCAL and not str(host).startswith("127."):
            _record(f"{event} {address!r}")


if _LOG:
    sys.addaudithook(_hook)
'''


@pytest.fixture
def guarded(tmp_path):
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(HOOK, encoding="utf-8")
    log = tmp_path / "network.log"
    log.touch()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(hook), os.environ.get("PYTHONPATH")])),
           "OPCC_NETWORK_LOG": str(log)}
    for key in ("DAGSTER_DISABLE_TELEMETRY", "DBT_SEND_ANONYMOUS_USAGE_STATS", "DO_NOT_TRACK", "GX_ANALYTICS_ENABLED",
                "DAGSTER_HOME"):
        env.pop(key, None)  # the project must switch these off itself
    return env, log


def git_status() -> str:
    return subprocess.run(["git", "status", "--porcelain"], cwd=PROJECT_ROOT, capture_output=True, text=True).stdout


def test_the_hook_sees_an_attempt(guarded):
    env, log = guarded
    subprocess.run([sys.executable, "-c", "import socket\ntry: socket.getaddrinfo('pypi.org', 443)\nexcept OSError: pass"],
                   env=env, check=True, timeout=60)
    assert "pypi.org" in log.read_text()


def test_refresh_docs_dbt_by_hand_and_serve_never_reach_out_or_dirty_the_project(guarded, tmp_path):
    env, log = guarded
    before = git_status()
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    live = tmp_path / "warehouse" / "opcc.duckdb"

    refresh = subprocess.run([OPCC, "refresh", "--warehouse", str(live), "--raw", str(raw), "--quiet"],
                             cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert refresh.returncode == 0, refresh.stdout + refresh.stderr

    docs = subprocess.run([OPCC, "docs", "--warehouse", str(live)], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert docs.returncode == 0, docs.stdout + docs.stderr
    page = (wh.outputs_dir(live) / "docs" / "index.html").read_text(encoding="utf-8")
    assert "fct_cost_per_outcome" in page and "cost_per_outcome_gbp" in page
    assert "Where to start" in page, "the docs open on the project overview, not dbt's welcome page"
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']https?://""", page), "the docs page loads nothing remote"

    dbt = Path(sys.executable).parent / "dbt"
    by_hand = subprocess.run([str(dbt), "parse", "--target-path", str(tmp_path / "dbt-target")],
                             cwd=PROJECT_ROOT / "dbt_project", env=env, capture_output=True, text=True, timeout=300)
    assert by_hand.returncode == 0, by_hand.stdout + by_hand.stderr

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    serve = subprocess.Popen([OPCC, "serve", "--warehouse", str(live), "--raw", str(raw), "--port", str(port)],
                             cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(1)
        else:
            raise AssertionError("opcc serve did not answer in time")
        time.sleep(5)  # the daemon's first beat
    finally:
        os.killpg(serve.pid, signal.SIGINT)
        serve.wait(timeout=90)

    assert log.read_text() == "", "outbound network attempts:\n" + log.read_text()
    assert git_status() == before, "a command wrote into the project's tracked files"
    assert not (PROJECT_ROOT / "dbt_project" / ".user.yml").exists()
