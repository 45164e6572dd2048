"""Ad-hoc questions to the published warehouse: read-only, one SELECT at a time.

The connection is opened read-only, with no access to files or the network
and its configuration locked, and only SELECT-like statements are accepted,
so a query can neither change the warehouse nor write a file.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

ALLOWED_STATEMENTS = {"SELECT", "EXPLAIN"}


def connect_locked(live: Path) -> duckdb.DuckDBPyConnection:
    if not live.exists():
        raise FileNotFoundError(f"no warehouse at {live}; run `opcc refresh` first")
    return duckdb.connect(
        str(live),
        read_only=True,
        config={"enable_external_access": False, "autoload_known_extensions": False, "lock_configuration": True},
    )


def check_read_only(sql: str) -> list[duckdb.Statement]:
    statements = duckdb.extract_statements(sql)
    if not statements:
        raise ValueError("no SQL statement given")
    for statement in statements:
        kind = statement.type.name
        if kind not in ALLOWED_STATEMENTS:
            raise PermissionError(f"only SELECT queries are allowed here; refused a {kind} statement")
    return statements


def run_read_only_query(live: Path, sql: str, fmt: str = "table") -> str:
    check_read_only(sql)
    with connect_locked(live) as con:
        relation = con.sql(sql)
        if relation is None:
            return ""
        columns = relation.columns
        rows = relation.fetchall()
    return format_rows(columns, rows, fmt)


def format_rows(columns: list[str], rows: list[tuple], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([dict(zip(columns, map(_jsonable, row), strict=True)) for row in rows], indent=2)
    if fmt == "csv":
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
        return buffer.getvalue().rstrip("\n")
    cells = [[_text(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    numeric = [all(isinstance(row[i], (int, float)) or row[i] is None or _is_decimal(row[i]) for row in rows) for i in range(len(columns))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append(
            "  ".join(v.rjust(w) if n else v.ljust(w) for v, w, n in zip(row, widths, numeric, strict=True)).rstrip()
        )
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


def _is_decimal(value) -> bool:
    from decimal import Decimal

    return isinstance(value, Decimal)


def _text(value) -> str:
    if value is None:
        return ""
    if _is_decimal(value) or isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def _jsonable(value):
    from datetime import date, datetime
    from decimal import Decimal

    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


COST_PER_OUTCOME_COLUMNS = """
    period, period_basis, strategic_priority, indicator_code, indicator_name,
    attributed_spend_gbp, outcome_value, cost_per_outcome_gbp, contracts, not_computed_because
"""


def cost_per_outcome_query(
    live: Path, priority: str | None, period: str | None, ytd: bool, indicator: str | None, fmt: str = "table",
    commissioner: str | None = None,
) -> str:
    from .settings import commissioner as default_commissioner

    code = default_commissioner(commissioner)
    with connect_locked(live) as con:
        known_commissioners = [r[0] for r in con.execute("select commissioner_code from marts.dim_commissioner order by 1").fetchall()]
        if code not in known_commissioners:
            raise ValueError(f"no commissioner '{code}' in this warehouse (commissioners: {', '.join(known_commissioners)})")
        if period is None:
            row = con.execute("select max(period) from marts.fct_cost_per_outcome where commissioner_code = ?", [code]).fetchone()
            if row[0] is None:
                raise ValueError(f"the warehouse has no cost per outcome for {code} yet (no provider returns)")
            period = row[0]
        known = {
            r[0]
            for r in con.execute(
                "select distinct period from marts.fct_cost_per_outcome where commissioner_code = ?", [code]
            ).fetchall()
        }
        if period not in known:
            raise ValueError(f"no cost per outcome for period '{period}' (periods: {', '.join(sorted(known))})")
        relation = con.execute(
            f"""
            select {COST_PER_OUTCOME_COLUMNS} from marts.fct_cost_per_outcome
            where commissioner_code = ? and period = ? and period_basis = ?
              and (? is null or strategic_priority = upper(?))
              and (? is null or indicator_code = upper(?))
            order by strategic_priority, indicator_code
            """,
            [code, period, "year_to_date" if ytd else "quarter", priority, priority, indicator, indicator],
        )
        columns = [d[0] for d in relation.description]
        rows = relation.fetchall()
    return format_rows(columns, rows, fmt)
