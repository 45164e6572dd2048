# size: every pack table is defined here until the tables move to their rpt_* models' meta (issue 24, item 3).
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

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from opcc.core.periods import Period
from opcc.core.settings import default_commissioner, setting
from opcc.quality import Counts, summarise_recorded


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
    data_docs: Path | None = None

    def tables(self) -> list[Table]:
        return [
            self.contracts, self.theme_spend, self.service_costs, self.cost_per_outcome, self.returns_exceptions, self.budget,
            self.coverage, self.data_quality, *([self.streams] if self.streams is not None else []),
        ]


class NoPack(ValueError):
    """The warehouse has nothing for this commissioner and period; the message says what it has."""


def _select(con, sql: str, params) -> tuple[list[str], list[tuple]]:
    relation = con.execute(sql, list(params))
    return [d[0] for d in relation.description], relation.fetchall()


def _records(con, sql: str, params) -> list[dict]:
    columns, rows = _select(con, sql, params)
    return [dict(zip(columns, row, strict=True)) for row in rows]


def _table(con, key: str, title: str, sql: str, params, **options) -> Table:
    columns, rows = _select(con, sql, params)
    options = {k: set(v) if k in ("money", "percent", "counts", "rag") else v for k, v in options.items()}
    return Table(key, title, columns, rows, **options)


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


def rule_findings(con, commissioner: str) -> list[RuleFinding]:
    """The rules that flagged data, with the failing rows that are this commissioner's. A rule whose
    every listed row is another commissioner's is left out; one with more failing rows than it
    listed stays in, since some of those may be this commissioner's."""
    codes = {r[0] for r in con.execute("select commissioner_code from reporting.rpt_period_summary").fetchall()}
    codes |= {r[0] for r in con.execute("select commissioner_code from marts.dim_commissioner").fetchall()}
    findings = []
    for suite, rule, severity, failing, checked, sample in con.execute(
        "select suite, rule, severity, rows_failing, rows_checked, failing_sample from audit.quality_results "
        "where not passed order by case severity when 'warning' then 2 else 1 end, suite, rule"
    ).fetchall():
        listed = [s.strip() for s in (sample or "").split("; ") if s.strip()]
        mine = [s.split(":", 1)[0].replace(" / ", ", ") for s in listed if _owner(s, codes) == commissioner]
        unowned = [s for s in listed if _owner(s, codes) is None]
        if not mine and not unowned and len(listed) >= (failing or 0):
            continue
        # Rows named by commissioner and framework version are entries of a published document:
        # the pack explains those in words (rpt_data_quality), not by their place in the text.
        framework = bool(mine) and all(s.split(" / ", 1)[0].strip() == commissioner for s in listed if _owner(s, codes) == commissioner)
        findings.append(RuleFinding(suite, rule, severity, int(failing or 0), int(checked or 0), [] if framework else mine, framework))
    return findings


def years_with_allocations(con: duckdb.DuckDBPyConnection, commissioner: str) -> list[str]:
    """The financial years in which the commissioner has a current version of any funding stream."""
    return [
        r[0] for r in con.execute(
            "select distinct financial_year from marts.dim_framework_version where commissioner_code = ? and is_latest order by 1",
            [commissioner],
        ).fetchall()
    ]


# size: defines every pack table until they move to the rpt_* models' meta (issue 24, item 3).
def load(con: duckdb.DuckDBPyConnection, period: str, commissioner: str | None = None, data_docs: Path | None = None) -> ReviewData:
    try:
        parsed = Period.parse(period)
    except ValueError as error:
        raise NoPack(str(error)) from None
    period = str(parsed)
    periods = available_periods(con)
    commissioner = commissioner or default_commissioner()
    known = [r[0] for r in con.execute("select commissioner_code from marts.dim_commissioner order by 1").fetchall()]
    if commissioner not in known:
        raise NoPack(f"no commissioner '{commissioner}' in this warehouse (commissioners: {', '.join(known) or 'none'})")
    fy = parsed.financial_year
    summaries = _records(
        con, "select * from reporting.rpt_period_summary where commissioner_code = ? and period = ?", (commissioner, period)
    )
    if not summaries:
        years = years_with_allocations(con, commissioner)
        with_returns = [p for p in periods if Period.parse(p).financial_year in years]
        raise NoPack(
            f"no allocations of commissioner {commissioner} for {fy} in this warehouse, so no pack for {period} "
            f"(years with allocations: {', '.join(years) or 'none'}; any quarter, half-year or year of them has a pack"
            + (f"; periods with returns: {', '.join(with_returns)}" if with_returns else "") + ")"
        )
    summary = summaries[0]
    args = (commissioner, period)

    attention = _records(
        con,
        "select severity, kind, contract_id, attention from reporting.rpt_attention_items "
        "where commissioner_code = ? and period = ? order by attention_order",
        args,
    )
    history = _records(
        con,
        "select * from reporting.rpt_contract_status where commissioner_code = ? and financial_year = ? and period <= ? "
        "order by contract_id, period",
        (commissioner, fy, period),
    )
    contracts = _table(
        con,
        "contracts",
        "Contracts: finance, outcome and overall status, with their exceptions",
        """
        select contract_id, initiative_name, provider, strategic_theme, funding_mechanism, return_status,
               spend_ytd_gbp, profile_reported_ytd_gbp, spend_to_reported_profile_ytd,
               indicators_green, indicators_amber, indicators_red, indicators_not_reported,
               finance_rag, outcome_rag, overall_status, exceptions
        from reporting.rpt_contract_status
        where commissioner_code = ? and period = ?
        order by status_order, exception_count desc, contract_id
        """,
        args,
        labels={
            "contract_id": "contract", "initiative_name": "initiative", "return_status": "return",
            "spend_ytd_gbp": "spend to date", "profile_reported_ytd_gbp": "profile to date",
            "spend_to_reported_profile_ytd": "% of profile", "finance_rag": "finance", "outcome_rag": "outcomes",
            "overall_status": "overall",
        },
        note=(
            f"Finance: spend to date against the profile of the quarters reported; red above "
            f"{setting('finance_red_above'):.0%} or below {setting('finance_red_below'):.0%}, amber above "
            f"{setting('finance_amber_above'):.0%} or below {setting('finance_amber_below'):.0%}. Outcomes: the worst "
            f"outcome indicator with a target, against its pro-rata target; green at {setting('rag_green_at'):.0%} or "
            f"better, amber at {setting('rag_amber_at'):.0%}, red below; 'no targets' when no outcome has a target (no "
            "colour). Activities and outputs below target are notes, not colours. Overall: the worse of the two."
        ),
        money={"spend_ytd_gbp", "profile_reported_ytd_gbp"},
        percent={"spend_to_reported_profile_ytd"},
        counts={"indicators_green", "indicators_amber", "indicators_red", "indicators_not_reported"},
        rag={"finance_rag", "outcome_rag", "overall_status"},
        empty="No contract of this commissioner is expected to report in this period.",
    )
    indicators = _grouped(
        _records(
            con,
            "select * from reporting.rpt_indicator_progress where commissioner_code = ? and period = ? "
            "order by contract_id, kind desc, indicator_code",
            args,
        )
    )
    comments = _grouped(
        _records(
            con,
            "select contract_id, period, measure, comment from reporting.rpt_provider_comments "
            "where commissioner_code = ? and financial_year = ? and period <= ? order by contract_id, period, measure",
            (commissioner, fy, period),
        )
    )
    grouped_by = con.execute(
        "select any_value(grouped_by) from reporting.rpt_theme_spend where commissioner_code = ? and period = ?", list(args)
    ).fetchone()[0]
    theme_spend = _table(
        con,
        "spend",
        f"Allocation and spend by {grouped_by or 'strategic theme'}, year to date",
        """
        select theme_or_mechanism, contracts, annual_allocation_gbp, allocation_to_date_gbp, spend_to_date_gbp,
               spend_to_allocation
        from reporting.rpt_theme_spend where commissioner_code = ? and period = ?
        order by display_order, theme_or_mechanism
        """,
        args,
        labels={
            "theme_or_mechanism": grouped_by or "strategic theme", "annual_allocation_gbp": "allocation for the year",
            "allocation_to_date_gbp": "allocation to date", "spend_to_date_gbp": "spend to date",
            "spend_to_allocation": "spend as % of allocation",
        },
        note="Allocation to date is the year's allocation pro rata to the end of the quarter; spend is what providers returned.",
        money={"annual_allocation_gbp", "allocation_to_date_gbp", "spend_to_date_gbp"},
        percent={"spend_to_allocation"},
        counts={"contracts"},
        empty="No contract of this commissioner has an allocation in this year.",
    )
    quarters = [p for p in periods if p.startswith(fy) and p <= period and Period.parse(p).kind == parsed.kind]
    trend: dict[str, dict] = {}
    for row in _records(
        con,
        """
        select strategic_priority, priority_name, indicator_code, indicator_name, period, cost_per_outcome_gbp
        from reporting.rpt_cost_per_outcome
        where commissioner_code = ? and financial_year = ? and period <= ? and period_basis = 'quarter' and is_headline
        order by priority_number, strategic_priority, indicator_code, period
        """,
        (commissioner, fy, period),
    ):
        entry = trend.setdefault(
            row["strategic_priority"],
            {"priority": row["strategic_priority"], "priority_name": row["priority_name"] or "",
             "indicator": row["indicator_code"], "indicator_name": row["indicator_name"] or "", "points": []},
        )
        if row["indicator_code"] == entry["indicator"]:
            cost = row["cost_per_outcome_gbp"]
            entry["points"].append((row["period"], float(cost) if cost is not None else None))
    service_costs = _table(
        con,
        "service_costs",
        "Cost per unit by service, year to date",
        """
        select service, provider, spend_gbp, indicator_name, value, cost_per_unit_gbp, indicator_kind, not_computed_because
        from reporting.rpt_contract_cost_per_outcome
        where commissioner_code = ? and is_unit_cost
          and (period = ? and period_basis = 'year_to_date'
               -- services that report once a year: their year, once the pack's period reaches its end
               or period_basis = 'year' and period = financial_year and financial_year = ? and ?)
        order by service, contract_id, case indicator_kind when 'outcome' then 1 when 'output' then 2 else 3 end, indicator_code
        """,
        (commissioner, period, fy, parsed.last_quarter == 4),
        labels={
            "spend_gbp": "spend", "indicator_name": "what was counted", "value": "how many",
            "cost_per_unit_gbp": "£ per unit", "indicator_kind": "kind", "not_computed_because": "note",
        },
        note=(
            "As commissioners publish it: each service's spend divided by what it counted, to the penny. Activities, "
            "outputs and outcomes are each costed and labelled, never added together."
        ),
        money={"spend_gbp", "cost_per_unit_gbp"},
        counts={"value"},
        empty="No service has reported spend and a count this year.",
    )
    cost_per_outcome = _table(
        con,
        "cost",
        "Cost per unit by priority, year to date",
        """
        select strategic_priority, priority_name, indicator_name, indicator_kind, attributed_spend_gbp, outcome_value,
               cost_per_outcome_gbp, contracts, not_computed_because
        from reporting.rpt_cost_per_outcome
        where commissioner_code = ? and period = ? and period_basis in ('year_to_date', 'year')
        order by priority_number, strategic_priority, case indicator_kind when 'outcome' then 1 when 'output' then 2 else 3 end,
                 indicator_code
        """,
        args,
        labels={
            "strategic_priority": "priority", "priority_name": "", "indicator_name": "what was counted", "indicator_kind": "kind",
            "attributed_spend_gbp": "spend attributed", "outcome_value": "how many (attributed)",
            "cost_per_outcome_gbp": "£ per unit", "not_computed_because": "note",
        },
        note=(
            "Each service gives a priority the same share of what it counted as of its spend (as its allocation: "
            f"{setting('primary_priority_share'):.0%} primary, {setting('secondary_priority_share'):.0%} secondary), so a "
            "priority's figure is the weighted mean of its services' own costs and lies between the lowest and the highest."
        ),
        money={"attributed_spend_gbp", "cost_per_outcome_gbp"},
        counts={"contracts"},
        empty="No service has reported spend and a count for this commissioner's priorities this year.",
    )
    returns_by_quarter = _records(
        con,
        "select period, returns_expected, received_on_time, received_late, resubmitted, missing "
        "from reporting.rpt_returns_by_quarter where commissioner_code = ? and financial_year = ? and period <= ? order by period",
        (commissioner, fy, period),
    )
    returns_exceptions = _table(
        con,
        "returns",
        "Returns late, resubmitted or missing this year",
        """
        select period, contract_id, initiative_name, provider, return_status, due_date, first_received_on, days_late,
               submissions
        from reporting.rpt_contract_status
        where commissioner_code = ? and financial_year = ? and period <= ? and return_status != 'received'
        order by period desc, case return_status when 'missing' then 1 when 'late' then 2 else 3 end, contract_id
        """,
        (commissioner, fy, period),
        labels={"contract_id": "contract", "initiative_name": "initiative", "return_status": "status", "due_date": "due",
                "first_received_on": "received", "days_late": "days late"},
        note=f"A return is due {setting('return_due_days')} days after its quarter ends; a resubmission replaces the earlier return.",
        counts={"days_late", "submissions"},
        empty="Every return this year arrived on time, once.",
    )
    budget = _table(
        con,
        "budget",
        "Budget position and reserve",
        """
        select framework_version, commissioning_budget_gbp, committed_printed_gbp, additional_printed_gbp,
               reserve_printed_gbp, allocated_gbp, reserve_from_lines_gbp, reserve_arithmetic_holds
        from reporting.rpt_budget_position where commissioner_code = ? and financial_year = ?
        order by version_number
        """,
        (commissioner, fy),
        labels={"commissioning_budget_gbp": "budget", "committed_printed_gbp": "committed", "additional_printed_gbp": "additional",
                "reserve_printed_gbp": "reserve", "allocated_gbp": "sum of the lines",
                "reserve_from_lines_gbp": "budget less the lines", "reserve_arithmetic_holds": "printed reserve adds up"},
        note="Figures as printed in each version; the sum of the lines is what the allocation tables add up to.",
        money={"commissioning_budget_gbp", "committed_printed_gbp", "additional_printed_gbp", "reserve_printed_gbp",
               "allocated_gbp", "reserve_from_lines_gbp"},
        empty=f"The {fy} framework of this commissioner prints no budget position (no budget lines), so there is no reserve to show.",
    )
    coverage = _table(
        con,
        "coverage",
        "Strategic priority coverage",
        """
        select strategic_priority, priority_name, strategic_theme, allocated_gbp, contracts_funded,
               outcome_indicators_reported, coverage_status
        from reporting.rpt_priority_coverage where commissioner_code = ? and financial_year = ?
        order by priority_number, strategic_priority
        """,
        (commissioner, fy),
        labels={"strategic_priority": "priority", "priority_name": "", "strategic_theme": "theme", "allocated_gbp": "allocated",
                "contracts_funded": "contracts", "outcome_indicators_reported": "outcomes reported", "coverage_status": "coverage"},
        note="Priorities with no commissioned money, or money but no outcome reported this year.",
        money={"allocated_gbp"},
        counts={"contracts_funded", "outcome_indicators_reported"},
        empty="This commissioner's plan lists no strategic priorities.",
    )
    data_quality = _table(
        con,
        "quality",
        "What the data quality findings mean",
        """
        select category, finding
        from reporting.rpt_data_quality
        where (commissioner_code = ? or commissioner_code is null) and financial_year = ? and (period is null or period <= ?)
        order by category_order, items desc, finding
        """,
        (commissioner, fy, period),
        labels={"category": "about"},
        note="A return file that names no contract of a known commissioner is listed in every commissioner's pack.",
        empty="Nothing in this commissioner's framework or returns needed correcting or setting aside.",
    )
    streams = _table(
        con,
        "streams",
        "Funds: each funding stream with its own totals",
        """
        select funding_stream_name, fund_name, framework_version, contracts, allocated_gbp, reporting_rhythms,
               returns_expected, returns_received, spend_to_date_gbp
        from reporting.rpt_stream_allocation where commissioner_code = ? and period = ?
        order by stream_order
        """,
        args,
        labels={"funding_stream_name": "funding stream", "fund_name": "the commissioner's name for it",
                "framework_version": "version", "allocated_gbp": "allocated for the year", "reporting_rhythms": "returns",
                "returns_expected": "returns expected this period", "returns_received": "received",
                "spend_to_date_gbp": "spend returned to date"},
        note="Each fund is its own version of the year: its totals are its own, never added to another fund's.",
        money={"allocated_gbp", "spend_to_date_gbp"},
        counts={"contracts", "returns_expected", "returns_received"},
        empty=f"This commissioner has no allocation for {fy}.",
    )
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
        contract_history=_grouped(history),
        indicators=indicators,
        comments=comments,
        theme_spend=theme_spend,
        cost_trend=list(trend.values()),
        quarters=quarters,
        cost_per_outcome=cost_per_outcome,
        service_costs=service_costs,
        returns_by_quarter=returns_by_quarter,
        returns_exceptions=returns_exceptions,
        budget=budget,
        coverage=coverage,
        rule_counts=summarise_recorded(con),
        rule_findings=rule_findings(con, commissioner),
        data_quality=data_quality,
        streams=streams,
        lacks=lacks,
        data_docs=data_docs,
    )
