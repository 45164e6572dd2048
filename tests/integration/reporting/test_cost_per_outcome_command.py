"""`opcc cost-per-outcome` reads like a report in a terminal; csv and json stay as scripts read them."""

import csv
import io
import json
import re

from tests.conftest import run_opcc


def test_table_has_names_natural_order_integers_and_pounds(bundled_warehouse, db):
    completed = run_opcc("cost-per-outcome", "--warehouse", str(bundled_warehouse), "--ytd", env={"COLUMNS": "100"})
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert lines[0] == "Cost per outcome, 2016-17 Q4 (year to date)"
    assert all(len(line) <= 100 for line in lines), "sized to the terminal"
    codes = [line.split()[0] for line in lines[3:-1] if line.strip()]
    numbers = [int(re.sub(r"\D", "", c) or 0) for c in codes if c.startswith("SP")]
    assert numbers == sorted(numbers) and 10 in numbers, "SP1, SP2 ... SP10, not SP1, SP10, SP11"
    short_name = db.execute(
        "select short_name from marts.dim_strategic_priority where commissioner_code = 'LEI' and strategic_priority = 'SP9'"
    ).fetchone()[0]
    sp9 = next(line for line in lines if line.startswith("SP9 "))
    assert short_name[:8] in sp9 and "VIC_COPE" in sp9
    outcomes = db.execute(
        "select outcome_value, cost_per_outcome_gbp from marts.fct_cost_per_outcome where commissioner_code = 'LEI' "
        "and period = '2016-17 Q4' and period_basis = 'year_to_date' and indicator_code = 'VIC_COPE'"
    ).fetchone()
    value = float(outcomes[0])
    shown = f"{round(value):,}" if value == round(value) else f"{value:,.2f}"
    assert shown in sp9 and f"{round(value):,}.00" not in sp9, "whole counts as integers, attributed shares to 2 decimals"
    assert f"£{float(outcomes[1]):,.2f}" in sp9


def test_unknown_priority_or_indicator_lists_the_valid_ones(bundled_warehouse):
    priority = run_opcc("cost-per-outcome", "--warehouse", str(bundled_warehouse), "--priority", "SP99")
    assert priority.returncode == 2 and "no strategic priority 'SP99' for LEI" in priority.stderr
    assert "SP1 " in priority.stderr and "SP17 " in priority.stderr and "Traceback" not in priority.stderr
    indicator = run_opcc("cost-per-outcome", "--warehouse", str(bundled_warehouse), "--indicator", "NOPE")
    assert indicator.returncode == 2 and "no outcome indicator 'NOPE'" in indicator.stderr and "VIC_COPE" in indicator.stderr
    commissioner = run_opcc("cost-per-outcome", "--warehouse", str(bundled_warehouse), "--commissioner", "XYZ")
    assert commissioner.returncode == 2 and "no commissioner 'XYZ'" in commissioner.stderr and "LEI" in commissioner.stderr


def test_csv_and_json_keep_their_columns(bundled_warehouse):
    columns = ["period", "period_basis", "strategic_priority", "indicator_code", "indicator_name", "attributed_spend_gbp",
               "outcome_value", "cost_per_outcome_gbp", "contracts", "not_computed_because", "indicator_kind"]
    as_csv = run_opcc("cost-per-outcome", "--warehouse", str(bundled_warehouse), "--format", "csv")
    rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert rows[0] == columns and len(rows) > 5
    as_json = json.loads(run_opcc("cost-per-outcome", "--warehouse", str(bundled_warehouse), "--format", "json").stdout)
    assert list(as_json[0]) == columns
