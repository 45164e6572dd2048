"""Blocking Great Expectations rules stop the refresh, name the rule, and leave the live warehouse as it was.

Each corruption below breaks one blocking rule in a copy of the raw data. The
raw-layer ones stop the refresh before dbt runs; the mart-layer ones after.
Rules that the return reader already enforces row by row (a bad row is
quarantined, so never reaches the table) and rules that hold by construction
are shown failing on a corrupted copy of the table the suite reads.
"""

import hashlib

import duckdb
import pytest

from orchestration.quality import load_suites, validate
from orchestration.refresh import run_refresh

V1 = "framework/LEI-2016-17-v1"


def edit(raw, relative, old, new):
    path = raw / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, (relative, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def failed_rules(outcome):
    return {
        (check.check, line.lstrip("✗ ").split(":")[0])
        for check in outcome.failed_blocking
        for line in check.description.splitlines()
        if line.startswith("✗")
    }


def assert_untouched_and_queryable(live, before):
    assert sha(live) == before
    with duckdb.connect(str(live), read_only=True) as con:
        assert con.execute("select sum(allocated_gbp) from marts.fct_allocation").fetchone()[0] == 4_251_983 + 4_271_983


def test_raw_layer_rules_stop_the_refresh_before_dbt(warehouse_copy, raw_copy):
    before = sha(warehouse_copy)
    edit(raw_copy, f"{V1}/allocation_lines.csv", '"£370,136"', '"£37O,136"')
    edit(raw_copy, f"{V1}/allocation_lines.csv", ",Co-com,SP3,SP2,", ",Co-comm,SP3,SP2,")
    edit(raw_copy, f"{V1}/published_totals.csv", ",theme_subtotal,", ",subtotal,")
    edit(raw_copy, f"{V1}/budget_lines.csv", "£4.611m", "£4.6m")
    edit(raw_copy, f"{V1}/plf_allocations.csv", '"£29,700"', '"£29,7OO"')
    edit(raw_copy, "framework/contracts.csv", "LEI-002,LEI,", "LEI-001,LEI,")
    edit(raw_copy, "returns/submission_log.csv", "2016-07-03 10:59", "last Tuesday")

    outcome = run_refresh(warehouse_copy, raw_copy, progress=False)

    assert not outcome.success
    assert outcome.reason.startswith("blocking rule failed: ")
    assert {
        ("raw_allocation_lines", "Every printed amount reads as pounds (£ and digits)"),
        ("raw_allocation_lines", "Funding mechanism is one of the four"),
        ("raw_published_totals", "Totals are theme subtotals, grand totals or table totals"),
        ("raw_budget_lines", "Budget figures read as £m to three decimals"),
        ("raw_plf_allocations", "Every PLF amount reads as pounds"),
        ("raw_contracts", "A contract id is used once"),
        ("raw_submission_log", "Received dates read as dates (YYYY-MM-DD or DD/MM/YYYY, optionally with a time)"),
    } <= failed_rules(outcome)
    assert "marts/fct_allocation" not in outcome.materialized, "dbt must not run on data that failed a blocking rule"
    assert_untouched_and_queryable(warehouse_copy, before)


def test_mart_layer_rules_stop_the_refresh_before_publishing(warehouse_copy, raw_copy):
    before = sha(warehouse_copy)
    edit(raw_copy, f"{V1}/published_totals.csv", '"£1,994,599"', '"£1,994,600"')  # lines no longer add up
    edit(raw_copy, f"{V1}/budget_lines.csv", "£0.359m", "£0.360m")  # printed arithmetic no longer holds
    edit(raw_copy, "framework/LEI-2016-17-v2/plf_allocations.csv", '"£29,700"', '"£29,800"')  # PLF table off
    with (raw_copy / "reference" / "name_variants.csv").open("a", encoding="utf-8") as variants:
        variants.write("provider,Rutland County Council,Rutland county council,two spellings of one provider\n")

    outcome = run_refresh(warehouse_copy, raw_copy, progress=False)

    assert not outcome.success
    assert "marts/fct_allocation" in outcome.materialized, "the marts were built, then checked"
    assert {
        ("published_totals", "Allocation lines add up to every printed subtotal and total"),
        ("budget_position", "Reserve = budget - committed - additional allocations, as printed"),
        ("partnership_locality_fund", "PLF allocation lines add up to the PLF table"),
        ("partnership_locality_fund", "The PLF table adds up to its printed total (£450,000 in 2016/17)"),
        ("contracts", "Each provider is spelled one way"),
    } <= failed_rules(outcome)
    assert "warehouse" not in outcome.materialized
    assert_untouched_and_queryable(warehouse_copy, before)


SUITES = {suite.name: suite for suite in load_suites()}


@pytest.mark.parametrize(
    ("suite", "corruption", "rule"),
    [
        ("raw_provider_returns", "update raw.provider_returns set period = '2016/17 Q1' where rowid = 0",
         "Periods are written like 2016-17 Q1"),
        ("raw_provider_returns", "update raw.provider_returns set period_folder = '2016-17 Q4' where rowid = 0",
         "Each row's period is the period of its folder"),
        ("raw_provider_returns", "update raw.provider_returns set value = -1 where measure = 'spend_gbp' and rowid < 10",
         "Spend and indicator values are not negative"),
        ("raw_provider_returns", "update raw.provider_returns set value = 104 where measure = 'VIC_SATISFIED'",
         "Percentages are between 0 and 100"),
        ("raw_provider_returns", "update raw.provider_returns set value = 99999 where measure = 'VIC_COPE'",
         "An outcome is no more than its paired activity"),
        ("priority_attribution", "update marts.fct_allocation_by_priority set share = 0.8 where priority_role = 'primary' and share = 0.75",
         "Attribution shares add up to 1 per contract"),
        ("priority_attribution", "update marts.fct_allocation_by_priority set attributed_gbp = attributed_gbp + 0.01 where contract_id = 'LEI-001'",
         "Attributed pounds add up to the allocation, to the penny"),
        ("priority_attribution", "update marts.fct_allocation_by_priority set strategic_priority = 'SP18' where contract_id = 'LEI-001' and priority_role = 'secondary'",
         "Money goes only to SP1..SP17 or VARIOUS"),
        ("priority_attribution", "update marts.fct_allocation_by_priority set strategic_priority = 'VARIOUS' where contract_id = 'LEI-004' and priority_role = 'secondary'",
         "VARIOUS is used only for Partnership Locality Fund lines"),
        ("latest_returns", "insert into intermediate.int_returns__latest_measures "
         "select * from intermediate.int_returns__latest_measures limit 1",
         "After resubmissions, one value per contract, period and measure"),
        ("contract_quarter", "delete from marts.fct_contract_quarter where return_status = 'missing'",
         "Every expected return is there or marked missing"),
    ],
)
def test_rules_that_the_reader_already_enforces_still_block(warehouse_copy, suite, corruption, rule):
    with duckdb.connect(str(warehouse_copy)) as con:
        con.execute(corruption)
        outcome = validate(con, SUITES[suite], warehouse_copy)
    failed = {o.rule.rule: o for o in outcome.failed(blocking=True)}
    assert rule in failed
    assert failed[rule].rows_failing >= 1 and failed[rule].failing_sample
