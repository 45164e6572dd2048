"""Cost per outcome: every figure recomputed independently from the staged returns and the allocations."""

import json

import pytest

from tests.conftest import run_opcc

# An independent recomputation: the latest file per contract and period chosen from the
# submission log and the dates written on workbooks; each contract's share per priority taken
# from its allocation (attributed / allocated); a contract gives a priority the same share of its
# counts as of its spend; cost = spend attributed / counts attributed, over the contract-quarters
# that reported both.
RECOMPUTE = """
with files as (
    select f.path, coalesce(l.received_at, f.submitted_on::timestamp) as received_at
    from staging.stg_returns__return_files f
    left join staging.stg_returns__submission_log l using (path)
),
rows as (select r.*, files.received_at from staging.stg_returns__provider_returns r join files on files.path = r.source_file),
latest as (
    select * from rows
    qualify received_at = max(received_at) over (partition by contract_id, period)
),
spend as (select contract_id, period, value as spend from latest where measure = 'spend_gbp'),
outcomes as (
    select l.contract_id, l.period, l.measure as indicator_code, measured.strategic_priority, l.value
    from latest l
    join (  -- the plans' indicators (rows of kind indicator; 'A/B' measures two priorities)
        select element_code as indicator_code, trim(unnest(string_split(parent_code, '/'))) as strategic_priority, unit, better
        from staging.stg_plans__plan_elements where element_kind = 'indicator'
    ) measured on measured.indicator_code = l.measure
    where measured.unit = 'count' and measured.better = 'higher'
),
shares as (
    select p.contract_id, p.strategic_priority, v.financial_year, p.attributed_gbp / a.allocated_gbp as share
    from marts.fct_allocation_by_priority p
    join marts.fct_allocation a using (framework_version, contract_id)
    join marts.dim_framework_version v using (framework_version)
    where v.is_latest
),
contributions as (
    select o.*, left(o.period, 7) as fy, round(s.spend * sh.share, 2) as attributed,  -- in pence, as documented
        round(o.value * sh.share, 4) as attributed_value
    from outcomes o
    join spend s using (contract_id, period)
    join shares sh on sh.share > 0 and sh.contract_id = o.contract_id and sh.strategic_priority = o.strategic_priority
        and sh.financial_year = left(o.period, 7)
),
quarters as (select distinct period from contributions),
expanded as (
    select c.*, c.period as reporting_period, 'quarter' as basis from contributions c
    union all
    select c.*, q.period, 'year_to_date' from contributions c
    join quarters q on left(q.period, 7) = c.fy and q.period >= c.period
)
select reporting_period, basis, strategic_priority, indicator_code,
       sum(attributed) as spend, sum(attributed_value) as outcomes, count(distinct contract_id) as contracts
from expanded group by all
"""


def test_every_cost_per_outcome_row_recomputes(db):
    expected = {(p, b, s, i): (spend, outcomes, n) for p, b, s, i, spend, outcomes, n in db.execute(RECOMPUTE).fetchall()}
    rows = db.execute(
        "select period, period_basis, strategic_priority, indicator_code, attributed_spend_gbp, outcome_value, "
        "cost_per_outcome_gbp, contracts, not_computed_because from marts.fct_cost_per_outcome"
    ).fetchall()
    assert len(rows) == len(expected) > 100
    for period, basis, priority, indicator, spend, outcomes, cost, contracts, reason in rows:
        spend_r, outcomes_r, contracts_r = expected[(period, basis, priority, indicator)]
        assert float(spend) == pytest.approx(spend_r, abs=0.011), (period, basis, indicator)
        assert float(outcomes) == pytest.approx(outcomes_r, abs=1e-6) and contracts == contracts_r
        if outcomes_r:
            assert float(cost) == pytest.approx(spend_r / outcomes_r, abs=0.011)
            assert reason is None
        else:
            assert cost is None and reason


def test_year_to_date_is_the_sum_of_its_quarters(db):
    gaps = db.execute(
        """
        select y.period, y.indicator_code, y.outcome_value, sum(q.outcome_value)
        from marts.fct_cost_per_outcome y
        join marts.fct_cost_per_outcome q using (strategic_priority, indicator_code)
        where y.period_basis = 'year_to_date' and q.period_basis = 'quarter' and q.period <= y.period
        group by all having y.outcome_value != sum(q.outcome_value)
        """
    ).fetchall()
    assert gaps == []


def test_by_theme_and_by_mechanism_add_up_to_the_same_money(db):
    totals = {
        table: db.execute(
            f"select sum(attributed_spend_gbp), sum(outcome_value) from marts.{table} where period = '2016-17 Q4' and period_basis = 'year_to_date'"
        ).fetchone()
        for table in ("fct_cost_per_outcome", "fct_cost_per_outcome_by_theme", "fct_cost_per_outcome_by_mechanism")
    }
    assert len(set(totals.values())) == 1


def test_command_answers_sp9_year_to_date_as_json(bundled_warehouse, db):
    completed = run_opcc("cost-per-outcome", "--warehouse", str(bundled_warehouse), "--priority", "SP9", "--ytd", "--format", "json")
    assert completed.returncode == 0, completed.stderr
    answer = json.loads(completed.stdout)
    sp9_outcomes = {r[0] for r in db.execute("select indicator_code from marts.dim_indicator where strategic_priority = 'SP9' and has_cost_per_outcome").fetchall()}
    assert {row["indicator_code"] for row in answer} == sp9_outcomes
    assert {(row["indicator_code"], row["indicator_kind"]) for row in answer} >= {("VIC_COPE", "outcome"), ("VIC_SUPPORTED", "output")}
    (row,) = [row for row in answer if row["indicator_code"] == "VIC_COPE"]
    assert row["period"] == "2016-17 Q4" and row["period_basis"] == "year_to_date"
    mart = db.execute(
        "select cost_per_outcome_gbp, outcome_value from marts.fct_cost_per_outcome "
        "where period = '2016-17 Q4' and period_basis = 'year_to_date' and indicator_code = 'VIC_COPE'"
    ).fetchone()
    assert row["cost_per_outcome_gbp"] == pytest.approx(float(mart[0])) and row["outcome_value"] == pytest.approx(float(mart[1]))


def test_command_table_and_bad_period(bundled_warehouse):
    table = run_opcc("cost-per-outcome", "--warehouse", str(bundled_warehouse), "--period", "2016-17 Q2", "--indicator", "da_safer")
    assert table.returncode == 0 and "DA_SAFER" in table.stdout and "(1 row)" in table.stdout
    bad = run_opcc("cost-per-outcome", "--warehouse", str(bundled_warehouse), "--period", "2019-20 Q1")
    assert bad.returncode == 2 and "no cost per outcome for period '2019-20 Q1'" in bad.stderr


def test_contract_performance_rag_and_exceptions(db):
    rows = {
        (c, p): (rag, exceptions)
        for c, p, rag, exceptions in db.execute(
            "select contract_id, period, rag_status, exceptions from marts.fct_contract_performance"
        ).fetchall()
    }
    assert rows[("LEI-027", "2016-17 Q3")] == ("not reported", ["missing return"])
    assert "late return (29 days)" in rows[("LEI-005", "2016-17 Q2")][1]
    assert "resubmitted (2 returns)" in rows[("LEI-022", "2016-17 Q2")][1]
    assert any(e.startswith("overspent: ") for e in rows[("LEI-024", "2016-17 Q4")][1])
    assert rows[("LEI-013", "2016-17 Q4")][0] == "red"  # the sample's under-performer
    assert any(e.startswith("under target: ") for e in rows[("LEI-013", "2016-17 Q4")][1])


def test_rag_respects_the_direction_of_the_indicator(db):
    lower_better = db.execute(
        """
        select value_ytd, target_ytd, achievement_ytd, rag_status from marts.fct_indicator_performance
        where better = 'lower' and value_ytd is not null and value_ytd > 0
        """
    ).fetchall()
    assert lower_better
    for value, target, achievement, rag in lower_better:
        assert achievement == pytest.approx(target / value, rel=1e-3)
        assert rag == ("green" if achievement >= 0.95 else "amber" if achievement >= 0.80 else "red")


def test_priority_coverage_names_the_priorities_without_contracts(db):
    coverage = dict(db.execute("select strategic_priority, coverage_status from marts.fct_priority_coverage").fetchall())
    assert {p for p, s in coverage.items() if s == "no commissioned money"} == {"SP7", "SP13", "SP14"}
    assert coverage["SP9"] == "money and outcomes"
