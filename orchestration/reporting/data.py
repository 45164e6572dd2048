"""What the quarterly performance review shows, read from the warehouse for one period.

One query per table of the pack; the HTML page and the workbook both render
these, so they always hold the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from ..periods import Period
from ..settings import default_commissioner


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[tuple]
    note: str = ""
    money: set[str] = field(default_factory=set)  # columns shown as £
    percent: set[str] = field(default_factory=set)  # ratios shown as %


@dataclass
class ReviewData:
    commissioner: str
    commissioner_name: str
    period: str
    months: str
    framework_version: str
    refreshed_at: str
    sample_data: bool
    headline: dict
    theme_spend: Table
    cost_trend: list[dict]  # per priority headline indicator: quarters and cost per outcome
    cost_per_outcome: Table
    contracts: Table
    returns_by_quarter: list[dict]
    returns_exceptions: Table
    budget: Table
    coverage: Table
    quality_warnings: Table
    quarantined: Table
    rejected: Table
    discrepancies: Table

    def tables(self) -> list[Table]:
        return [
            self.theme_spend, self.cost_per_outcome, self.contracts, self.returns_exceptions, self.budget,
            self.coverage, self.quality_warnings, self.quarantined, self.rejected, self.discrepancies,
        ]


def _rows(con, sql, params=()):
    relation = con.execute(sql, list(params))
    return [d[0] for d in relation.description], relation.fetchall()


def _table(con, title, sql, params=(), note="", money=(), percent=()) -> Table:
    columns, rows = _rows(con, sql, params)
    return Table(title, columns, rows, note, set(money), set(percent))


def available_periods(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("select period from raw.return_periods order by period").fetchall()]


def load(con: duckdb.DuckDBPyConnection, period: str, commissioner: str | None = None) -> ReviewData:
    parsed = Period.parse(period)
    if period not in available_periods(con):
        raise ValueError(f"no returns for {period} in this warehouse (periods: {', '.join(available_periods(con)) or 'none'})")
    fy = parsed.financial_year
    commissioner = commissioner or default_commissioner()
    named = con.execute("select commissioner_name from marts.dim_commissioner where commissioner_code = ?", [commissioner]).fetchone()
    latest = con.execute(
        "select framework_version from marts.dim_framework_version where commissioner_code = ? and financial_year = ? and is_latest",
        [commissioner, fy],
    ).fetchone()
    if named is None or latest is None:
        raise ValueError(f"no {fy} framework for commissioner {commissioner} in this warehouse")
    name, version = named[0], latest[0]
    refreshed = con.execute("select max(refreshed_at) from raw.return_periods").fetchone()[0]
    sample = bool(con.execute("select coalesce(bool_or(sample_data), false) from raw.return_periods").fetchone()[0])
    args = (commissioner, period)

    budget_row = con.execute(
        "select commissioning_budget_gbp, allocated_gbp, reserve_printed_gbp, committed_printed_gbp, additional_printed_gbp "
        "from marts.fct_budget_position where framework_version = ?",
        [version],
    ).fetchone()
    spend = con.execute(
        "select sum(spend_ytd_gbp), sum(profile_ytd_gbp) from marts.fct_contract_performance p "
        "join marts.dim_contract c using (contract_id) where c.commissioner_code = ? and p.period = ?",
        list(args),
    ).fetchone()
    statuses = dict(
        con.execute(
            "select return_status, count(*) from marts.fct_contract_quarter q join marts.dim_contract c using (contract_id) "
            "where c.commissioner_code = ? and q.period = ? group by 1",
            list(args),
        ).fetchall()
    )
    rag = dict(
        con.execute(
            "select rag_status, count(*) from marts.fct_contract_performance p join marts.dim_contract c using (contract_id) "
            "where c.commissioner_code = ? and p.period = ? group by 1",
            list(args),
        ).fetchall()
    )
    warnings = con.execute("select count(*) from audit.quality_results where severity = 'warning' and not passed").fetchone()[0]
    blocking = con.execute(
        "select count(*) filter (where passed), count(*) from audit.quality_results where severity = 'blocking'"
    ).fetchone()
    headline = {
        "budget_gbp": budget_row[0],
        "allocated_gbp": budget_row[1],
        "reserve_gbp": budget_row[2],
        "committed_gbp": budget_row[3],
        "additional_gbp": budget_row[4],
        "spend_ytd_gbp": spend[0] or 0,
        "profile_ytd_gbp": spend[1] or 0,
        "returns": statuses,
        "returns_expected": sum(statuses.values()),
        "rag": rag,
        "quality_warnings": warnings,
        "blocking_rules_passed": blocking[0],
        "blocking_rules": blocking[1],
    }

    theme_spend = _table(
        con,
        "Allocation and spend by strategic theme, year to date",
        """
        select coalesce(t.strategic_theme, p.theme_code) as strategic_theme,
               sum(p.profile_ytd_gbp) as allocation_to_date_gbp,
               sum(p.spend_ytd_gbp) as spend_to_date_gbp,
               sum(p.spend_ytd_gbp) / nullif(sum(p.profile_ytd_gbp), 0) as spend_to_allocation,
               sum(p.annual_allocated_gbp) as annual_allocation_gbp
        from marts.fct_contract_performance p
        join marts.dim_contract c using (contract_id)
        left join marts.dim_strategic_theme t on t.plan_code = c.plan_code and t.theme_code = p.theme_code
        where c.commissioner_code = ? and p.period = ?
        group by all
        order by min(t.theme_number)
        """,
        args,
        note="Allocation to date is the year's allocation pro rata to the end of the quarter; spend is what providers returned.",
        money={"allocation_to_date_gbp", "spend_to_date_gbp", "annual_allocation_gbp"},
        percent={"spend_to_allocation"},
    )

    trend_rows = con.execute(
        """
        select c.strategic_priority, p.short_name, c.indicator_code, c.indicator_name, c.period, c.cost_per_outcome_gbp
        from marts.fct_cost_per_outcome c
        join marts.dim_strategic_priority p on p.plan_code = c.plan_code and p.strategic_priority = c.strategic_priority
        join marts.dim_indicator i on i.plan_code = c.plan_code and i.indicator_code = c.indicator_code
        where c.commissioner_code = ? and c.period_basis = 'quarter' and left(c.period, 7) = ? and c.period <= ?
          and i.is_headline
        order by p.priority_number, c.period
        """,
        [commissioner, fy, period],
    ).fetchall()
    cost_trend: dict[str, dict] = {}
    for priority, short_name, code, indicator_name, quarter, cost in trend_rows:
        entry = cost_trend.setdefault(
            priority, {"priority": priority, "short_name": short_name, "indicator": code, "indicator_name": indicator_name, "points": []}
        )
        entry["points"].append((quarter, float(cost) if cost is not None else None))

    cost_per_outcome = _table(
        con,
        "Cost per outcome, year to date",
        """
        select c.strategic_priority, p.short_name as priority, c.indicator_code, c.indicator_name,
               c.attributed_spend_gbp, c.outcome_value as outcomes, c.cost_per_outcome_gbp, c.contracts,
               c.not_computed_because
        from marts.fct_cost_per_outcome c
        join marts.dim_strategic_priority p on p.plan_code = c.plan_code and p.strategic_priority = c.strategic_priority
        where c.commissioner_code = ? and c.period = ? and c.period_basis = 'year_to_date'
        order by p.priority_number, c.indicator_code
        """,
        args,
        note=(
            "Over the contracts that reported the outcome: their spend attributed to the priority (0.75 primary, "
            "0.25 secondary, as the allocation) divided by the outcomes reported."
        ),
        money={"attributed_spend_gbp", "cost_per_outcome_gbp"},
    )

    contracts = _table(
        con,
        "Contract performance (RAG) and exceptions",
        """
        select p.contract_id, p.initiative_name, p.provider, p.strategic_theme, p.funding_mechanism,
               p.return_status, p.spend_ytd_gbp, p.profile_ytd_gbp, p.spend_to_profile_ytd,
               p.indicators_green, p.indicators_amber, p.indicators_red, p.rag_status,
               array_to_string(p.exceptions, '; ') as exceptions
        from marts.fct_contract_performance p
        join marts.dim_contract c using (contract_id)
        where c.commissioner_code = ? and p.period = ?
        order by case p.rag_status when 'red' then 1 when 'not reported' then 2 when 'amber' then 3 else 4 end,
                 len(p.exceptions) desc, p.contract_id
        """,
        args,
        note="RAG: the contract's worst outcome indicator to date; green at 95% of target or better, amber at 80%, red below.",
        money={"spend_ytd_gbp", "profile_ytd_gbp"},
        percent={"spend_to_profile_ytd"},
    )

    returns_by_quarter = [
        {"period": p, "received": r, "late": late, "resubmitted": re_, "missing": m}
        for p, r, late, re_, m in con.execute(
            """
            select q.period,
                   count(*) filter (where return_status = 'received'),
                   count(*) filter (where return_status = 'late'),
                   count(*) filter (where return_status in ('resubmitted', 'resubmission rejected')),
                   count(*) filter (where return_status = 'missing')
            from marts.fct_contract_quarter q join marts.dim_contract c using (contract_id)
            where c.commissioner_code = ? and q.financial_year = ? and q.period <= ?
            group by 1 order by 1
            """,
            [commissioner, fy, period],
        ).fetchall()
    ]
    returns_exceptions = _table(
        con,
        "Returns late, missing or resubmitted this quarter",
        """
        select q.contract_id, c.initiative_name, c.provider, q.return_status, q.due_date, q.first_received_at::date as received,
               q.days_late, q.submissions, q.received_according_to, q.return_note
        from marts.fct_contract_quarter q join marts.dim_contract c using (contract_id)
        where c.commissioner_code = ? and q.period = ? and (q.return_status != 'received' or q.needs_review)
        order by q.return_status, q.contract_id
        """,
        args,
    )

    budget = _table(
        con,
        "Budget position and reserve",
        """
        select framework_version, commissioning_budget_gbp, committed_printed_gbp, additional_printed_gbp,
               reserve_printed_gbp, allocated_gbp, reserve_from_lines_gbp, reserve_arithmetic_holds
        from marts.fct_budget_position
        where commissioner_code = ? and financial_year = ?
        order by version_number
        """,
        (commissioner, fy),
        note="Figures as printed in each version (£m to three decimals); allocated is the sum of its lines.",
        money={"commissioning_budget_gbp", "committed_printed_gbp", "additional_printed_gbp", "reserve_printed_gbp", "allocated_gbp", "reserve_from_lines_gbp"},
    )

    coverage = _table(
        con,
        "Strategic priority coverage",
        """
        select strategic_priority, short_name as priority, strategic_theme, allocated_gbp, contracts_funded,
               outcome_indicators_reported, coverage_status
        from marts.fct_priority_coverage
        where commissioner_code = ? and financial_year = ?
        order by priority_number
        """,
        (commissioner, fy),
        note="Priorities with no commissioned money, or money but no outcome reported this year.",
        money={"allocated_gbp"},
    )

    quality_warnings = _table(
        con,
        "Data quality: rules that flagged doubtful data",
        """
        select suite, rule, rows_failing, rows_checked, failing_sample
        from audit.quality_results where not passed order by severity, suite, rule
        """,
        note="Warning rules of the Great Expectations suites; blocking rules all passed or this pack would not exist.",
    )
    quarantined = _table(
        con,
        "Data quality: return rows quarantined",
        """
        select path, row_number, column_name, value as value_sent, reason
        from audit.quarantined_rows
        where source_table = 'provider_returns' and period <= ? and left(period, 7) = ?
        order by path, row_number
        """,
        (period, fy),
        note="Rows a provider sent that were not loaded, with the reason; the rest of their return was.",
    )
    rejected = _table(
        con,
        "Data quality: files that could not be read",
        "select path, reason from audit.rejected_files where (period <= ? and left(period, 7) = ?) or period is null order by path",
        (period, fy),
    )
    discrepancies = _table(
        con,
        "Data quality: discrepancies in the published framework",
        """
        select kind, count(*) as places, any_value(explanation) as example
        from audit.source_discrepancies where commissioner_code = ? group by kind order by kind
        """,
        (commissioner,),
        note="Where the published documents disagree with themselves; the warehouse conforms them (audit.source_discrepancies).",
    )
    return ReviewData(
        commissioner=commissioner,
        commissioner_name=name,
        period=period,
        months=parsed.months,
        framework_version=version,
        refreshed_at=str(refreshed)[:16] if refreshed else "",
        sample_data=sample,
        headline=headline,
        theme_spend=theme_spend,
        cost_trend=list(cost_trend.values()),
        cost_per_outcome=cost_per_outcome,
        contracts=contracts,
        returns_by_quarter=returns_by_quarter,
        returns_exceptions=returns_exceptions,
        budget=budget,
        coverage=coverage,
        quality_warnings=quality_warnings,
        quarantined=quarantined,
        rejected=rejected,
        discrepancies=discrepancies,
    )
