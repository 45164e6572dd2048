"""Amounts as commissioners print them: '£334, 818', '9 507', a printed total of '£2.765m'.

Registers and printed totals accept what returns accept plus the printed forms seen in published
registers; a printed total in millions means its precision (£2.765m is £2,765,000 ± £500). What
reads two ways is refused with both readings, as in returns; '£1.5m' in a return is still refused.
Fixtures: tests/fixtures/commissioners/README.md (Thames Valley's figures are published ones).
"""

import csv
import shutil

import pytest

from opcc.core import sql_macros
from opcc.ingest.numbers import MILLIONS_REGEX, PRINTED_GBP_REGEX, read_printed_amounts
from tests.conftest import PROJECT_ROOT, RAW, run_opcc

FIXTURES = RAW.parent / "tests" / "fixtures" / "commissioners"
NOR_NAME = "Office of the Police and Crime Commissioner for Norborough (illustrative)"
TVP_NAME = "Office of the Police and Crime Commissioner for Thames Valley"


@pytest.fixture
def raw(tmp_path):
    target = tmp_path / "raw"
    shutil.copytree(RAW, target, ignore=shutil.ignore_patterns("returns"))
    return target


def rows(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_models_read_register_amounts_with_the_one_grammar():
    macros = (PROJECT_ROOT / "dbt_project" / "macros" / "parsing.sql").read_text(encoding="utf-8")
    parse_gbp = macros[macros.index("macro parse_gbp(") : macros.index("endmacro", macros.index("macro parse_gbp("))]
    assert f"'{PRINTED_GBP_REGEX}'" in parse_gbp, "parse_gbp reads amounts with numbers.PRINTED_GBP_REGEX"
    for printed in ("£2.765m", "£3m", "£ 4.611m", "2.765m", "£2.765M", "£2.765 million"):  # totals in £m: the same reading
        (read,) = read_printed_amounts([printed], millions=True)
        macro = sql_macros.parse_gbp_millions(printed)
        assert (read.value is None and macro is None) or read.value == macro, (printed, MILLIONS_REGEX)
    for printed, value in (("£334, 818", "334818"), ("9 507", "9507"), ("£1,234.50", "1234.50"), ("£1114", "1114")):
        assert str(sql_macros.parse_gbp(printed)) == value
        (read,) = read_printed_amounts([printed])
        assert str(read.value) == f"{float(value):.2f}"
    assert sql_macros.parse_gbp("1.500") is None and sql_macros.parse_gbp("£1.5m") is None


def test_what_reads_two_ways_is_refused_with_both_readings(raw, tmp_path):
    register = tmp_path / "awards.csv"
    register.write_text(
        "initiative,provider,allocated_gbp,funding_mechanism,primary_priority\n"
        "Food parcels,Norborough Food Bank,\"£12, 500\",Small grants,P2\n"
        "Refuge beds,Safe Steps,1.500,Small grants,P2\n"
        "Helpline,Norborough Victims Helpline,\"36001,53\",Small grants,P2\n",
        encoding="utf-8",
    )
    result = run_opcc("import-allocations", str(register), "--raw", str(raw), "--commissioner", "NOR", "--version",
                      "2016-17 v1", "--plan", str(FIXTURES / "nor-plan.csv"), "--name", NOR_NAME)
    assert result.returncode == 1
    problems = [line for line in result.stderr.splitlines() if line.startswith(str(register))]
    assert problems == [
        f"{register} row 3, column allocated_gbp: value '1.500' reads two ways: 1.5 with a decimal point, or 1500 if the "
        "point separates thousands; write the number meant with a decimal point and no other separator",
        f"{register} row 4, column allocated_gbp: value '36001,53' reads two ways: 36001.53 with a decimal comma, or "
        "3600153 if its separators mark thousands; write the number meant with a decimal point and no other separator",
    ]


def test_printed_spacing_is_read_as_meant(raw):
    result = run_opcc(
        "import-allocations", str(FIXTURES / "nor-2016-17-emergency-fund.csv"), "--raw", str(raw), "--commissioner", "NOR",
        "--version", "2016-17 v1", "--plan", str(FIXTURES / "nor-plan.csv"), "--name", NOR_NAME, "--stream", "emergency_fund",
        "--printed-total", "£52,656",
    )
    assert result.returncode == 0, result.stderr
    assert "£52,656.00" in result.stdout and "the rows add up to it" in result.stdout
    lines = rows(raw / "framework" / "NOR-2016-17-emergency_fund-v1" / "allocation_lines.csv")
    assert [line["value_printed"] for line in lines][:2] == ["£12, 500", "9 507"], "kept as printed"


def tvp(raw, *extra):
    return run_opcc(
        "import-allocations", str(FIXTURES / "tvp-victims-2017-18-register.csv"), "--raw", str(raw), "--commissioner", "TVP",
        "--version", "2017-18 v1", "--plan", str(FIXTURES / "tvp-plan-2017-21.csv"), "--name", TVP_NAME,
        "--stream", "victims_services_grant", *extra,
    )


def test_a_total_in_millions_beyond_its_precision_is_refused_naming_the_amount(raw):
    result = tvp(raw, "--printed-total", "£2.765m")
    assert result.returncode == 1
    assert (
        "the register's rows add up to £2,544,512.00, £220,488.00 less than the printed total £2,765,000.00 (£2.765m), "
        "beyond its printed precision (± £500)"
    ) in result.stderr
    accepted = tvp(raw, "--printed-total", "£2.765m", "--accept-difference",
                   "the published page lists only some of the services the grant paid for")
    assert accepted.returncode == 0, accepted.stderr


def test_a_total_in_millions_within_its_precision_is_accepted_as_rounding(raw, tmp_path):
    register = tmp_path / "grant.csv"
    source = (FIXTURES / "tvp-victims-2017-18-register.csv").read_text(encoding="utf-8")
    # One more line so that the rows come to £2,765,321: within £500 of the printed £2.765m.
    register.write_text(source + "Victims services not itemised,Office of the PCC for Thames Valley,220809,OPCC in-house,VF1,,annual\n",
                        encoding="utf-8")
    result = run_opcc(
        "import-allocations", str(register), "--raw", str(raw), "--commissioner", "TVP", "--version", "2017-18 v1",
        "--plan", str(FIXTURES / "tvp-plan-2017-21.csv"), "--name", TVP_NAME, "--stream", "victims_services_grant",
        "--printed-total", "£2.765m",
    )
    assert result.returncode == 0, result.stderr
    (total,) = rows(raw / "framework" / "TVP-2017-18-victims_services_grant-v1" / "published_totals.csv")
    assert (total["value_printed"], total["difference_accepted_gbp"]) == ("£2.765m", "321.00")
    assert total["accepted_because"] == "rounding: the printed total £2.765m is to the nearest £1,000"


def test_millions_in_a_return_are_still_refused(tmp_path):
    folder = tmp_path / "2016-17 Q1"
    folder.mkdir()
    path = folder / "LEI-001.csv"
    path.write_text("contract_id,period,measure,value,comment\nLEI-001,2016-17 Q1,spend_gbp,£1.5m,\n", encoding="utf-8")
    checked = run_opcc("validate-return", str(path), "--raw", str(RAW))
    assert checked.returncode == 1
    assert "£1.5m" in checked.stdout + checked.stderr


def test_an_amount_the_models_cannot_hold_is_refused_in_one_line():
    """27 digits or more raised decimal.InvalidOperation (a traceback from opcc import-allocations); 13 to 26
    digits, and digits of other scripts ('１２３'), were accepted and then read as nothing by the models."""
    largest, too_large, far_too_large = "999999999999.99", "1000000000000", "9" * 30
    read = read_printed_amounts([largest, too_large, far_too_large, "１２３", "£9999999m"], millions=True)
    assert read[0].value == sql_macros.parse_gbp(largest)
    assert sql_macros.parse_gbp(too_large) is None and sql_macros.parse_gbp("１２３") is None
    assert [r.value for r in read[1:]] == [None] * 4
    assert read[2].why == f"'{far_too_large}' is too large: more than £999,999,999,999.99, the most an amount can be"
    assert "too large" in read[4].why and not read[3].why  # '１２３' is no number at all


def test_a_printed_total_too_large_is_refused_naming_it(raw):
    result = run_opcc("import-allocations", str(FIXTURES / "nor-2016-17-register.csv"), "--raw", str(raw), "--commissioner",
                      "NOR", "--version", "2016-17 v1", "--plan", str(FIXTURES / "nor-plan.csv"), "--name", NOR_NAME,
                      "--printed-total", "9" * 30)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"--printed-total '{'9' * 30}' more than £999,999,999,999.99, the most an amount can be" in result.stderr
