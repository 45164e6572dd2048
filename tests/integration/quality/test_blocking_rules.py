"""Every blocking rule blocks: shown by corrupting its input.

A rule that holds back (`meta.on_failure: hold_back`) keeps the framework version it names out of the
marts while the rest publishes; any other blocking rule stops the refresh. Two refreshes show the two
behaviours end to end; then every blocking rule of every suite is shown failing on a corrupted copy
of the rows it reads, naming the rows that broke it (and, for a hold-back rule, the version).
"""

import hashlib

import duckdb
import pytest

from opcc.quality import held_back, load_suites, validate
from orchestration.commands.refresh import run_refresh

V1 = "framework/LEI-2016-17-v1"
V2 = "framework/LEI-2016-17-v2"
SUITES = {suite.name: suite for suite in load_suites()}


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


def test_a_global_rule_stops_the_refresh_and_leaves_the_live_warehouse_as_it_was(warehouse_copy, raw_copy):
    before = sha(warehouse_copy)
    with (raw_copy / "reference" / "name_variants.csv").open("a", encoding="utf-8") as variants:
        variants.write("LEI,provider,Catch 22 Ltd\n")  # a row cut short: reference data must be whole
    edit(raw_copy, "returns/submission_log.csv", "2016-07-03 10:59", "last Tuesday")

    outcome = run_refresh(warehouse_copy, raw_copy, progress=False)

    assert not outcome.success and outcome.exit_code == 1
    assert outcome.reason.startswith("blocking rule failed: ")
    assert {
        ("input_files", "Every row of every reference file was read (reference data must be whole)"),
        ("submission_log", "Received dates read as dates (YYYY-MM-DD or DD/MM/YYYY, optionally with a time)"),
    } <= failed_rules(outcome)
    assert "warehouse" not in outcome.materialized
    assert sha(warehouse_copy) == before


def test_a_version_that_breaks_a_rule_is_held_back_and_the_previous_one_stays_current(warehouse_copy, raw_copy):
    edit(raw_copy, f"{V2}/published_totals.csv", '"£1,994,599"', '"£1,994,600"')  # lines no longer add up
    edit(raw_copy, f"{V2}/budget_lines.csv", "£0.339m", "£0.340m")  # printed arithmetic no longer holds
    edit(raw_copy, f"{V2}/plf_allocations.csv", '"£29,700"', '"£29,800"')  # the table by area is off

    outcome = run_refresh(warehouse_copy, raw_copy, progress=False)

    assert outcome.success and outcome.exit_code == 3
    assert [(v.commissioner_code, v.framework_version) for v in outcome.held_back] == [("LEI", "2016-17 v2")]
    reasons = outcome.held_back[0].reasons
    assert "Every printed subtotal and total equals the sum of its lines" in reasons and "1,994,600" in reasons
    assert "Reserve = budget - committed - additional allocations, as printed" in reasons
    assert "Partnership grant lines add up to the table by area" in reasons
    with duckdb.connect(str(warehouse_copy), read_only=True) as con:
        statuses = dict(con.execute("select framework_version, status from marts.dim_framework_version").fetchall())
        assert statuses == {"2016-17 v1": "current", "2016-17 v2": "held back"}
        assert con.execute("select sum(allocated_gbp) from marts.fct_allocation").fetchone()[0] == 4_251_983
        assert con.execute("select count(distinct contract_id) from intermediate.int_returns__expected").fetchone()[0] == 56


# Each blocking rule, and a corruption of the rows its suite reads that breaks it.
CORRUPTIONS = [
    ("framework_versions", "update intermediate.int_framework_versions set plan_code = null where framework_version = '2016-17 v1'",
     "A plan of the commissioner is in force for the version's financial year"),
    ("framework_versions", "insert into audit.quarantined_rows (source_table, period, path, row_number, column_name, value, reason, run_id) values ('allocation_lines', null, "
     "'framework/LEI-2016-17-v1/allocation_lines.csv', 7, null, null, 'row has 3 fields, the header has 16', 'test')",
     "Every row of the version's files and of its plan's files was read"),
    ("framework_versions", "update intermediate.int_framework_versions set funding_stream = 'lottery' where framework_version = '2016-17 v1'",
     "The version's funding stream is in the national list (raw/reference/funding_streams.csv)"),
    ("framework_versions", "update intermediate.int_allocation_lines__conformed set reporting_rhythm = 'monthly' "
     "where contract_id = 'LEI-001' and framework_version = '2016-17 v1'",
     "Every line's reporting rhythm is in the list (raw/reference/reporting_rhythms.csv)"),
    ("framework_lines", "update intermediate.int_allocation_lines__conformed set allocated_gbp = null where contract_id = 'LEI-001'",
     "Every printed amount reads as pounds"),
    ("framework_lines", "update intermediate.int_allocation_lines__conformed set mechanism_code = null where contract_id = 'LEI-001'",
     "Every line's funding mechanism is one of its plan's"),
    ("framework_lines", "update intermediate.int_allocation_lines__priorities set theme_code = null where contract_id = 'LEI-001'",
     "Every line's strategic theme is one of its plan's (printed, or its primary priority's), when the plan has themes"),
    ("framework_lines", "update intermediate.int_allocation_lines__priorities set primary_problem = 'unreadable' where contract_id = 'LEI-001'",
     "Every line's primary priority is a priority of its plan"),
    ("framework_totals", "update intermediate.int_published_totals__checked set agrees = false where total_kind = 'grand_total'",
     "Every printed subtotal and total equals the sum of its lines, or a difference the analyst accepted with a reason"),
    ("framework_budget", "update raw.budget_lines set value_printed = '£4.6l1m' where budget_line = 'commissioning_budget'",
     "Every budget figure reads as £m to three decimals"),
    ("framework_budget", "update intermediate.int_budget_position set available_arithmetic_holds = false",
     "Available = budget - committed, as printed"),
    ("framework_budget", "update intermediate.int_budget_position set reserve_arithmetic_holds = false",
     "Reserve = budget - committed - additional allocations, as printed"),
    ("framework_budget", "update intermediate.int_budget_position set committed_matches_lines = false",
     "Committed figure agrees with the lines of the committed tables (to £1,000)"),
    ("framework_budget", "update intermediate.int_budget_position set additional_matches_lines = false",
     "Additional allocations agree with the lines of the additional tables (to £1,000)"),
    ("framework_area_grants", "update intermediate.int_area_grants__conformed set plf_allocated_gbp = null where line_number = 1",
     "Every amount in the table by area reads as pounds"),
    ("framework_area_grants", "update intermediate.int_area_grants__conformed set community_safety_partnership = null where line_number = 2",
     "Every area in the table is a known community safety partnership of the commissioner"),
    ("framework_area_grants", "update intermediate.int_area_grants__conformed set plf_allocated_gbp = plf_allocated_gbp + 1 where line_number = 3",
     "Partnership grant lines add up to the table by area"),
    ("framework_attribution", "update intermediate.int_priority_shares set share = 0.8 where priority_role = 'primary' and share = 0.75",
     "Attribution shares add up to 1 per contract"),
    ("framework_attribution", "update intermediate.int_priority_shares set priority_role = 'pooled' where contract_id = 'LEI-001'",
     "A pooled priority outside the plan proper takes money only from partnership grants"),
    ("framework_providers", "update intermediate.int_framework_lines set provider = 'Catch22' where contract_id = 'LEI-023'",
     "Each provider is spelled one way"),
    ("plans", "update intermediate.int_plan_elements set national_code = 'street_safety' where element_code = 'SP1'",
     "Every priority maps to a national outcome area"),
    ("plans", "update intermediate.int_plan_elements set national_code = 'charity' where element_kind = 'mechanism' and position = 1",
     "Every funding mechanism maps to a national mechanism class"),
    ("plans", "update intermediate.int_plan_elements set parent_code = 'T9' where element_code = 'SP1'",
     "A priority's theme is a theme of the same plan"),
    ("input_files", "insert into audit.quarantined_rows (source_table, period, path, row_number, column_name, value, reason, run_id) values ('indicators', null, 'reference/indicators.csv', 5, null, null, "
     "'row has 2 fields, the header has 7', 'test')",
     "Every row of every reference file was read (reference data must be whole)"),
    ("contracts", "update raw.contracts set contract_id = 'LEI001' where contract_id = 'LEI-001'",
     "A contract id is its commissioner's code and a number"),
    ("submission_log", "update raw.submission_log set period = '2016/17 Q1' where _source_row = 2",
     "Log lines name a reporting period"),
    ("submission_log", "update raw.submission_log set received_at = 'last Tuesday' where _source_row = 2",
     "Received dates read as dates (YYYY-MM-DD or DD/MM/YYYY, optionally with a time)"),
    ("priority_attribution", "update marts.fct_allocation_by_priority set attributed_gbp = attributed_gbp + 0.01 where contract_id = 'LEI-001'",
     "Attributed pounds add up to the allocation, to the penny"),
    ("spend_attribution", "update marts.fct_spend_by_priority set spend_gbp = spend_gbp + 0.01 where period = '2016-17 Q2' and strategic_priority = 'SP9'",
     "Spend attributed to priorities adds up to the spend reported for the contracts the current framework funds, to the penny"),
    ("cost_per_outcome", "update marts.fct_cost_per_outcome set cost_per_outcome_gbp = cost_per_outcome_gbp + 1 where cost_per_outcome_gbp > 0",
     "Every cost per outcome recomputes as attributed spend / outcomes"),
    ("cost_per_outcome", "update marts.fct_cost_per_outcome set cost_per_outcome_gbp = null, not_computed_because = null "
     "where cost_per_outcome_gbp > 0 and period = '2016-17 Q1'",
     "A cost per outcome that cannot be computed says why"),
    ("cost_per_outcome", "update marts.fct_cost_per_outcome set attributed_spend_gbp = attributed_spend_gbp + 1 "
     "where period_basis = 'year_to_date' and period = '2016-17 Q2'",
     "Year-to-date spend is the sum of its quarters (to 5p of rounding)"),
    ("cost_per_outcome", "update marts.fct_cost_per_outcome set outcome_value = outcome_value + 1 "
     "where period_basis = 'year_to_date' and period = '2016-17 Q2'",
     "Year-to-date outcomes are the sum of their quarters"),
    ("open_data", "insert into audit.open_data_records select * from audit.open_data_records where record_id = 'LEI-001'",
     "Every grant and contract is in a file once (identifiers unique)"),
    ("open_data", "update audit.open_data_records set amount_gbp = 0 where record_id = 'LEI-001'",
     "Every amount published is positive"),
    ("open_data", "update audit.open_data_records set record_id = null where record_id = 'LEI-001'",
     "Every grant and contract published has an identifier"),
    ("open_data", "update audit.open_data_records set organisation_id = 'GB-CHC-12AB' where record_id = 'LEI-001'",
     "Every organisation identifier published is well formed: a recognised org-id list's code and an identifier of that list's form"),
]


def test_every_blocking_rule_has_a_corruption_below():
    blocking = {(suite.name, rule.rule) for suite in SUITES.values() for rule in suite.rules if rule.blocking}
    covered = {(suite, rule) for suite, _, rule in CORRUPTIONS}
    assert blocking == covered


@pytest.mark.parametrize(("suite", "corruption", "rule"), CORRUPTIONS, ids=[f"{s}: {r[:50]}" for s, _, r in CORRUPTIONS])
def test_each_blocking_rule_fails_on_a_corrupted_copy_naming_the_rows(warehouse_copy, suite, corruption, rule):
    with duckdb.connect(str(warehouse_copy)) as con:
        before = validate(con, SUITES[suite], warehouse_copy)
        assert rule not in {o.rule.rule for o in before.failed(blocking=True)}, "the rule passes on the bundled data"
        con.execute(corruption)
        outcome = validate(con, SUITES[suite], warehouse_copy)
    failed = {o.rule.rule: o for o in outcome.failed(blocking=True)}
    assert rule in failed
    assert failed[rule].rows_failing >= 1 and failed[rule].failing_sample
    if SUITES[suite].holds_back:
        versions = {(h.commissioner_code, h.framework_version) for h in held_back(outcome) if h.rule == rule}
        assert versions and all(code == "LEI" for code, _ in versions)
