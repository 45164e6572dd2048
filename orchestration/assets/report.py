"""The quarterly performance review pack, one per reporting period, built from the warehouse being refreshed.

It depends on the marts it shows, so it builds only when their blocking
checks passed; the quarterly schedule's run builds the pack of the quarter
whose returns just fell due.
"""

import dagster as dg

from ..partitions import period_partitions
from ..reporting.pack import build_pack
from ..resources import WarehouseResource

REPORTED_MARTS = [
    "fct_contract_performance", "fct_indicator_performance", "fct_cost_per_outcome", "fct_spend_by_priority",
    "fct_priority_coverage", "fct_budget_position", "fct_contract_quarter", "dim_contract",
]


@dg.asset(
    key=["report", "review_pack"],
    partitions_def=period_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    deps=[dg.AssetKey(["marts", name]) for name in REPORTED_MARTS] + [dg.AssetKey(["audit", "source_discrepancies"])],
    group_name="report",
    kinds={"html", "xlsx"},
    description=(
        "The quarterly performance review of the latest quarter a refresh loads, for each commissioner with a current "
        "framework for its year: one "
        "self-contained HTML page with charts and the same tables as an XLSX workbook, under "
        "<warehouse folder>/reports/<period>/<commissioner>/."
    ),
)
def review_pack(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    out = warehouse.live_path.parent / "reports"
    built = []
    with warehouse.get_connection() as con:
        present = {r[0] for r in con.execute("select period from raw.return_periods").fetchall()}
        current = con.execute(
            "select financial_year, commissioner_code from marts.dim_framework_version where is_latest order by 2"
        ).fetchall()
        # The latest quarter the run loaded: the one whose returns just fell due (earlier ones: opcc report).
        for period in sorted(p for p in context.partition_keys if p in present)[-1:]:
            codes = [code for year, code in current if year == period[:7]]
            if period not in present or not codes:
                context.log.info(f"{period}: no returns or no current framework for the year, no review pack")
                continue
            for code in codes:
                html_path, xlsx_path = build_pack(con, period, out / period / code, code)
                built.append(f"{html_path}\n{xlsx_path}")
    return dg.MaterializeResult(
        metadata={"packs": dg.MetadataValue.int(len(built)), "files": dg.MetadataValue.text("\n".join(built))}
    )
