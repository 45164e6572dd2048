"""Nothing under raw/returns/ is silently ignored: every file and folder is read or noted with what to do."""

from __future__ import annotations

import contextlib
import os
import time
from datetime import date

import pytest

from opcc.core.periods import partition_periods
from opcc.ingest.returns import discover, looks_like_period, period_folders, scan_returns_folder

HEADER = "contract_id,period,measure,value,comment\n"
TODAY = date(2016, 11, 24)  # during 2016-17 Q3


@pytest.fixture
def raw(tmp_path):
    returns = tmp_path / "raw" / "returns"
    for period in ("2016-17 Q1", "2016-17 Q2"):
        (returns / period).mkdir(parents=True)
        (returns / period / "LEI-001.csv").write_text(HEADER, encoding="utf-8")
    (returns / "submission_log.csv").write_text("period,file,received_at,note\n", encoding="utf-8")
    (returns / "SAMPLE_DATA.md").write_text("sample\n", encoding="utf-8")
    return tmp_path / "raw"


def notes(raw, today=TODAY) -> dict[str, tuple[str, str]]:
    return {n.path: (n.status, n.reason) for n in scan_returns_folder(raw, today).notes}


@pytest.mark.parametrize(
    ("name", "meant"),
    [("2016-17 q2", "2016-17 Q2"), ("2016-17 Q2 ", "2016-17 Q2"), (" 2016-17 Q2", "2016-17 Q2"), ("2016/17 Q2", "2016-17 Q2"),
     ("2016_17 Q2", "2016-17 Q2"), ("2016-17Q2", "2016-17 Q2"), ("2016-17 - Q2", "2016-17 Q2"), ("2016-18 Q2", None), ("Q2", None)],
)
def test_what_period_a_name_looks_like(name, meant):
    assert looks_like_period(name) == meant


@pytest.mark.parametrize(
    ("name", "meant"),
    [("2016-17 q2", "2016-17 Q2"), ("2016-17 Q2 ", "2016-17 Q2"), ("2016_17 Q2", "2016-17 Q2"), ("2016-18 Q2", None), ("Q2", None)],
)
def test_a_folder_named_almost_like_a_period_says_which_period_it_looks_like(raw, name, meant):
    (raw / "returns" / name).mkdir(exist_ok=True)
    (raw / "returns" / name / "LEI-002.csv").write_text(HEADER, encoding="utf-8")
    found = notes(raw)
    status, reason = found[f"returns/{name}"]
    assert status == "rejected"
    assert (f"it looks like {meant}: rename the folder to '{meant}'" in reason) if meant else "not read" in reason
    assert found[f"returns/{name}/LEI-002.csv"][0] == "rejected", "the files in it are listed too"
    assert period_folders(raw, TODAY) == ["2016-17 Q1", "2016-17 Q2"]


def test_a_file_at_the_top_says_where_to_put_it_and_the_log_and_marker_are_not_noted(raw):
    (raw / "returns" / "LEI-003 2016-17 Q2.csv").write_text(HEADER, encoding="utf-8")
    (raw / "returns" / "LEI-004.csv").write_text(HEADER, encoding="utf-8")
    found = notes(raw)
    assert found["returns/LEI-003 2016-17 Q2.csv"][1].endswith("move it into raw/returns/2016-17 Q2/")
    assert "raw/returns/<period>/" in found["returns/LEI-004.csv"][1]
    assert "returns/submission_log.csv" not in found and "returns/SAMPLE_DATA.md" not in found


def test_future_and_empty_folders_are_notes_and_never_periods_to_refresh(raw):
    returns = raw / "returns"
    (returns / "2016-17 Q3").mkdir()  # started, empty, not due yet
    (returns / "2017-18 Q1").mkdir()  # not started
    (returns / "2017-18 Q2").mkdir()
    (returns / "2017-18 Q2" / "LEI-001.csv").write_text(HEADER, encoding="utf-8")  # a return for a quarter not started
    assert "2099-00 Q1" not in partition_periods(TODAY)
    (returns / "2099-00 Q1").mkdir()  # far beyond the periods the pipeline knows
    (returns / "2015-16 Q4").mkdir()  # before the first_period setting
    found = notes(raw)
    assert found["returns/2016-17 Q3"] == ("noted", "empty folder: no returns yet for 2016-17 Q3 (due 20 January 2017)")
    assert found["returns/2017-18 Q1"][0] == "noted" and "has not started yet" in found["returns/2017-18 Q1"][1]
    assert found["returns/2017-18 Q2"][0] == "rejected" and found["returns/2017-18 Q2/LEI-001.csv"][0] == "rejected"
    assert found["returns/2099-00 Q1"] == ("noted", "2099-00 Q1 is more than a year ahead: its files are not read until the pipeline knows the quarter")
    assert "before the first reporting period" in found["returns/2015-16 Q4"][1]
    assert period_folders(raw, TODAY) == ["2016-17 Q1", "2016-17 Q2"]
    # Once its returns are due, an empty folder is a period: every contract then shows as missing.
    assert "2016-17 Q3" in period_folders(raw, date(2017, 2, 1))


def test_lock_files_hidden_files_links_and_folders_in_a_period_folder_are_noted(raw):
    folder = raw / "returns" / "2016-17 Q1"
    (folder / "~$LEI-032.xlsx").write_bytes(b"lock")
    (folder / ".~lock.LEI-053.xlsx#").write_text("lock", encoding="utf-8")
    (folder / ".DS_Store").write_bytes(b"\0")
    (folder / "old").mkdir()
    (folder / "notes.txt").write_text("hello", encoding="utf-8")
    found, refused = discover(raw, "2016-17 Q1", settle=0)
    reasons = {r.path.rsplit("/", 1)[1]: (r.status, r.reason) for r in refused}
    assert [shown for _, shown in found] == ["returns/2016-17 Q1/LEI-001.csv"]
    assert reasons["~$LEI-032.xlsx"][0] == "noted" and "'LEI-032.xlsx', which is open in Excel or LibreOffice" in reasons["~$LEI-032.xlsx"][1]
    assert "'LEI-053.xlsx'" in reasons[".~lock.LEI-053.xlsx#"][1]
    assert reasons[".DS_Store"] == ("noted", "a hidden or system file, not a return")
    assert "folder inside a period folder" in reasons["old"][1]
    assert "not a return" in reasons["notes.txt"][1]


def test_a_file_modified_seconds_ago_is_left_for_the_next_refresh(raw):
    folder = raw / "returns" / "2016-17 Q1"
    hour_ago = time.time() - 3600
    os.utime(folder / "LEI-001.csv", (hour_ago, hour_ago))
    (folder / "LEI-002.csv").write_text(HEADER, encoding="utf-8")  # being copied in now
    found, refused = discover(raw, "2016-17 Q1", settle=30)
    assert [shown for _, shown in found] == ["returns/2016-17 Q1/LEI-001.csv"]
    assert [(r.path, r.status) for r in refused] == [("returns/2016-17 Q1/LEI-002.csv", "waiting")]
    assert "left for the next refresh" in refused[0].reason


def test_a_named_pipe_is_refused_and_never_waited_on(raw):
    """A named pipe called LEI-002.csv kept the refresh (and validate-return) waiting for ever at open()."""
    import threading

    from opcc.ingest.returns import read_returns

    folder = raw / "returns" / "2016-17 Q1"
    pipes = [folder / name for name in ("LEI-002.csv", "LEI-003.xlsx", "notes.txt")]
    for pipe in pipes:
        os.mkfifo(pipe)
    result = {}

    def read():
        result["discovered"] = discover(raw, "2016-17 Q1", settle=0)
        result["direct"] = read_returns([(pipes[0], "a.csv"), (pipes[1], "b.xlsx")])  # as validate-return reads

    worker = threading.Thread(target=read, daemon=True)
    worker.start()
    worker.join(20)
    waiting = worker.is_alive()
    for pipe in pipes:  # a reader still waiting is let go: its pipe is opened for writing, then closed
        with contextlib.suppress(OSError):
            os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
    assert not waiting, "waited on a named pipe"
    found, refused = result["discovered"]
    assert [p.name for p, _ in found] == ["LEI-001.csv"]
    assert {r.path.rsplit("/", 1)[1]: r.status for r in refused} == {"LEI-002.csv": "rejected", "LEI-003.xlsx": "rejected", "notes.txt": "rejected"}
    assert all("not a regular file (a named pipe" in r.reason for r in refused)
    assert {s: r.status for s, r in result["direct"].files.items()} == {"a.csv": "rejected", "b.xlsx": "rejected"}
