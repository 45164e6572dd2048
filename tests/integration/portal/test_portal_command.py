"""`opcc portal add-user` and `opcc portal serve` as a user runs them: accounts made from the command
line, errors in one line, and the server reaching nothing outside this machine."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import urllib.request

import pytest

from tests.conftest import PROJECT_ROOT, RAW
from tests.integration.orchestration.test_offline import HOOK
from tests.integration.portal.conftest import PASSWORD, PortalServer, bundled_contracts


@pytest.fixture
def server(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    portal = PortalServer(raw, tmp_path / "warehouse" / "opcc.duckdb")  # no warehouse built: the portal still runs
    yield portal
    portal.stop()


def test_add_user_makes_accounts_and_refuses_mistakes_in_one_line(server):
    first, second = bundled_contracts(server.raw)[:2]
    made = server.opcc("add-user", "Staff@Example.org", "--role", "staff", "--commissioner", first.commissioner_code,
                       "--password-stdin", stdin=PASSWORD + "\n")
    assert made.returncode == 0 and "staff account" in made.stdout, made.stderr
    invited = server.opcc("add-user", "provider@example.org", "--role", "provider",
                          "--contracts", f"{first.contract_id},{second.contract_id}")
    assert invited.returncode == 0 and "/invite/" in invited.stdout and first.contract_id in invited.stdout
    database = server.raw.parent / "portal" / "accounts.sqlite3"
    with sqlite3.connect(database) as con:
        users = dict(con.execute("select username, password from auth_user").fetchall())
    assert set(users) == {"staff@example.org", "provider@example.org"}
    assert users["staff@example.org"].startswith("argon2$") and PASSWORD not in users["staff@example.org"]
    assert users["provider@example.org"].startswith("!")  # unusable until the invitation is used
    for args, stdin, says in [
        (["provider@example.org", "--role", "provider", "--contracts", first.contract_id], None, "already exists"),
        (["x@example.org", "--role", "provider", "--contracts", "NO-SUCH-1"], None, "no contract NO-SUCH-1"),
        (["x@example.org", "--role", "provider"], None, "needs --contracts"),
        (["x@example.org", "--role", "staff"], None, "needs --commissioner"),
        (["x@example.org", "--role", "staff", "--commissioner", "NOPE"], None, "no commissioner 'NOPE'"),
        (["not-an-email", "--role", "staff", "--commissioner", first.commissioner_code], None, "not an email"),
        (["y@example.org", "--role", "staff", "--commissioner", first.commissioner_code, "--password-stdin"], "short\n",
         "too short"),
    ]:
        refused = server.opcc("add-user", *args, stdin=stdin)
        assert refused.returncode == 2 and says in refused.stderr, (args, refused.stderr)
        assert "Traceback" not in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert (server.raw.parent / "portal" / "secret_key").stat().st_mode & 0o077 == 0


def test_the_portal_serves_on_loopback_without_a_warehouse_and_reaches_out_to_nothing(server, tmp_path, monkeypatch):
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(HOOK, encoding="utf-8")
    log = tmp_path / "network.log"
    log.touch()
    monkeypatch.setenv("PYTHONPATH", str(hook))
    monkeypatch.setenv("OPCC_NETWORK_LOG", str(log))
    first = bundled_contracts(server.raw)[0]
    made = server.opcc("add-user", "p@example.org", "--role", "provider", "--contracts", first.contract_id,
                       "--password-stdin", stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    server.start()
    with urllib.request.urlopen(f"{server.url}/login/", timeout=10) as response:
        page = response.read().decode()
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "csrfmiddlewaretoken" in page
    with urllib.request.urlopen(f"{server.url}/static/portal.css", timeout=10) as response:
        assert response.headers["Content-Type"].startswith("text/css")
    server.stop()
    assert log.read_text() == "", "outbound network attempts:\n" + log.read_text()


def test_behind_tls_the_portal_passes_djangos_deployment_checks(tmp_path):
    """Django's own `check --deploy` (cookies, HSTS, redirects, keys, debug) with no warning, as deployed."""
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    script = (
        "from pathlib import Path\n"
        "from opcc.portal.config import paths_for\n"
        "from opcc.portal.setup import configure\n"
        f"configure(paths_for(Path({str(raw)!r}), Path({str(tmp_path / 'opcc.duckdb')!r})))\n"
        "from django.core.management import call_command\n"
        "call_command('check', '--deploy', '--fail-level', 'WARNING')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "OPCC_PORTAL_TLS": "1",
                               "OPCC_PORTAL_ALLOWED_HOSTS": "returns.example.org"})
    assert done.returncode == 0, done.stdout + done.stderr
