# size: VALIDATION_SQL, the one home of the return row rules, is one statement read whole; to split with the raw-file schema manifest (issue 24, item 4).
"""Provider returns: find them, read them (CSV and XLSX alike), and validate every row.

This module is the one implementation of the return rules: the Dagster
ingest asset and `opcc validate-return` both call `validate_returns`. The
rules run as one SQL statement over all rows of all files at once; numbers
are read by the grammar in numbers.py, inside that statement.

Everything under raw/returns/ is either read or reported with a reason a
person can act on (`scan_returns_folder`, `discover`): a folder whose name
is not quite a period, a file dropped at the top, a folder for a quarter
that has not started, a lock file of a workbook still open.

A return is long: one row per measure, header `contract_id,period,measure,value,comment`,
`measure` either `spend_gbp` or an indicator code from raw/reference/indicators.csv
that the contract has a target for in that financial year.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from opcc.core import sql_macros
from opcc.core.periods import PERIOD_PATTERN, PERIOD_SQL_REGEX, Period, partition_periods
from opcc.core.settings import MAX_FOLDER_DEPTH, MAX_FOLDER_ENTRIES, SHOWN_PER_KIND, settle_seconds
from opcc.ingest.csvfiles import MAX_VALUE_CHARS, BulkRead, FileReport, read_bulk, recently_modified
from opcc.ingest.filetypes import READABLE_SUFFIXES, refusal
from opcc.ingest.numbers import (
    AMBIGUOUS_REASON_SQL,
    CHECKS_SQL,
    CONVENTION_SQL,
    EVIDENCE_SQL,
    PARTS_SQL,
    READINGS_SQL,
    VALUE_SQL,
    number_text,
)
from opcc.ingest.personal_data import NAME_WITHHELD, PERSONAL_DATA_SQL, WITHHELD, personal_column, quoted, shown_name
from opcc.ingest.workbook import read_workbook

RETURN_COLUMNS = ("contract_id", "period", "measure", "value", "comment")
# A file of this name in raw/returns/ marks every return there as illustrative sample data.
SAMPLE_MARKER = "SAMPLE_DATA.md"
SUBMISSION_LOG = "submission_log.csv"
# What the sample generator wrote (period, file, sha256): a return is sample data only while its
# content is what the generator wrote, so the pack's banner follows the data, file by file.
SAMPLE_FILES = "sample_files.csv"
RETURN_SUFFIXES = READABLE_SUFFIXES
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


def looks_like_period(name: str) -> str | None:
    """The period a folder name seems to mean ('2016-17 q2', '2016-17 Q2 ', '2016_17 Q2' -> '2016-17 Q2';
    '2016-17 h1' -> '2016-17 H1'; '2016_17' -> '2016-17')."""
    match = re.fullmatch(r"\s*(\d{4})\s*[-_/ ]\s*(\d{2})\s*(?:[-_ ]*\s*([qQhH])\s*([1-4]))?\s*", name)
    if not match or (match[3] and match[3].lower() == "h" and match[4] not in "12"):
        return None
    text = f"{match[1]}-{match[2]}" + (f" {match[3].upper()}{match[4]}" if match[3] else "")
    try:
        return str(Period.parse(text))
    except ValueError:
        return None


@dataclass
class FolderScan:
    """What raw/returns/ holds: the period folders to read, and everything else with a reason."""

    periods: list[str] = field(default_factory=list)
    notes: list[FileReport] = field(default_factory=list)


def walk_bounded(folder: Path, max_depth: int = MAX_FOLDER_DEPTH, max_entries: int = MAX_FOLDER_ENTRIES) -> tuple[list[str], str | None]:
    """Every file (or link) below `folder`, as paths relative to it, found without recursion and
    without following links; and why the listing stopped short, if it did (too deep, too many
    entries, a folder that cannot be opened). Never raises."""
    files: list[str] = []
    stopped: str | None = None
    pending: list[tuple[str, int]] = [("", 0)]
    seen = 0
    while pending:
        relative, depth = pending.pop()
        try:
            with os.scandir(folder / relative if relative else folder) as entries:
                listed = sorted(entries, key=lambda e: e.name, reverse=True)
        except OSError as error:
            stopped = stopped or f"folder {quoted(relative or '.', 80)} cannot be opened ({error.strerror or error})"
            continue
        for entry in listed:
            seen += 1
            if seen > max_entries:
                return sorted(files), f"more than {max_entries:,} entries: listing stopped there (the MAX_FOLDER_ENTRIES setting)"
            name = f"{relative}/{entry.name}" if relative else entry.name
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_folder = False
            if not is_folder:
                files.append(name)
            elif depth + 1 >= max_depth:
                stopped = stopped or (
                    f"folders nested more than {max_depth} deep (below {quoted(name, 80)}): not looked into "
                    "(the MAX_FOLDER_DEPTH setting)"
                )
            else:
                pending.append((name, depth + 1))
    return sorted(files), stopped


def _list_inside(folder: Path, shown: str, reason: str, status: str = "rejected") -> list[FileReport]:
    files, stopped = walk_bounded(folder)
    listed = [
        FileReport(path=f"{shown}/" + "/".join(shown_name(part) for part in name.split("/")), status=status, reason=reason)
        for name in files
    ]
    if stopped:
        listed.append(FileReport(path=f"{shown}/…/", status="rejected", reason=f"not listed in full: {stopped}; move the returns out of it"))
    return listed


FULL_LIST = 'the full list: opcc query "select path, status, reason from audit.rejected_files order by path"'


def summarise_not_read(reports: list[FileReport], shown: int = SHOWN_PER_KIND) -> list[str]:
    """Lines for a terminal or a log about files not read: each one when there are few; else how
    many, the first few of each reason, and where the full list is. Never one line per file."""
    if len(reports) <= shown * 2:
        return [f"{r.path}: {r.status}: {r.reason}" for r in reports]
    by_reason: dict[str, list[FileReport]] = {}
    for report in reports:
        by_reason.setdefault(report.reason.split(":", 1)[0][:120], []).append(report)
    lines = [f"{len(reports):,} files or folders under raw/returns/ not read ({len(by_reason):,} kinds of reason); {FULL_LIST}"]
    for reason, group in sorted(by_reason.items(), key=lambda kv: -len(kv[1]))[:shown]:
        first = ", ".join(r.path for r in group[:3])
        more = f" and {len(group) - 3:,} more" if len(group) > 3 else ""
        lines.append(f"{len(group):,} x {group[0].status}: {reason}: {first}{more}")
    if len(by_reason) > shown:
        lines.append(f"and {len(by_reason) - shown:,} other reasons: {FULL_LIST}")
    return lines


def scan_returns_folder(raw: Path, today: date | None = None) -> FolderScan:
    """Sort raw/returns/ into the period folders a refresh reads and notes on everything else.

    A period folder is read when its name is a period ('2016-17 Q2'), the pipeline knows the
    period (from the first_period setting to a year ahead) and the quarter has started. A
    folder that is empty is read once its returns are due (every contract then shows as
    missing); before that it is only noted. Nothing here ever stops a refresh.
    """
    scan = FolderScan()
    folder = returns_dir(raw)
    if not folder.is_dir():
        return scan
    today = today or date.today()
    known = set(partition_periods(today))
    first = min(known, key=Period.parse) if known else None
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            name, shown = entry.name, f"returns/{shown_name(entry.name)}"
            if entry.is_symlink():
                scan.notes.append(FileReport(path=shown, status="rejected", reason="a symbolic link, not a folder or file: copy the returns themselves into raw/returns/<period>/"))
                continue
            if not entry.is_dir():
                if name in (SUBMISSION_LOG, SAMPLE_MARKER, SAMPLE_FILES):
                    continue
                period = looks_like_period(name) or looks_like_period(os.path.splitext(name)[0][-10:])
                where = f"raw/returns/{period}/" if period else "the folder of the quarter it reports on, raw/returns/<period>/ (e.g. raw/returns/2016-17 Q2/)"
                scan.notes.append(FileReport(path=shown, status="rejected", reason=f"a file directly in raw/returns/, where no return is read: move it into {where}"))
                continue
            if not PERIOD_PATTERN.match(name):
                meant = looks_like_period(name)
                if meant:
                    reason = f"folder name {quoted(name, 60)} is not a period as written ('2016-17 Q2'); it looks like {meant}: rename the folder to '{meant}'"
                else:
                    reason = f"folder {quoted(name, 60)} is not a period folder (named like '2016-17 Q2'): its files are not read; move them into their quarter's folder"
                scan.notes.append(FileReport(path=shown, status="rejected", reason=reason))
                scan.notes += _list_inside(Path(entry.path), shown, f"inside folder {quoted(name, 60)}, which is not read: {reason.split(': ', 1)[-1]}")
                continue
            try:
                period = Period.parse(name)
            except ValueError as error:
                scan.notes.append(FileReport(path=shown, status="rejected", reason=f"{error}: its files are not read"))
                scan.notes += _list_inside(Path(entry.path), shown, "inside a folder that is not a period")
                continue
            has_files = any(True for _ in os.scandir(entry.path))
            if name not in known:
                if first is not None and period < Period.parse(first):
                    reason = f"{name} is before the first reporting period the warehouse knows ({first}, the first_period setting): its files are not read"
                else:
                    reason = f"{name} is more than a year ahead: its files are not read until the pipeline knows the quarter"
                scan.notes.append(FileReport(path=shown, status="noted" if not has_files else "rejected", reason=reason))
                scan.notes += _list_inside(Path(entry.path), shown, reason)
            elif period.first_day > today:
                reason = f"{name} has not started yet (it starts on {period.first_day:%d %B %Y}): a return for it cannot be read before then"
                scan.notes.append(FileReport(path=shown, status="noted" if not has_files else "rejected", reason=reason))
                scan.notes += _list_inside(Path(entry.path), shown, reason)
            elif not has_files and period.due >= today:
                scan.notes.append(FileReport(path=shown, status="noted", reason=f"empty folder: no returns yet for {name} (due {period.due:%d %B %Y})"))
            else:
                if not has_files:
                    scan.notes.append(FileReport(path=shown, status="noted", reason=f"empty folder: no return has arrived for {name}, due {period.due:%d %B %Y}"))
                scan.periods.append(name)
    return scan


def period_folders(raw: Path, today: date | None = None) -> list[str]:
    """The period folders a refresh reads (see scan_returns_folder), oldest first."""
    return sorted(scan_returns_folder(raw, today).periods, key=Period.parse)


LOCK_FILE = re.compile(r"^(~\$|\.~lock\.)(?P<name>.+?)(#)?$")


def discover(raw: Path, period: str, settle: float | None = None) -> tuple[list[tuple[Path, str]], list[FileReport]]:
    """Return files directly in raw/returns/<period>/; anything else there is reported, not read.

    The period folder itself must be a real folder, and links inside it are refused, so a
    name in it can only ever point at a file in it. A file modified less than `settle`
    seconds ago is left for the next run (`waiting`).
    """
    folder = returns_dir(raw) / period
    found: list[tuple[Path, str]] = []
    refused: list[FileReport] = []
    if not folder.is_dir() or folder.is_symlink():
        return found, refused
    settle = settle_seconds() if settle is None else settle
    now = time.time()
    prefix = f"returns/{period}/"
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            name = shown_name(entry.name)  # as kept and printed: a name that may be personal data is withheld
            reason, status = None, "rejected"
            lock = LOCK_FILE.match(entry.name)
            if lock:
                reason = (
                    f"the lock file of {quoted(lock['name'], 80)}, which is open in Excel or LibreOffice: the file is read as "
                    "last saved; close it so that what is on screen is what the warehouse reads"
                )
                status = "noted"
            elif entry.name.startswith("."):
                reason = "a hidden or system file, not a return"
                status = "noted"
            elif entry.is_symlink():
                reason = "a symbolic link, not a file: copy the return itself into the folder"
            elif entry.is_dir():
                reason = "a folder inside a period folder: put returns directly in the period folder"
            elif os.path.splitext(entry.name)[1].lower() not in RETURN_SUFFIXES:
                reason = refusal(Path(entry.path)) or f"not a return: expected a .csv or .xlsx file, got {quoted(os.path.splitext(entry.name)[1], 20)}"
            if reason:
                refused.append(FileReport(path=prefix + name, status=status, reason=reason))
                continue
            report = FileReport(path=prefix + name)
            try:
                stat = entry.stat(follow_symlinks=False)
            except OSError as error:
                refused.append(FileReport(path=prefix + name, status="rejected", reason=f"cannot read file: {error.strerror or error}"))
                continue
            if stat.st_nlink > 1:
                refused.append(FileReport(path=prefix + name, status="rejected", reason=(
                    f"a hard link ({stat.st_nlink} names for one file on disk, so it may be a file from outside raw/): "
                    "not read; copy the return itself into the folder")))
                continue
            if recently_modified(report, stat.st_mtime, settle, now):
                report.size_bytes = stat.st_size
                refused.append(report)
                continue
            found.append((Path(entry.path), prefix + name))
    return found, refused


def disk_path(raw: Path, shown: str) -> Path:
    """The file on disk a path as shown names: itself, or the file whose withheld name it stands for."""
    path = raw / shown
    if NAME_WITHHELD.match(path.name) and path.parent.is_dir():
        with os.scandir(path.parent) as entries:
            for entry in entries:
                if shown_name(entry.name) == path.name:
                    return Path(entry.path)
    return path


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

number_parts as (
    select *, {PARTS_SQL}
    from rows
),

number_readings as (
    select *, {READINGS_SQL}
    from number_parts
),

number_checks as (
    select *, {CHECKS_SQL}
    from number_readings
),

number_evidence as (
    select *, {EVIDENCE_SQL}
    from number_checks
),

number_convention as (
    select *, {CONVENTION_SQL}
    from number_evidence
),

numbers as (
    select *, {VALUE_SQL}
    from number_convention
),

typed as (
    select
        numbers.*,
        contracts.contract_id is not null as contract_known,
        indicators.indicator_code is not null as measure_known,
        indicators.unit,
        indicators.kind,
        indicators.bounded_by,
        targets.indicator_code is not null as contract_reports_measure,
        -- targets are optional: a contract with none for the year may report any indicator of the catalogue
        targeted.contract_id is not null as contract_has_targets,
        case when regexp_full_match(c_period, '{PERIOD_SQL_REGEX}')
             and (cast(substr(c_period, 1, 4) as integer) + 1) % 100 = cast(substr(c_period, 6, 2) as integer)
             then true else false end as period_well_formed,
        {sql_macros.sql('financial_year_of', 'c_period')} as financial_year
    from numbers
    left join (
        -- a contract, or a service group (contracts that report one count together; the return names the group)
        select distinct trim(contract_id) as contract_id from {{contracts}}
        union
        select distinct trim(service_group) from {{contracts}} where nullif(trim(service_group), '') is not null
    ) as contracts
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
        and targets.financial_year = {sql_macros.sql('financial_year_of', 'numbers.c_period')}
    left join (
        select distinct trim(contract_id) as contract_id, trim(financial_year) as financial_year from {{targets}}
    ) as targeted
        on targeted.contract_id = numbers.c_contract
        and targeted.financial_year = {sql_macros.sql('financial_year_of', 'numbers.c_period')}
),

-- A file is one contract's return: the contract most of its rows name. A row for another
-- contract is quarantined, so it can never stand in for that contract's own return.
contract_rows as (
    select _source_file, c_contract, count(*) as rows_for_contract
    from typed
    where contract_known
    group by all
),

file_contracts as (
    select _source_file, list(c_contract order by c_contract) as file_contracts
    from (
        select *, max(rows_for_contract) over (partition by _source_file) as most
        from contract_rows
    )
    where rows_for_contract = most
    group by _source_file
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
    select
        typed.*,
        coalesce(duplicates.times_in_file, 1) as times_in_file,
        duplicates.rows_with_measure,
        coalesce(file_contracts.file_contracts, []) as file_contracts
    from typed
    left join duplicates using (_source_file, c_contract, c_period, c_measure)
    left join file_contracts using (_source_file)
),

checked as (
    select
        *,
        list_filter([
            case
                when c_contract = '' then {{'column': 'contract_id', 'reason': 'no contract_id'}}
                when not contract_known then {{'column': 'contract_id', 'reason': 'unknown contract_id ''' || left(c_contract, 60) || ''' (not in raw/framework/contracts.csv)'}}
                when len(file_contracts) > 1 then {{'column': 'contract_id', 'reason': 'the file holds rows for ' || array_to_string(file_contracts[1:3], ' and ')
                    || ' in equal numbers: a return holds one contract''s figures; send each contract''s return in a file of its own'}}
                when c_contract != file_contracts[1] then {{'column': 'contract_id', 'reason': 'a row for contract ' || c_contract || ' in a return for '
                    || file_contracts[1] || ': a return holds one contract''s figures; send the figures of ' || c_contract || ' in a file of their own'}}
            end,
            case
                when c_period = '' then {{'column': 'period', 'reason': 'no period'}}
                when not period_well_formed then {{'column': 'period', 'reason': 'period ''' || left(c_period, 40) || ''' is not like ''2016-17 Q1'', ''2016-17 H1'' or ''2016-17'''}}
                when folder_period != '' and c_period != folder_period then {{'column': 'period', 'reason': 'period ' || c_period || ' does not match its folder ' || folder_period}}
            end,
            case
                when c_measure = '' then {{'column': 'measure', 'reason': 'no measure'}}
                when c_measure != 'spend_gbp' and not measure_known then {{'column': 'measure', 'reason': 'measure ''' || left(c_measure, 60) || ''' is neither spend_gbp nor an indicator in raw/reference/indicators.csv'}}
                when c_measure != 'spend_gbp' and contract_known and period_well_formed and contract_has_targets
                    and not contract_reports_measure
                    then {{'column': 'measure', 'reason': 'indicator ' || c_measure || ' is not one contract ' || c_contract || ' reports (no target for it in ' || financial_year || ')'}}
                when times_in_file > 1 then {{'column': 'measure', 'reason': c_measure || ' appears ' || times_in_file || ' times in this file (rows ' || rows_with_measure || ')'}}
            end,
            case
                when c_value_text = '' then {{'column': 'value', 'reason': 'no value'}}
                when c_value_text = '#FORMULA-WITHOUT-VALUE' then {{'column': 'value', 'reason': 'a formula with no calculated value: open and save the workbook in Excel or LibreOffice'}}
                when c_value is null and n_readable then {{'column': 'value', 'reason': {AMBIGUOUS_REASON_SQL}}}
                when c_value is null then {{'column': 'value', 'reason': 'value ''' || left(c_value_text, 40) || ''' is not a number'}}
                when not isfinite(c_value) then {{'column': 'value', 'reason': 'value is not a finite number'}}
                -- A unit written with the value must be the measure's own: '%' only for a percentage,
                -- '£' only for money (spend, or an indicator in pounds). Never read past.
                when contains(c_value_text, '%') and coalesce(unit, '') != 'percent' then {{'column': 'value', 'reason':
                    'value ''' || left(c_value_text, 40) || ''' is a percentage, but ' || c_measure || ' is '
                    || case when c_measure = 'spend_gbp' then 'money (pounds spent)' else 'a ' || coalesce(unit, 'number') end
                    || ', not a percentage: write the ' || case when c_measure = 'spend_gbp' then 'amount in pounds' else coalesce(unit, 'number') end}}
                when contains(c_value_text, '£') and c_measure != 'spend_gbp' and coalesce(unit, '') != 'gbp' then {{'column': 'value', 'reason':
                    'value ''' || left(c_value_text, 40) || ''' is an amount of money, but ' || c_measure || ' is a '
                    || coalesce(unit, 'number') || ', not pounds: write the ' || coalesce(unit, 'number') || ' without £'}}
                when c_measure = 'spend_gbp' and c_value < 0 then {{'column': 'value', 'reason': 'negative spend'}}
                when c_measure = 'spend_gbp' and c_value > {MAX_SPEND_GBP} then {{'column': 'value', 'reason': 'spend over £1bn in a quarter is not plausible'}}
                when c_value < 0 then {{'column': 'value', 'reason': 'negative value for ' || c_measure}}
                when unit = 'percent' and c_value > 100 then {{'column': 'value', 'reason': 'percentage ' || c_value_text || ' is outside 0 to 100'}}
                when unit = 'count' and c_value != floor(c_value) then {{'column': 'value', 'reason': 'a count must be a whole number, not ' || c_value_text
                    || case when n_file_decimal_comma then ' (read as ' || {number_text('c_value')} || ', as this file writes a decimal comma)' else '' end}}
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
    -- A figure above the indicator that bounds it (supported above referred) is not refused: people
    -- supported in a year include referrals of earlier years. It loads, and the warehouse lists it as
    -- a finding with both figures (marts.fct_indicator_value.exceeds_bound).
    select * from checked
),

screened as (
    -- A row that may hold personal data shows only that reason: the others would repeat the value.
    select
        * exclude (problems),
        problems as all_problems,
        case
            when list_bool_or(list_transform(problems, lambda p: starts_with(p.reason, 'personal data')))
                then list_filter(problems, lambda p: starts_with(p.reason, 'personal data'))
            else problems
        end as problems
    from bounded
)

select * from screened
"""


def catalogue_sql(indicators: str = "raw.indicators", plan_elements: str = "raw.plan_elements") -> str:
    """Every indicator a return may report: the catalogue's, and those a plan defines (rows of kind indicator)."""
    # one row per code: several plans may define the same indicator (import-allocations refuses two meanings)
    return (
        "(select indicator_code, any_value(unit) as unit, any_value(kind) as kind, any_value(bounded_by) as bounded_by from ("
        f"select upper(trim(indicator_code)) as indicator_code, unit, kind, bounded_by from {indicators} union all "
        f"select upper(trim(code)), coalesce(nullif(lower(trim(unit)), ''), 'count'), "
        f"coalesce(nullif(lower(trim(indicator_kind)), ''), 'output'), bounded_by "
        f"from {plan_elements} where lower(trim(kind)) = 'indicator') group by all)"
    )


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
