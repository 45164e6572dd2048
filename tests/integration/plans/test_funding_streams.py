"""Every fund a commissioner runs is its own funding stream: versions per commissioner, year and stream.

Illustrative data (tests/fixtures/commissioners/README.md): the fictional Norborough's 2016-17
commissioning framework and, the same year, its emergency fund of six one-off awards imported as
stream `emergency_fund`. Neither supersedes the other, the national comparison compares each
stream only with the same stream, and each allocation mart says which stream its money is from.
"""

import csv
import shutil

import duckdb
import pytest

from tests.conftest import RAW, run_opcc

FIXTURES = RAW.parent / "tests" / "fixtures" / "commissioners"
NOR_NAME = "Office of the Police and Crime Commissioner for Norborough (illustrative)"


def opcc_ok(*args):
    result = run_opcc(*args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def rows(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def import_framework(raw):
    return opcc_ok(
        "import-allocations", str(FIXTURES / "nor-2016-17-register.csv"), "--raw", str(raw), "--commissioner", "NOR",
        "--version", "2016-17 v1", "--plan", str(FIXTURES / "nor-plan.csv"), "--name", NOR_NAME,
    )


def import_emergency_fund(raw, *extra):
    return run_opcc(
        "import-allocations", str(FIXTURES / "nor-2016-17-emergency-fund.csv"), "--raw", str(raw), "--commissioner", "NOR",
        "--version", "2016-17 v1", "--stream", "emergency_fund", "--fund", "Norborough emergency fund", *extra,
    )


@pytest.fixture
def raw(tmp_path):
    target = tmp_path / "raw"
    shutil.copytree(RAW, target, ignore=shutil.ignore_patterns("returns"))
    return target


def test_a_second_stream_of_the_same_year_is_a_version_of_its_own(raw):
    import_framework(raw)
    result = import_emergency_fund(raw, "--returns", "none")
    assert result.returncode == 0, result.stderr
    assert "2016-17 emergency_fund v1 (emergency_fund)" in result.stdout
    (version,) = rows(raw / "framework" / "NOR-2016-17-emergency_fund-v1" / "framework.csv")
    assert (version["funding_stream"], version["fund_name"], version["financial_year"]) == (
        "emergency_fund", "Norborough emergency fund", "2016-17")
    assert (raw / "framework" / "NOR-2016-17-v1" / "framework.csv").exists(), "the framework is still there"
    lines = rows(raw / "framework" / "NOR-2016-17-emergency_fund-v1" / "allocation_lines.csv")
    assert {line["returns_printed"] for line in lines} == {"none"}
    contracts = [c for c in rows(raw / "framework" / "contracts.csv") if c["commissioner_code"] == "NOR"]
    assert len(contracts) == 7 + 6, "an award is a contract of its own stream, never matched to a framework contract"
    again = import_emergency_fund(raw)
    assert again.returncode == 1
    assert "NOR 2016-17 emergency_fund v1 (emergency_fund) is already in" in again.stderr
    assert "import it as v2" in again.stderr


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--stream", "lottery"), "--stream 'lottery' is not a funding stream (commissioning_budget, victims_services_grant"),
        (("--returns", "monthly"), "--returns 'monthly' is not a reporting rhythm (quarterly, half-yearly, annual, none)"),
    ],
)
def test_an_unknown_stream_or_rhythm_is_refused_before_anything_is_written(raw, extra, message):
    before = sorted(p.relative_to(raw) for p in raw.rglob("*"))
    result = run_opcc(
        "import-allocations", str(FIXTURES / "nor-2016-17-register.csv"), "--raw", str(raw), "--commissioner", "NOR",
        "--version", "2016-17 v1", "--plan", str(FIXTURES / "nor-plan.csv"), "--name", NOR_NAME, *extra,
    )
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.relative_to(raw) for p in raw.rglob("*")) == before


def test_a_returns_cell_not_in_the_list_is_refused_naming_row_and_column(raw, tmp_path):
    register = tmp_path / "awards.csv"
    register.write_text(
        "initiative,provider,allocated_gbp,funding_mechanism,primary_priority,returns\n"
        "Food parcels,Norborough Food Bank,1200,Small grants,P2,Half yearly\n"
        "Refuge beds,Safe Steps,900,Small grants,P2,fortnightly\n",
        encoding="utf-8",
    )
    result = run_opcc(
        "import-allocations", str(register), "--raw", str(raw), "--commissioner", "NOR", "--version", "2016-17 v1",
        "--plan", str(FIXTURES / "nor-plan.csv"), "--name", NOR_NAME,
    )
    assert result.returncode == 1
    problems = [line for line in result.stderr.splitlines() if line.startswith(str(register))]
    assert problems == [
        f"{register} row 3, column returns: 'fortnightly' is not a reporting rhythm (quarterly, half-yearly, annual, none)"
    ]


@pytest.mark.warehouse
def test_two_streams_load_side_by_side_and_compare_only_within_their_stream(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    import_framework(raw)
    assert import_emergency_fund(raw, "--returns", "none").returncode == 0
    live = tmp_path / "warehouse" / "opcc.duckdb"
    refreshed = run_opcc("refresh", "--warehouse", str(live), "--raw", str(raw), "--quiet")
    assert refreshed.returncode == 0, refreshed.stdout + refreshed.stderr
    con = duckdb.connect(str(live), read_only=True)
    try:
        versions = con.execute(
            "select funding_stream, framework_version, status, allocated_gbp from marts.dim_framework_version "
            "where commissioner_code = 'NOR' order by funding_stream"
        ).fetchall()
        assert [(s, v, st) for s, v, st, _ in versions] == [
            ("commissioning_budget", "2016-17 v1", "current"),
            ("emergency_fund", "2016-17 emergency_fund v1", "current"),
        ]
        assert float(versions[1][3]) == 52656
        streams = con.execute(
            "select funding_stream, sum(allocated_gbp), count(*) from marts.fct_allocation where commissioner_code = 'NOR' "
            "group by 1 order by 1"
        ).fetchall()
        assert [(s, float(t), n) for s, t, n in streams] == [("commissioning_budget", 361200.5, 7), ("emergency_fund", 52656.0, 6)]
        # Shares of the year are within the stream: each stream's add up to 1 on its own.
        shares = dict(con.execute(
            "select funding_stream, round(sum(share_of_commissioner_year), 3) from marts.fct_national_comparison "
            "where commissioner_code = 'NOR' group by 1"
        ).fetchall())
        assert shares == {"commissioning_budget": 1.0, "emergency_fund": 1.0}
        fund = con.execute(
            "select sum(allocated_gbp) from marts.fct_national_comparison where commissioner_code = 'NOR' "
            "and funding_stream = 'emergency_fund'"
        ).fetchone()[0]
        assert float(fund) == 52656
        for table in ("fct_allocation_by_priority", "fct_priority_coverage", "fct_published_totals", "fct_budget_position",
                      "fct_framework_changes", "fct_spend_by_priority"):
            nulls = con.execute(f"select count(*) from marts.{table} where funding_stream is null").fetchone()[0]
            assert nulls == 0, table
        lei = con.execute("select distinct funding_stream from marts.fct_allocation where commissioner_code = 'LEI'").fetchall()
        assert lei == [("commissioning_budget",)], "a framework that names no stream is of the default stream"
    finally:
        con.close()
