"""The warehouse's own tables, in one place: every table the pipeline (not dbt) creates.

`audit`: which files were read, what was quarantined and why, what the quality
gate held back, what each check found, each refresh and build, and every grant
and contract the open data files published (read back from the files). `raw`: the
tables the ingest fills that must exist even before anything is loaded (so
dbt's sources always exist), and the reporting calendar.

Every input row is either loaded or quarantined with its reason; every file
is listed with its sha256. Each loader replaces only its own rows here (by
`source_table`, and for returns by period), so loaders can run in any order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from opcc.core.periods import CALENDAR_COLUMNS, calendar


@dataclass
class FileReport:
    """What became of one input file: the record every reader fills and the ledger keeps (audit.loaded_files)."""

    path: str
    sha256: str = ""
    size_bytes: int = 0
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    status: str = "loaded"  # loaded | rejected (cannot be read) | waiting (still being written) | noted (not a return)
    reason: str = ""
    submitted_on: str = ""  # from the return itself (the workbook's 'Submitted on' cell)
    columns: list[str] = field(default_factory=list)  # the header as found
    warnings: list[str] = field(default_factory=list)
    modified_at: float | None = None  # the file's modification time when read (seconds since the epoch)

    @property
    def read(self) -> bool:
        """True when the file's rows were read (every one loaded or quarantined)."""
        return self.status == "loaded"


AUDIT_DDL = """
create schema if not exists audit;
create table if not exists audit.loaded_files (
    source_table varchar not null,
    period varchar,
    path varchar not null,
    sha256 varchar,
    size_bytes bigint,
    submitted_on varchar,
    rows_read integer,
    rows_loaded integer,
    rows_quarantined integer,
    status varchar not null,
    reason varchar,
    warnings varchar,
    loaded_at timestamp not null,
    run_id varchar
);
create table if not exists audit.quarantined_rows (
    source_table varchar not null,
    period varchar,
    path varchar not null,
    row_number integer,
    column_name varchar,
    value varchar,
    reason varchar not null,
    run_id varchar,
    contract_id varchar
);
create or replace view audit.rejected_files as
    select source_table, period, path, reason, loaded_at, run_id, status
    from audit.loaded_files
    where status != 'loaded';
create table if not exists audit.held_back_versions (
    commissioner_code varchar not null,
    framework_version varchar not null,
    suite varchar not null,
    rule varchar not null,
    detail varchar,
    run_id varchar,
    held_back_at timestamp
);
create table if not exists audit.quality_results (
    run_id varchar,
    checked_at timestamp,
    suite varchar,
    guards varchar,
    rule varchar,
    expectation varchar,
    column_name varchar,
    severity varchar,
    passed boolean,
    rows_checked bigint,
    rows_failing bigint,
    failing_sample varchar
);
create table if not exists audit.refreshes (
    run_id varchar primary key,
    published_at timestamp not null,
    periods varchar,
    tables integer,
    raw_rows bigint
);
create table if not exists audit.build_state (key varchar primary key, value varchar);
create table if not exists audit.open_data_records (
    commissioner_code varchar not null,
    framework_version varchar not null,
    file_name varchar not null,
    record_kind varchar not null,
    record_id varchar,
    amount_gbp decimal(14, 2),
    organisation_name varchar,
    organisation_id varchar,
    written_at timestamp
);
create table if not exists audit.refresh_scope (financial_year varchar);
create table if not exists audit.withheld_outputs (
    commissioner_code varchar not null,
    framework_version varchar,
    output varchar not null,
    reason varchar not null,
    run_id varchar,
    withheld_at timestamp
);
-- Held-back versions the marts show as last published (opcc/quality/last_published.py).
create table if not exists audit.kept_versions (
    commissioner_code varchar not null,
    framework_version varchar not null,
    published_sha256 varchar not null,
    published_at timestamp not null,
    held_back_since timestamp not null
);
"""

# Tables the ingest assets fill, created at the start of every build so dbt's sources
# exist even when a run loads no returns.
BASE_DDL = """
create schema if not exists raw;
create table if not exists raw.provider_returns (
    contract_id varchar not null,
    period varchar not null,
    measure varchar not null,
    value double not null,
    value_text varchar,
    comment varchar,
    period_folder varchar not null,
    source_file varchar not null,
    source_row integer not null
);
create table if not exists raw.submission_log (
    period varchar, file varchar, received_at varchar, note varchar, _source_file varchar, _source_row integer
);
create table if not exists raw.return_files (
    period varchar,
    path varchar not null,
    sha256 varchar,
    size_bytes bigint,
    submitted_on varchar,
    rows_read integer,
    rows_loaded integer,
    rows_quarantined integer,
    status varchar not null,
    reason varchar,
    warnings varchar,
    loaded_at timestamp not null
);
create table if not exists raw.reporting_periods (
    period varchar primary key,
    financial_year varchar not null,
    quarter integer not null,
    period_start date not null,
    period_end date not null,
    due_date date not null,
    months varchar,
    period_kind varchar,
    reporting_rhythm varchar,
    months_in_period integer
);
create table if not exists raw.return_periods (
    period varchar primary key,
    files integer not null,
    refreshed_at timestamp not null,
    sample_data boolean not null default false
);
create table if not exists audit.superseded_return_rows (
    path varchar not null,
    sha256 varchar not null,
    version integer,
    period_folder varchar,
    contract_id varchar,
    period varchar,
    measure varchar,
    value double,
    value_text varchar,
    comment varchar,
    source_row integer,
    first_seen_at timestamp,
    superseded_at timestamp
);
create table if not exists audit.file_history (
    path varchar not null,
    sha256 varchar not null,
    period varchar,
    size_bytes bigint,
    first_seen_at timestamp not null,
    last_seen_at timestamp not null,
    version integer,
    status varchar,
    reason varchar,
    submitted_on varchar
);
"""

# Before versions, the history held one row per (path, sha256): a file changed back to content it
# once had could not be recorded. Older warehouses (copied for a partial refresh, or carried over
# into a full one) are brought to the versioned form here.
HISTORY_MIGRATION = """
update audit.file_history as history set version = numbered.version
from (
    select path, sha256, first_seen_at,
           row_number() over (partition by path order by first_seen_at, sha256) as version
    from audit.file_history
) as numbered
where history.version is null
  and history.path = numbered.path and history.sha256 = numbered.sha256 and history.first_seen_at = numbered.first_seen_at;
update audit.superseded_return_rows as kept set version = history.version
from audit.file_history as history
where kept.version is null and history.path = kept.path and history.sha256 = kept.sha256;
"""

QUARANTINE_SCHEMA = pa.schema(
    [
        ("source_table", pa.string()),
        ("period", pa.string()),
        ("path", pa.string()),
        ("row_number", pa.int32()),
        ("column_name", pa.string()),
        ("value", pa.string()),
        ("reason", pa.string()),
        ("run_id", pa.string()),
        ("contract_id", pa.string()),
    ]
)


def ensure_audit_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(AUDIT_DDL)
    # A warehouse from before a column was added gets it (the ledger rebuilds what it cannot hold).
    con.execute("alter table audit.quarantined_rows add column if not exists contract_id varchar")


def ensure_base_tables(con: duckdb.DuckDBPyConnection) -> None:
    ensure_audit_tables(con)
    _unkey_file_history(con)
    con.execute(BASE_DDL)
    for table, column, kind in (
        ("file_history", "version", "integer"),
        ("file_history", "status", "varchar"),
        ("file_history", "reason", "varchar"),
        ("file_history", "submitted_on", "varchar"),
        ("superseded_return_rows", "version", "integer"),
    ):
        con.execute(f"alter table audit.{table} add column if not exists {column} {kind}")
    for column, kind in (("period_kind", "varchar"), ("reporting_rhythm", "varchar"), ("months_in_period", "integer")):
        con.execute(f"alter table raw.reporting_periods add column if not exists {column} {kind}")
    con.execute(HISTORY_MIGRATION)


def _unkey_file_history(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the (path, sha256) key of an older warehouse's history: the same content may now come back."""
    keyed = con.execute(
        "select count(*) from duckdb_constraints() where database_name = current_database() and schema_name = 'audit' "
        "and table_name = 'file_history' and constraint_type = 'PRIMARY KEY'"
    ).fetchall()[0][0]
    if keyed:
        con.execute("create table audit.file_history_unkeyed as select * from audit.file_history")
        con.execute("drop table audit.file_history")
        con.execute("alter table audit.file_history_unkeyed rename to file_history")


def write_calendar(con: duckdb.DuckDBPyConnection) -> int:
    """The reporting calendar (periods.calendar) as raw.reporting_periods, for the models to join."""
    rows = calendar()
    con.execute("delete from raw.reporting_periods")
    con.register("_calendar", pa.table(list(zip(*rows, strict=True)), names=list(CALENDAR_COLUMNS)))
    con.execute("insert into raw.reporting_periods by name select * from _calendar")
    con.unregister("_calendar")
    return len(rows)


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def record_files(
    con: duckdb.DuckDBPyConnection,
    source_table: str,
    reports: Iterable[FileReport],
    run_id: str,
    periods: Sequence[str] | None = None,
    period_of: dict[str, str] | None = None,
) -> None:
    """Replace this loader's rows in audit.loaded_files (for the given periods only, if any)."""
    _delete_own(con, "audit.loaded_files", source_table, periods)
    now = utc_now()
    rows = [
        (
            source_table,
            (period_of or {}).get(r.path),
            r.path,
            r.sha256,
            r.size_bytes,
            r.submitted_on or None,
            r.rows_read,
            r.rows_loaded,
            r.rows_quarantined,
            r.status,
            r.reason or None,
            "; ".join(r.warnings) or None,
            now,
            run_id,
        )
        for r in reports
    ]
    if rows:
        table = pa.table(
            list(zip(*rows, strict=True)),
            names=[
                "source_table", "period", "path", "sha256", "size_bytes", "submitted_on", "rows_read", "rows_loaded",
                "rows_quarantined", "status", "reason", "warnings", "loaded_at", "run_id",
            ],
        )
        con.register("_files", table)
        con.execute("insert into audit.loaded_files by name select * from _files")
        con.unregister("_files")


def record_quarantine(
    con: duckdb.DuckDBPyConnection,
    source_table: str,
    rows: pa.Table | list[dict],
    run_id: str,
    periods: Sequence[str] | None = None,
) -> int:
    """Replace this loader's rows in audit.quarantined_rows; returns how many were written.

    rows: path, row_number, column_name, value, reason (and period, for returns).
    """
    _delete_own(con, "audit.quarantined_rows", source_table, periods)
    if isinstance(rows, list):
        rows = pa.Table.from_pylist(
            [{"period": None, **r} for r in rows],
            schema=pa.schema([f for f in QUARANTINE_SCHEMA if f.name not in ("source_table", "run_id")]),
        )
    if rows.num_rows == 0:
        return 0
    con.register("_quarantine", rows)
    contract = "contract_id" if "contract_id" in rows.schema.names else "null"
    con.execute(
        f"""
        insert into audit.quarantined_rows (source_table, period, path, row_number, column_name, value, reason, run_id, contract_id)
        select ?, period, path, row_number, column_name, value, reason, ?, {contract} from _quarantine
        """,
        [source_table, run_id],
    )
    con.unregister("_quarantine")
    return rows.num_rows


def _delete_own(con: duckdb.DuckDBPyConnection, table: str, source_table: str, periods: Sequence[str] | None) -> None:
    if periods is None:
        con.execute(f"delete from {table} where source_table = ?", [source_table])
    else:
        con.execute(f"delete from {table} where source_table = ? and period in (select unnest(?))", [source_table, list(periods)])


OPEN_DATA_RECORD_COLUMNS = (
    "commissioner_code", "framework_version", "file_name", "record_kind", "record_id", "amount_gbp",
    "organisation_name", "organisation_id",
)


def record_open_data(con: duckdb.DuckDBPyConnection, records: list[dict], replace_all: bool = False) -> int:
    """Replace the rows of the commissioners these records are for (or every row) in audit.open_data_records
    with the records their files hold now."""
    ensure_audit_tables(con)
    if replace_all:
        con.execute("delete from audit.open_data_records")
    else:
        codes = sorted({r["commissioner_code"] for r in records})
        con.execute("delete from audit.open_data_records where commissioner_code in (select unnest(?))", [codes])
    if not records:
        return 0
    now = utc_now()
    table = pa.Table.from_pylist(
        [{**{c: r[c] for c in OPEN_DATA_RECORD_COLUMNS}, "amount_gbp": str(r["amount_gbp"]), "written_at": now} for r in records]
    )
    con.register("_open_data", table)
    con.execute(
        "insert into audit.open_data_records by name "
        "select * replace (cast(amount_gbp as decimal(14, 2)) as amount_gbp) from _open_data"
    )
    con.unregister("_open_data")
    return len(records)


def record_withheld(con: duckdb.DuckDBPyConnection, output: str, withheld: list[tuple[str, str | None, str]], run_id: str) -> None:
    """Replace this output's rows in audit.withheld_outputs: (commissioner, version, reason) of each
    commissioner whose `output` (open data, review pack) was not written this run; the others' were."""
    ensure_audit_tables(con)
    con.execute("delete from audit.withheld_outputs where output = ?", [output])
    now = utc_now()
    for code, version, reason in withheld:
        con.execute("insert into audit.withheld_outputs values (?, ?, ?, ?, ?, ?)", [code, version, output, reason, run_id, now])
