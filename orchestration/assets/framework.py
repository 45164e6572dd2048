"""Raw assets for the published frameworks and the reference data: one asset per kind of file.

Each asset reads every file matching its pattern under the raw folder (one
per framework version, or a single reference file), keeps every column as
printed text, and replaces its table in the `raw` schema. Files are never
modified; their sha256 goes to audit.loaded_files.
"""


from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from ..audit import record_files, record_quarantine
from ..ingest.csvfiles import read_bulk
from ..resources import WarehouseResource


@dataclass(frozen=True)
class RawTable:
    name: str
    pattern: str
    columns: tuple[str, ...]
    group: str
    description: str
    optional: bool = False  # no file yet is an empty table, not a failure


FRAMEWORK_TABLES = (
    RawTable(
        "contracts",
        "framework/contracts.csv",
        (
            "contract_id", "commissioner_code", "first_framework_version", "strategic_theme", "initiative_name",
            "description", "provider", "funding_mechanism", "primary_priority", "secondary_priority",
            "geographical_reach",
        ),
        "raw_framework",
        "Contract registry: one row per commissioned line, with a contract_id that never changes.",
    ),
    RawTable(
        "framework_versions",
        "framework/*/framework.csv",
        ("framework_version", "commissioner_code", "financial_year", "version_number", "document_date", "source_document"),
        "raw_framework",
        "One row per published framework version.",
    ),
    RawTable(
        "allocation_lines",
        "framework/*/allocation_lines.csv",
        (
            "framework_version", "source_table", "line_number", "source_line", "contract_id", "theme_printed",
            "initiative_printed", "value_printed", "provider_printed", "mechanism_printed",
            "primary_priority_printed", "secondary_priority_printed", "reach_printed", "need_printed",
            "linkage_printed", "extraction_note",
        ),
        "raw_framework",
        "Every allocation row of every table of every framework version, as printed.",
    ),
    RawTable(
        "published_totals",
        "framework/*/published_totals.csv",
        ("framework_version", "source_table", "total_kind", "label_printed", "theme_printed", "value_printed", "source_line"),
        "raw_framework",
        "Every subtotal and total printed in the frameworks' tables.",
    ),
    RawTable(
        "budget_lines",
        "framework/*/budget_lines.csv",
        ("framework_version", "budget_line", "value_printed", "section", "source_line"),
        "raw_framework",
        "The commissioning budget, committed, available, additional and reserve figures as printed.",
    ),
    RawTable(
        "plf_allocations",
        "framework/*/plf_allocations.csv",
        ("framework_version", "line_number", "csp_printed", "value_printed", "source_line"),
        "raw_framework",
        "Partnership Locality Fund allocation by Community Safety Partnership, as printed.",
    ),
    RawTable(
        "printed_priorities",
        "framework/*/strategic_priorities.csv",
        ("framework_version", "priority_number", "theme_printed", "priority_printed", "source_line"),
        "raw_framework",
        "The strategic priorities as each framework version prints them.",
    ),
)

REFERENCE_TABLES = (
    RawTable(
        "commissioners",
        "reference/commissioners.csv",
        ("commissioner_code", "commissioner_name", "police_force_area", "region"),
        "raw_reference",
        "Police and crime commissioners whose data the warehouse holds.",
    ),
    RawTable(
        "strategic_themes",
        "reference/strategic_themes.csv",
        ("theme_code", "theme_number", "theme_name", "is_plan_theme"),
        "raw_reference",
        "The Police and Crime Plan's strategic themes.",
    ),
    RawTable(
        "strategic_priorities",
        "reference/strategic_priorities.csv",
        ("priority_code", "priority_number", "theme_code", "short_name", "priority_name", "is_plan_priority"),
        "raw_reference",
        "The Police and Crime Plan's strategic priorities SP1..SP17 with their theme.",
    ),
    RawTable(
        "funding_mechanisms",
        "reference/funding_mechanisms.csv",
        ("mechanism_code", "mechanism_name", "printed_label", "how_it_works"),
        "raw_reference",
        "The four ways the commissioner buys outcomes.",
    ),
    RawTable(
        "community_safety_partnerships",
        "reference/community_safety_partnerships.csv",
        ("csp_code", "csp_name", "local_authority", "commissioner_code"),
        "raw_reference",
        "Community Safety Partnerships that receive the Partnership Locality Fund.",
    ),
    RawTable(
        "indicators",
        "reference/indicators.csv",
        ("indicator_code", "strategic_priority", "indicator_name", "unit", "kind", "better", "bounded_by", "is_headline", "definition"),
        "raw_reference",
        "Indicator catalogue: what providers report for each strategic priority, its unit and which way is better.",
    ),
    RawTable(
        "targets",
        "reference/targets.csv",
        ("contract_id", "financial_year", "indicator_code", "annual_target"),
        "raw_reference",
        "Annual targets per contract and indicator; a contract reports the indicators it has targets for.",
    ),
    RawTable(
        "submission_log",
        "returns/submission_log.csv",
        ("period", "file", "received_at", "note"),
        "raw_returns",
        "When each return file was received (kept beside the returns, so it survives a copy or a clone).",
        optional=True,
    ),
    RawTable(
        "name_variants",
        "reference/name_variants.csv",
        ("field", "printed", "conformed", "note"),
        "raw_reference",
        "Printed spellings and the one spelling the warehouse conforms each to.",
    ),
)

RAW_TABLES = FRAMEWORK_TABLES + REFERENCE_TABLES


def matching_files(raw: Path, pattern: str) -> list[tuple[Path, str]]:
    return [(p, p.relative_to(raw).as_posix()) for p in sorted(raw.glob(pattern)) if p.is_file()]


def load_raw_table(con, run_id: str, raw: Path, spec: RawTable) -> dict:
    """Replace raw.<table> with every row of its files; record the files and any row quarantined."""
    files = matching_files(raw, spec.pattern)
    if not files and not spec.optional:
        return {"missing": f"no file matches {spec.pattern} under {raw}: the {spec.name} table cannot be built"}
    bulk = read_bulk(files, spec.columns)
    con.register("_batch", bulk.table)
    con.execute(f"create or replace table raw.{spec.name} as select * from _batch")
    con.unregister("_batch")
    record_files(con, spec.name, bulk.files.values(), run_id)
    quarantined = record_quarantine(con, spec.name, bulk.quarantined, run_id)
    return {"bulk": bulk, "files": files, "quarantined": quarantined}


@dg.multi_asset(
    name="raw_tables",
    specs=[
        dg.AssetSpec(
            ["raw", spec.name],
            group_name=spec.group,
            description=f"{spec.description} From raw/{spec.pattern}.",
            kinds={"csv", "duckdb"},
            metadata={"pattern": spec.pattern, "columns": ", ".join(spec.columns)},
            skippable=True,
        )
        for spec in RAW_TABLES
    ],
    can_subset=True,
)
def raw_tables(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Every framework and reference file, each kind into its own raw table, in one pass."""
    raw = warehouse.raw_path
    if not raw.is_dir():
        raise dg.Failure(f"raw folder {raw} does not exist (set OPCC_RAW or pass --raw)")
    selected = {key.path[-1] for key in context.selected_asset_keys}
    problems, results = [], []
    with warehouse.get_connection() as con:
        con.execute("create schema if not exists raw")
        for spec in RAW_TABLES:
            if spec.name not in selected:
                continue
            loaded = load_raw_table(con, context.run.run_id, raw, spec)
            if "missing" in loaded:
                problems.append(loaded["missing"])
                continue
            bulk = loaded["bulk"]
            # Allocation and reference data are all-or-nothing: a file that cannot be read means wrong totals.
            problems += [f"raw.{spec.name}: {f.path}: {f.reason}" for f in bulk.rejected]
            for row in bulk.quarantined:
                context.log.warning(f"{row['path']} row {row['row_number']}: {row['reason']}")
            results.append(
                dg.MaterializeResult(
                    asset_key=["raw", spec.name],
                    metadata={
                        "rows": dg.MetadataValue.int(bulk.table.num_rows),
                        "files": dg.MetadataValue.int(len(loaded["files"])),
                        "rows_quarantined": dg.MetadataValue.int(loaded["quarantined"]),
                        "sources": dg.MetadataValue.text(", ".join(path for _, path in loaded["files"][:20])),
                    },
                )
            )
    if problems:
        raise dg.Failure("; ".join(problems))
    yield from results


raw_assets = [raw_tables]


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            name="every_row_loaded",
            asset=dg.AssetKey(["raw", spec.name]),
            blocking=True,
            description="Every row of every file was loaded: none quarantined (allocation and reference data must be whole).",
        )
        for spec in RAW_TABLES
    ],
    can_subset=True,
)
def raw_rows_complete(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
    with warehouse.get_connection() as con:
        counts = dict(
            con.execute(
                "select source_table, count(*) from audit.quarantined_rows group by 1"
            ).fetchall()
        )
        samples = con.execute(
            "select source_table, path, row_number, reason from audit.quarantined_rows "
            "qualify row_number() over (partition by source_table order by path, row_number) <= 5"
        ).fetchall()
    for check_key in context.selected_asset_check_keys:
        table = check_key.asset_key.path[-1]
        bad = counts.get(table, 0)
        examples = [f"{p} row {r}: {why}" for t, p, r, why in samples if t == table]
        yield dg.AssetCheckResult(
            check_name=check_key.name,
            asset_key=check_key.asset_key,
            passed=bad == 0,
            severity=dg.AssetCheckSeverity.ERROR,
            description=None if bad == 0 else f"{bad} row(s) quarantined: " + "; ".join(examples),
            metadata={"rows_quarantined": bad},
        )
