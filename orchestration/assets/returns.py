"""Quarterly provider returns: one partition per reporting period, one folder each under raw/returns/.

A run for some periods reads every file in those periods' folders in one
bulk pass, validates every row with the shared rules, and replaces those
periods' rows in `raw.provider_returns` and their entries in the audit
tables. Other periods are untouched, so a refresh after one quarter's
returns land does one quarter's work.
"""

import time
from pathlib import Path

import dagster as dg
import pyarrow as pa

from ..audit import ensure_base_tables, record_files, record_quarantine, utc_now
from ..ingest.csvfiles import FileReport
from ..ingest.returns import SAMPLE_MARKER, discover, read_returns, reject_duplicate_files, validate_returns
from ..partitions import period_partitions
from ..resources import WarehouseResource


class Stopwatch:
    """Seconds per stage of the ingest, kept in the asset's metadata."""

    def __init__(self):
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self._last, 3)
        self._last = now


def remember_files(con, reports: list[FileReport], periods: list[str], now) -> None:
    """Every (path, content) ever seen, with when it was first seen: kept across refreshes.

    A path whose content changes gets a second entry, so a file edited after it
    was loaded is a new submission, received when first seen, never a silent change.
    """
    rows = [(r.path, r.sha256, r.path.split("/")[1], r.size_bytes) for r in reports if r.sha256]
    if not rows:
        return
    table = pa.table(list(zip(*rows, strict=True)), names=["path", "sha256", "period", "size_bytes"])
    con.register("_seen", table)
    con.execute(
        """
        insert into audit.file_history
        select path, sha256, period, size_bytes, ?, ? from _seen
        on conflict (path, sha256) do update set last_seen_at = excluded.last_seen_at
        """,
        [now, now],
    )
    con.unregister("_seen")


def archive_changed_files(con, reports: list[FileReport], live: Path, now) -> list[str]:
    """Keep the rows of a return whose file has changed since it was loaded.

    A provider's file is evidence: if its bytes change after the warehouse loaded
    them, the rows it held are kept in audit.superseded_return_rows (they are in
    this build already, or in the live warehouse after a rebuild from nothing),
    and the marts treat the new content as a resubmission received when first seen.
    """
    current = [(r.path, r.sha256) for r in reports if r.sha256 and r.status != "rejected"]
    if not current:
        return []
    con.register("_now", pa.table(list(zip(*current, strict=True)), names=["path", "sha256"]))
    changed = con.execute(
        """
        with previous as (
            select path, sha256, first_seen_at from audit.file_history
            qualify row_number() over (partition by path order by last_seen_at desc, first_seen_at desc) = 1
        )
        select previous.path, previous.sha256, previous.first_seen_at
        from previous join _now using (path)
        where previous.sha256 != _now.sha256
          and not exists (
              select 1 from audit.superseded_return_rows kept
              where kept.path = previous.path and kept.sha256 = previous.sha256
          )
        """
    ).fetchall()
    con.unregister("_now")
    if not changed:
        return []
    paths = [path for path, _, _ in changed]
    in_build = con.execute(
        "select count(*) from raw.provider_returns where source_file in (select unnest(?))", [paths]
    ).fetchone()[0]
    source = "raw.provider_returns"
    if not in_build and live.exists():
        con.execute(f"attach '{str(live).replace(chr(39), chr(39) * 2)}' as previous_warehouse (read_only)")
        source = "previous_warehouse.raw.provider_returns"
    for path, sha256, first_seen in changed:
        con.execute(
            f"""
            insert into audit.superseded_return_rows
            select ?, ?, period_folder, contract_id, period, measure, value, value_text, comment, source_row, ?, ?
            from {source} where source_file = ?
            """,
            [path, sha256, first_seen, now, path],
        )
    if source != "raw.provider_returns":
        con.execute("detach previous_warehouse")
    return paths


RETURN_ASSET_SPECS = [
    dg.AssetSpec(
        ["raw", "provider_returns"],
        description=(
            "Rows of every provider return under raw/returns/<period>/ that passed every rule. Rows that did not "
            "are in audit.quarantined_rows with file, row, column and reason."
        ),
    ),
    dg.AssetSpec(
        ["raw", "return_files"],
        description="Every return file read for the period: sha256, the date written on it, row counts, status and reason.",
    ),
    dg.AssetSpec(["raw", "return_periods"], description="The reporting periods that have a folder under raw/returns/."),
    dg.AssetSpec(
        ["audit", "file_history"],
        description="Every (path, sha256) ever seen with when it was first and last seen; kept across refreshes.",
    ),
    dg.AssetSpec(
        ["audit", "superseded_return_rows"],
        description="Rows of return files whose content changed after they were loaded; kept across refreshes.",
    ),
]


@dg.multi_asset(
    name="provider_returns",
    specs=[
        spec.replace_attributes(
            group_name="raw_returns",
            kinds={"csv", "xlsx", "duckdb"},
            deps=[dg.AssetKey(["raw", n]) for n in ("contracts", "indicators", "targets", "submission_log")],
        )
        for spec in RETURN_ASSET_SPECS
    ],
    partitions_def=period_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def provider_returns(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    clock = Stopwatch()
    periods = list(context.partition_keys)
    raw = warehouse.raw_path
    files, refused = [], []
    present = []
    for period in periods:
        found, rejected = discover(raw, period)
        files += found
        refused += rejected
        if (raw / "returns" / period).is_dir():
            present.append((period, len(found) + len(rejected)))
    clock.lap("find files")
    bulk = read_returns(files)
    clock.lap("read files")
    for report in refused:
        bulk.files[report.path] = report
    now = utc_now()
    with warehouse.get_connection() as con:
        ensure_base_tables(con)
        known = {
            path
            for (path,) in con.execute(
                "select path from audit.file_history union select 'returns/' || trim(period) || '/' || trim(file) from raw.submission_log"
            ).fetchall()
        }
        reject_duplicate_files(bulk, known)
        checked = validate_returns(con, bulk.table)
        clock.lap("validate rows")
        # Row counts per file after validation: every row read is loaded or quarantined.
        con.register("_loaded", checked.loaded)
        loaded_per_file = dict(con.execute("select source_file, count(*) from _loaded group by 1").fetchall())
        for report in bulk.files.values():
            if report.status == "rejected":
                continue
            report.rows_loaded = loaded_per_file.get(report.path, 0)
            report.rows_quarantined = report.rows_read - report.rows_loaded
        changed = archive_changed_files(con, list(bulk.files.values()), warehouse.live_path, now)
        for path in changed:
            context.log.warning(f"{path}: changed since it was loaded; kept the earlier content as a superseded submission")
        con.execute("delete from raw.provider_returns where period_folder in (select unnest(?))", [periods])
        con.execute("insert into raw.provider_returns by name select * from _loaded")
        con.unregister("_loaded")
        clock.lap("write rows")
        con.execute("delete from raw.return_periods where period in (select unnest(?))", [periods])
        sample = (raw / "returns" / SAMPLE_MARKER).exists()
        for period, count in present:
            con.execute("insert into raw.return_periods values (?, ?, ?, ?)", [period, count, now, sample])
        period_of = {path: path.split("/")[1] for path in bulk.files}
        record_files(con, "provider_returns", bulk.files.values(), context.run_id, periods=periods, period_of=period_of)
        con.execute("delete from raw.return_files where period in (select unnest(?))", [periods])
        con.execute(
            "insert into raw.return_files select * exclude (source_table, run_id) from audit.loaded_files "
            "where source_table = 'provider_returns' and period in (select unnest(?))",
            [periods],
        )
        unreadable_rows = pa.Table.from_pylist(
            [{**q, "period": q["path"].split("/")[1]} for q in bulk.quarantined], schema=checked.quarantined.schema
        )
        quarantine = pa.concat_tables([unreadable_rows, checked.quarantined])
        quarantined = record_quarantine(con, "provider_returns", quarantine, context.run_id, periods=periods)
        clock.lap("write audit")
        remember_files(con, list(bulk.files.values()), periods, now)
        clock.lap("file history")
    rejected = [r for r in bulk.files.values() if r.status == "rejected"]
    for report in rejected:
        context.log.warning(f"{report.path}: rejected: {report.reason}")
    yield dg.MaterializeResult(
        asset_key=["raw", "provider_returns"],
        metadata={
            "periods": dg.MetadataValue.text(", ".join(periods)),
            "rows": dg.MetadataValue.int(checked.loaded.num_rows),
            "rows_quarantined": dg.MetadataValue.int(quarantined),
            "seconds": dg.MetadataValue.json(clock.laps),
        },
    )
    yield dg.MaterializeResult(
        asset_key=["raw", "return_files"],
        metadata={"files": dg.MetadataValue.int(len(bulk.files)), "files_rejected": dg.MetadataValue.int(len(rejected))},
    )
    yield dg.MaterializeResult(asset_key=["raw", "return_periods"], metadata={"rows": dg.MetadataValue.int(len(present))})
    yield dg.MaterializeResult(asset_key=["audit", "file_history"])
    yield dg.MaterializeResult(asset_key=["audit", "superseded_return_rows"], metadata={"files_changed": len(changed)})


@dg.asset_check(
    asset=dg.AssetKey(["raw", "provider_returns"]),
    blocking=True,
    description="For every return file read: rows read = rows loaded + rows quarantined (nothing lost, nothing counted twice).",
)
def every_return_row_accounted_for(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.get_connection() as con:
        ensure_base_tables(con)
        bad = con.execute(
            """
            with files as (
                select path, rows_read, rows_loaded, rows_quarantined from audit.loaded_files
                where source_table = 'provider_returns' and status != 'rejected'
            ),
            loaded as (select source_file as path, count(*) as n from raw.provider_returns group by 1),
            quarantined as (
                select path, count(*) as n from audit.quarantined_rows where source_table = 'provider_returns' group by 1
            )
            select files.path, files.rows_read, coalesce(loaded.n, 0), coalesce(quarantined.n, 0)
            from files
            left join loaded using (path)
            left join quarantined using (path)
            where files.rows_read != coalesce(loaded.n, 0) + coalesce(quarantined.n, 0)
                or files.rows_loaded != coalesce(loaded.n, 0)
            """
        ).fetchall()
    return dg.AssetCheckResult(
        passed=not bad,
        severity=dg.AssetCheckSeverity.ERROR,
        description=None if not bad else "; ".join(f"{p}: read {r}, loaded {n}, quarantined {q}" for p, r, n, q in bad[:10]),
        metadata={"files_not_adding_up": len(bad)},
    )
