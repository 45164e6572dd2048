"""What the quarterly performance review shows: one commissioner's rows of the reporting models.

Every figure, status and sentence of the pack is made by the dbt models of
`dbt_project/models/reporting/` (schema `reporting`); this module only selects
one commissioner's rows for one period and hands them to the page and the
workbook, which render the same data. The one thing the models cannot see is
the outcome of the quality rules, which run after them: that is read from
audit.quality_results and counted with the same `summarise_recorded` the
refresh and `opcc check` use.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from opcc.core.periods import Period
from opcc.core.settings import default_commissioner
from opcc.quality import Counts, summarise_recorded
from opcc.reporting.declared import TableSpec, query, specs, words
from opcc.reporting.findings import sentence
from opcc.reporting.pack_rows import PackRows


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[tuple]
    labels: dict[str, str] = field(default_factory=dict)  # column -> header a person reads
    note: str = ""
    money: set[str] = field(default_factory=set)  # shown as £
    percent: set[str] = field(default_factory=set)  # ratios shown as %
    counts: set[str] = field(default_factory=set)  # whole numbers
    rag: set[str] = field(default_factory=set)  # statuses shown as coloured badges with their word
    empty: str = "None."  # what the page says when there are no rows
    sheet: str | None = None  # its sheet in the workbook
    slicers: str | None = None  # contract or priority: the key whose slicing columns the workbook adds
    widths: dict[str, int] = field(default_factory=dict)  # column -> width in the workbook
    sheet_only: set[str] = field(default_factory=set)  # columns the workbook shows and the page does not

    def label(self, column: str) -> str:
        return self.labels.get(column) or column.replace("_gbp", "").replace("_", " ")

    def records(self) -> list[dict]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass
class RuleFinding:
    suite: str
    rule: str
    severity: str  # warning, blocking, hold back
    rows_failing: int
    rows_checked: int
    examples: list[str]  # the failing rows that are this commissioner's (as identified by the suite)
    about_framework: bool = False  # the rows are entries of the commissioner's framework, explained in words elsewhere
    sentence: str | None = None  # the finding as the refresh summary and `opcc check` say it, for these rows


@dataclass
class ReviewData:
    commissioner: str
    commissioner_name: str
    period: str
    financial_year: str
    months: str
    framework_version: str
    refreshed_at: str
    sample_data: bool
    summary: dict
    attention: list[dict]
    contracts: Table
    tables: dict[str, Table]  # every declared table, by key
    slicers: dict[str, dict[str, dict]]  # contract or priority -> its slicing columns, by id
    contract_history: dict[str, list[dict]]  # contract -> its quarters of the year to date
    indicators: dict[str, list[dict]]  # contract -> its indicators this period
    comments: dict[str, list[dict]]  # contract -> provider comments, year to date
    theme_spend: Table
    cost_trend: list[dict]  # per priority: its headline outcome's cost per outcome by quarter
    quarters: list[str]  # the quarters of the year to date
    cost_per_outcome: Table
    service_costs: Table
    returns_by_quarter: list[dict]
    returns_exceptions: Table
    budget: Table
    coverage: Table
    rule_counts: Counts
    rule_findings: list[RuleFinding]
    data_quality: Table
    streams: Table | None = None  # each funding stream of the year with its own totals
    lacks: dict[str, str] = field(default_factory=dict)  # section -> why it has nothing to show
    long_trend: list[dict] = field(default_factory=list)  # per priority: cost per headline outcome, every quarter held
    all_quarters: list[str] = field(default_factory=list)  # every quarter up to the pack's, across years
    data_docs: Path | None = None


class NoPack(ValueError):
    """The warehouse has nothing for this commissioner and period; the message says what it has."""


def _declared(rows: PackRows, table: TableSpec, params: dict, commissioner: str, **context) -> Table:
    """One commissioner's rows of a table its reporting model declares (opcc/reporting/declared.py)."""
    query(table, {**params, "commissioner": commissioner})  # a table that uses a parameter nobody gives says so
    selected = ", ".join(f'"{c.name}"' for c in table.columns)
    units = {c.name: c.unit for c in table.columns}
    return Table(
        table.key,
        words(table.title, **context),
        [c.name for c in table.columns],
        rows.select(selected, f"reporting.{table.model}", table.where, table.order, params, commissioner)[1],
        labels={c.name: words(c.label, **context) for c in table.columns if c.label is not None},
        note=words(table.note, **context),
        money={c for c, unit in units.items() if unit == "money"},
        percent={c for c, unit in units.items() if unit == "percent"},
        counts={c for c, unit in units.items() if unit == "count"},
        rag={c for c, unit in units.items() if unit == "rag"},
        empty=words(table.empty, **context),
        sheet=table.sheet,
        slicers=table.slicers,
        widths={c.name: c.width for c in table.columns if c.width},
        sheet_only={c.name for c in table.columns if not c.page},
    )


def _cost_trend(rows: PackRows, commissioner: str, fy: str, period: str) -> dict[str, dict]:
    """Per priority, its headline outcome's cost per outcome by quarter of the year to date."""
    trend: dict[str, dict] = {}
    for row in rows.records(
        "strategic_priority, priority_name, indicator_code, indicator_name, period, cost_per_outcome_gbp",
        "reporting.rpt_cost_per_outcome",
        "commissioner_code = $commissioner and financial_year = $financial_year and period <= $period "
        "and period_basis = 'quarter' and is_headline",
        "priority_number, strategic_priority, indicator_code, period",
        {"financial_year": fy, "period": period},
        commissioner,
    ):
        entry = trend.setdefault(
            row["strategic_priority"],
            {"priority": row["strategic_priority"], "priority_name": row["priority_name"] or "",
             "indicator": row["indicator_code"], "indicator_name": row["indicator_name"] or "", "points": []},
        )
        if row["indicator_code"] == entry["indicator"]:
            cost = row["cost_per_outcome_gbp"]
            entry["points"].append((row["period"], float(cost) if cost is not None else None))
    return trend


def _long_trend(rows: PackRows, commissioner: str, period: str) -> tuple[list[dict], list[str]]:
    """Each priority's cost per headline outcome in every quarter up to the pack's, across years."""
    panels: dict[str, dict] = {}
    quarters: list[str] = []
    for row in rows.records(
        "period, subject, subject_name, cost_per_outcome_gbp",
        "reporting.rpt_direction_of_travel",
        "commissioner_code = $commissioner and period <= $period and level = 'priority'",
        "subject_order, subject, period",
        {"period": period},
        commissioner,
    ):
        panel = panels.setdefault(row["subject"], {"priority": row["subject"], "priority_name": (row["subject_name"] or "").split(": ")[0], "points": []})
        cost = row["cost_per_outcome_gbp"]
        panel["points"].append((row["period"], None if cost is None else float(cost)))
        quarters.append(row["period"])
    return list(panels.values()), sorted(set(quarters))


def _slicers(rows: PackRows, commissioner: str, fy: str) -> dict[str, dict[str, dict]]:
    """The columns the workbook adds for slicing: per contract (rpt_contract_slicers) and per strategic
    priority of the year's plan (its theme and national outcome area)."""
    contracts = rows.records(
        "slicers.* exclude (commissioner_code)", "reporting.rpt_contract_slicers as slicers",
        "slicers.commissioner_code = $commissioner", "", {}, commissioner,
    )
    priorities = rows.records(
        "distinct priorities.strategic_priority, priorities.strategic_theme, "
        "priorities.national_outcome_area_name as national_outcome_area",
        "marts.dim_strategic_priority as priorities "
        "inner join marts.dim_framework_version as versions on versions.plan_code = priorities.plan_code",
        "versions.commissioner_code = $commissioner and versions.financial_year = $financial_year and versions.is_latest",
        "",
        {"financial_year": fy},
        commissioner,
    )
    return {
        "contract": {r.pop("contract_id"): r for r in contracts},
        "priority": {r.pop("strategic_priority"): r for r in priorities},
    }


def available_periods(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("select period from raw.return_periods order by period").fetchall()]


def _grouped(records: list[dict], key: str = "contract_id") -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for record in records:
        grouped.setdefault(record[key], []).append(record)
    return grouped


def _owner(example: str, codes: set[str]) -> str | None:
    """The commissioner a suite's failing-row label names: its first part is a commissioner code
    ('LEI / 2016-17 v1 / ...') or a contract id ('LEI-027 / 2016-17 Q3: ...')."""
    first = example.split(":", 1)[0].split(" / ", 1)[0].strip()
    if first in codes:
        return first
    prefix = first.rsplit("-", 1)[0]
    return prefix if prefix in codes else None


def _rules_failed(con) -> tuple[set[str], list[tuple]]:
    """Every commissioner code a failing row's label may name, and the rules that flagged rows."""
    codes = {r[0] for r in con.execute("select commissioner_code from reporting.rpt_period_summary").fetchall()}
    codes |= {r[0] for r in con.execute("select commissioner_code from marts.dim_commissioner").fetchall()}
    failed = con.execute(
        "select suite, rule, severity, rows_failing, rows_checked, failing_sample from audit.quality_results "
        "where not passed order by case severity when 'warning' then 2 else 1 end, suite, rule"
    ).fetchall()
    return codes, failed


def rule_findings(con, commissioner: str, failed: tuple[set[str], list[tuple]] | None = None) -> list[RuleFinding]:
    """The rules that flagged data, with the failing rows that are this commissioner's. A rule whose
    every listed row is another commissioner's is left out; one with more failing rows than it
    listed stays in, since some of those may be this commissioner's. `failed` is _rules_failed(con),
    when it was read already."""
    codes, rules = failed or _rules_failed(con)
    findings = []
    for suite, rule, severity, failing, checked, sample in rules:
        listed = [s.strip() for s in (sample or "").split("; ") if s.strip()]
        mine = [s.split(":", 1)[0].replace(" / ", ", ") for s in listed if _owner(s, codes) == commissioner]
        unowned = [s for s in listed if _owner(s, codes) is None]
        if not mine and not unowned and len(listed) >= (failing or 0):
            continue
        # Rows named by commissioner and framework version are entries of a published document:
        # the pack explains those in words (rpt_data_quality), not by their place in the text.
        framework = bool(mine) and all(s.split(" / ", 1)[0].strip() == commissioner for s in listed if _owner(s, codes) == commissioner)
        complete = len(listed) >= (failing or 0)  # every failing row was recorded, so they can be counted
        said = sentence(suite, rule, [s for s in listed if _owner(s, codes) == commissioner], int(checked or 0)) if complete and not framework else None
        findings.append(RuleFinding(suite, rule, severity, int(failing or 0), int(checked or 0), [] if framework else mine, framework, said))
    return findings


def years_with_allocations(con: duckdb.DuckDBPyConnection, commissioner: str) -> list[str]:
    """The financial years in which the commissioner has a current version of any funding stream."""
    return [
        r[0] for r in con.execute(
            "select distinct financial_year from marts.dim_framework_version where commissioner_code = ? and is_latest order by 1",
            [commissioner],
        ).fetchall()
    ]


def _lacks(summary: dict, period: str, contracts: Table, trend: dict) -> dict[str, str]:
    """Per section of the pack with nothing to show: why, in words."""
    lacks = {}
    if not summary["plan_has_themes"]:
        lacks["spend"] = "The plan in force has no strategic themes, so allocation and spend are shown by funding mechanism."
    if not summary["has_returns_folder"] and summary["returns_expected"] == 0:
        lacks["returns"] = (
            f"No provider return for {period} has been received or is expected yet (raw/returns/{period}/ has none), "
            "so spend and outcomes are not known; the allocations are shown."
        )
    elif summary["received_on_time"] + summary["received_late"] + summary["resubmitted"] + summary.get("received_date_unknown", 0) == 0:
        lacks["returns"] = f"No provider return for {period} has been received, so spend and outcomes are not known yet."
    if not contracts.rows:
        lacks["contracts"] = (
            f"No contract of this commissioner reports for {period}: its contracts report "
            + (", ".join(summary["reporting_rhythms"]) if summary.get("reporting_rhythms") else "in other periods")
            + "."
        )
    if not trend:
        lacks["cost"] = "No headline outcome has been reported for this commissioner's priorities this year."
    return lacks


def _period_summary(rows: PackRows, commissioner: str, parsed: Period, periods: list[str]) -> dict:
    """The pack's headline row, or why there is no pack (an unknown commissioner, a year without allocations)."""
    known = rows.shared("commissioners", lambda con: [r[0] for r in con.execute("select commissioner_code from marts.dim_commissioner order by 1").fetchall()])
    if commissioner not in known:
        raise NoPack(f"no commissioner '{commissioner}' in this warehouse (commissioners: {', '.join(known) or 'none'})")
    fy, period = parsed.financial_year, str(parsed)
    summaries = rows.records(
        "summary.*", "reporting.rpt_period_summary as summary",
        "summary.commissioner_code = $commissioner and summary.period = $period", "", {"period": period}, commissioner,
    )
    if not summaries:
        years = years_with_allocations(rows.con, commissioner)
        with_returns = [p for p in periods if Period.parse(p).financial_year in years]
        raise NoPack(
            f"no allocations of commissioner {commissioner} for {fy} in this warehouse, so no pack for {period} "
            f"(years with allocations: {', '.join(years) or 'none'}; any quarter, half-year or year of them has a pack"
            + (f"; periods with returns: {', '.join(with_returns)}" if with_returns else "") + ")"
        )
    return summaries[0]


def _year_to_date(rows: PackRows, commissioner: str, fy: str, period: str) -> tuple[list[dict], list[dict], list[dict]]:
    """The year to date of the pack's period: each contract's quarters, the providers' comments, the returns by quarter."""
    year_to_date = {"financial_year": fy, "period": period}
    history = rows.records(
        "status.*", "reporting.rpt_contract_status as status",
        "status.commissioner_code = $commissioner and status.financial_year = $financial_year and status.period <= $period",
        "status.contract_id, status.period", year_to_date, commissioner,
    )
    comments = rows.records(
        "contract_id, period, measure, comment", "reporting.rpt_provider_comments",
        "commissioner_code = $commissioner and financial_year = $financial_year and period <= $period",
        "contract_id, period, measure", year_to_date, commissioner,
    )
    returns_by_quarter = rows.records(
        "period, returns_expected, received_on_time, received_late, resubmitted, missing", "reporting.rpt_returns_by_quarter",
        "commissioner_code = $commissioner and financial_year = $financial_year and period <= $period",
        "period", year_to_date, commissioner,
    )
    return history, _grouped(comments), returns_by_quarter


def load(
    con: duckdb.DuckDBPyConnection,
    period: str,
    commissioner: str | None = None,
    data_docs: Path | None = None,
    rows: PackRows | None = None,
) -> ReviewData:
    """One commissioner's pack for a period; `rows` reads it together with other packs of the period
    (a pack it does not cover reads its rows alone)."""
    try:
        parsed = Period.parse(period)
    except ValueError as error:
        raise NoPack(str(error)) from None
    period = str(parsed)
    commissioner = commissioner or default_commissioner()
    if rows is None or not rows.covers(period, commissioner):
        rows = PackRows(con, period, [commissioner])
    periods = list(rows.shared("periods", available_periods))
    fy = parsed.financial_year
    summary = _period_summary(rows, commissioner, parsed, periods)
    params = {"period": period, "financial_year": fy, "year_complete": parsed.last_quarter == 4}
    themes = rows.select(
        "grouped_by", "reporting.rpt_theme_spend", "commissioner_code = $commissioner and period = $period", "", {"period": period}, commissioner
    )[1]
    grouped_by = next((value for (value,) in themes if value is not None), None) or "strategic theme"  # any_value: the first that is not null
    tables = {
        key: _declared(rows, table, params, commissioner, grouped_by=grouped_by, financial_year=fy, period=period)
        for key, table in specs().items()
    }
    attention = tables["attention"].records()
    history, comments, returns_by_quarter = _year_to_date(rows, commissioner, fy, period)
    indicators = _grouped([r for r in tables["indicators"].records() if r["period"] == period])
    quarters = [p for p in periods if p.startswith(fy) and p <= period and Period.parse(p).kind == parsed.kind]
    trend = _cost_trend(rows, commissioner, fy, period)
    contracts = tables["contracts"]
    lacks = _lacks(summary, period, contracts, trend)
    long_trend, all_quarters = _long_trend(rows, commissioner, period)
    return ReviewData(
        commissioner=commissioner,
        commissioner_name=summary["commissioner_name"],
        period=period,
        financial_year=fy,
        months=summary["months"] or parsed.months,
        framework_version=summary["framework_version"],
        refreshed_at=str(summary["returns_loaded_at"] or "")[:16] or "none yet",
        sample_data=bool(summary["is_sample_data"]),
        summary=summary,
        attention=attention,
        contracts=contracts,
        tables=tables,
        slicers=_slicers(rows, commissioner, fy),
        contract_history=_grouped(history),
        indicators=indicators,
        comments=comments,
        theme_spend=tables["spend"],
        cost_trend=list(trend.values()),
        quarters=quarters,
        cost_per_outcome=tables["cost"],
        service_costs=tables["service_costs"],
        returns_by_quarter=returns_by_quarter,
        returns_exceptions=tables["returns"],
        budget=tables["budget"],
        coverage=tables["coverage"],
        rule_counts=copy.copy(rows.shared("rule counts", summarise_recorded)),
        rule_findings=rule_findings(con, commissioner, rows.shared("rules failed", _rules_failed)),
        data_quality=tables["quality"],
        streams=tables["streams"],
        lacks=lacks,
        data_docs=data_docs,
        long_trend=long_trend,
        all_quarters=all_quarters,
    )
