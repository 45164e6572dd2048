"""Two refreshes at once: the second waits (or, without --wait, is refused); reads never wait."""

import subprocess
import time

import duckdb

from opcc.core import warehouse as wh
from tests.conftest import OPCC, PROJECT_ROOT, run_opcc


def test_second_refresh_waits_and_queries_keep_working(warehouse_copy, raw_copy):
    def start(*extra):
        return subprocess.Popen(
            [OPCC, "refresh", "--warehouse", str(warehouse_copy), "--raw", str(raw_copy), "--quiet", *extra],
            cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )

    first = start()
    deadline = time.monotonic() + 120
    while not wh.is_locked(warehouse_copy):
        assert first.poll() is None, first.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.2)
    waiting = start("--wait", "600")

    refused = run_opcc("refresh", "--warehouse", str(warehouse_copy), "--raw", str(raw_copy))
    assert refused.returncode == 1
    assert "is locked by process" in refused.stderr and "dagster run" in refused.stderr

    answers = 0
    while first.poll() is None:
        query = run_opcc("query", "--warehouse", str(warehouse_copy), "select count(*) as n from marts.fct_allocation", "--format", "csv")
        assert query.returncode == 0, query.stderr
        assert query.stdout.strip().splitlines()[-1] == "113"
        answers += 1
    assert answers >= 1, "at least one query ran while the refresh was building"

    out, err = first.communicate()
    assert first.returncode == 0, err
    out, err = waiting.communicate(timeout=600)
    assert waiting.returncode == 0, err
    assert "Warehouse published" in out
    with duckdb.connect(str(warehouse_copy), read_only=True) as con:
        assert con.execute("select sum(allocated_gbp) from marts.fct_allocation").fetchone()[0] == 4_251_983 + 4_271_983
        assert con.execute("select count(*) from audit.refreshes").fetchone()[0] >= 1
