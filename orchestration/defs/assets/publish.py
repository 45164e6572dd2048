"""The published warehouse: the last asset of every refresh.

It runs only when everything upstream materialised and no blocking check
failed; it records the refresh in audit.refreshes and swaps the build file
in as the live warehouse in one atomic rename.
"""


import dagster as dg
import duckdb

from opcc.core import warehouse as wh
from opcc.core.audit import utc_now
from opcc.quality import last_published
from orchestration.defs.resources import WarehouseResource


def published_warehouse_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=["warehouse"],
        deps=upstream,
        group_name="publish",
        description=(
            "The live warehouse (OPCC_WAREHOUSE). Built into a file of the run's own and swapped in "
            "atomically once every upstream asset and blocking check has passed."
        ),
        kinds={"duckdb"},
    )
    def warehouse(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        with warehouse.get_connection() as con:
            tables = con.execute(
                "select schema_name, table_name, estimated_size from duckdb_tables() "
                "where schema_name in ('raw', 'staging', 'intermediate', 'marts', 'audit') order by 1, 2"
            ).fetchall()
            raw_rows = sum(size for schema, _, size in tables if schema == "raw")
            periods = context.run.tags.get("opcc/periods")
            con.execute(
                "insert or replace into audit.refreshes values (?, ?, ?, ?, ?)",
                [context.run_id, utc_now(), periods, len(tables), raw_rows],
            )
        live = warehouse.publish()
        # What each version published holds goes to the ledger: held back later, it keeps these figures.
        # A ledger that cannot be written now is caught up by the next refresh that publishes.
        kept = 0
        try:
            with duckdb.connect(str(live), read_only=True) as published:
                kept = last_published.record(published, warehouse.raw_path)
        except OSError as error:
            context.log.warning(f"the submission ledger could not keep the versions published: {error}")
        # The review packs the run built describe this warehouse: they go into place with it.
        packs = wh.publish_reports(live)
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(live)),
                "packs": dg.MetadataValue.text("\n".join(str(p) for p in packs)),
                "tables": dg.MetadataValue.int(len(tables)),
                "versions_kept_in_ledger": dg.MetadataValue.int(kept),
                "size_bytes": dg.MetadataValue.int(live.stat().st_size),
            }
        )

    return warehouse
