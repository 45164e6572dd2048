"""The input files the warehouse reads besides provider returns, and the raw table each lands in.

Every kind of file has one entry here: the glob that finds its files under the
raw folder, the columns it must have (and the ones it may have), and what it
holds. The Dagster raw asset and `opcc validate-return` both load tables
through `load_raw_table`, so a file is read the same way wherever it is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from opcc.ingest.csvfiles import BulkRead, read_bulk
from opcc.ingest.personal_data import screen_table_column, shown_name


@dataclass(frozen=True)
class RawTable:
    name: str
    pattern: str
    columns: tuple[str, ...]
    group: str
    description: str
    optional: bool = False  # no file yet is an empty table, not a failure
    optional_columns: tuple[str, ...] = ()  # may be missing from a file's header (read as blank)
    screened_columns: tuple[str, ...] = ()  # free text people type: kept only if it passes the personal-data screen
    named_columns: tuple[str, ...] = ()  # names of files: kept as the warehouse shows them (personal_data.shown_name)

    @property
    def all_columns(self) -> tuple[str, ...]:
        return self.columns + self.optional_columns


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
        "Contract registry: one row per commissioned line, with a contract_id that never changes (service_group: "
        "contracts that report one count together, whose return names the group).",
        optional_columns=("contract_ref", "service_group"),
    ),
    RawTable(
        "framework_versions",
        "framework/*/framework.csv",
        ("framework_version", "commissioner_code", "financial_year", "version_number", "document_date", "source_document"),
        "raw_framework",
        "One row per published framework version (of one funding stream); its folder holds the version's other files.",
        optional_columns=("funding_stream", "fund_name"),
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
        optional_columns=("returns_printed",),
    ),
    RawTable(
        "published_totals",
        "framework/*/published_totals.csv",
        ("framework_version", "source_table", "total_kind", "label_printed", "theme_printed", "value_printed", "source_line"),
        "raw_framework",
        "Every subtotal and total printed in the frameworks' tables, and any difference the analyst accepted.",
        optional=True,
        optional_columns=("difference_accepted_gbp", "accepted_because"),
    ),
    RawTable(
        "budget_lines",
        "framework/*/budget_lines.csv",
        ("framework_version", "budget_line", "value_printed", "section", "source_line"),
        "raw_framework",
        "The commissioning budget, committed, available, additional and reserve figures as printed.",
        optional=True,
    ),
    RawTable(
        "plf_allocations",
        "framework/*/plf_allocations.csv",
        ("framework_version", "line_number", "csp_printed", "value_printed", "source_line"),
        "raw_framework",
        "Partnership grant money by community safety partnership area, as a framework's table prints it.",
        optional=True,
    ),
    RawTable(
        "printed_priorities",
        "framework/*/strategic_priorities.csv",
        ("framework_version", "priority_number", "theme_printed", "priority_printed", "source_line"),
        "raw_framework",
        "The strategic priorities as each framework version prints them.",
        optional=True,
    ),
)

PLAN_TABLES = (
    RawTable(
        "plans",
        "plans/*/plan.csv",
        ("plan_code", "commissioner_code", "plan_name", "applies_from", "source_document"),
        "raw_plans",
        "Police and Crime Plans: whose, and the financial year each applies from (until a later plan replaces it).",
    ),
    RawTable(
        "plan_elements",
        "plans/*/elements.csv",
        ("kind", "code", "name", "parent_code", "national_code"),
        "raw_plans",
        "Each plan's themes, strategic priorities and funding mechanisms, mapped to the national lists, and the "
        "indicators that measure its priorities (rows of kind indicator).",
        optional_columns=(
            "short_name", "position", "in_plan", "description", "unit", "indicator_kind", "better", "bounded_by", "is_headline",
        ),
    ),
    RawTable(
        "plan_indicators",
        "plans/*/indicators.csv",
        ("strategic_priority", "indicator_code", "is_headline"),
        "raw_plans",
        "Which indicators of the catalogue measure each priority of a plan, and the headline one of each.",
        optional=True,
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
        "national_outcome_areas",
        "reference/national_outcome_areas.csv",
        ("outcome_area", "name", "description"),
        "raw_reference",
        "The national outcome areas every plan's priorities map to, so commissioners and years compare.",
    ),
    RawTable(
        "national_mechanism_classes",
        "reference/national_mechanism_classes.csv",
        ("mechanism_class", "name", "description"),
        "raw_reference",
        "The national classes every plan's funding mechanisms map to.",
    ),
    RawTable(
        "funding_streams",
        "reference/funding_streams.csv",
        ("funding_stream", "name", "description"),
        "raw_reference",
        "The national list of funding streams a commissioner runs (its commissioning budget, the victims services "
        "grant, ...): each framework version is of one stream.",
    ),
    RawTable(
        "reporting_rhythms",
        "reference/reporting_rhythms.csv",
        ("reporting_rhythm", "name", "periods_per_year", "return_condition", "description"),
        "raw_reference",
        "How often a contract's provider reports: quarterly, half-yearly, annual, or none (a one-off award).",
    ),
    RawTable(
        "allocation_tables",
        "reference/allocation_tables.csv",
        ("source_table", "name", "role", "budget_line", "precedence", "prints_attributes", "description"),
        "raw_reference",
        "The kinds of table allocation lines and totals are printed in, and what each counts towards.",
    ),
    RawTable(
        "total_kinds",
        "reference/total_kinds.csv",
        ("total_kind", "name", "adds_up"),
        "raw_reference",
        "The kinds of printed total and which lines each adds up.",
    ),
    RawTable(
        "budget_line_kinds",
        "reference/budget_line_kinds.csv",
        ("budget_line", "name", "description"),
        "raw_reference",
        "The budget figures a framework prints.",
    ),
    RawTable(
        "community_safety_partnerships",
        "reference/community_safety_partnerships.csv",
        ("csp_code", "csp_name", "local_authority", "commissioner_code"),
        "raw_reference",
        "Community safety partnerships (or council areas) that receive partnership grants.",
    ),
    RawTable(
        "indicators",
        "reference/indicators.csv",
        ("indicator_code", "indicator_name", "unit", "kind", "better", "bounded_by", "definition"),
        "raw_reference",
        "Indicator catalogue, optional: indicators shared by several plans (a plan's own indicators are rows of kind "
        "indicator of its elements.csv): what providers may report, its unit, whether it is an activity, output or "
        "outcome, and which way is better (each plan says which indicators measure its priorities).",
        optional=True,
    ),
    RawTable(
        "targets",
        "reference/targets.csv",
        ("financial_year", "indicator_code", "annual_target"),
        "raw_reference",
        "Annual targets per contract and indicator, optional: the contract named by contract_id, contract_ref (as "
        "the register prints it) or initiative; an indicator without a target is 'no target', never RAG-coloured.",
        optional=True,
        optional_columns=("contract_id", "contract_ref", "initiative"),
    ),
    RawTable(
        "submission_log",
        "returns/submission_log.csv",
        ("period", "file", "received_at", "note"),
        "raw_returns",
        "When each return file was received (kept beside the returns, so it survives a copy or a clone).",
        optional=True,
        screened_columns=("received_at", "note"),
        named_columns=("file",),
    ),
    RawTable(
        "sample_files",
        "returns/sample_files.csv",
        ("period", "file", "sha256"),
        "raw_returns",
        "The return files the sample generator (opcc samples) wrote, with their content's sha256: a return is "
        "illustrative sample data only while its content is still what the generator wrote.",
        optional=True,
    ),
    RawTable(
        "name_variants",
        "reference/name_variants.csv",
        ("commissioner_code", "field", "printed", "conformed", "note"),
        "raw_reference",
        "Printed spellings and the one spelling the warehouse conforms each to, per commissioner.",
    ),
)

# What the open data (opcc publish) needs beyond the framework: kept by the analyst, each optional, so
# a commissioner without them still refreshes and its findings say what is missing.
PUBLICATION_TABLES = (
    RawTable(
        "organisations",
        "reference/organisations.csv",
        ("organisation_name", "org_id"),
        "raw_reference",
        "Organisation identifiers (org-id: GB-CHC, GB-COH, GB-LAE ...) of providers and commissioners, by the name "
        "the warehouse spells them, and where each was found.",
        optional=True,
        optional_columns=("charity_number", "company_number", "identified_from"),
    ),
    RawTable(
        "org_id_lists",
        "reference/org_id_lists.csv",
        ("list_code", "list_name", "identifier_pattern"),
        "raw_reference",
        "The org-id lists the warehouse recognises and the form of an identifier in each.",
        optional=True,
    ),
    RawTable(
        "grant_id_prefixes",
        "reference/grant_id_prefixes.csv",
        ("commissioner_code", "grant_id_prefix"),
        "raw_reference",
        "Each commissioner's 360Giving publisher prefix, the start of its grant identifiers.",
        optional=True,
        optional_columns=("note",),
    ),
    RawTable(
        "area_codes",
        "reference/area_codes.csv",
        ("csp_code", "csp_geocode", "council_geocode"),
        "raw_reference",
        "ONS codes of each community safety partnership area and of its council area.",
        optional=True,
        optional_columns=("note",),
    ),
    RawTable(
        "publication_details",
        "reference/publication_details.csv",
        ("contract_id",),
        "raw_reference",
        "What the published registers need that the framework does not print, per contract (and year): marked as "
        "a grant or a contract, conditions, decision reference, dates, the areas it serves.",
        optional=True,
        optional_columns=(
            "financial_year", "publish_as", "conditions", "decision_reference", "award_date", "start_date", "end_date",
            "beneficiary_areas", "note",
        ),
    ),
)

RAW_TABLES = FRAMEWORK_TABLES + PLAN_TABLES + REFERENCE_TABLES + PUBLICATION_TABLES
RAW_TABLES_BY_NAME = {spec.name: spec for spec in RAW_TABLES}


def matching_files(raw: Path, pattern: str) -> list[tuple[Path, str]]:
    return [(p, p.relative_to(raw).as_posix()) for p in sorted(raw.glob(pattern)) if p.is_file()]


@dataclass
class LoadedTable:
    spec: RawTable
    files: list[tuple[Path, str]]
    bulk: BulkRead | None
    missing: str = ""  # why the table could not be built at all


def read_raw_table(raw: Path, spec: RawTable) -> LoadedTable:
    files = matching_files(raw, spec.pattern)
    if not files and not spec.optional:
        return LoadedTable(spec, files, None, f"no file matches {spec.pattern} under {raw}: the {spec.name} table cannot be built")
    bulk = read_bulk(files, spec.all_columns, optional_columns=spec.optional_columns)
    for column in spec.screened_columns:
        bulk.table = screen_table_column(bulk.table, column)
    for column in spec.named_columns:
        # A file named after a person is logged under its stand-in, as its path is shown (a small table: the log).
        index = bulk.table.schema.get_field_index(column)
        names = [shown_name(name or "") for name in bulk.table.column(column).to_pylist()]
        bulk.table = bulk.table.set_column(index, column, pa.array(names, pa.string()))
    return LoadedTable(spec, files, bulk)


def write_raw_table(con, loaded: LoadedTable) -> None:
    """Replace raw.<table> with the rows read (every column as printed text, with source file and row)."""
    con.register("_batch", loaded.bulk.table)
    con.execute(f"create or replace table raw.{loaded.spec.name} as select * from _batch")
    con.unregister("_batch")
