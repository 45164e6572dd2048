"""Provider returns: find them, read them (CSV and XLSX alike), and validate every row.

This module is the one implementation of the return rules: the Dagster
ingest asset and `opcc validate-return` both call `validate_returns`. The
rules run as one SQL statement over all rows of all files at once
(return_rules.py); numbers are read by the grammar in numbers.py, inside it.
What is read from raw/returns/, and what is reported instead, is
returns_folder.py's (its names are this module's too, for its callers).

A return is long: one row per measure, header `contract_id,period,measure,value,comment`,
`measure` either `spend_gbp` or an indicator code from raw/reference/indicators.csv
that the contract has a target for in that financial year.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from opcc.ingest.csvfiles import MAX_VALUE_CHARS, BulkRead, FileReport, read_bulk
from opcc.ingest.filetypes import refusal
from opcc.ingest.personal_data import WITHHELD, personal_column, quoted
from opcc.ingest.return_rules import VALIDATION_SQL, catalogue_sql
from opcc.ingest.returns_folder import (
    RETURN_SUFFIXES,
    SAMPLE_FILES,
    SAMPLE_MARKER,
    SUBMISSION_LOG,
    discover,
    disk_path,
    looks_like_period,
    period_folders,
    returns_dir,
    scan_returns_folder,
    summarise_not_read,
    walk_bounded,
)
from opcc.ingest.workbook import read_workbook

# The folder's names, for the callers that read returns through this module.
__all__ = [
    "SAMPLE_FILES", "SAMPLE_MARKER", "SUBMISSION_LOG", "catalogue_sql", "discover", "disk_path", "looks_like_period",
    "period_folders", "read_returns", "reject_duplicate_files", "returns_dir", "scan_returns_folder",
    "summarise_not_read", "validate_returns", "walk_bounded",
]

RETURN_COLUMNS = ("contract_id", "period", "measure", "value", "comment")
SPEND = "spend_gbp"
ROW_SCHEMA = pa.schema([(c, pa.string()) for c in RETURN_COLUMNS] + [("_source_file", pa.string()), ("_source_row", pa.int32())])


@dataclass
class ValidatedReturns:
    loaded: pa.Table  # rows that passed every rule, typed
    quarantined: pa.Table  # rows that failed one or more, with the first failing column and every reason
    problems: list[dict]  # every problem of every row (what validate-return prints)


























def read_returns(files: list[tuple[Path, str]]) -> BulkRead:
    """Read CSV returns in bulk and workbooks one by one into one table of rows; any other file
    is refused with what it is and what to do."""
    csv_files = [(p, s) for p, s in files if p.suffix.lower() == ".csv"]
    workbooks = [(p, s) for p, s in files if p.suffix.lower() == ".xlsx"]
    others = [(p, s) for p, s in files if p.suffix.lower() not in RETURN_SUFFIXES]
    bulk = read_bulk(csv_files, RETURN_COLUMNS)
    tables = [bulk.table.cast(ROW_SCHEMA)]
    for path, shown in workbooks:
        rows, report = read_workbook(path, shown)
        bulk.files[shown] = report
        if report.read and rows:
            tables.append(pa.Table.from_pylist(rows, schema=ROW_SCHEMA))
    for path, shown in others:
        reason = refusal(path) or f"not a return: expected a .csv or .xlsx file, got '{path.suffix or 'no extension'}'"
        bulk.files[shown] = FileReport(path=shown, status="rejected", reason=reason)
    bulk.table = pa.concat_tables(tables)
    quarantine_personal_columns(bulk)
    return bulk


def quarantine_personal_columns(bulk: BulkRead) -> None:
    """A return with a column that looks like personal data is not loaded; its values are not kept."""
    flagged = {
        path: [c for c in report.columns if c not in RETURN_COLUMNS and personal_column(c)]
        for path, report in bulk.files.items()
        if report.read
    }
    flagged = {path: columns for path, columns in flagged.items() if columns}
    if not flagged:
        return
    files = bulk.table.column("_source_file")
    hit = pc.is_in(files, pa.array(sorted(flagged)))
    for row in bulk.table.filter(hit).select(["_source_file", "_source_row"]).to_pylist():
        columns = flagged[row["_source_file"]]
        bulk.quarantined.append(
            {
                "path": row["_source_file"],
                "row_number": row["_source_row"],
                "column_name": columns[0][:60],
                "value": WITHHELD,
                "reason": f"personal data: the file has a column {quoted(columns[0], 60)} that looks like personal data; "
                "returns must carry totals only (values withheld)",
            }
        )
    bulk.table = bulk.table.filter(pc.invert(hit))


def reject_duplicate_files(
    bulk: BulkRead, known: set[str] | frozenset[str] = frozenset(), established: set[str] | frozenset[str] = frozenset()
) -> None:
    """The same bytes twice (a copy under another name) are loaded once; the copy is rejected.

    Of identical files, the one kept is one already known (loaded before, or in the
    submission log: `known`), else the first by name (the content is the same, so which
    name is kept changes no figure). A file already `established` (loaded before under its
    own name) is never a copy: new content in it replaces its own earlier content.
    """
    first_by_hash: dict[str, str] = {}
    for shown in sorted(bulk.files, key=lambda path: (path not in established, path not in known, path)):
        report = bulk.files[shown]
        if not report.read or not report.sha256:
            continue
        if report.sha256 in first_by_hash and shown not in established:
            report.status = "rejected"
            report.reason = f"identical to {first_by_hash[report.sha256]} (same sha256): the same return is not loaded twice"
            report.rows_loaded = report.rows_quarantined = 0
        else:
            first_by_hash[report.sha256] = shown
    rejected = {s for s, r in bulk.files.items() if not r.read}
    if rejected:
        keep = pc.invert(pc.is_in(bulk.table.column("_source_file"), pa.array(sorted(rejected))))
        bulk.table = bulk.table.filter(keep)
        bulk.quarantined = [q for q in bulk.quarantined if q["path"] not in rejected]






def validate_returns(
    con: duckdb.DuckDBPyConnection,
    rows: pa.Table,
    contracts: str = "raw.contracts",
    indicators: str | None = None,
    targets: str = "raw.targets",
) -> ValidatedReturns:
    """Apply every row rule to `rows` (the reader's table) against the reference tables named."""
    con.register("_rows", rows)
    indicators = indicators or catalogue_sql()
    sql = VALIDATION_SQL.replace("{contracts}", contracts).replace("{indicators}", indicators).replace("{targets}", targets)
    con.execute(f"create or replace temp table _checked as {sql}")
    con.unregister("_rows")
    loaded = con.sql(
        """
        select
            c_contract as contract_id,
            c_period as period,
            c_measure as measure,
            c_value as value,
            c_value_text as value_text,
            nullif(comment, '') as comment,
            folder_period as period_folder,
            _source_file as source_file,
            _source_row as source_row
        from _checked
        where len(problems) = 0
        order by _source_file, _source_row
        """
    ).to_arrow_table()
    quarantined = con.sql(
        f"""
        select
            folder_period as period,
            _source_file as path,
            _source_row as row_number,
            problems[1].column as column_name,
            case
                when len(problems) < len(all_problems) or starts_with(problems[1].reason, 'personal data')
                    then '[withheld: may be personal data]'
                else left(
                    case problems[1].column
                        when 'contract_id' then contract_id
                        when 'period' then period
                        when 'measure' then measure
                        when 'value' then value
                        else comment
                    end, {MAX_VALUE_CHARS})
            end as value,
            case when contract_known then c_contract end as contract_id,
            array_to_string(list_transform(problems, lambda p: p.reason), '; ')
                || case when len(problems) < len(all_problems)
                        then '; and ' || (len(all_problems) - len(problems)) || ' other problem(s) not shown, as they would repeat the value'
                        else '' end as reason
        from _checked
        where len(problems) > 0
        order by _source_file, _source_row
        """
    ).to_arrow_table()
    problems = con.execute(
        """
        select _source_file as path, _source_row as row_number, p.column as column_name, p.reason
        from (select _source_file, _source_row, unnest(problems) as p from _checked)
        order by 1, 2
        """
    ).fetchall()
    con.execute("drop table _checked")
    return ValidatedReturns(
        loaded=loaded,
        quarantined=quarantined,
        problems=[{"path": a, "row_number": b, "column_name": c, "reason": d} for a, b, c, d in problems],
    )
