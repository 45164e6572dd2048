"""Provider returns: find them, read them (CSV and XLSX alike), and validate every row.

This module is the one implementation of the return rules: the Dagster
ingest asset and `opcc validate-return` both call `validate_returns`. The
rules run as one SQL statement over all rows of all files at once.

A return is long: one row per measure, header `contract_id,period,measure,value,comment`,
`measure` either `spend_gbp` or an indicator code from raw/reference/indicators.csv
that the contract has a target for in that financial year.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from ..periods import PERIOD_PATTERN
from .csvfiles import MAX_VALUE_CHARS, BulkRead, FileReport, read_bulk
from .personal_data import PERSONAL_DATA_SQL, personal_column
from .workbook import read_workbook

RETURN_COLUMNS = ("contract_id", "period", "measure", "value", "comment")
# A file of this name in raw/returns/ marks every return there as illustrative sample data.
SAMPLE_MARKER = "SAMPLE_DATA.md"
RETURN_SUFFIXES = {".csv", ".xlsx"}
SPEND = "spend_gbp"
MAX_SPEND_GBP = 1e9
MAX_COUNT = 1e7
MAX_COMMENT_CHARS = 1000
ROW_SCHEMA = pa.schema([(c, pa.string()) for c in RETURN_COLUMNS] + [("_source_file", pa.string()), ("_source_row", pa.int32())])


@dataclass
class ValidatedReturns:
    loaded: pa.Table  # rows that passed every rule, typed
    quarantined: pa.Table  # rows that failed one or more, with the first failing column and every reason
    problems: list[dict]  # every problem of every row (what validate-return prints)


def returns_dir(raw: Path) -> Path:
    return raw / "returns"


def period_folders(raw: Path) -> list[str]:
    folder = returns_dir(raw)
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.is_symlink() and PERIOD_PATTERN.match(p.name))


def discover(raw: Path, period: str) -> tuple[list[tuple[Path, str]], list[FileReport]]:
    """Return files directly in raw/returns/<period>/; anything else there is reported, not read.

    The period folder itself must be a real folder, and links inside it are refused, so a
    name in it can only ever point at a file in it.
    """
    folder = returns_dir(raw) / period
    found: list[tuple[Path, str]] = []
    refused: list[FileReport] = []
    if not folder.is_dir() or folder.is_symlink():
        return found, refused
    prefix = f"returns/{period}/"
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            name = entry.name
            if name.startswith((".", "~$")):
                continue  # editor lock files and hidden files are not submissions
            reason = None
            if entry.is_symlink():
                reason = "a symbolic link, not a file: copy the return itself into the folder"
            elif entry.is_dir():
                reason = "a folder inside a period folder: put returns directly in the period folder"
            elif os.path.splitext(name)[1].lower() not in RETURN_SUFFIXES:
                reason = f"not a return: expected a .csv or .xlsx file, got '{os.path.splitext(name)[1] or 'no extension'}'"
            if reason:
                refused.append(FileReport(path=prefix + name, status="rejected", reason=reason))
            else:
                found.append((Path(entry.path), prefix + name))
    return found, refused


def read_returns(files: list[tuple[Path, str]]) -> BulkRead:
    """Read CSV returns in bulk and workbooks one by one into one table of rows."""
    csv_files = [(p, s) for p, s in files if p.suffix.lower() == ".csv"]
    workbooks = [(p, s) for p, s in files if p.suffix.lower() == ".xlsx"]
    bulk = read_bulk(csv_files, RETURN_COLUMNS)
    tables = [bulk.table.cast(ROW_SCHEMA)]
    for path, shown in workbooks:
        rows, report = read_workbook(path, shown)
        bulk.files[shown] = report
        if report.status != "rejected" and rows:
            tables.append(pa.Table.from_pylist(rows, schema=ROW_SCHEMA))
    bulk.table = pa.concat_tables(tables)
    quarantine_personal_columns(bulk)
    return bulk


def quarantine_personal_columns(bulk: BulkRead) -> None:
    """A return with a column that looks like personal data is not loaded; its values are not kept."""
    flagged = {
        path: [c for c in report.columns if c not in RETURN_COLUMNS and personal_column(c)]
        for path, report in bulk.files.items()
        if report.status != "rejected"
    }
    flagged = {path: columns for path, columns in flagged.items() if columns}
    if not flagged:
        return
    files = bulk.table.column("_source_file")
    hit = pa.compute.is_in(files, pa.array(sorted(flagged)))
    for row in bulk.table.filter(hit).select(["_source_file", "_source_row"]).to_pylist():
        columns = flagged[row["_source_file"]]
        bulk.quarantined.append(
            {
                "path": row["_source_file"],
                "row_number": row["_source_row"],
                "column_name": columns[0],
                "value": "[withheld: may be personal data]",
                "reason": f"personal data: the file has a column '{columns[0]}' that looks like personal data; "
                "returns must carry totals only (values withheld)",
            }
        )
    bulk.table = bulk.table.filter(pa.compute.invert(hit))


def reject_duplicate_files(bulk: BulkRead, known: set[str] | frozenset[str] = frozenset()) -> None:
    """The same bytes twice (a copy under another name) are loaded once; the copy is rejected.

    Of identical files, the one kept is one already known (loaded before, or in the
    submission log: `known`), else the first by name.
    """
    first_by_hash: dict[str, str] = {}
    for shown in sorted(bulk.files, key=lambda path: (path not in known, path)):
        report = bulk.files[shown]
        if report.status == "rejected" or not report.sha256:
            continue
        if report.sha256 in first_by_hash:
            report.status = "rejected"
            report.reason = f"identical to {first_by_hash[report.sha256]} (same sha256): the same return is not loaded twice"
            report.rows_loaded = report.rows_quarantined = 0
        else:
            first_by_hash[report.sha256] = shown
    rejected = {s for s, r in bulk.files.items() if r.status == "rejected"}
    if rejected:
        keep = pa.compute.invert(pa.compute.is_in(bulk.table.column("_source_file"), pa.array(sorted(rejected))))
        bulk.table = bulk.table.filter(keep)
        bulk.quarantined = [q for q in bulk.quarantined if q["path"] not in rejected]


VALIDATION_SQL = f"""
with rows as (
    select
        *,
        trim(contract_id) as c_contract,
        trim(period) as c_period,
        case when upper(trim(measure)) = 'SPEND_GBP' then 'spend_gbp' else upper(trim(measure)) end as c_measure,
        trim(value) as c_value_text,
        regexp_extract(_source_file, '^returns/([^/]+)/', 1) as folder_period
    from _rows
),

numbers as (
    select
        *,
        -- '£1,234', '1,234.50', '(12)' and '45%' are numbers; '12abc' is not.
        regexp_replace(
            regexp_replace(replace(replace(replace(c_value_text, '£', ''), ',', ''), ' ', ''), '%$', ''),
            '^\\((.*)\\)$', '-\\1') as c_value_clean
    from rows
),

typed as (
    select
        numbers.*,
        case when regexp_full_match(c_value_clean, '[-+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?')
             then try_cast(c_value_clean as double) end as c_value,
        contracts.contract_id is not null as contract_known,
        indicators.indicator_code is not null as measure_known,
        indicators.unit,
        indicators.kind,
        indicators.bounded_by,
        targets.indicator_code is not null as contract_reports_measure,
        case when regexp_full_match(c_period, '\\d{{4}}-\\d{{2}} Q[1-4]')
             and (cast(substr(c_period, 1, 4) as integer) + 1) % 100 = cast(substr(c_period, 6, 2) as integer)
             then true else false end as period_well_formed,
        substr(c_period, 1, 7) as financial_year
    from numbers
    left join (select distinct trim(contract_id) as contract_id from {{contracts}}) as contracts
        on contracts.contract_id = numbers.c_contract
    left join (
        select upper(trim(indicator_code)) as indicator_code, trim(unit) as unit, trim(kind) as kind,
               nullif(upper(trim(bounded_by)), '') as bounded_by
        from {{indicators}}
    ) as indicators
        on indicators.indicator_code = numbers.c_measure
    left join (
        select distinct trim(contract_id) as contract_id, trim(financial_year) as financial_year,
               upper(trim(indicator_code)) as indicator_code
        from {{targets}}
    ) as targets
        on targets.contract_id = numbers.c_contract
        and targets.indicator_code = numbers.c_measure
        and targets.financial_year = substr(numbers.c_period, 1, 7)
),

duplicates as (
    select
        _source_file, c_contract, c_period, c_measure,
        count(*) as times_in_file,
        string_agg(cast(_source_row as varchar), ', ' order by _source_row) as rows_with_measure
    from typed
    group by _source_file, c_contract, c_period, c_measure
    having count(*) > 1
),

in_file as (
    select typed.*, coalesce(duplicates.times_in_file, 1) as times_in_file, duplicates.rows_with_measure
    from typed
    left join duplicates using (_source_file, c_contract, c_period, c_measure)
),

checked as (
    select
        *,
        list_filter([
            case
                when c_contract = '' then {{'column': 'contract_id', 'reason': 'no contract_id'}}
                when not contract_known then {{'column': 'contract_id', 'reason': 'unknown contract_id ''' || left(c_contract, 60) || ''' (not in raw/framework/contracts.csv)'}}
            end,
            case
                when c_period = '' then {{'column': 'period', 'reason': 'no period'}}
                when not period_well_formed then {{'column': 'period', 'reason': 'period ''' || left(c_period, 40) || ''' is not like ''2016-17 Q1'''}}
                when folder_period != '' and c_period != folder_period then {{'column': 'period', 'reason': 'period ' || c_period || ' does not match its folder ' || folder_period}}
            end,
            case
                when c_measure = '' then {{'column': 'measure', 'reason': 'no measure'}}
                when c_measure != 'spend_gbp' and not measure_known then {{'column': 'measure', 'reason': 'measure ''' || left(c_measure, 60) || ''' is neither spend_gbp nor an indicator in raw/reference/indicators.csv'}}
                when c_measure != 'spend_gbp' and contract_known and period_well_formed and not contract_reports_measure
                    then {{'column': 'measure', 'reason': 'indicator ' || c_measure || ' is not one contract ' || c_contract || ' reports (no target for it in ' || financial_year || ')'}}
                when times_in_file > 1 then {{'column': 'measure', 'reason': c_measure || ' appears ' || times_in_file || ' times in this file (rows ' || rows_with_measure || ')'}}
            end,
            case
                when c_value_text = '' then {{'column': 'value', 'reason': 'no value'}}
                when c_value_text = '#FORMULA-WITHOUT-VALUE' then {{'column': 'value', 'reason': 'a formula with no calculated value: open and save the workbook in Excel or LibreOffice'}}
                when c_value is null then {{'column': 'value', 'reason': 'value ''' || left(c_value_text, 40) || ''' is not a number'}}
                when not isfinite(c_value) then {{'column': 'value', 'reason': 'value is not a finite number'}}
                when c_measure = 'spend_gbp' and c_value < 0 then {{'column': 'value', 'reason': 'negative spend'}}
                when c_measure = 'spend_gbp' and c_value > {MAX_SPEND_GBP} then {{'column': 'value', 'reason': 'spend over £1bn in a quarter is not plausible'}}
                when c_value < 0 then {{'column': 'value', 'reason': 'negative value for ' || c_measure}}
                when unit = 'percent' and c_value > 100 then {{'column': 'value', 'reason': 'percentage ' || c_value_text || ' is outside 0 to 100'}}
                when unit = 'count' and c_value != floor(c_value) then {{'column': 'value', 'reason': 'a count must be a whole number, not ' || c_value_text}}
                when unit = 'count' and c_value > {MAX_COUNT} then {{'column': 'value', 'reason': 'count over 10 million in a quarter is not plausible'}}
                when unit = 'gbp' and c_value > {MAX_SPEND_GBP} then {{'column': 'value', 'reason': 'amount over £1bn is not plausible'}}
            end,
            case
                when length(comment) > {MAX_COMMENT_CHARS} then {{'column': 'comment', 'reason': 'comment longer than {MAX_COMMENT_CHARS} characters'}}
            end,
            {PERSONAL_DATA_SQL}
        ], lambda p: p is not null) as problems
    from in_file
),

bounded as (
    -- An outcome can be no more than the activity that bounds it, when that activity's row is itself sound.
    select
        checked.* exclude (problems),
        list_filter(checked.problems || [
            case when bound.c_value is not null and checked.c_value > bound.c_value
                then {{'column': 'value', 'reason': checked.c_measure || ' (' || checked.c_value_text || ') is more than its paired '
                    || bound.c_measure || ' (' || regexp_replace(cast(bound.c_value as varchar), '\\.0$', '') || ')'}}
            end
        ], lambda p: p is not null) as problems
    from checked
    left join checked as bound
        on bound._source_file = checked._source_file
        and bound.c_contract = checked.c_contract
        and bound.c_period = checked.c_period
        and bound.c_measure = checked.bounded_by
        and len(bound.problems) = 0
        and len(checked.problems) = 0
)

select * from bounded
"""


def validate_returns(
    con: duckdb.DuckDBPyConnection,
    rows: pa.Table,
    contracts: str = "raw.contracts",
    indicators: str = "raw.indicators",
    targets: str = "raw.targets",
) -> ValidatedReturns:
    """Apply every row rule to `rows` (the reader's table) against the reference tables named."""
    con.register("_rows", rows)
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
                when list_bool_or(list_transform(problems, lambda p: starts_with(p.reason, 'personal data')))
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
            array_to_string(list_transform(problems, lambda p: p.reason), '; ') as reason
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
