"""The Great Expectations suite `open_data` on what the files hold: identifiers unique, amounts
positive, organisation identifiers well formed. The records are read back from the files written
(build.py) and judged before the files are put in place; in a refresh they are kept in
audit.open_data_records, where the suite also runs as a blocking check on the open data asset.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from opcc.core.audit import record_open_data
from opcc.quality import load_suites, validate

SUITE = "open_data"


def _suite():
    return next(s for s in load_suites() if s.name == SUITE)


def problems_of(outcome) -> list[str]:
    return [f"{SUITE}: {o.describe().lstrip('✗ ')}" for o in outcome.failed(blocking=True)]


def in_build(con: duckdb.DuckDBPyConnection, live: Path, run_name: str) -> Callable[[list[dict]], list[str]]:
    """A guard for a refresh: every commissioner's records replace audit.open_data_records in the build,
    and the suite runs there once."""

    def guard(records: list[dict]) -> list[str]:
        record_open_data(con, records, replace_all=True)
        return problems_of(validate(con, _suite(), live, run_name=run_name))

    return guard


def beside_published(live: Path) -> Callable[[list[dict]], list[str]]:
    """A guard for `opcc publish`: the published warehouse stays read-only, so the records are judged in
    memory, with the reference lists the suite reads attached from the warehouse."""

    def guard(records: list[dict]) -> list[str]:
        with duckdb.connect() as con:
            con.execute(f"attach '{str(live).replace(chr(39), chr(39) * 2)}' as published (read_only)")
            con.execute("create schema staging")
            con.execute(
                "create view staging.stg_reference__org_id_lists as "
                "select * from published.staging.stg_reference__org_id_lists"
            )
            record_open_data(con, records)
            return problems_of(validate(con, _suite(), live, run_name="opcc publish"))

    return guard
