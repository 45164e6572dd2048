"""Per-service unit costs and the roll-ups built on them, on the bundled warehouse.

Every per-service figure is spend / count to the penny; every roll-up (priority, theme, mechanism,
national outcome area) is attributed spend / attributed counts and so lies between the lowest and
highest unit cost of the services it is made of; the wide per-contract view holds the same figures
as the long fact it is derived from.
"""

import csv
import io
import json
import math
from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests.conftest import run_opcc

ROLL_UPS = {
    "fct_cost_per_outcome": "strategic_priority",
    "fct_cost_per_outcome_by_theme": "theme_code",
    "fct_cost_per_outcome_by_mechanism": "mechanism_code",
    "fct_cost_per_outcome_by_national_area": "national_outcome_area",
}


def pennies(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_every_service_unit_cost_is_spend_over_count_to_the_penny(db):
    rows = db.execute(
        "select contract_id, period, period_basis, indicator_code, spend_gbp, value, cost_per_unit_gbp, not_computed_because "
        "from marts.fct_contract_cost_per_outcome"
    ).fetchall()
    assert len(rows) > 500
    computed = 0
    for contract, period, basis, indicator, spend, value, cost, reason in rows:
        if cost is None:
            assert reason, (contract, period, basis, indicator)
            continue
        computed += 1
        assert reason is None
        assert cost == pennies(Decimal(str(spend)) / Decimal(str(value))), (contract, period, basis, indicator)
    assert computed > 300


def test_quarter_rows_hold_the_returns_figures(db):
    """The quarter's spend and count are the return's, as the wide view shows them too."""
    mismatches = db.execute(
        """
        select c.contract_id, c.period, c.indicator_code
        from marts.fct_contract_cost_per_outcome c
        join marts.fct_contract_quarter q using (contract_id, period)
        join marts.fct_indicator_value v using (contract_id, period, indicator_code)
        where c.period_basis = 'quarter'
          and (c.spend_gbp is distinct from round(q.spend_gbp, 2) or c.value != v.value)
        """
    ).fetchall()
    assert mismatches == []


def test_the_wide_view_is_derived_from_the_long_fact(db):
    codes = [r[0] for r in db.execute("select distinct indicator_code from marts.fct_indicator_value").fetchall()]
    assert len(codes) > 20
    for code in codes:
        differing = db.execute(
            f"""
            select q.contract_id, q.period from marts.fct_contract_quarter q
            full join (select * from marts.fct_indicator_value where indicator_code = ?) v using (contract_id, period)
            where q.{code.lower()} is distinct from v.value
            """,
            [code],
        ).fetchall()
        assert differing == [], code


def test_rates_money_and_less_is_better_are_never_costed_and_say_why(db):
    rows = db.execute(
        """
        select v.unit, v.better, c.cost_per_unit_gbp, c.not_computed_because
        from marts.fct_contract_cost_per_outcome c
        join (select distinct contract_id, financial_year, indicator_code, unit, better from marts.fct_indicator_value) v
            using (contract_id, financial_year, indicator_code)
        where v.unit != 'count' or v.better = 'lower'
        """
    ).fetchall()
    assert {unit for unit, *_ in rows} >= {"percent", "gbp", "count"}
    for unit, better, cost, reason in rows:
        assert cost is None
        expected = {"percent": "rate or percentage", "gbp": "sum of money"}.get(unit, "less is better")
        assert expected in reason, (unit, better, reason)


def test_every_kind_is_costed_and_labelled(db):
    kinds = dict(db.execute(
        "select indicator_kind, count(cost_per_unit_gbp) from marts.fct_contract_cost_per_outcome group by 1"
    ).fetchall())
    assert set(kinds) == {"activity", "output", "outcome"} and all(kinds.values())
    labels = db.execute(
        "select distinct unit_label from reporting.rpt_contract_cost_per_outcome where indicator_code = 'VIC_SUPPORTED'"
    ).fetchall()
    assert labels == [("cost per victims supported (output)",)]


@pytest.mark.parametrize("table", list(ROLL_UPS))
def test_every_roll_up_is_attributed_spend_over_attributed_counts(db, table):
    group = ROLL_UPS[table]
    expected = {
        tuple(key): (spend, value)
        for *key, spend, value in db.execute(
            f"""
            select commissioner_code, reporting_period, period_basis, {group}, indicator_code,
                   sum(attributed_spend_gbp), sum(attributed_value)
            from intermediate.int_outcome_contributions__to_date group by all
            """
        ).fetchall()
    }
    rows = db.execute(
        f"select commissioner_code, period, period_basis, {group}, indicator_code, attributed_spend_gbp, outcome_value, "
        f"cost_per_outcome_gbp from marts.{table}"
    ).fetchall()
    assert len(rows) == len(expected) > 50
    for *key, spend, value, cost in rows:
        assert (spend, value) == expected[tuple(key)], key
        if value:
            assert cost == pennies(Decimal(spend) / Decimal(value)), key


@pytest.mark.parametrize("table", list(ROLL_UPS))
def test_every_roll_up_lies_between_its_services_unit_costs(db, table):
    """A weighted mean never falls below the cheapest service nor above the dearest (a service that
    spent and counted nothing has an unbounded unit cost)."""
    group = ROLL_UPS[table]
    rows = db.execute(
        f"""
        with members as (
            select distinct commissioner_code, reporting_period as period, period_basis, {group} as grp, indicator_code, contract_id
            from intermediate.int_outcome_contributions__to_date
        )
        select r.period, r.period_basis, r.{group}, r.indicator_code, r.cost_per_outcome_gbp,
               list(coalesce(u.cost_per_unit_gbp::double, 'inf'::double))
        from marts.{table} r
        join members m on m.commissioner_code = r.commissioner_code and m.period = r.period
            and m.period_basis = r.period_basis and m.grp is not distinct from r.{group} and m.indicator_code = r.indicator_code
        join marts.fct_contract_cost_per_outcome u on u.contract_id = m.contract_id and u.period = m.period
            and u.period_basis = m.period_basis and u.indicator_code = m.indicator_code
        where r.cost_per_outcome_gbp is not null
        group by all
        """
    ).fetchall()
    assert len(rows) > 50
    for period, basis, grp, indicator, cost, unit_costs in rows:
        # each figure is rounded to the penny, so a weighted mean may sit a penny outside its bounds' pennies
        low, high = min(unit_costs) - 0.0101, max(unit_costs) + 0.0101
        assert low <= float(cost) <= (high if math.isfinite(high) else math.inf), (period, basis, grp, indicator, cost, unit_costs)


def test_a_priority_with_one_contract_has_that_contracts_own_unit_cost(db):
    """Whatever its share: a contract gives the priority the same share of its count as of its spend."""
    rows = db.execute(
        """
        with sole as (
            select reporting_period, period_basis, strategic_priority, indicator_code, min(contract_id) as contract_id
            from intermediate.int_outcome_contributions__to_date
            group by all having count(distinct contract_id) = 1
        )
        select p.cost_per_outcome_gbp, u.cost_per_unit_gbp
        from sole
        join marts.fct_cost_per_outcome p on p.period = sole.reporting_period and p.period_basis = sole.period_basis
            and p.strategic_priority = sole.strategic_priority and p.indicator_code = sole.indicator_code
        join marts.fct_contract_cost_per_outcome u on u.contract_id = sole.contract_id and u.period = sole.reporting_period
            and u.period_basis = sole.period_basis and u.indicator_code = sole.indicator_code
        """
    ).fetchall()
    assert len(rows) >= 5
    for priority_cost, own_cost in rows:
        assert abs(priority_cost - own_cost) <= Decimal("0.01"), (priority_cost, own_cost)


def test_no_count_is_attributed_twice(db):
    """Across the priorities an indicator measures, a contract's attributed counts add up to its count."""
    excess = db.execute(
        """
        select c.contract_id, c.period, c.indicator_code, sum(c.attributed_value), any_value(c.outcome_value)
        from intermediate.int_outcome_contributions c
        group by all having sum(c.attributed_value) > any_value(c.outcome_value) + 0.001
        """
    ).fetchall()
    assert excess == []


def test_national_comparison_cost_is_the_weighted_mean(db):
    rows = db.execute(
        "select attributed_outcome_spend_gbp, attributed_outcomes, cost_per_outcome_gbp, cost_not_computed_because "
        "from marts.fct_national_comparison where commissioner_code = 'LEI' and financial_year = '2016-17'"
    ).fetchall()
    assert any(cost is not None for *_, cost, _ in rows)
    for spend, outcomes, cost, reason in rows:
        if cost is None:
            assert reason
        else:
            assert cost == pennies(Decimal(spend) / Decimal(outcomes))


def test_command_by_contract_is_the_mart(bundled_warehouse, db):
    completed = run_opcc("cost-per-outcome", "--warehouse", str(bundled_warehouse), "--by", "contract", "--ytd", "--format", "json")
    assert completed.returncode == 0, completed.stderr
    answer = json.loads(completed.stdout)
    mart = {
        (c, i): cost
        for c, i, cost in db.execute(
            "select contract_id, indicator_code, cost_per_unit_gbp from marts.fct_contract_cost_per_outcome "
            "where period = '2016-17 Q4' and period_basis = 'year_to_date'"
        ).fetchall()
    }
    assert len(answer) == len(mart)
    for row in answer:
        expected = mart[(row["contract_id"], row["indicator_code"])]
        assert row["cost_per_unit_gbp"] == (None if expected is None else pytest.approx(float(expected)))
    table = run_opcc("cost-per-outcome", "--warehouse", str(bundled_warehouse), "--by", "contract", env={"COLUMNS": "200"})
    assert table.returncode == 0 and table.stdout.startswith("Cost per unit by service, 2016-17 Q4 (quarter)")
    assert "£ per unit" in table.stdout and "output" in table.stdout


@pytest.mark.parametrize("by", ["theme", "mechanism", "national-area"])
def test_command_by_grouping_as_csv(bundled_warehouse, by):
    completed = run_opcc("cost-per-outcome", "--warehouse", str(bundled_warehouse), "--by", by, "--ytd", "--format", "csv")
    assert completed.returncode == 0, completed.stderr
    rows = list(csv.DictReader(io.StringIO(completed.stdout)))
    assert rows and {r["indicator_kind"] for r in rows} == {"activity", "output", "outcome"}


def test_command_refuses_priority_with_another_grouping(bundled_warehouse):
    completed = run_opcc("cost-per-outcome", "--warehouse", str(bundled_warehouse), "--by", "theme", "--priority", "SP9")
    assert completed.returncode == 2 and "--by priority" in completed.stderr and "Traceback" not in completed.stderr
