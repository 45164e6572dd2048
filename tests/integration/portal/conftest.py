"""The portal under test: Django configured once per test process on a copy of raw/ in a temporary
folder (its accounts database beside that copy), and the real server started by `opcc portal serve`."""

from __future__ import annotations

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

from tests.conftest import OPCC, PROJECT_ROOT, RAW

# The commissioner of a second force, added to the copied reference data only: its staff must see
# nothing of the bundled commissioner's contracts.
OTHER_COMMISSIONER = "ZZTEST"
PASSWORD = "a long enough test passphrase 42"


def add_other_commissioner(raw: Path) -> None:
    with open(raw / "reference" / "commissioners.csv", "a", encoding="utf-8") as handle:
        handle.write(f"{OTHER_COMMISSIONER},Test commissioner of another force,Elsewhere,Nowhere\n")


def bundled_contracts(raw: Path):
    from opcc.portal.warehouse_view import registry

    contracts = sorted(registry(raw).values(), key=lambda c: c.contract_id)
    assert len(contracts) >= 3
    return contracts


@pytest.fixture(scope="session")
def site_paths(tmp_path_factory):
    """Django, configured for this process on a copied raw folder; the warehouse path is set per test."""
    from opcc.portal.config import paths_for
    from opcc.portal.setup import configure

    root = tmp_path_factory.mktemp("portal-site")
    raw = root / "raw"
    shutil.copytree(RAW, raw)
    add_other_commissioner(raw)
    os.environ.setdefault("OPCC_PORTAL_ALLOWED_HOSTS", "testserver")
    paths = paths_for(raw, root / "no-warehouse-yet" / "opcc.duckdb")
    configure(paths)
    return paths


def make_account(role: str, contracts=(), commissioner=None, password: str | None = PASSWORD):
    from opcc.portal.accounts import create_account

    account, _ = create_account(f"{role}-{uuid.uuid4().hex[:10]}@example.org", role, list(contracts), commissioner, password)
    return account


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PortalServer:
    def __init__(self, raw: Path, warehouse: Path):
        self.raw, self.warehouse = raw, warehouse
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = raw.parent / f"portal-serve-{self.port}.log"
        self.process = None

    def opcc(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([OPCC, "portal", *args, "--raw", str(self.raw), "--warehouse", str(self.warehouse)],
                              cwd=PROJECT_ROOT, input=stdin, capture_output=True, text=True, timeout=300)

    def start(self) -> PortalServer:
        handle = open(self.log, "w", encoding="utf-8")  # noqa: SIM115 - the server writes to it while it runs
        self.process = subprocess.Popen(
            [OPCC, "portal", "serve", "--raw", str(self.raw), "--warehouse", str(self.warehouse), "--port", str(self.port)],
            cwd=PROJECT_ROOT, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/login/", timeout=5) as response:
                    if response.status == 200:
                        return self
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.5)
        raise AssertionError("opcc portal serve did not answer:\n" + self.log.read_text())

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        yield launched
        launched.close()
