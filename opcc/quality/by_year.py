"""Quality results kept by financial year, so a partial refresh's results describe the whole warehouse.

A suite whose query names `{refresh_years:EXPR}` is checked, in a partial refresh, over the financial
years the refresh touched only (a national table is checked where it changed). The other years'
rows are the published warehouse's, unchanged, and so are their results. Such a suite's results
are kept per rule and year in audit.quality_results_by_year; a run replaces the years it checked
(every year, in a full refresh) and audit.quality_results holds each rule's sum over every year.
So a partial refresh records what a full refresh of the same files records: the same rows checked
and failing, the same first failing rows, and so the same review packs and `opcc status`.

A year is that of the row's `financial_year`, else of its `period`. A failing row with neither is
counted under the year '' ("the years checked"), replaced by every run of its suite.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Sequence

import duckdb
import numpy as np

from opcc.core.periods import Period
from opcc.quality.failing_rows import natural_key

SCOPE = re.compile(r"\{refresh_years:([^}]+)\}")
YEAR_COLUMNS = ("financial_year", "period")
UNSPLIT = ""  # the year of results that could not be told apart by year

TABLE = """
create table if not exists audit.quality_results_by_year (
    suite varchar, rule varchar, financial_year varchar, passed boolean,
    rows_checked bigint, rows_failing bigint, failing_sample varchar, sample_keys varchar
)"""


def is_scoped(data_sql: str) -> bool:
    return SCOPE.search(data_sql) is not None


def covers(con: duckdb.DuckDBPyConnection, suite: str, rules: Sequence[str]) -> bool:
    """Every rule of the suite has results kept by year: a partial refresh may then check its touched
    years alone. A warehouse built before results were kept by year, or a rule new to the suite, has
    none: the suite is checked in every year, or the years not touched would go uncounted."""
    exists = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'audit' and table_name = 'quality_results_by_year'"
    ).fetchall()
    if not exists[0][0]:
        return False
    kept = {rule for (rule,) in con.execute(
        "select distinct rule from audit.quality_results_by_year where suite = ?", [suite]
    ).fetchall()}
    return set(rules) <= kept


def row_years(values: Sequence) -> np.ndarray:
    """The financial year of each value (a financial year or a period); '' where it names none."""
    spelled: dict = {}
    for value in dict.fromkeys(values):
        try:
            spelled[value] = Period.parse(str(value)).financial_year
        except (ValueError, TypeError):
            spelled[value] = UNSPLIT
    return np.array([spelled[v] for v in values], dtype=object)


def year_column(columns: Sequence[str]) -> str | None:
    return next((c for c in YEAR_COLUMNS if c in columns), None)


def split(
    rule: str, passed: bool, rows_failing: int, checked: Counter, failing: Sequence[dict],
    keys: Sequence[str], identify: Callable[[dict], str], sample_size: int,
) -> list[dict]:
    """One rule's outcome as one row per financial year (`checked`: the rows checked in each year):
    rows checked and failing, and the first failing rows (in the outcome's order) with their keys,
    to merge years by."""
    column = year_column(failing[0].keys()) if len(failing) else None
    if rows_failing and (column is None or len(failing) != rows_failing):
        # Failing rows not listed, or without a year: the result stands for the years checked as a whole.
        sample = [identify(row) for row in failing[:sample_size]]
        return [_row(rule, UNSPLIT, passed, sum(checked.values()), rows_failing, sample, [])]
    failing_years = row_years(_column(failing, column)) if rows_failing else np.array([], dtype=object)
    by_year = Counter(failing_years.tolist())
    # A rule that failed with no failing row (GE could not run it) fails in every year it checked.
    broken = not passed and rows_failing == 0
    rows = []
    for year in sorted(set(checked) | set(by_year)):
        first = np.flatnonzero(failing_years == year)[:sample_size]
        listed = [failing[int(n)] for n in first]
        rows.append(_row(
            rule, year, not broken and by_year[year] == 0, checked[year], by_year[year],
            [identify(row) for row in listed], [[str(row.get(k)) for k in keys] for row in listed],
        ))
    return rows


def _column(failing: Sequence[dict], column: str) -> list:
    rows = getattr(failing, "_rows", None)  # failing_rows.FailingRows: the column at once
    if rows is not None and column in rows:
        return rows[column].tolist()
    return [row.get(column) for row in failing]


def _row(rule, year, passed, checked, failing, sample, sample_keys) -> dict:
    return {
        "rule": rule, "financial_year": year, "passed": bool(passed), "rows_checked": int(checked),
        "rows_failing": int(failing), "failing_sample": json.dumps(sample), "sample_keys": json.dumps(sample_keys),
    }


def replace(con: duckdb.DuckDBPyConnection, suite: str, years: list[str] | None, rows: list[dict]) -> None:
    """Keep `rows` as the suite's results for the years checked (`years`; None: every year)."""
    con.execute(TABLE)
    if years is None:
        con.execute("delete from audit.quality_results_by_year where suite = ?", [suite])
    else:
        con.execute(
            "delete from audit.quality_results_by_year where suite = ? and (financial_year in (select unnest(?)) or financial_year = ?)",
            [suite, years, UNSPLIT],
        )
    if rows:
        con.executemany(
            "insert into audit.quality_results_by_year values (?, ?, ?, ?, ?, ?, ?, ?)",
            [[suite, r["rule"], r["financial_year"], r["passed"], r["rows_checked"], r["rows_failing"], r["failing_sample"],
              r["sample_keys"]] for r in rows],
        )


def totals(con: duckdb.DuckDBPyConnection, suite: str, sample_size: int) -> dict[str, tuple[bool, int, int, list[str]]]:
    """Each rule's result over every year kept: passed, rows checked, rows failing, first failing rows."""
    kept: dict[str, list[tuple]] = {}
    for rule, passed, checked, failing, sample, keys in con.execute(
        "select rule, passed, rows_checked, rows_failing, failing_sample, sample_keys from audit.quality_results_by_year "
        "where suite = ? order by financial_year", [suite]
    ).fetchall():
        kept.setdefault(rule, []).append((passed, checked, failing, json.loads(sample), json.loads(keys)))
    result = {}
    for rule, years in kept.items():
        listed = []
        for _, _, _, sample, keys in years:
            # Rows in the order a full check lists them: by their keys, read as a person reads them.
            listed += [(tuple(natural_key(v) for v in k), text) for text, k in zip(sample, keys, strict=False)]
            listed += [((), text) for text in sample[len(keys):]]
        listed.sort(key=lambda item: item[0])
        result[rule] = (
            all(y[0] for y in years), sum(y[1] for y in years), sum(y[2] for y in years), [text for _, text in listed[:sample_size]],
        )
    return result

