"""What a provider or an analyst does with one return: get a template, check a filled one.

`validate_file` runs exactly the rules the pipeline runs (ingest.returns), with
the reference data read from the raw folder by the same loaders.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from opcc.core import sql_macros
from opcc.core.periods import RHYTHM_KINDS, Period, is_period
from opcc.core.queries import connect_locked
from opcc.core.settings import setting
from opcc.ingest.csvfiles import FileReport
from opcc.ingest.personal_data import shown_name
from opcc.ingest.raw_tables import RAW_TABLES_BY_NAME, read_raw_table, write_raw_table
from opcc.ingest.return_template import TemplateHeader, template_lines_for, write_template
from opcc.ingest.returns import read_returns, validate_returns

# A return row's financial year, as the models read it.
FINANCIAL_YEAR = sql_macros.sql("financial_year_of", "r.period")
REFERENCE_FOR_RETURNS = ("contracts", "indicators", "plan_elements", "targets", "framework_versions", "allocation_lines")


class TemplateError(ValueError):
    pass


def make_template(live: Path, contract_id: str, period_text: str, out: Path | None = None) -> Path:
    period = Period.parse(period_text)
    if out is not None and out.suffix.lower() != ".xlsx":
        # A workbook named .csv opens as nonsense, and a provider's reply in it is refused as unreadable.
        raise TemplateError(f"{out}: a return template is a workbook: name it with .xlsx")
    with connect_locked(live) as con:
        contract = con.execute(
            "select initiative_name, provider, plan_code, reporting_rhythm from marts.dim_contract where contract_id = ?",
            [contract_id],
        ).fetchone()
        if contract is None:
            raise TemplateError(f"no contract {contract_id} in the warehouse {live}")
        rhythm_problem = rhythm_mismatch(contract_id, contract[3], period)
        if rhythm_problem:
            raise TemplateError(rhythm_problem)
        measures = con.execute(
            """
            select i.indicator_code, i.indicator_name, i.unit
            from staging.stg_reference__targets t
            join marts.dim_indicator i on i.indicator_code = t.indicator_code and i.plan_code = ?
            where t.contract_id = ? and t.financial_year = ?
            order by i.strategic_priority, case i.kind when 'activity' then 1 when 'output' then 2 else 3 end, i.indicator_code
            """,
            [contract[2], contract_id, period.financial_year],
        ).fetchall()
    if not measures:
        raise TemplateError(
            f"contract {contract_id} has no targets for {period.financial_year}: add them to raw/reference/targets.csv"
        )
    out = out or Path(f"{contract_id} {period} return.xlsx")
    header = TemplateHeader(contract_id, contract[0], contract[1], str(period), period.months, period.due)
    return write_template(out, header, template_lines_for(measures))


def rhythm_mismatch(contract_id: str, rhythm: str | None, period: Period) -> str | None:
    """Why a contract of this reporting rhythm makes no return for the period, or None when it does."""
    if rhythm is None or rhythm == period.reporting_rhythm:
        return None
    if rhythm not in RHYTHM_KINDS:
        return f"contract {contract_id} is a one-off award (returns: {rhythm}): no return is expected from it"
    example = Period.containing(period.first_day, rhythm)
    return (
        f"contract {contract_id} reports {rhythm}, so its returns are for periods like '{example}', not the "
        f"{period.kind} {period}"
    )


@dataclass
class FileCheck:
    report: FileReport
    problems: list[dict]
    rows_ok: int

    @property
    def ok(self) -> bool:
        return self.report.status != "rejected" and not self.problems


def reference_connection(raw: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory database holding the reference tables the return rules need, read from `raw`."""
    con = duckdb.connect()
    con.execute("create schema raw")
    for name in REFERENCE_FOR_RETURNS:
        loaded = read_raw_table(raw, RAW_TABLES_BY_NAME[name])
        if loaded.missing:
            raise FileNotFoundError(f"{raw / loaded.spec.pattern} is needed to check a return")
        write_raw_table(con, loaded)
    return con


def validate_file(path: Path, raw: Path, period: str | None = None) -> FileCheck:
    """Every problem with one return, by the same code the refresh runs: the file's kind and
    encoding, every row rule, and what the return leaves out (as warnings)."""
    folder = path.parent.name
    if period is None and is_period(folder):
        period = folder
    name = shown_name(path.name)  # as the refresh shows it (a name with bytes that are not UTF-8 cannot be kept as it is)
    shown = f"returns/{period}/{name}" if period else name
    bulk = read_returns([(path, shown)])
    report = bulk.files[shown]
    problems = [
        {"row_number": q["row_number"], "column_name": q["column_name"] or "(row)", "reason": q["reason"]}
        for q in bulk.quarantined
    ]
    rows_ok = 0
    if report.read:
        with reference_connection(raw) as con:
            checked = validate_returns(con, bulk.table)
            report.warnings += _omissions(con, checked.loaded)
        problems += [{k: p[k] for k in ("row_number", "column_name", "reason")} for p in checked.problems]
        rows_ok = checked.loaded.num_rows
    problems.sort(key=lambda p: (p["row_number"] or 0, p["column_name"]))
    return FileCheck(report, problems, rows_ok)


def _omissions(con: duckdb.DuckDBPyConnection, loaded) -> list[str]:
    """What a return that loads leaves out: spend, or indicators the contract has targets for."""
    if loaded.num_rows == 0:
        return []
    con.register("_loaded", loaded)
    found = con.execute(
        f"""
        with reported as (select distinct contract_id, period, measure from _loaded),
        expected as (
            select distinct r.contract_id, r.period, upper(trim(t.indicator_code)) as measure
            from (select distinct contract_id, period from reported) as r
            join raw.targets as t on trim(t.contract_id) = r.contract_id and trim(t.financial_year) = {FINANCIAL_YEAR}
        )
        select
            bool_or(measure = 'spend_gbp') as has_spend,
            (select string_agg(measure, ', ' order by measure) from expected
             where measure not in (select measure from reported)) as missing
        from reported
        """
    ).fetchall()[0]
    rhythms = con.execute(
        f"""
        with reported as (select distinct contract_id, period from _loaded),
        lines as (
            select trim(l.contract_id) as contract_id, trim(v.financial_year) as financial_year,
                   coalesce(nullif(lower(trim(l.returns_printed)), ''), ?) as rhythm,
                   try_cast(v.version_number as integer) as version_number
            from raw.allocation_lines as l
            join raw.framework_versions as v on split_part(v._source_file, '/', 2) = split_part(l._source_file, '/', 2)
        )
        select r.contract_id, r.period, arg_max(lines.rhythm, lines.version_number)
        from reported as r
        join lines on lines.contract_id = r.contract_id and lines.financial_year = {FINANCIAL_YEAR}
        group by all order by all
        """,
        [str(setting("default_reporting_rhythm"))],
    ).fetchall()
    con.unregister("_loaded")
    warnings = []
    for contract_id, period, rhythm in rhythms:
        if is_period(period):
            mismatch = rhythm_mismatch(contract_id, rhythm, Period.parse(period))
            if mismatch:
                warnings.append(f"{mismatch}: the refresh loads it, but no return of this period is expected from it")
    if not found[0]:
        warnings.append("no spend_gbp row: if the spend is sent in another file, the refresh takes each figure from the latest file that reports it")
    if found[1]:
        warnings.append(f"no row for indicators the contract has targets for: {found[1]}")
    return warnings
