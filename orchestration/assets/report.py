"""The quarterly performance review pack, one per reporting period, built from the warehouse being refreshed.

It depends on the marts it shows, so it builds only when their blocking
checks passed; the quarterly schedule's run builds the pack of the quarter
whose returns just fell due.
"""

import dagster as dg

from ..partitions import period_partitions
from ..reporting.pack import build_pack
from ..resources import WarehouseResource
from ..settings import commissioner

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
        "The quarterly performance review of the commissioner OPCC_COMMISSIONER (default LEI): one self-contained "
        "HTML page with charts and the same tables as an XLSX workbook, under <warehouse folder>/reports/<period>/."
    ),
)
def review_pack(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    out = warehouse.live_path.parent / "reports"
    code = commissioner()
    built = []
    with warehouse.get_connection() as con:
        present = {r[0] for r in con.execute("select period from raw.return_periods").fetchall()}
        years = {
            r[0] for r in con.execute("select financial_year from marts.dim_framework_version where commissioner_code = ?", [code]).fetchall()
        }
        for period in context.partition_keys:
            if period not in present or period[:7] not in years:
                context.log.info(f"{period}: no returns or no {code} framework for the year, no review pack")
                continue
            html_path, xlsx_path = build_pack(con, period, out / period, code)
            built.append(f"{html_path}\n{xlsx_path}")
    return dg.MaterializeResult(
        metadata={"packs": dg.MetadataValue.int(len(built)), "files": dg.MetadataValue.text("\n".join(built))}
    )
