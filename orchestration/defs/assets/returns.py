"""Quarterly provider returns: one partition per reporting period, one folder each under raw/returns/.

A run for some periods reads every file in those periods' folders in one
bulk pass, validates every row with the shared rules, and replaces those
periods' rows in `raw.provider_returns` and their entries in the audit
tables (opcc/ingest/intake.py does the work). Other periods are
untouched, so a refresh after one quarter's returns land does one quarter's
work. The folder itself (files at its top, folders that are not periods) is
looked at by every run (`returns_folder`), so nothing under raw/returns/ goes
unmentioned.
"""

from pathlib import Path

import dagster as dg

from opcc.core.audit import ensure_base_tables, record_files
from opcc.core.settings import SHOWN_PER_KIND
from opcc.ingest.intake import ingest_periods
from opcc.ingest.returns import disk_path, scan_returns_folder, summarise_not_read
from opcc.ingest.row_count import count_file
from orchestration.defs.partitions import period_partitions
from orchestration.defs.resources import WarehouseResource

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
        description="Every return file found for the period: sha256, the date written on it, row counts, status and reason.",
    ),
    dg.AssetSpec(["raw", "return_periods"], description="The reporting periods that have a folder under raw/returns/."),
    dg.AssetSpec(
        ["audit", "file_history"],
        description="Every version of every return file (each content seen at a path, each replacement by an unreadable "
        "file, each removal), in order, with when it was first and last seen; kept across refreshes.",
    ),
    dg.AssetSpec(
        ["audit", "superseded_return_rows"],
        description="Rows of every version of a return file that is not on disk, readable, now; kept across refreshes.",
    ),
]
RETURNS_FOLDER_KEY = dg.AssetKey(["audit", "returns_folder"])


@dg.multi_asset(
    name="provider_returns",
    specs=[
        spec.replace_attributes(
            group_name="raw_returns",
            kinds={"csv", "xlsx", "duckdb"},
            deps=[dg.AssetKey(["raw", n]) for n in ("contracts", "indicators", "plan_elements", "targets", "submission_log")],
        )
        for spec in RETURN_ASSET_SPECS
    ],
    partitions_def=period_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def provider_returns(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    periods = list(context.partition_keys)
    with warehouse.get_connection() as con:
        outcome = ingest_periods(con, warehouse.raw_path, periods, warehouse.live_path, context.run_id)
    for path in outcome.new_versions[:SHOWN_PER_KIND]:
        context.log.warning(f"{path}: changed since it was loaded; the earlier content is kept as an earlier submission")
    for path in outcome.kept_current[:SHOWN_PER_KIND]:
        context.log.warning(f"{path}: its new version is not read (see audit.rejected_files); its earlier figures stay current")
    hidden = max(len(outcome.new_versions) - SHOWN_PER_KIND, 0) + max(len(outcome.kept_current) - SHOWN_PER_KIND, 0)
    if hidden:
        context.log.warning(f"and {hidden:,} more files changed since they were loaded: see audit.file_history")
    for line in summarise_not_read(outcome.not_read):
        context.log.warning(line)
    yield dg.MaterializeResult(
        asset_key=["raw", "provider_returns"],
        metadata={
            "periods": dg.MetadataValue.text(", ".join(periods)),
            "rows": dg.MetadataValue.int(outcome.rows_loaded),
            "rows_quarantined": dg.MetadataValue.int(outcome.rows_quarantined),
            "seconds": dg.MetadataValue.json(outcome.seconds),
        },
    )
    yield dg.MaterializeResult(
        asset_key=["raw", "return_files"],
        metadata={"files": dg.MetadataValue.int(len(outcome.files)), "files_not_read": dg.MetadataValue.int(len(outcome.not_read))},
    )
    yield dg.MaterializeResult(asset_key=["raw", "return_periods"])
    yield dg.MaterializeResult(asset_key=["audit", "file_history"], metadata={"new_versions": len(outcome.new_versions)})
    yield dg.MaterializeResult(asset_key=["audit", "superseded_return_rows"], metadata={"kept_current": len(outcome.kept_current)})


@dg.asset(
    key=RETURNS_FOLDER_KEY,
    deps=[dg.AssetKey(["raw", "provider_returns"])],
    group_name="raw_returns",
    kinds={"duckdb"},
    description="Everything under raw/returns/ that is not a period folder the refresh reads (a file at the top, a folder "
    "named almost like a period, a quarter not started yet, an empty folder), each in audit.rejected_files with what to do.",
)
def returns_folder(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    scan = scan_returns_folder(warehouse.raw_path)
    with warehouse.get_connection() as con:
        ensure_base_tables(con)
        record_files(con, "returns_folder", scan.notes, context.run_id)
    for line in summarise_not_read(scan.notes):
        context.log.warning(line)
    return dg.MaterializeResult(metadata={"notes": dg.MetadataValue.int(len(scan.notes)), "periods": ", ".join(scan.periods)})


def unaccounted_rows(con, raw: Path, run_id: str | None = None) -> list[str]:
    """Files whose rows, counted from the file itself, are not exactly the rows loaded plus the rows
    quarantined (each counted where it went). Only the files a run read (`run_id`), so a partial
    refresh counts its own periods; files not read must have no rows anywhere."""
    files = con.execute(
        """
        with files as (
            select path, sha256, status, rows_read from audit.loaded_files
            where source_table = 'provider_returns' and (? is null or run_id = ?)
        ),
        loaded as (
            select source_file as path, count(*) as n from raw.provider_returns
            where source_file in (select path from files) group by 1
        ),
        quarantined as (
            select path, count(*) as n from audit.quarantined_rows
            where source_table = 'provider_returns' and path in (select path from files) group by 1
        )
        select files.path, files.sha256, files.status, files.rows_read, coalesce(loaded.n, 0), coalesce(quarantined.n, 0)
        from files left join loaded using (path) left join quarantined using (path)
        order by files.path
        """,
        [run_id, run_id],
    ).fetchall()
    problems = []
    for path, sha256, status, rows_read, loaded, quarantined in files:
        if status != "loaded":
            if loaded or quarantined:
                problems.append(f"{path}: not read ({status}) but {loaded} rows loaded and {quarantined} quarantined")
            continue
        disk = disk_path(raw, path)
        try:
            counted = count_file(disk)
        except (OSError, ValueError, KeyError) as error:
            problems.append(f"{path}: cannot be counted from the file: {error}")
            continue
        if counted.sha256 != sha256:
            continue  # changed since it was read: the next refresh reads (and counts) the new content
        if counted.rows != loaded + quarantined:
            problems.append(
                f"{path}: {counted.rows} rows in the file, {loaded} loaded + {quarantined} quarantined = {loaded + quarantined}"
            )
        elif rows_read != counted.rows:
            problems.append(f"{path}: {counted.rows} rows in the file, but the ingest reported reading {rows_read}")
    return problems


@dg.asset_check(
    asset=dg.AssetKey(["raw", "provider_returns"]),
    blocking=True,
    description="For every return file read: rows in the file (counted from the file itself) = rows loaded + rows "
    "quarantined (nothing lost, nothing counted twice); a file not read has no rows anywhere.",
)
def every_return_row_accounted_for(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.get_connection() as con:
        ensure_base_tables(con)
        problems = unaccounted_rows(con, warehouse.raw_path, context.run.run_id)
    return dg.AssetCheckResult(
        passed=not problems,
        severity=dg.AssetCheckSeverity.ERROR,
        description=None if not problems else "; ".join(problems[:10]),
        metadata={"files_not_adding_up": len(problems)},
    )
