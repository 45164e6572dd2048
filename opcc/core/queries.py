"""Ad-hoc questions to the published warehouse: read-only, one SELECT at a time.

The connection is opened read-only, with no access to files or the network
and its configuration locked, and only SELECT-like statements are accepted,
so a query can neither change the warehouse nor write a file. A query is
stopped after a time limit (default 60 s), and a table printed for a person
stops after a number of rows (default 1,000), saying so: a runaway join never
holds the terminal for minutes.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from pathlib import Path

import duckdb

from opcc.core.safe_text import looks_like_formula
from opcc.core.text_table import render

ALLOWED_STATEMENTS = {"SELECT", "EXPLAIN"}
DEFAULT_TIMEOUT_SECONDS = 60.0
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
DEFAULT_MAX_ROWS = 1000  # printed as a table; csv and json print every row unless told


_MOST_ROWS = 2**62  # DuckDB fetches at most a signed 64-bit count of rows at once


class QueryTimeout(RuntimeError):
    """A query ran past its time limit and was stopped."""


def connect_locked(live: Path) -> duckdb.DuckDBPyConnection:
    from opcc.core.warehouse import open_readable

    return open_readable(
        live, config={"enable_external_access": False, "autoload_known_extensions": False, "lock_configuration": True}
    )


def check_read_only(sql: str) -> list[duckdb.Statement]:
    try:
        sql.encode("utf-8")
    except UnicodeEncodeError as error:  # bytes of another encoding, passed on by the shell as they were
        raise ValueError(
            f"the query holds bytes that are not UTF-8 text (at character {error.start + 1}): type it again in UTF-8"
        ) from None
    statements = duckdb.extract_statements(sql)
    if not statements:
        raise ValueError("no SQL statement given")
    for statement in statements:
        kind = statement.type.name
        if kind not in ALLOWED_STATEMENTS:
            raise PermissionError(f"only SELECT queries are allowed here; refused a {kind} statement")
    return statements


def query_rows(
    live: Path, sql: str, timeout: float | None = DEFAULT_TIMEOUT_SECONDS, max_rows: int | None = None
) -> tuple[list[str], list[tuple], bool]:
    """(columns, rows, more rows not fetched) of a read-only query, stopped after `timeout` seconds
    (None or 0: no limit), with at most `max_rows` rows (None: every row)."""
    check_read_only(sql)
    if max_rows is not None and max_rows >= _MOST_ROWS:
        max_rows = None  # more rows than any warehouse holds (and than DuckDB can be asked for): every row
    with connect_locked(live) as con:
        timer = threading.Timer(timeout, con.interrupt) if timeout else None
        if timer:
            timer.daemon = True
            timer.start()
        try:
            result = con.execute(sql)
            if result.description is None:
                return [], [], False
            columns = [d[0] for d in result.description]
            rows = result.fetchall() if max_rows is None else result.fetchmany(max_rows + 1)
        except duckdb.InterruptException:
            raise QueryTimeout(
                f"the query ran for more than {timeout:g} s and was stopped: narrow it (a WHERE clause, fewer joins, "
                "a LIMIT) or give it longer with --timeout SECONDS"
            ) from None
        finally:
            if timer:
                timer.cancel()
    more = max_rows is not None and len(rows) > max_rows
    return columns, rows[:max_rows] if more else rows, more


def run_read_only_query(
    live: Path, sql: str, fmt: str = "table", timeout: float | None = DEFAULT_TIMEOUT_SECONDS, max_rows: int | None = None
) -> str:
    """The answer to `sql`, formatted: a table stops after `max_rows` rows (default DEFAULT_MAX_ROWS) and
    says so; csv and json give every row unless `max_rows` is given."""
    if max_rows is None and fmt == "table":
        max_rows = DEFAULT_MAX_ROWS
    columns, rows, more = query_rows(live, sql, timeout, max_rows)
    if not columns:
        return ""
    text = format_rows(columns, rows, fmt)
    if more and fmt == "table":
        text = text.rsplit("\n", 1)[0] + f"\n(the first {len(rows):,} rows; the query returns more: --max-rows N to see more)"
    return text


def describe_query_error(error: BaseException, live: Path | None = None) -> list[str]:
    """What went wrong with a query, in a few short lines: DuckDB's first line, its own suggestion
    when it has one ('Did you mean ...', 'Candidate bindings'), else the nearest names the warehouse
    holds for a name it could not find, and where in the SQL it stopped."""
    import difflib
    import re

    text = str(error) or type(error).__name__
    lines = [line for line in text.splitlines() if line.strip()]
    said = [f"error: {lines[0]}"]
    hint = next((line.strip() for line in lines[1:] if line.startswith(("Did you mean", "Candidate bindings"))), None)
    if hint is None and live is not None and isinstance(error, duckdb.Error):
        missing = re.search(r'(?:Table|Column|column) with name "?([\w.]+)"? does not exist|column "([\w.]+)" not found', text)
        name = next((g for g in missing.groups() if g), None) if missing else None
        if name:
            with contextlib.suppress(duckdb.Error, OSError), connect_locked(live) as con:
                known = [
                    f"{schema}.{table}"
                    for schema, table in con.execute(
                        "select table_schema, table_name from information_schema.tables "
                        "where table_schema not in ('information_schema', 'pg_catalog')"
                    ).fetchall()
                ]
                near = difflib.get_close_matches(name, known, n=3, cutoff=0.6) or difflib.get_close_matches(
                    name.rsplit(".", 1)[-1], [k.rsplit(".", 1)[-1] for k in known], n=3, cutoff=0.6
                )
                if near:
                    hint = "Did you mean " + " or ".join(f'"{n}"' for n in near) + "?"
    if hint:
        said.append(f"  {hint}")
    pointer = next((i for i, line in enumerate(lines) if line.startswith("LINE ")), None)
    if pointer is not None:
        said.extend(f"  {line}" for line in lines[pointer : pointer + 2])
    # The error is one whole line, whatever its length; the hints after it are cut to fit.
    return [said[0], *(line if len(line) <= 118 else line[:117] + "…" for line in said[1:])]


def _fit_widths(widths: list[int], cells: list[list[str]], numeric: list[bool], width: int) -> list[int]:
    """Shorten the text columns, widest first, until the table fits `width`; numbers are never cut,
    and a text column keeps at least 10 characters or its first word."""
    widths = list(widths)
    text_columns = [i for i, n in enumerate(numeric) if not n]
    floor = {i: max([min(widths[i], 10), *(min(len(row[i].split(" ", 1)[0]), 24) for row in cells)]) for i in text_columns}
    while sum(widths) + 2 * (len(widths) - 1) > width:
        shrinkable = [i for i in text_columns if widths[i] > floor[i]]
        if not shrinkable:
            break
        widths[max(shrinkable, key=lambda i: widths[i])] -= 1
    return widths


def terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((120, 24)).columns


def _csv_cell(value):
    return "'" + value if isinstance(value, str) and looks_like_formula(value) else value


def format_rows(columns: list[str], rows: list[tuple], fmt: str, width: int | None = None) -> str:
    if fmt == "json":
        return json.dumps([dict(zip(columns, map(_jsonable, row), strict=True)) for row in rows], indent=2)
    if fmt == "csv":
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        # A CSV is opened in a spreadsheet more often than not: text a provider typed that a
        # spreadsheet would run as a formula is quoted, as in the open data and the workbooks.
        writer.writerows([_csv_cell(value) for value in row] for row in rows)
        return buffer.getvalue().rstrip("\n")
    # One line per row, and nothing a provider typed steers the terminal (an escape sequence in a comment).
    cells = [[_CONTROL.sub("\ufffd", " ".join(_text(v).split())) for v in row] for row in rows]
    numeric = [all(isinstance(row[i], (int, float)) or row[i] is None or _is_decimal(row[i]) for row in rows) for i in range(len(columns))]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    # A table is for a person at a terminal: it fits the terminal, long text cut with '…' (csv and
    # json, for machines, keep every character).
    width = width or terminal_width()
    widths = _fit_widths(widths, cells, numeric, width)
    if sum(widths) + 2 * (len(widths) - 1) > width:
        return _records(columns, cells, width)
    lines = ["  ".join(_fit(c, w).ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append(
            "  ".join(_fit(v, w).rjust(w) if n else _fit(v, w).ljust(w) for v, w, n in zip(row, widths, numeric, strict=True)).rstrip()
        )
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


def _records(columns: list[str], cells: list[list[str]], width: int) -> str:
    """Too many columns for the terminal: one block per row, a line per column (as psql's expanded
    display), each value cut to the terminal's width."""
    name_width = min(max(len(c) for c in columns), max(width // 3, 10))
    lines = []
    for number, row in enumerate(cells, start=1):
        lines.append((f"-[ row {number} ]" + "-" * width)[:width])
        for column, value in zip(columns, row, strict=True):
            lines.append(f"{_fit(column, name_width).ljust(name_width)} | {_fit(value, max(width - name_width - 3, 1))}".rstrip())
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
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
    c.period, c.period_basis, c.strategic_priority, c.indicator_code, c.indicator_name,
    c.attributed_spend_gbp, c.outcome_value, c.cost_per_outcome_gbp, c.contracts, c.not_computed_because, c.indicator_kind
"""


def _listing(rows: list[tuple[str, str | None]]) -> str:
    return ", ".join(f"{code} {name}" if name else code for code, name in rows)


# `opcc cost-per-outcome --by`: where each grouping's figures are, the column that groups them, its heading.
COST_PER_OUTCOME_BY = {
    "contract": ("reporting.rpt_contract_cost_per_outcome", "contract_id", "service"),
    "priority": ("marts.fct_cost_per_outcome", "strategic_priority", "priority"),
    "theme": ("marts.fct_cost_per_outcome_by_theme", "theme_code", "theme"),
    "mechanism": ("marts.fct_cost_per_outcome_by_mechanism", "mechanism_code", "mechanism"),
    "national-area": ("marts.fct_cost_per_outcome_by_national_area", "national_outcome_area", "national outcome area"),
}

CONTRACT_COST_COLUMNS = [
    "period", "period_basis", "contract_id", "service", "provider", "indicator_code", "indicator_name", "indicator_kind",
    "spend_gbp", "value", "cost_per_unit_gbp", "not_computed_because",
]


def cost_per_outcome_query(
    live: Path, priority: str | None, period: str | None, ytd: bool, indicator: str | None, fmt: str = "table",
    commissioner: str | None = None, width: int | None = None, by: str = "priority",
) -> str:
    from opcc.core.settings import commissioner as default_commissioner

    code = default_commissioner(commissioner)
    with connect_locked(live) as con:
        known_commissioners = [r[0] for r in con.execute("select commissioner_code from marts.dim_commissioner order by 1").fetchall()]
        if code not in known_commissioners:
            raise ValueError(f"no commissioner '{code}' in this warehouse (commissioners: {', '.join(known_commissioners)})")
        if priority is not None:
            priorities = con.execute(
                "select strategic_priority, any_value(short_name) from marts.dim_strategic_priority where commissioner_code = ? "
                "group by 1 order by min(priority_number), 1",
                [code],
            ).fetchall()
            if priority.upper() not in {p for p, _ in priorities}:
                raise ValueError(f"no strategic priority '{priority}' for {code} (priorities: {_listing(priorities) or 'none'})")
        if indicator is not None:
            indicators = con.execute(
                "select indicator_code, any_value(indicator_name) from marts.dim_indicator where commissioner_code = ? "
                "and has_cost_per_outcome group by 1 order by 1",
                [code],
            ).fetchall()
            if indicator.upper() not in {i for i, _ in indicators}:
                raise ValueError(
                    f"no outcome indicator '{indicator}' with a cost per outcome for {code} "
                    f"(indicators: {_listing(indicators) or 'none'})"
                )
        if by != "priority":
            if priority is not None:
                raise ValueError("--priority chooses among priorities: use it with --by priority")
            return _cost_per_outcome_by(con, code, by, period, ytd, indicator, fmt, width)
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
            select {COST_PER_OUTCOME_COLUMNS}, p.short_name as priority_name
            from marts.fct_cost_per_outcome c
            left join marts.dim_strategic_priority p
                on p.plan_code = c.plan_code and p.strategic_priority = c.strategic_priority
            where c.commissioner_code = ? and c.period = ? and c.period_basis = ?
              and (? is null or c.strategic_priority = upper(?))
              and (? is null or c.indicator_code = upper(?))
            order by p.priority_number, c.strategic_priority,
                case c.indicator_kind when 'outcome' then 1 when 'output' then 2 else 3 end, c.indicator_code
            """,
            [code, period, _basis(period, ytd), priority, priority, indicator, indicator],
        )
        columns = [d[0] for d in relation.description]
        rows = relation.fetchall()
    if fmt != "table":
        # csv and json keep their columns: scripts read them.
        return format_rows(columns[:-1], [row[:-1] for row in rows], fmt)
    return cost_per_outcome_table([dict(zip(columns, row, strict=True)) for row in rows], width)


def _basis(period: str, ytd: bool) -> str:
    """The period_basis of a period's own figures (by its kind, opcc/core/periods.py), or year_to_date."""
    from opcc.core.periods import Period

    if ytd:
        return "year_to_date"
    return {"quarter": "quarter", "half-year": "half_year"}.get(Period.parse(period).kind, "year")


def _cost_per_outcome_by(con, code: str, by: str, period: str | None, ytd: bool, indicator: str | None, fmt: str,
                         width: int | None) -> str:
    """Per service (--by contract), or grouped by theme, mechanism or national outcome area."""
    table, group, heading = COST_PER_OUTCOME_BY[by]
    known = {r[0] for r in con.execute(f"select distinct period from {table} where commissioner_code = ?", [code]).fetchall()}
    if not known:
        raise ValueError(f"the warehouse has no cost per unit for {code} yet (no provider returns with spend and counts)")
    period = period or max(known)
    if period not in known:
        raise ValueError(f"no cost per outcome for period '{period}' (periods: {', '.join(sorted(known))})")
    basis = _basis(period, ytd)
    if by == "contract":
        columns = CONTRACT_COST_COLUMNS
        order = "service, contract_id, indicator_kind, indicator_code"
    else:
        columns = ["period", "period_basis", group, "indicator_code", "indicator_name", "indicator_kind",
                   "attributed_spend_gbp", "outcome_value", "cost_per_outcome_gbp", "contracts", "not_computed_because"]
        order = f"{group} nulls last, indicator_kind, indicator_code"
    relation = con.execute(
        f"select {', '.join(columns)} from {table} where commissioner_code = ? and period = ? and period_basis = ? "
        f"and (? is null or indicator_code = upper(?)) order by {order}",
        [code, period, basis, indicator, indicator],
    )
    rows = relation.fetchall()
    if fmt != "table":
        return format_rows(columns, rows, fmt)
    return _grouped_cost_table(by, heading, group, [dict(zip(columns, row, strict=True)) for row in rows], period, basis, width)


def _grouped_cost_table(by: str, heading: str, group: str, rows: list[dict], period: str, basis: str,
                        width: int | None) -> str:
    import shutil

    width = width or shutil.get_terminal_size((120, 24)).columns
    if not rows:
        return "(0 rows)"
    if by == "contract":
        header = ["service", "provider", "counted", "kind", "spend", "how many", "£ per unit", "note"]
        numeric = [False, False, False, False, True, True, True, False]
        cells = [
            [r["service"] or r["contract_id"], r["provider"] or "", f"{r['indicator_code']} {r['indicator_name']}",
             r["indicator_kind"] or "", _pounds(r["spend_gbp"], 0), _count(r["value"]),
             _pounds(r["cost_per_unit_gbp"], 2) or "n/a", r["not_computed_because"] or ""]
            for r in rows
        ]
    else:
        header = [heading, "counted", "kind", "spend", "how many", "£ per unit", "contracts", "note"]
        numeric = [False, False, False, True, True, True, True, False]
        cells = [
            [r[group] or "(none)", f"{r['indicator_code']} {r['indicator_name'] or ''}".strip(), r["indicator_kind"] or "",
             _pounds(r["attributed_spend_gbp"], 0), _count(r["outcome_value"]),
             _pounds(r["cost_per_outcome_gbp"], 2) or "n/a", f"{int(r['contracts']):,}", r["not_computed_because"] or ""]
            for r in rows
        ]
    title = f"Cost per unit by {heading}, {period} ({basis.replace('_', ' ')})"
    return _render_table(title, header, numeric, cells, width)


def _pounds(value, decimals: int) -> str:
    return "" if value is None else f"£{float(value):,.{decimals}f}"


def _count(value) -> str:
    if value is None:
        return ""
    number = float(value)
    return f"{round(number):,}" if number == round(number) else f"{number:,.2f}"


def _render_table(title: str, header: list[str], numeric: list[bool], cells: list[list[str]], width: int) -> str:
    if not any(row[-1] for row in cells):
        header, numeric, cells = header[:-1], numeric[:-1], [row[:-1] for row in cells]
    return render(title, header, numeric, cells, width)


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 1)] + "…"


def cost_per_outcome_table(rows: list[dict], width: int | None = None) -> str:
    """A table a person reads in a terminal: priority names beside codes, outcomes as whole numbers,
    money as £, and text columns shortened so the table fits the terminal's width."""
    width = width or terminal_width()
    if not rows:
        return "(0 rows)"
    basis = rows[0]["period_basis"].replace("_", " ")
    header = ["priority", "counted", "kind", "spend", "how many", "per unit", "contracts", "note"]
    numeric = [False, False, False, True, True, True, True, False]
    cells = [
        [
            f"{r['strategic_priority']} {r['priority_name'] or ''}".strip(),
            f"{r['indicator_code']} {r['indicator_name']}",
            r.get("indicator_kind") or "",
            f"£{float(r['attributed_spend_gbp']):,.0f}" if r["attributed_spend_gbp"] is not None else "",
            _count(r["outcome_value"]),
            f"£{float(r['cost_per_outcome_gbp']):,.2f}" if r["cost_per_outcome_gbp"] is not None else "n/a",
            f"{int(r['contracts']):,}" if r["contracts"] is not None else "",
            r["not_computed_because"] or "",
        ]
        for r in rows
    ]
    if not any(row[-1] for row in cells):
        header, numeric, cells = header[:-1], numeric[:-1], [row[:-1] for row in cells]
    return render(f"Cost per outcome, {rows[0]['period']} ({basis})", header, numeric, cells, width)
