"""Units are checked per measure: '%' only for a percentage indicator, '£' only for money; a value
written with another measure's unit is quarantined with its reason, never read past."""

from __future__ import annotations

import csv

import pytest

from opcc.ingest.return_tools import validate_file
from tests.conftest import RAW, indicator_units

HEADER = "contract_id,period,measure,value,comment\n"


def percent_indicator() -> tuple[str, str]:
    """A contract and one of its percentage indicators, from the reference data."""
    percent = {code for code, unit in indicator_units().items() if unit == "percent"}
    with (RAW / "reference" / "targets.csv").open(encoding="utf-8") as handle:
        row = next(r for r in csv.DictReader(handle) if r["indicator_code"] in percent and r["financial_year"] == "2016-17")
    return row["contract_id"], row["indicator_code"]


def count_indicator(contract: str) -> str:
    counts = {code for code, unit in indicator_units().items() if unit == "count"}
    with (RAW / "reference" / "targets.csv").open(encoding="utf-8") as handle:
        return next(r["indicator_code"] for r in csv.DictReader(handle) if r["contract_id"] == contract and r["indicator_code"] in counts)


@pytest.mark.parametrize(
    ("measure", "value", "loads", "words"),
    [
        ("spend_gbp", "50%", False, "is a percentage, but spend_gbp is money"),
        ("COUNT", "£29", False, "is an amount of money, but"),
        ("COUNT", "29%", False, "is a percentage, but"),
        ("spend_gbp", "£1,250.50", True, ""),
        ("PERCENT", "29.7%", True, ""),
        ("PERCENT", "£29", False, "is an amount of money, but"),
    ],
)
def test_a_unit_must_be_the_measures_own(tmp_path, measure, value, loads, words):
    contract, percent = percent_indicator()
    measure = {"COUNT": count_indicator(contract), "PERCENT": percent}.get(measure, measure)
    path = tmp_path / "return.csv"
    path.write_text(HEADER + f'{contract},2016-17 Q1,{measure},"{value}",\n', encoding="utf-8")
    check = validate_file(path, RAW, "2016-17 Q1")
    assert check.rows_ok == (1 if loads else 0)
    if not loads:
        ((problem),) = [p for p in check.problems if p["column_name"] == "value"]
        assert words in problem["reason"] and value in problem["reason"]
