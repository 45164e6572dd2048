"""The independent row counter gives the same counts in many processes as in one, file by file."""

from __future__ import annotations

import os

import pytest

from opcc.ingest import row_count
from opcc.ingest.row_count import FileCount, count_file, count_files


def _returns(folder, n: int):
    paths = []
    for i in range(n):
        path = folder / f"R-{i:03d}.csv"
        rows = "".join(f"M{j},{j}\n" for j in range(i % 5)) + (",\n" if i % 7 == 0 else "")  # a blank record is no row
        path.write_text("measure,value\n" + rows, encoding="utf-8")
        paths.append(path)
    broken = folder / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    return [*paths[:10], broken, *paths[10:], folder / "gone.csv"]


def test_many_files_are_counted_in_processes_as_one_process_counts_them(tmp_path, monkeypatch):
    paths = _returns(tmp_path, 60)
    alone = count_files(paths)  # below the threshold: this process
    monkeypatch.setattr(row_count, "PARALLEL_FROM_FILES", 10)
    if (os.cpu_count() or 1) < 2:
        pytest.fail("this machine has one CPU: the parallel path cannot be shown")
    together = count_files(paths)
    assert together == alone
    assert [c.rows for c in together if isinstance(c, FileCount)] == [count_file(p).rows for p in paths[:10] + paths[11:-1]]
    assert sum(c.rows for c in together if isinstance(c, FileCount)) == sum(i % 5 for i in range(60))
    # The file that is not a workbook and the file that is gone each say why, in their place.
    assert together[10].startswith("cannot be counted from the file: cannot be counted")
    assert together[-1].startswith("cannot be counted from the file:") and "gone.csv" in together[-1]
