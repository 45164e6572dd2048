"""The quarterly performance review pack, one per reporting period, built from the warehouse being refreshed.

It reads the dbt models of the reporting folder (schema `reporting`), so its
dependencies are those models, read from the dbt manifest: a new model there
is a dependency without a change here; and on the open data, so that it is
drawn after every quality check of the refresh ran (the pack counts and lists
their results). It builds only when their blocking checks passed. The packs are written beside the build and moved into place
when the warehouse is published (assets/publish.py), so a pack never
describes a build that was not published. The quarterly schedule's run
builds the pack of the quarter whose returns just fell due.
"""

import json
import shutil
from pathlib import Path

import dagster as dg

from opcc.core import warehouse as wh
from opcc.core.audit import record_withheld
from opcc.ingest.personal_data import screen
from opcc.quality import data_docs_index
from opcc.reporting.pack import pack_paths
from opcc.reporting.pack_builds import PackJob, build_packs, fingerprints, is_current
from orchestration.defs.assets.dbt import dbt_project, translator
from orchestration.defs.assets.open_data import OPEN_DATA_KEY
from orchestration.defs.partitions import period_partitions
from orchestration.defs.resources import WarehouseResource

REPORTING_FOLDER = "reporting"


def reporting_models(manifest_path: Path | None = None) -> list[dg.AssetKey]:
    """The asset keys of every dbt model in models/reporting/, from the manifest."""
    manifest = json.loads(Path(manifest_path or dbt_project.manifest_path).read_text(encoding="utf-8"))
    return sorted(
        (
            translator.get_asset_key(node)
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["fqn"][1:2] == [REPORTING_FOLDER]
        ),
        key=lambda key: key.to_user_string(),
    )


@dg.asset(
    key=["report", "review_pack"],
    partitions_def=period_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    # After the open data and its checks too: the pack counts every rule the refresh runs, as the
    # refresh's summary does (a full refresh's pack counted the rules checked before it, four fewer).
    # A pack is published only with a warehouse whose open data passed them, so it loses nothing.
    deps=[*reporting_models(), OPEN_DATA_KEY],
    group_name="report",
    kinds={"html", "xlsx"},
    description=(
        "The quarterly performance review of the latest quarter a refresh loads, for each commissioner with a current "
        "framework for its year: one self-contained HTML page with charts and the same tables as an XLSX workbook, "
        "under <warehouse folder>/reports/<period>/<commissioner>/ once the warehouse is published."
    ),
)
def review_pack(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    live = warehouse.live_path
    staged, final = wh.staged_reports_dir(live), wh.reports_dir(live)
    docs = data_docs_index(live)
    jobs: list[PackJob] = []
    with warehouse.get_connection() as con:
        present = {r[0] for r in con.execute("select period from raw.return_periods").fetchall()}
        # The latest quarter the run loaded: the one whose returns just fell due (earlier ones: opcc report).
        for period in sorted(p for p in context.partition_keys if p in present)[-1:]:
            codes = [
                r[0]
                for r in con.execute(
                    "select commissioner_code from reporting.rpt_period_summary where period = ? order by 1", [period]
                ).fetchall()
            ]
            if not codes:
                context.log.info(f"{period}: no commissioner has a current framework for the year, no review pack")
            prints = fingerprints(con, period, codes, docs, final)
            jobs += [PackJob(period, code, staged / period / code, final / period / code, prints[code]) for code in codes]
    # A published pack drawn from the same figures stays as it is.
    todo = [job for job in jobs if not is_current(job, pack_paths_names(job.period))]
    if len(todo) < len(jobs):
        context.log.info(f"{len(jobs) - len(todo)} review pack(s) unchanged since they were published; {len(todo)} to build")
    built, withheld = [], []
    for result in build_packs(warehouse.build_path, todo, docs):  # no connection to the build is open here
        job = result.job
        if result.error is not None:
            kind, message = result.error
            reason = f"{kind}: {screen(message)[:300]}"
            withheld.append((job.commissioner, job.period, reason))
            shutil.rmtree(job.staged, ignore_errors=True)
            context.log.warning(f"review pack {job.period} of {job.commissioner} not built: {reason}")
            continue
        built += [job.final / path.relative_to(job.staged) for path in result.files]
    with warehouse.get_connection() as con:
        record_withheld(con, "review pack", withheld, context.run.run_id)
    return dg.MaterializeResult(
        metadata={
            "packs": dg.MetadataValue.int(len(built) // 2),
            "unchanged": dg.MetadataValue.int(len(jobs) - len(todo)),
            "files": dg.MetadataValue.text("\n".join(map(str, built))),
        }
    )


def pack_paths_names(period: str) -> list[str]:
    return [path.name for path in pack_paths(Path("."), period)]
