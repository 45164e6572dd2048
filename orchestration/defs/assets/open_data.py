"""The open data of each commissioner's current framework version, written beside the warehouse.

It runs after the marts and the opendata models (and their dbt tests) are built: for every
commissioner, the current version of its latest year goes to
<warehouse outputs folder>/open-data/<commissioner>/<version>/ (see opcc/opendata/build.py).
What the files hold is kept in audit.open_data_records, where the Great Expectations suite
`open_data` runs as the asset's blocking check; the `warehouse` asset publishes only after it.
"""

from collections import Counter

import dagster as dg

from opcc.core.audit import record_withheld
from opcc.core.warehouse import open_data_dir
from opcc.opendata import guard
from opcc.opendata.build import PublishFailed, commit, discard, guarded, prepare, version_slug
from orchestration.defs.resources import WarehouseResource

OPEN_DATA_KEY = dg.AssetKey(["open_data", "grants_and_contracts"])
READS = [
    ("marts", "fct_allocation"), ("marts", "dim_framework_version"), ("marts", "dim_commissioner"),
    ("opendata", "pub_grants"), ("opendata", "pub_contracts"), ("opendata", "pub_grant_classifications"),
    ("opendata", "pub_grant_locations"), ("opendata", "pub_findings"),
]


@dg.asset(
    key=OPEN_DATA_KEY,
    deps=[dg.AssetKey(list(key)) for key in READS],
    group_name="open_data",
    kinds={"json", "xlsx", "csv", "html"},
    description=(
        "Grants and contracts as open data, for each commissioner's current framework version of each funding stream: "
        "a 360Giving data package (JSON, validated against the schema) and workbook (flattentool), the Specified Information Order "
        "grants register and the contracts register (CSV and page), organisations and findings, under "
        "<warehouse outputs folder>/open-data/<commissioner>/<version>/."
    ),
)
def grants_and_contracts(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    root = open_data_dir(warehouse.live_path)
    prepared, withheld = [], []
    with warehouse.get_connection() as con:
        current = con.execute(
            # each funding stream's current version of its latest year: every fund is published
            "select commissioner_code, arg_max(framework_version, financial_year || lpad(version_number::varchar, 6, '0')) "
            "from marts.dim_framework_version where status = 'current' group by commissioner_code, funding_stream "
            "order by 1, 2"
        ).fetchall()
        try:
            # One commissioner's open data that fails its checks is withheld (its last published folder
            # stays); every other commissioner's is written.
            for code, version in current:
                try:
                    prepared.append(prepare(con, code, version, root / code / version_slug(version)))
                except PublishFailed as failed:
                    withheld.append((code, version, "; ".join(failed.problems[:5])))
            check = guard.in_build(con, warehouse.live_path, run_name=f"dagster run {context.run.run_id[:8]}")
            if check([r for p in prepared for r in p.records]):
                passing = []
                for publication in prepared:
                    problems = check(publication.records)
                    if problems:
                        withheld.append((publication.commissioner_code, publication.framework_version, "; ".join(problems[:5])))
                        discard(publication)
                    else:
                        passing.append(publication)
                prepared = passing
                # The records the blocking check judges are the ones published.
                problems = check([r for p in prepared for r in p.records])
                if problems:
                    raise PublishFailed(problems)
            guarded(prepared, [])
            for publication in prepared:
                commit(publication)
        except PublishFailed as failed:
            raise dg.Failure("open data not written: " + "; ".join(failed.problems)) from failed
        finally:
            for publication in prepared:
                discard(publication)
        record_withheld(con, "open data", withheld, context.run.run_id)
    for code, version, reason in withheld:
        context.log.warning(f"open data of {code} {version} withheld (its last published files stay): {reason}")
    written = [f"{p.commissioner_code} {p.framework_version}: {p.folder}" for p in prepared]
    findings = sum(len(p.findings) for p in prepared)
    for p in prepared:
        # One line per publication, not one per finding: at national scale each log line is a Dagster
        # event written to the run's storage, and the findings are listed in full in the folder's file.
        if p.findings:
            kinds = Counter(kind for kind, _, _ in p.findings)
            listed = p.files.get("findings_csv")
            context.log.info(
                f"open data {p.commissioner_code} {p.framework_version}: {len(p.findings):,} finding(s) "
                f"({', '.join(f'{n:,} {kind}' for kind, n in sorted(kinds.items()))})"
                + (f", listed in {listed.name}" if listed else "")
            )
    return dg.MaterializeResult(
        metadata={
            "versions": dg.MetadataValue.int(len(written)),
            "folders": dg.MetadataValue.text("\n".join(written) or "none"),
            "findings": dg.MetadataValue.int(findings),
            "withheld": dg.MetadataValue.text(", ".join(f"{c} {v}" for c, v, _ in withheld) or "none"),
        }
    )
