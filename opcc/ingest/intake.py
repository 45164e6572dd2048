"""The returns intake: read some periods' folders into the warehouse, keeping the evidence.

`ingest_periods` is everything the partitioned Dagster asset does (the asset
only calls it and reports): find the files, read them, apply the row rules,
replace those periods' rows in `raw.provider_returns` and their entries in the
audit tables, and record the history of every file.

History is by evidence, not by content. Every time the content at a path
changes, or the file is replaced by one that cannot be read, or disappears,
that is a new version of the path in `audit.file_history` (1, 2, 3 ... in the
order seen), with its status and the date written on it. The rows of every
version that is not on disk now, readable, are kept in
`audit.superseded_return_rows`, so any sequence (A, B, A again; a file
replaced by an unreadable one; a file still being copied) leaves a complete,
ordered history, and the models (int_returns__submissions) decide the current
return from it. A row is in exactly one place: `raw.provider_returns` if its
version is on disk and was read now, else the kept rows.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from opcc.core.audit import ensure_base_tables, record_files, record_quarantine, utc_now
from opcc.core.settings import ingest_batch_bytes
from opcc.ingest import ledger
from opcc.ingest.csvfiles import BulkRead, FileReport
from opcc.ingest.returns import (
    ROW_SCHEMA,
    SAMPLE_MARKER,
    discover,
    read_returns,
    reject_duplicate_files,
    returns_dir,
    validate_returns,
)


@dataclass
class IngestOutcome:
    files: dict[str, FileReport]
    rows_loaded: int
    rows_quarantined: int
    new_versions: list[str] = field(default_factory=list)  # paths whose content changed since last seen
    kept_current: list[str] = field(default_factory=list)  # paths whose earlier content stays current
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def not_read(self) -> list[FileReport]:
        return [r for r in self.files.values() if not r.read]


class _Stopwatch:
    def __init__(self):
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(self.laps.get(name, 0.0) + now - self._last, 3)  # a stage run batch by batch adds up
        self._last = now


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def ingest_periods(
    con: duckdb.DuckDBPyConnection,
    raw: Path,
    periods: list[str],
    live: Path | None,
    run_id: str,
    now: datetime | None = None,
    settle: float | None = None,
) -> IngestOutcome:
    """Read raw/returns/<period>/ for each of `periods` into the warehouse `con` writes.

    `live` is the published warehouse (the earlier rows of a changed file are taken from it
    when this build does not hold them); `now` is when the files are seen.
    """
    clock = _Stopwatch()
    now = now or utc_now()
    ensure_base_tables(con)
    # The history is the ledger's: a warehouse deleted, set aside or built from nothing gets it back.
    ledger.restore(con, raw, periods)
    files, refused, present, found_in = [], [], [], {}
    for period in periods:
        found, rejected = discover(raw, period, settle)
        files += found
        refused += rejected
        found_in[period] = found
        if (returns_dir(raw) / period).is_dir():
            present.append((period, len(found) + len(rejected)))
    clock.lap("find files")
    bulk = _read_and_check(con, _batches(found_in, ingest_batch_bytes()), clock)
    bulk.files = {shown: bulk.files[shown] for shown in _reading_order(files)}
    for report in refused:
        bulk.files[report.path] = report
    # Which copy of identical files is kept is decided over every batch at once, as for one bulk:
    # a copy in a later year's folder, or a file known before in a later folder, is weighed the same.
    reject_duplicate_files(bulk, *_known_paths(con))
    copies = sorted(path for path, report in bulk.files.items() if not report.read)
    con.execute("delete from _ingest_loaded where source_file in (select unnest(?))", [copies])
    con.execute("delete from _ingest_quarantined where path in (select unnest(?))", [copies])
    checked_quarantined = con.sql("select * from _ingest_quarantined").to_arrow_table()
    clock.lap("validate rows")

    unreadable_rows = pa.Table.from_pylist(
        [{**q, "period": q["path"].split("/")[1]} for q in bulk.quarantined], schema=checked_quarantined.schema
    )
    quarantine = pa.concat_tables([unreadable_rows, checked_quarantined])
    rows_loaded = _count_rows(con, bulk.files, quarantine)

    kept = _keep_earlier_rows(con, bulk.files, periods, live, now)
    con.execute("delete from raw.provider_returns where period_folder in (select unnest(?))", [periods])
    con.execute("insert into raw.provider_returns by name select * from _ingest_loaded")
    con.execute("drop table _ingest_loaded")
    con.execute("drop table _ingest_quarantined")
    clock.lap("write rows")

    con.execute("delete from raw.return_periods where period in (select unnest(?))", [periods])
    sample = (returns_dir(raw) / SAMPLE_MARKER).exists()
    for period, count in present:
        con.execute("insert into raw.return_periods values (?, ?, ?, ?)", [period, count, now, sample])
    period_of = {path: path.split("/")[1] for path in bulk.files}
    record_files(con, "provider_returns", bulk.files.values(), run_id, periods=periods, period_of=period_of)
    con.execute("delete from raw.return_files where period in (select unnest(?))", [periods])
    con.execute(
        "insert into raw.return_files select * exclude (source_table, run_id) from audit.loaded_files "
        "where source_table = 'provider_returns' and period in (select unnest(?))",
        [periods],
    )
    quarantined = record_quarantine(con, "provider_returns", quarantine, run_id, periods=periods)
    clock.lap("write audit")
    new_versions = remember_files(con, list(bulk.files.values()), periods, now)
    ledger.record(con, raw, periods)
    clock.lap("file history")
    return IngestOutcome(
        files=bulk.files,
        rows_loaded=rows_loaded,
        rows_quarantined=quarantined,
        new_versions=new_versions,
        kept_current=kept,
        seconds=clock.laps,
    )


def _known_paths(con) -> tuple[set[str], set[str]]:
    """Paths seen before or in the submission log (known), and those loaded before (established)."""
    known = {
        path
        for (path,) in con.execute(
            "select path from audit.file_history union select 'returns/' || trim(period) || '/' || trim(file) from raw.submission_log"
        ).fetchall()
    }
    established = {
        path for (path,) in con.execute("select distinct path from audit.file_history where status = 'loaded'").fetchall()
    }
    return known, established


def _batches(found_in: dict[str, list[tuple[Path, str]]], limit: int) -> list[list[tuple[Path, str]]]:
    """The files, whole periods at a time, in batches of about `limit` bytes (a period bigger than
    that is a batch of its own). Periods go in the order of their paths, so the rows of the batches,
    one after another, are in the order one bulk would hold them."""
    batches: list[list[tuple[Path, str]]] = []
    batch: list[tuple[Path, str]] = []
    size = 0
    for period in sorted(found_in, key=lambda p: f"returns/{p}/"):
        period_bytes = sum(_size(path) for path, _ in found_in[period])
        if batch and size + period_bytes > limit:
            batches.append(batch)
            batch, size = [], 0
        batch += found_in[period]
        size += period_bytes
    return [*batches, batch] if batch else batches or [[]]


def _size(path: Path) -> int:
    try:
        return os.stat(path, follow_symlinks=False).st_size
    except OSError:
        return 0  # gone since it was found: the reader reports it


def _reading_order(files: list[tuple[Path, str]]) -> list[str]:
    """The files as read_returns reports them read in one bulk: CSV files, then workbooks, then the rest."""
    rank = {".csv": 0, ".xlsx": 1}
    ordered = sorted(enumerate(files), key=lambda item: (rank.get(item[1][0].suffix.lower(), 2), item[0]))
    return [shown for _, (_, shown) in ordered]


def _read_and_check(con, batches: list[list[tuple[Path, str]]], clock: _Stopwatch) -> BulkRead:
    """Read and validate the batches one at a time; rows go to the temp tables _ingest_loaded and
    _ingest_quarantined, and only the file reports and the rows refused on reading are returned.

    Only one batch's rows are in memory at once. Files that turn out to be copies of others are
    validated with their batch and their rows dropped afterwards: which copy is kept is decided
    over every batch, and the rules look at one file's rows at a time, so no other row changes."""
    reports: dict[str, FileReport] = {}
    refused_rows: list[dict] = []
    for number, batch in enumerate(batches):
        bulk = read_returns(batch)
        reports.update(bulk.files)
        refused_rows += bulk.quarantined
        clock.lap("read files")
        checked = validate_returns(con, bulk.table)
        con.register("_batch_loaded", checked.loaded)
        con.register("_batch_quarantined", checked.quarantined)
        if number == 0:
            con.execute("create or replace temp table _ingest_loaded as select * from _batch_loaded")
            con.execute("create or replace temp table _ingest_quarantined as select * from _batch_quarantined")
        else:
            con.execute("insert into _ingest_loaded select * from _batch_loaded")
            con.execute("insert into _ingest_quarantined select * from _batch_quarantined")
        con.unregister("_batch_loaded")
        con.unregister("_batch_quarantined")
        del bulk, checked
        # Arrow keeps freed blocks for reuse; give them back so the next batch does not sit on top.
        pa.default_memory_pool().release_unused()
        clock.lap("validate rows")
    return BulkRead(table=ROW_SCHEMA.empty_table(), files=reports, quarantined=refused_rows)


def _count_rows(con, reports: dict[str, FileReport], quarantine: pa.Table) -> int:
    """Rows loaded (in _ingest_loaded) and quarantined per file, each counted from where the rows
    went (never one as the other's remainder), so the accounting check can compare them with the
    file itself. Returns the rows loaded."""
    con.register("_quarantine_rows", quarantine)
    loaded_per_file = dict(con.execute("select source_file, count(*) from _ingest_loaded group by 1").fetchall())
    quarantined_per_file = dict(con.execute("select path, count(*) from _quarantine_rows group by 1").fetchall())
    con.unregister("_quarantine_rows")
    for report in reports.values():
        if report.read:
            report.rows_loaded = loaded_per_file.get(report.path, 0)
            report.rows_quarantined = quarantined_per_file.get(report.path, 0)
        else:
            report.rows_loaded = report.rows_quarantined = 0
    return sum(loaded_per_file.values())


def _latest_versions(con, periods: list[str]) -> None:
    """_latest: the latest version of every path of the periods refreshed, as history has it now."""
    con.execute(
        """
        create or replace temp table _latest as
        select path, version, sha256, status, first_seen_at
        from audit.file_history
        where period in (select unnest(?))
        qualify row_number() over (partition by path order by version desc) = 1
        """,
        [periods],
    )


def _files_now(con, reports: dict[str, FileReport]) -> None:
    """_now: every path found in the periods refreshed, with its content (if read) and status."""
    rows = [(r.path, r.sha256 or None, r.status, r.size_bytes, r.reason or None, r.submitted_on or None) for r in reports.values()]
    schema = pa.schema(
        [("path", pa.string()), ("sha256", pa.string()), ("status", pa.string()), ("size_bytes", pa.int64()),
         ("reason", pa.string()), ("submitted_on", pa.string())]
    )
    table = pa.table(list(zip(*rows, strict=True)), schema=schema) if rows else schema.empty_table()
    con.register("_now_arrow", table)
    con.execute("create or replace temp table _now as select * from _now_arrow")
    con.unregister("_now_arrow")


def _keep_earlier_rows(con, reports: dict[str, FileReport], periods: list[str], live: Path | None, now: datetime) -> list[str]:
    """Keep the rows of every version that will not be on disk, readable, after this run.

    That is the latest version of a path whose content changed (the new one is loaded, or cannot
    be read), whose file is still being written, or which is gone. Its rows are in this build
    (a copy of the live warehouse) or, for a build from nothing, in the live warehouse.
    """
    _latest_versions(con, periods)
    _files_now(con, reports)
    leaving = con.execute(
        """
        select l.path, l.version, l.sha256, l.first_seen_at, n.status
        from _latest as l
        left join _now as n on n.path = l.path
        where l.status != 'removed'
          and (n.path is null or n.status != 'loaded' or n.sha256 is distinct from l.sha256)
          and not exists (
              select 1 from audit.superseded_return_rows as kept where kept.path = l.path and kept.version = l.version
          )
        order by l.path
        """
    ).fetchall()
    if not leaving:
        return []
    paths = [path for path, *_ in leaving]
    in_build = con.execute("select count(*) from raw.provider_returns where source_file in (select unnest(?))", [paths]).fetchall()[0][0]
    source = "raw.provider_returns"
    if not in_build and live is not None and live.exists():
        con.execute(f"attach '{_sql_path(live)}' as previous_warehouse (read_only)")
        source = "previous_warehouse.raw.provider_returns"
    kept = []
    try:
        for path, version, sha256, first_seen, status_now in leaving:
            added = con.execute(
                f"""
                insert into audit.superseded_return_rows by name
                select ? as path, ? as sha256, ? as version, period_folder, contract_id, period, measure, value, value_text,
                       comment, source_row, ? as first_seen_at, ? as superseded_at
                from {source} where source_file = ?
                """,
                [path, sha256, version, first_seen, now, path],
            ).fetchall()
            if added and added[0][0] and status_now in ("rejected", "waiting"):
                kept.append(path)
    finally:
        if source != "raw.provider_returns":
            con.execute("detach previous_warehouse")
    return kept


def remember_files(con, reports: list[FileReport], periods: list[str], now: datetime) -> list[str]:
    """Record what each path holds now as a version of it: a new version when the content differs
    from its latest (or the file is gone), else the latest is seen again. Returns the paths with a
    new version. A file still being written is not seen yet; one that could not be read at all
    (no content) is not a version."""
    _latest_versions(con, periods)
    _files_now(con, {r.path: r for r in reports})
    con.execute(
        """
        create or replace temp table _seen as
        select path, sha256, split_part(path, '/', 2) as period, size_bytes,
               case when status = 'loaded' then 'loaded' else 'rejected' end as status, reason, submitted_on
        from _now
        where coalesce(sha256, '') != '' and status != 'waiting'
        """
    )
    new_paths = [
        path
        for (path,) in con.execute(
            "select s.path from _seen as s join _latest as l on l.path = s.path where l.sha256 != s.sha256 order by 1"
        ).fetchall()
    ]
    con.execute(
        """
        update audit.file_history as history
        set last_seen_at = $now, status = s.status, reason = s.reason, submitted_on = s.submitted_on, size_bytes = s.size_bytes
        from _seen as s, _latest as l
        where history.path = s.path and l.path = s.path and history.version = l.version and l.sha256 = s.sha256
        """,
        {"now": now},
    )
    con.execute(
        """
        insert into audit.file_history (path, sha256, period, size_bytes, first_seen_at, last_seen_at, version, status, reason, submitted_on)
        select s.path, s.sha256, s.period, s.size_bytes, $now, $now, coalesce(l.version, 0) + 1, s.status, s.reason, s.submitted_on
        from _seen as s
        left join _latest as l on l.path = s.path
        where l.path is null or l.sha256 != s.sha256
        """,
        {"now": now},
    )
    # A path seen before and gone now is a version of its own: removed.
    con.execute(
        """
        insert into audit.file_history (path, sha256, period, size_bytes, first_seen_at, last_seen_at, version, status, reason, submitted_on)
        select l.path, '', split_part(l.path, '/', 2), 0, $now, $now, l.version + 1, 'removed',
               'the file is no longer in its folder', null
        from _latest as l
        where l.status != 'removed' and l.path not in (select path from _now)
        """,
        {"now": now},
    )
    # Rows of a version that is on disk and read again are in raw.provider_returns: not kept twice.
    con.execute(
        """
        delete from audit.superseded_return_rows as kept
        using _seen as s, _latest as l
        where kept.path = s.path and l.path = s.path and kept.version = l.version and l.sha256 = s.sha256
          and s.status = 'loaded'
        """
    )
    con.execute("drop table _seen")
    con.execute("drop table _latest")
    con.execute("drop table _now")
    return new_paths
