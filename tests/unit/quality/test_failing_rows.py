"""Failing rows read from the frame are the rows, values and order Great Expectations' own loop and
a per-row natural sort gave."""

import re

import numpy as np
import pandas as pd

from opcc.quality.failing_rows import FailingRows, key_columns, natural_order


def per_row_natural(row: dict, keys) -> tuple:
    """The per-row sort key the runner used before (each row's keys' text, digits as numbers)."""
    return tuple(
        tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", str(row.get(k, ""))))
        for k in keys
    )


def frame() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 3000
    return pd.DataFrame({
        "code": rng.choice(["row 5", "row 14", "row 05", "Row 2", "", None, "b10a2", "b9a10"], n),
        "number": rng.choice([3.0, 12.0, 2.5, np.nan, -1.0], n),
        "count": rng.integers(0, 30, n),
        "when": pd.to_datetime(rng.choice(["2025-04-01 00:00", "2024-12-31 10:00", None], n), format="ISO8601"),
        "flag": rng.choice([True, False], n),
        "late": pd.array(rng.choice([4, 11, None], n), dtype="Int32"),  # DuckDB's integer with nulls
        "ok": pd.array(rng.choice([True, None], n), dtype="boolean"),
    })


def test_the_order_is_the_per_row_natural_sort_stable_on_ties():
    data = frame()
    positions = np.flatnonzero(data["count"].to_numpy() % 3 != 0)
    for keys in (["code"], ["number", "code"], ["when", "count", "flag"], ["late", "ok", "code"], ["flag", "number", "when", "code", "count"]):
        rows = [{k: data.at[int(p), k] for k in keys} for p in positions]
        expected = [positions[i] for i in sorted(range(len(rows)), key=lambda i, keys=keys: per_row_natural(rows[i], keys))]
        assert list(natural_order(data, positions, keys)) == expected, keys


def test_each_row_holds_what_great_expectations_read_with_at_in_its_order_of_columns():
    data = frame()
    positions = np.array([17, 3, 2999, 0, 3])
    columns = key_columns(["flag"], ["code", "when", "flag", "number", "late", "ok"])
    assert columns == ["flag", "code", "when", "number", "late", "ok"]
    rows = FailingRows(data, positions, columns)
    expected = [{c: data.at[int(p), c] for c in columns} for p in positions]
    assert len(rows) == 5

    def shown(found):  # each value's text and type (NaN is not equal to itself)
        return [[(k, str(v), type(v)) for k, v in r.items()] for r in found]

    for got in ([rows[n] for n in range(5)], rows[:2] + rows[2:], [rows[-5], *rows[-4:]], list(rows), [rows[n] for n in range(5)]):
        assert shown(got) == shown(expected)
