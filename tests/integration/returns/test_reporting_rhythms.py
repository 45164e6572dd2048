"""Providers report in their contract's rhythm: quarterly, half-yearly, annual, or not at all.

Fixtures (tests/fixtures/commissioners/README.md): Thames Valley's 2017/18 victims services
grant as its PCC published it (real figures; an illustrative plan), every service reporting once
a year, imported as stream victims_services_grant with `returns` annual; beside it an
illustrative commissioning budget of the same year whose providers report half-yearly, and an
illustrative emergency fund of one-off awards (returns none). Returns written here are
illustrative.
"""

from __future__ import annotations

import csv
import shutil
from datetime import date, timedelta

import duckdb
import pytest

from opcc.core import warehouse as wh
from opcc.core.periods import Period, calendar, falling_due, partition_periods
from tests.conftest import RAW, built_once, run_opcc, statements

FIXTURES = RAW.parent / "tests" / "fixtures" / "commissioners"
TVP_NAME = "Office of the Police and Crime Commissioner for Thames Valley"


def opcc_ok(*args):
    result = run_opcc(*args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


# --- the period grammar (no warehouse) ---------------------------------------------------------


def test_half_years_and_years_are_periods_with_their_dates_and_deadlines():
    h1, h2, year = Period.parse("2018-19 H1"), Period.parse("2018-19 H2"), Period.parse("2018-19")
    assert (h1.first_day, h1.last_day, h1.months) == (date(2018, 4, 1), date(2018, 9, 30), "April to September 2018")
    assert (h2.first_day, h2.last_day) == (date(2018, 10, 1), date(2019, 3, 31))
    assert (year.first_day, year.last_day, year.months) == (date(2018, 4, 1), date(2019, 3, 31), "April 2018 to March 2019")
    assert [str(p) for p in (h1.next(), h2.next(), year.next(), h1.previous())] == ["2018-19 H2", "2019-20 H1", "2019-20", "2017-18 H2"]
    assert (h1.reporting_rhythm, year.reporting_rhythm, Period.parse("2018-19 Q3").reporting_rhythm) == (
        "half-yearly", "annual", "quarterly")
    assert [str(q) for q in h2.quarters] == ["2018-19 Q3", "2018-19 Q4"]
    assert year.due == h2.due == Period.parse("2018-19 Q4").due
    assert Period.containing(date(2018, 11, 5), "half-yearly") == h2
    assert falling_due(year.due, "annual") == year and falling_due(h1.due, "annual") is None
    for bad in ("2018-19 H3", "2018-20", "2018-19 Q5", "2018-19H1", "FY2018"):
        with pytest.raises(ValueError):
            Period.parse(bad)


def test_the_calendar_has_every_kind_of_period_and_a_year_to_date_quarter_for_each():
    periods = partition_periods(date(2017, 5, 1))
    assert {"2016-17 Q4", "2016-17 H1", "2016-17 H2", "2016-17", "2017-18 H1"} <= set(periods)
    rows = {row[0]: row for row in calendar(periods)}
    # period, financial_year, quarter (the one it ends with), start, end, due, months, kind, rhythm, months
    assert rows["2016-17 H1"][2] == 2 and rows["2016-17"][2] == 4 and rows["2016-17 Q3"][2] == 3
    assert [rows[p][7:] for p in ("2016-17 Q1", "2016-17 H2", "2016-17")] == [
        ("quarter", "quarterly", 3), ("half-year", "half-yearly", 6), ("year", "annual", 12)]


# --- in the warehouse ---------------------------------------------------------------------------


def write_returns(raw, period, spend: dict[str, str], logged: dict[str, str]):
    folder = raw / "returns" / period
    folder.mkdir(parents=True, exist_ok=True)
    for contract, value in spend.items():
        (folder / f"{contract}.csv").write_text(
            f"contract_id,period,measure,value,comment\n{contract},{period},spend_gbp,{value},\n", encoding="utf-8"
        )
    with (raw / "returns" / "submission_log.csv").open("a", encoding="utf-8", newline="") as log:
        writer = csv.writer(log)
        for contract, received in logged.items():
            writer.writerow([period, f"{contract}.csv", received, "illustrative"])


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """Built once for the run, whichever worker asks first (the tests only read it)."""
    return built_once(tmp_path_factory, "rhythms", build)


def build(root):
    raw = root / "raw"
    shutil.copytree(RAW, raw)
    opcc_ok(
        "import-allocations", str(FIXTURES / "tvp-victims-2017-18-register.csv"), "--raw", str(raw), "--commissioner", "TVP",
        "--version", "2017-18 v1", "--plan", str(FIXTURES / "tvp-plan-2017-21.csv"), "--name", TVP_NAME,
        "--stream", "victims_services_grant", "--fund", "Ministry of Justice victims services grant",
    )
    budget = root / "budget.csv"
    budget.write_text(
        "initiative,provider,allocated_gbp,funding_mechanism,primary_priority\n"
        "Victims hub staff,Office of the PCC for Thames Valley,120000,OPCC in-house,VF1\n"
        "Exploitation outreach,Safe Futures (illustrative),80000,Commissioned service,VF3\n",
        encoding="utf-8",
    )
    opcc_ok("import-allocations", str(budget), "--raw", str(raw), "--commissioner", "TVP", "--version", "2017-18 v1",
            "--returns", "half-yearly")
    awards = root / "awards.csv"
    awards.write_text(
        "initiative,provider,allocated_gbp,funding_mechanism,primary_priority\n"
        "Emergency refuge places,Refuge,15000,Commissioned service,VF2\n"
        "Helpline extra hours,Victim Support,9000,Commissioned service,VF1\n",
        encoding="utf-8",
    )
    opcc_ok("import-allocations", str(awards), "--raw", str(raw), "--commissioner", "TVP", "--version", "2017-18 v1",
            "--stream", "emergency_fund", "--returns", "none")
    contracts = {c["initiative_name"]: c["contract_id"] for c in csv.DictReader((raw / "framework" / "contracts.csv").open())
                 if c["commissioner_code"] == "TVP"}
    victim_support = contracts["Mainstream advice and support to victims and witnesses"]
    rj = contracts["Restorative Justice"]
    isva = contracts["Independent Sexual Violence Advisory (ISVA) service"]
    # The year's returns: two logged before the deadline (20 April 2018), one logged after it, one
    # loaded now with no log line (its received date is not known); the rest missing.
    write_returns(raw, "2017-18", {victim_support: "787970", rj: "275756", isva: "313387",
                                   contracts["Young victims of crime service"]: "412192"},
                  {victim_support: "2018-04-12 10:00", rj: "2018-04-20 16:00", isva: "2018-05-02 09:30"})
    hub, outreach = contracts["Victims hub staff"], contracts["Exploitation outreach"]
    write_returns(raw, "2017-18 H1", {hub: "60000"}, {hub: "2017-10-10 09:00"})
    live = root / "warehouse" / "opcc.duckdb"
    refreshed = run_opcc("refresh", "--warehouse", str(live), "--raw", str(raw), "--quiet")
    assert refreshed.returncode == 0, refreshed.stdout + refreshed.stderr
    return {"live": live, "raw": raw, "contracts": contracts, "hub": hub, "outreach": outreach,
            "victim_support": victim_support, "rj": rj, "isva": isva}


@pytest.fixture(scope="module")
def con(warehouse):
    connection = duckdb.connect(str(warehouse["live"]), read_only=True)
    yield connection
    connection.close()


@pytest.mark.warehouse
def test_each_contract_carries_its_rhythm_and_stream(con, warehouse):
    rhythms = dict(con.execute(
        "select reporting_rhythm, count(*) from marts.dim_contract where commissioner_code = 'TVP' group by 1").fetchall())
    assert rhythms == {"annual": 12, "half-yearly": 2, "none": 2}
    lei = con.execute("select distinct reporting_rhythm from marts.dim_contract where commissioner_code = 'LEI'").fetchall()
    assert lei == [("quarterly",)], "a register that says nothing reports quarterly"
    classes = con.execute(
        "select mechanism_class from marts.dim_contract where contract_id = ?", [warehouse["hub"]]).fetchone()
    assert classes == ("in_house",)


@pytest.mark.warehouse
def test_an_annual_return_on_time_is_compared_with_the_whole_years_allocation(con, warehouse):
    row = con.execute(
        "select return_status, days_late, null, spend_gbp, profile_gbp, profile_reported_ytd_gbp, finance_rag, exceptions "
        "from marts.fct_contract_performance where contract_id = ? and period = '2017-18'", [warehouse["victim_support"]]
    ).fetchone()
    status, days_late, _, spend, profile, profile_reported, finance, exceptions = row
    assert (status, days_late) == ("received", 0)
    assert float(spend) == float(profile) == float(profile_reported) == 787970
    assert finance == "green"
    assert not [e for e in exceptions if e.startswith(("overspent", "late", "missing"))]
    on_deadline = con.execute(
        "select return_status, is_late from marts.fct_contract_quarter where contract_id = ? and period = '2017-18'",
        [warehouse["rj"]]).fetchone()
    assert on_deadline == ("received", False), "received on the due date is on time"
    late = con.execute(
        "select return_status, days_late from marts.fct_contract_quarter where contract_id = ? and period = '2017-18'",
        [warehouse["isva"]]).fetchone()
    assert late == ("late", 12)


@pytest.mark.warehouse
def test_a_return_loaded_after_the_fact_without_a_log_line_is_received_date_unknown(con, warehouse):
    young = warehouse["contracts"]["Young victims of crime service"]
    row = con.execute(
        "select return_status, is_late, days_late, is_received_date_unknown from marts.fct_contract_quarter "
        "where contract_id = ? and period = '2017-18'", [young]).fetchone()
    assert row == ("received (date unknown)", False, None, True)
    exceptions = con.execute(
        "select exceptions from marts.fct_contract_performance where contract_id = ? and period = '2017-18'", [young]
    ).fetchone()[0]
    assert not [e for e in exceptions if "late" in e]


@pytest.mark.warehouse
def test_annual_contracts_are_expected_only_for_the_year_and_awards_never(con, warehouse):
    periods = con.execute(
        "select distinct q.period from marts.fct_contract_quarter q join marts.dim_contract c using (contract_id) "
        "where c.commissioner_code = 'TVP' and c.reporting_rhythm = 'annual' and q.is_expected order by 1").fetchall()
    assert periods == [("2017-18",)]
    missing = con.execute(
        "select count(*) from marts.fct_contract_quarter q join marts.dim_contract c using (contract_id) "
        "where c.commissioner_code = 'TVP' and c.reporting_rhythm = 'annual' and q.return_status = 'missing'").fetchone()[0]
    assert missing == 12 - 4
    awards = con.execute(
        "select count(*) from marts.fct_contract_quarter q join marts.dim_contract c using (contract_id) "
        "where c.reporting_rhythm = 'none'").fetchone()[0]
    assert awards == 0, "a one-off award is never expected to report, so never missing or late"


@pytest.mark.warehouse
def test_half_yearly_contracts_report_for_halves_with_half_the_year_as_profile(con, warehouse):
    rows = con.execute(
        "select contract_id, period, return_status, profile_gbp from marts.fct_contract_performance "
        "where contract_id in (?, ?) order by 1, 2", [warehouse["hub"], warehouse["outreach"]]).fetchall()
    assert [(c, p, s, float(f)) for c, p, s, f in rows] == [
        (warehouse["hub"], "2017-18 H1", "received", 60000.0),
        (warehouse["outreach"], "2017-18 H1", "missing", 40000.0),
    ]


@pytest.mark.warehouse
def test_the_open_data_states_no_reporting_condition_for_a_one_off_award(con):
    conditions = dict(con.execute(
        "select reporting_rhythm, any_value(conditions) from opendata.pub_allocations where commissioner_code = 'TVP' group by 1"
    ).fetchall())
    assert "annual return" in conditions["annual"].lower()
    assert "quarter" not in conditions["annual"].lower()
    assert conditions["none"] is None or "return" not in conditions["none"].lower()
    lei = con.execute("select any_value(conditions) from opendata.pub_allocations where commissioner_code = 'LEI'").fetchone()[0]
    assert "Quarterly returns of spend" in lei


@pytest.mark.warehouse
def test_the_validator_and_template_follow_the_rhythm(warehouse, tmp_path):
    wrong = tmp_path / "2017-18 Q2"
    wrong.mkdir()
    path = wrong / "return.csv"
    path.write_text(f"contract_id,period,measure,value,comment\n{warehouse['hub']},2017-18 Q2,spend_gbp,100,\n", encoding="utf-8")
    checked = run_opcc("validate-return", str(path), "--raw", str(warehouse["raw"]))
    assert f"contract {warehouse['hub']} reports half-yearly, so its returns are for periods like '2017-18 H1'" in (
        checked.stdout + checked.stderr)
    made = run_opcc("template", "--contract", warehouse["hub"], "--period", "2017-18 Q2", "--warehouse", str(warehouse["live"]),
                    "--out", str(tmp_path / "t.xlsx"))
    assert made.returncode != 0 and "reports half-yearly" in made.stdout + made.stderr
    assert "Traceback" not in made.stdout + made.stderr


@pytest.mark.warehouse
def test_a_pack_shows_each_fund_with_its_own_totals(warehouse, tmp_path):
    out = tmp_path / "pack"
    made = run_opcc("report", "--warehouse", str(warehouse["live"]), "--commissioner", "TVP", "--period", "2017-18",
                    "--out", str(out))
    assert made.returncode == 0, made.stdout + made.stderr
    page = next(out.glob("*.html")).read_text(encoding="utf-8")
    assert page.count("data-stream=") == 3
    for words in ("Commissioning budget", "Victims services grant: Ministry of Justice victims services grant", "Emergency fund",
                  "£2,544,512", "£200,000", "£24,000", "4 of 12 returns for 2017-18 received",
                  "no return expected for 2017-18 (providers report: none)"):
        assert words in page, words
    assert "Illustrative sample data" not in page


@pytest.mark.warehouse
def test_a_pack_renders_for_a_period_with_allocations_and_no_returns(warehouse, tmp_path):
    out = tmp_path / "q1"
    made = run_opcc("report", "--warehouse", str(warehouse["live"]), "--commissioner", "TVP", "--period", "2017-18 Q1",
                    "--out", str(out))
    assert made.returncode == 0, made.stdout + made.stderr
    page = next(out.glob("*.html")).read_text(encoding="utf-8")
    assert "No contract of this commissioner reports for 2017-18 Q1" in page
    assert "Traceback" not in made.stdout + made.stderr
    refused = run_opcc("report", "--warehouse", str(warehouse["live"]), "--commissioner", "TVP", "--period", "2019-20 Q1",
                       "--out", str(tmp_path / "none"))
    assert refused.returncode == 2
    assert "years with allocations: 2017-18" in refused.stderr
    assert "Traceback" not in refused.stderr


@pytest.mark.warehouse
def test_status_chases_each_rhythm_for_its_latest_period(warehouse):
    shown = run_opcc("status", "--warehouse", str(warehouse["live"]))
    assert shown.returncode == 0, shown.stderr
    text = "\n".join(statements(shown.stdout))  # each status line whole, however the terminal wrapped it
    assert "Returns for 2017-18 H1 (due 20 October 2017, half-yearly)" in text
    assert f"{warehouse['outreach']} Safe Futures (illustrative): missing" in text
    assert "Returns for 2017-18 (due 20 April 2018, annual)" in text
    assert "12 expected: 2 received, 1 received (date unknown), 1 late, 0 resubmitted, 8 missing" in text
    assert f"{warehouse['isva']} Refuge: late by 12 days" in text
    assert "none" not in [line.split(":")[-1].strip() for line in text.splitlines() if line.startswith("  TVP-")]


@pytest.mark.warehouse
def test_the_open_data_publishes_every_funds_current_version(warehouse):
    published = sorted(p.name for p in (wh.open_data_dir(warehouse["live"]) / "TVP").iterdir())
    assert published == ["2017-18-emergency_fund-v1", "2017-18-v1", "2017-18-victims_services_grant-v1"]


def test_the_schedule_refreshes_the_half_year_and_year_that_fall_due_with_their_quarter(tmp_path):
    from orchestration.defs.schedules import periods_falling_due

    raw = tmp_path / "raw"
    for folder in ("2016-17 Q4", "2016-17 H2", "2016-17", "2016-17 H1"):
        (raw / "returns" / folder).mkdir(parents=True)
    day_after = Period.parse("2016-17").due + timedelta(days=1)
    assert [str(p) for p in periods_falling_due(day_after, raw)] == ["2016-17 Q4", "2016-17 H2", "2016-17"]
    october = Period.parse("2016-17 H1").due + timedelta(days=1)
    assert [str(p) for p in periods_falling_due(october, raw)] == ["2016-17 Q2", "2016-17 H1"]
    (raw / "returns" / "2016-17 H1").rmdir()
    assert [str(p) for p in periods_falling_due(october, raw)] == ["2016-17 Q2"], "no half-yearly provider: the quarter only"
    assert periods_falling_due(october + timedelta(days=1), raw) == []
