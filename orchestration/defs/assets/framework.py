"""Raw assets for the frameworks, plans and reference data: one asset per kind of file.

Each reads every file matching its pattern under the raw folder (see
ingest/raw_tables.py), keeps every column as printed text, and replaces its
table in the `raw` schema. Files are never modified; their sha256 goes to
audit.loaded_files and any row that could not be read to
audit.quarantined_rows (the asset audit/input_files), where the quality
suites judge them: a bad row in a framework version's files holds that
version back, one in the reference data stops the refresh.
"""

import dagster as dg

from opcc.core.audit import record_files, record_quarantine, write_calendar
from opcc.ingest.raw_tables import RAW_TABLES, read_raw_table, write_raw_table
from orchestration.defs.resources import WarehouseResource

CALENDAR_KEY = dg.AssetKey(["raw", "reporting_periods"])
INPUT_FILES_KEY = dg.AssetKey(["audit", "input_files"])


@dg.multi_asset(
    name="raw_tables",
    specs=[
        *[
            dg.AssetSpec(
                ["raw", spec.name],
                group_name=spec.group,
                description=f"{spec.description} From raw/{spec.pattern}.",
                kinds={"csv", "duckdb"},
                metadata={"pattern": spec.pattern, "columns": ", ".join(spec.all_columns)},
                skippable=True,
            )
            for spec in RAW_TABLES
        ],
        dg.AssetSpec(
            CALENDAR_KEY,
            group_name="raw_returns",
            description="The reporting calendar: every quarter the warehouse knows, its dates and when its returns are due "
            "(opcc/core/periods.py and the return_due_days setting).",
            kinds={"duckdb"},
            skippable=True,
        ),
        dg.AssetSpec(
            INPUT_FILES_KEY,
            group_name="raw_reference",
            description="Every framework, plan and reference file read (audit.loaded_files, with its sha256) and every row "
            "that could not be read (audit.quarantined_rows, with its reason).",
            kinds={"duckdb"},
            skippable=True,
        ),
    ],
    can_subset=True,
)
def raw_tables(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Every framework, plan and reference file, each kind into its own raw table, in one pass."""
    raw = warehouse.raw_path
    if not raw.is_dir():
        raise dg.Failure(f"raw folder {raw} does not exist (set OPCC_RAW or pass --raw)")
    selected = {key.path[-1] for key in context.selected_asset_keys}
    problems, results = [], []
    with warehouse.get_connection() as con:
        for spec in RAW_TABLES:
            if spec.name not in selected:
                continue
            loaded = read_raw_table(raw, spec)
            if loaded.missing:
                problems.append(loaded.missing)
                continue
            bulk = loaded.bulk
            # A file that cannot be read at all leaves its table without rows nobody can account for.
            problems += [f"raw.{spec.name}: {f.path}: {f.reason}" for f in bulk.rejected]
            write_raw_table(con, loaded)
            record_files(con, spec.name, bulk.files.values(), context.run.run_id)
            quarantined = record_quarantine(con, spec.name, bulk.quarantined, context.run.run_id)
            results.append(
                dg.MaterializeResult(
                    asset_key=["raw", spec.name],
                    metadata={
                        "rows": dg.MetadataValue.int(bulk.table.num_rows),
                        "files": dg.MetadataValue.int(len(loaded.files)),
                        "rows_quarantined": dg.MetadataValue.int(quarantined),
                        "sources": dg.MetadataValue.text(", ".join(path for _, path in loaded.files[:20])),
                    },
                )
            )
        if CALENDAR_KEY.path[-1] in selected:
            periods = write_calendar(con)
            results.append(dg.MaterializeResult(asset_key=CALENDAR_KEY, metadata={"periods": dg.MetadataValue.int(periods)}))
        if INPUT_FILES_KEY in context.selected_asset_keys:
            files, rows = con.execute(
                "select (select count(*) from audit.loaded_files where source_table != 'provider_returns'), "
                "(select count(*) from audit.quarantined_rows where source_table != 'provider_returns')"
            ).fetchone()
            results.append(
                dg.MaterializeResult(
                    asset_key=INPUT_FILES_KEY,
                    metadata={"files": dg.MetadataValue.int(files), "rows_quarantined": dg.MetadataValue.int(rows)},
                )
            )
    if problems:
        raise dg.Failure("; ".join(problems))
    yield from results


raw_assets = [raw_tables]
