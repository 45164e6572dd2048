"""A suite's results kept by financial year add up to what one check of every year says."""

from collections import Counter

import duckdb

import opcc.quality.by_year as by_year

KEYS = ("contract_id", "period")


def _identify(row: dict) -> str:
    return " / ".join(str(row[k]) for k in KEYS)


def _failing(*rows: tuple[str, str]) -> list[dict]:
    return [dict(zip(KEYS, row, strict=True)) for row in rows]


def _year_rows(failing: list[dict], checked: Counter, passed: bool | None = None) -> list[dict]:
    passed = not failing if passed is None else passed
    return by_year.split("Every return arrived", passed, len(failing), checked, failing, KEYS, _identify, 3)


def _totals(con) -> tuple:
    return by_year.totals(con, "returns", 3)["Every return arrived"]


def test_years_add_up_and_a_partial_check_replaces_only_its_years():
    con = duckdb.connect()
    con.execute("create schema audit")
    # A full check: two years, failing rows listed in their natural order.
    failing = _failing(("X-2", "2016-17 Q1"), ("X-2", "2017-18 Q1"), ("X-10", "2016-17 Q3"), ("X-10", "2016-17 Q4"))
    rows = _year_rows(failing, Counter({"2016-17": 40, "2017-18": 12}))
    assert [(r["financial_year"], r["rows_checked"], r["rows_failing"], r["passed"]) for r in rows] == [
        ("2016-17", 40, 3, False), ("2017-18", 12, 1, False)]
    by_year.replace(con, "returns", None, rows)
    assert _totals(con) == (False, 52, 4, ["X-2 / 2016-17 Q1", "X-2 / 2017-18 Q1", "X-10 / 2016-17 Q3"])

    # A partial check of 2017-18 finds it clean: 2016-17's results stand, and the whole still fails.
    by_year.replace(con, "returns", ["2017-18"], _year_rows([], Counter({"2017-18": 13})))
    assert _totals(con) == (False, 53, 3, ["X-2 / 2016-17 Q1", "X-10 / 2016-17 Q3", "X-10 / 2016-17 Q4"])

    # A full check replaces every year, including one that is no longer there.
    by_year.replace(con, "returns", None, _year_rows([], Counter({"2017-18": 13})))
    assert _totals(con) == (True, 13, 0, [])


def test_a_rule_that_could_not_run_fails_in_every_year_and_rows_without_a_year_stand_together():
    rows = _year_rows([], Counter({"2016-17": 5, "2017-18": 6}), passed=False)
    assert [(r["financial_year"], r["passed"]) for r in rows] == [("2016-17", False), ("2017-18", False)]
    no_year = by_year.split("rule", False, 2, Counter({"2016-17": 5}), [{"contract_id": "X-1"}, {"contract_id": "X-2"}],
                            ("contract_id",), str, 3)
    assert [(r["financial_year"], r["rows_checked"], r["rows_failing"]) for r in no_year] == [(by_year.UNSPLIT, 5, 2)]


def test_a_year_is_read_from_a_financial_year_or_a_period_of_any_rhythm():
    years = by_year.row_years(["2016-17 Q2", "2016-17 H1", "2017-18", None, "not a period"])
    assert years.tolist() == ["2016-17", "2016-17", "2017-18", by_year.UNSPLIT, by_year.UNSPLIT]
    assert by_year.is_scoped("select * from t where {refresh_years:financial_year}") and not by_year.is_scoped("select 1")


def test_a_partial_check_is_allowed_only_where_every_rule_has_results_kept_by_year():
    con = duckdb.connect()
    con.execute("create schema audit")
    assert not by_year.covers(con, "suite_a", ["rule one"]), "no table: a warehouse built before results were kept by year"
    by_year.replace(con, "suite_a", None, [by_year._row("rule one", "2016-17", True, 4, 0, [], [])])
    assert by_year.covers(con, "suite_a", ["rule one"])
    assert not by_year.covers(con, "suite_a", ["rule one", "a rule just added"])
    assert not by_year.covers(con, "suite_b", ["rule one"])
