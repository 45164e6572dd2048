"""The submission ledger: when each return file arrived, what it held and what replaced it, kept
beside the raw folder so that it outlives the warehouse.

The warehouse's `audit.file_history` (every version of every return file) and
`audit.superseded_return_rows` (the rows of every version no longer on disk)
are rebuilt from the raw folder and this ledger: deleting or losing the
warehouse loses no history. The ledger is a folder of two CSV files, written
only by appending (never rewritten), one line per version and per kept row:

  versions.csv        path,version,sha256,period,size_bytes,first_seen_at,status,reason,submitted_on,replaces_sha256
  superseded_rows.csv path,version,sha256,period_folder,contract_id,period,measure,value,value_text,comment,
                      source_row,first_seen_at,superseded_at

`path` is the file as the warehouse shows it ('returns/<period>/<file name>', a name that may be
personal data already replaced by its stand-in); times are UTC, ISO 8601; `status` is loaded,
rejected or removed (a removal has no sha256); `replaces_sha256` is the content the version
replaced at the same path. Rows kept are only ever rows the warehouse loaded (they passed the
personal-data screen).

Where: `OPCC_LEDGER` when set, else the folder `<raw folder>.ledger` beside the raw folder
(`raw.ledger/` beside `raw/`), so the raw folder itself is never written.

The same folder keeps what each framework version held when it was published, and since when an
edited version is held back (`published_versions.csv`, `published/`, `held_back_versions.csv`:
opcc/quality/last_published.py), so a held-back version keeps its last published figures.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import duckdb

from opcc.core.settings import csv_module

csv = csv_module()

VERSION_COLUMNS = (
    "path", "version", "sha256", "period", "size_bytes", "first_seen_at", "status", "reason", "submitted_on", "replaces_sha256",
)
ROW_COLUMNS = (
    "path", "version", "sha256", "period_folder", "contract_id", "period", "measure", "value", "value_text", "comment",
    "source_row", "first_seen_at", "superseded_at",
)
VERSIONS = "versions.csv"
ROWS = "superseded_rows.csv"


def ledger_dir(raw: Path) -> Path:
    explicit = os.environ.get("OPCC_LEDGER")
    if explicit:
        return Path(explicit).expanduser().absolute()
    raw = Path(raw).absolute()
    return raw.parent / f"{raw.name}.ledger"


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _read(con: duckdb.DuckDBPyConnection, path: Path, columns: tuple[str, ...], name: str) -> bool:
    """The ledger file as temp table `name` (all text); False when there is none yet."""
    if not path.exists() or path.stat().st_size == 0:
        con.execute(f"create or replace temp table {name} ({', '.join(f'{c} varchar' for c in columns)})")
        return False
    types = ", ".join(f"'{c}': 'VARCHAR'" for c in columns)
    con.execute(
        f"create or replace temp table {name} as select * from read_csv('{_sql_path(path)}', header = true, "
        f"columns = {{{types}}}, quote = '\"', escape = '\"', max_line_size = 33554432, null_padding = true)"
    )
    return True


def _append(path: Path, columns: tuple[str, ...], rows: list[tuple]) -> None:
    if not rows:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists() or path.stat().st_size == 0
    with open(path, "a", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        if new:
            writer.writerow(columns)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        handle.flush()
        os.fsync(handle.fileno())


def restore(con: duckdb.DuckDBPyConnection, raw: Path, periods: list[str]) -> int:
    """Put back into the warehouse every version (and kept row) of these periods' files that the
    ledger holds and the warehouse does not: after the warehouse was deleted or set aside, its
    history is the ledger's. Returns the versions restored."""
    folder = ledger_dir(raw)
    _read(con, folder / VERSIONS, VERSION_COLUMNS, "_ledger_versions")
    _read(con, folder / ROWS, ROW_COLUMNS, "_ledger_rows")
    restored = con.execute(
        """
        insert into audit.file_history (path, sha256, period, size_bytes, first_seen_at, last_seen_at, version, status, reason, submitted_on)
        select
            l.path, coalesce(l.sha256, ''), l.period, try_cast(l.size_bytes as bigint), cast(l.first_seen_at as timestamp),
            -- when last seen: its successor's arrival, else when it arrived (the refresh updates a version on disk)
            coalesce(
                lead(cast(l.first_seen_at as timestamp)) over (partition by l.path order by cast(l.version as integer)),
                cast(l.first_seen_at as timestamp)
            ),
            cast(l.version as integer), l.status, nullif(l.reason, ''), nullif(l.submitted_on, '')
        from (
            select * from _ledger_versions
            qualify row_number() over (partition by path, cast(version as integer) order by first_seen_at) = 1
        ) as l
        where l.period in (select unnest(?))
          and not exists (
              select 1 from audit.file_history as h where h.path = l.path and h.version = cast(l.version as integer)
          )
        """,
        [periods],
    ).fetchall()
    con.execute(
        """
        insert into audit.superseded_return_rows by name
        select
            l.path, l.sha256, cast(l.version as integer) as version, l.period_folder, l.contract_id, l.period, l.measure,
            cast(l.value as double) as value, l.value_text, nullif(l.comment, '') as comment, cast(l.source_row as integer) as source_row,
            cast(l.first_seen_at as timestamp) as first_seen_at, cast(l.superseded_at as timestamp) as superseded_at
        from (
            select * from _ledger_rows
            qualify row_number() over (partition by path, cast(version as integer), cast(source_row as integer) order by superseded_at) = 1
        ) as l
        where l.period_folder in (select unnest(?))
          and not exists (
              select 1 from audit.superseded_return_rows as k
              where k.path = l.path and k.version = cast(l.version as integer) and k.source_row = cast(l.source_row as integer)
          )
        """,
        [periods],
    )
    return int(restored[0][0]) if restored else 0


def record(con: duckdb.DuckDBPyConnection, raw: Path, periods: list[str]) -> int:
    """Append to the ledger every version (and kept row) of these periods that it does not hold yet.
    Returns the versions appended."""
    folder = ledger_dir(raw)
    folder.mkdir(parents=True, exist_ok=True)
    # Two warehouses refreshed from one raw folder at once: one appends at a time, each after reading.
    with open(folder / ".lock", "a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            return _record(con, folder, periods)
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def _record(con: duckdb.DuckDBPyConnection, folder: Path, periods: list[str]) -> int:
    _read(con, folder / VERSIONS, VERSION_COLUMNS, "_ledger_versions")
    _read(con, folder / ROWS, ROW_COLUMNS, "_ledger_rows")
    versions = con.execute(
        """
        select
            h.path, h.version, h.sha256, h.period, h.size_bytes, strftime(h.first_seen_at, '%Y-%m-%dT%H:%M:%S.%f'),
            h.status, h.reason, h.submitted_on, h.replaces_sha256
        from (
            select
                *,
                lag(nullif(sha256, '')) over (partition by path order by version) as replaces_sha256
            from audit.file_history
            where period in (select unnest(?))
        ) as h
        where not exists (
            select 1 from _ledger_versions as l where l.path = h.path and cast(l.version as integer) = h.version
        )
        order by h.first_seen_at, h.path, h.version
        """,
        [periods],
    ).fetchall()
    rows = con.execute(
        """
        select
            k.path, k.version, k.sha256, k.period_folder, k.contract_id, k.period, k.measure, k.value, k.value_text, k.comment,
            k.source_row, strftime(k.first_seen_at, '%Y-%m-%dT%H:%M:%S.%f'), strftime(k.superseded_at, '%Y-%m-%dT%H:%M:%S.%f')
        from audit.superseded_return_rows as k
        where k.period_folder in (select unnest(?))
          and not exists (
              select 1 from _ledger_rows as l
              where l.path = k.path and cast(l.version as integer) = k.version and cast(l.source_row as integer) = k.source_row
          )
        order by k.path, k.version, k.source_row
        """,
        [periods],
    ).fetchall()
    _append(folder / VERSIONS, VERSION_COLUMNS, versions)
    _append(folder / ROWS, ROW_COLUMNS, rows)
    return len(versions)
