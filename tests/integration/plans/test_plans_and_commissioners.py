"""Plans and commissioners are data: a new plan and a second commissioner load with no code change.

One refresh of the bundled data plus, imported with `opcc import-allocations`:
Leicestershire 2017-18 under a new plan (which reuses the codes SP1.. for other
priorities), and a second, fictional commissioner in 2016-17 with five
priorities and no themes, whose first version accepts a printed total £1 off
and whose second version is broken by hand so that a blocking rule holds it back.
"""

import re
import shutil
from decimal import Decimal

import duckdb
import pytest
from openpyxl import Workbook

from opcc.core import warehouse as wh
from tests.conftest import RAW, built_once, run_opcc

pytestmark = pytest.mark.warehouse

FIXTURES = RAW.parent / "tests" / "fixtures" / "commissioners"
NOR_NAME = "Office of the Police and Crime Commissioner for Norborough (illustrative)"


def opcc_ok(*args):
    result = run_opcc(*args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """Built once for the run, whichever worker asks first (the tests only read it)."""
    return built_once(tmp_path_factory, "plans", build)


def build(root):
    raw = root / "raw"
    shutil.copytree(RAW, raw)
    opcc_ok(
        "import-allocations", str(FIXTURES / "lei-2017-18-register.csv"), "--raw", str(raw), "--commissioner", "LEI",
        "--version", "2017-18 v1", "--plan", str(FIXTURES / "lei-plan-2017-21.csv"),
    )
    opcc_ok(
        "import-allocations", str(FIXTURES / "nor-2016-17-register.csv"), "--raw", str(raw), "--commissioner", "NOR",
        "--version", "2016-17 v1", "--plan", str(FIXTURES / "nor-plan.csv"), "--name", NOR_NAME,
        "--printed-total", "£361,201.50", "--accept-difference", "The printed register rounds one grant up to the pound",
    )
    with (raw / "reference" / "community_safety_partnerships.csv").open("a", encoding="utf-8") as areas:
        areas.writelines((FIXTURES / "nor-areas.csv").read_text(encoding="utf-8").splitlines(keepends=True)[1:])
    # A second version of the year, as a workbook; then its printed total is mistyped by hand.
    book = Workbook()
    book.active.append(["Contract Ref", "Initiative", "Provider", "Allocated GBP", "Funding Mechanism", "Primary Priority"])
    book.active.append(["NB-01", "Violence reduction navigators", "Norborough Hospitals NHS Trust", 150000, "Commissioned service", "P1"])
    book.active.append(["NB-03", "Prison leavers mentoring", "New Leaf Mentors", 64000, "Commissioned service", "P3"])
    book.save(root / "nor-v2.xlsx")
    opcc_ok(
        "import-allocations", str(root / "nor-v2.xlsx"), "--raw", str(raw), "--commissioner", "NOR",
        "--version", "2016-17 v2", "--printed-total", "214,000",
    )
    totals = raw / "framework" / "NOR-2016-17-v2" / "published_totals.csv"
    totals.write_text(totals.read_text(encoding="utf-8").replace('"214,000"', '"241,000"'), encoding="utf-8")
    live = root / "warehouse" / "opcc.duckdb"
    refreshed = run_opcc("refresh", "--warehouse", str(live), "--raw", str(raw), "--quiet")
    return live, refreshed


@pytest.fixture(scope="module")
def nor_pack(imported, tmp_path_factory):
    """`opcc report` of NOR's 2016-17 Q4, once for the run's tests that read it."""
    live, _ = imported
    return built_once(tmp_path_factory, "plans-nor-pack", lambda out: (
        run_opcc("report", "--warehouse", str(live), "--period", "2016-17 Q4", "--commissioner", "NOR", "--out", str(out)), out
    ))


@pytest.fixture(scope="module")
def nor_costs(imported, tmp_path_factory):
    """`opcc cost-per-outcome --commissioner NOR`, once for the run's tests that read it."""
    live, _ = imported
    return built_once(tmp_path_factory, "plans-nor-costs", lambda _: run_opcc("cost-per-outcome", "--warehouse", str(live), "--commissioner", "NOR"))


@pytest.fixture(scope="module")
def con(imported):
    live, _ = imported
    connection = duckdb.connect(str(live), read_only=True)
    yield connection
    connection.close()


def test_the_refresh_publishes_and_names_the_version_it_held_back(imported):
    _, refreshed = imported
    assert refreshed.returncode == 3, refreshed.stdout + refreshed.stderr
    assert "Warehouse published" in refreshed.stdout
    assert "Held back: NOR 2016-17 v2" in refreshed.stderr
    assert "241,000" in refreshed.stderr and "214000" in refreshed.stderr.replace(",", "")
    assert "Traceback" not in refreshed.stdout + refreshed.stderr


def test_the_held_back_version_is_out_of_the_marts_and_the_previous_one_stays_current(con):
    versions = dict(
        con.execute(
            "select framework_version, status from marts.dim_framework_version where commissioner_code = 'NOR'"
        ).fetchall()
    )
    assert versions == {"2016-17 v1": "current", "2016-17 v2": "held back"}
    reason = con.execute(
        "select held_back_because from marts.dim_framework_version where commissioner_code = 'NOR' and framework_version = '2016-17 v2'"
    ).fetchone()[0]
    assert "printed subtotal and total" in reason and "27000" in reason.replace(",", "").replace(".00", "")
    assert con.execute(
        "select count(*) from marts.fct_allocation where commissioner_code = 'NOR' and framework_version = '2016-17 v2'"
    ).fetchone()[0] == 0
    # NOR sent no returns: every contract its current version funds is expected, and missing.
    statuses = con.execute(
        "select return_status, count(distinct contract_id) from marts.fct_contract_quarter q "
        "join marts.dim_contract c using (contract_id) where c.commissioner_code = 'NOR' group by 1"
    ).fetchall()
    assert statuses == [("missing", 7)]


def test_leicestershire_2016_17_is_unchanged(con, db):
    for sql in (
        "select framework_version, sum(allocated_gbp) from marts.fct_allocation where commissioner_code = 'LEI' "
        "and financial_year = '2016-17' group by 1 order by 1",
        "select framework_version, strategic_priority, sum(attributed_gbp) from marts.fct_allocation_by_priority "
        "where commissioner_code = 'LEI' and framework_version like '2016-17%' group by all order by all",
        "select period, period_basis, strategic_priority, indicator_code, attributed_spend_gbp, outcome_value, "
        "cost_per_outcome_gbp from marts.fct_cost_per_outcome where commissioner_code = 'LEI' order by all",
        "select contract_id, period, rag_status, exceptions from marts.fct_contract_performance where contract_id like 'LEI-%' order by all",
    ):
        assert con.execute(sql).fetchall() == db.execute(sql).fetchall(), sql


def test_each_version_is_attributed_to_its_own_plans_priorities(con):
    def shares(version, contract):
        return con.execute(
            "select strategic_priority, national_outcome_area, share from marts.fct_allocation_by_priority "
            "where commissioner_code = 'LEI' and framework_version = ? and contract_id = ? order by share desc",
            [version, contract],
        ).fetchall()

    victim_first = "LEI-022"
    assert shares("2016-17 v2", victim_first) == [("SP9", "victims_cope_and_recover", Decimal("1"))]
    assert shares("2017-18 v1", victim_first) == [
        ("SP3", "victims_cope_and_recover", Decimal("0.75")),
        ("SP4", "domestic_abuse_and_sexual_violence", Decimal("0.25")),
    ]
    names = dict(
        con.execute(
            "select plan_code, short_name from marts.dim_strategic_priority where strategic_priority = 'SP3'"
        ).fetchall()
    )
    assert names == {"LEI-2013-17": "Alcohol and drug related offending", "LEI-2017-18": "Victims"}
    assert con.execute(
        "select count(*) from marts.fct_allocation_by_priority where national_outcome_area is null"
    ).fetchone()[0] == 0


def test_a_commissioner_with_no_themes_and_its_own_mechanisms(con):
    contracts = con.execute(
        "select contract_id, theme_code, mechanism_code, mechanism_class, primary_priorities, community_safety_partnership "
        "from marts.dim_contract where commissioner_code = 'NOR' order by contract_id"
    ).fetchall()
    assert len(contracts) == 7
    assert {theme for _, theme, *_ in contracts} == {None}
    assert ("NOR-004", None, "Community Safety Fund", "partnership_grant", ["P1", "P5"], "Norborough") in contracts
    total = con.execute(
        "select sum(attributed_gbp) from marts.fct_allocation_by_priority where commissioner_code = 'NOR'"
    ).fetchone()[0]
    assert total == Decimal("361200.50")


def test_the_accepted_difference_is_kept_as_a_discrepancy(con):
    rows = con.execute(
        "select kind, explanation from audit.source_discrepancies where commissioner_code = 'NOR' and kind like 'total%'"
    ).fetchall()
    assert rows == [(
        "total_difference_accepted",
        "Printed total differs from the sum of its 7 lines by £1.00; accepted: The printed register rounds one grant up to the pound",
    )]


def test_the_national_comparison_holds_both_commissioners(con):
    rows = con.execute(
        "select commissioner_code, financial_year, sum(allocated_gbp), sum(share_of_commissioner_year) "
        "from marts.fct_national_comparison group by all order by all"
    ).fetchall()
    assert [(c, y) for c, y, *_ in rows] == [("LEI", "2016-17"), ("LEI", "2017-18"), ("NOR", "2016-17")]
    lei_2016, lei_2017, nor = rows
    assert (lei_2016[2], lei_2017[2], nor[2]) == (Decimal("4271983.00"), Decimal("1865050.00"), Decimal("361200.50"))
    for row in rows:
        assert abs(row[3] - 1) < 0.001
    spent = con.execute(
        "select sum(spend_to_date_gbp) from marts.fct_national_comparison where commissioner_code = 'LEI' and financial_year = '2016-17'"
    ).fetchone()[0]
    assert spent > 0


def test_every_command_works_for_the_second_commissioner(imported, nor_pack, nor_costs):
    live, _ = imported
    pack, out = nor_pack
    assert pack.returncode == 0, pack.stdout + pack.stderr
    html = next(out.glob("*.html")).read_text(encoding="utf-8")
    assert "Norborough" in html
    costs = nor_costs
    assert costs.returncode in (0, 2) and "Traceback" not in costs.stdout + costs.stderr
    check = run_opcc("check", "--warehouse", str(live))
    assert "Traceback" not in check.stdout + check.stderr


def test_the_review_pack_asset_built_a_pack_for_each_commissioner_with_a_framework(imported):
    live, _ = imported
    reports = wh.reports_dir(live) / "2016-17 Q4"
    assert (reports / "LEI").is_dir() and (reports / "NOR").is_dir()



def test_open_data_for_each_commissioner_s_current_version_with_what_it_lacks(imported):
    import csv

    live, _ = imported
    root = wh.open_data_dir(live)

    def rows(path):
        with path.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    # Norborough: its second version is held back, so its first is published; it has no 360Giving prefix.
    nor = root / "NOR" / "2016-17-v1"
    assert not list(nor.glob("*360giving*")) and not (root / "NOR" / "2016-17-v2").exists()
    grants = rows(nor / "NOR-2016-17-v1-grants-register.csv")
    assert {g["contract_id"] for g in grants} == {"NOR-004", "NOR-005", "NOR-006", "NOR-007"}
    assert sum(Decimal(g["amount_gbp"]) for g in grants) == Decimal("73700.50")
    assert all(g["reasons"] and g["conditions"] and not g["recipient_org_id"] for g in grants)
    contracts = rows(nor / "NOR-2016-17-v1-contracts-register.csv")
    assert sum(Decimal(c["value_gbp"]) for c in contracts) == Decimal("287500.00")
    findings = [f["finding"] for f in rows(nor / "NOR-2016-17-v1-findings.csv")]
    assert any(f.startswith("no 360Giving prefix in grant_id_prefixes.csv") for f in findings)

    # Leicestershire 2017-18 (from an allocation register): no decision date, so its grants wait for an award date.
    lei = root / "LEI" / "2017-18-v1"
    assert len(rows(lei / "LEI-2017-18-v1-grants-register.csv")) == 3
    assert not (lei / "LEI-2017-18-v1-360giving.json").exists()
    assert sum("no award date known" in f["finding"] for f in rows(lei / "LEI-2017-18-v1-findings.csv")) == 3


def test_the_pack_of_a_commissioner_without_returns_themes_or_budget_says_so(imported, nor_pack, nor_costs):
    import re

    from openpyxl import load_workbook

    live, _ = imported
    pack, out = nor_pack
    assert pack.returncode == 0 and "Traceback" not in pack.stdout + pack.stderr, pack.stderr
    html = (out / "review-2016-17-Q4.html").read_text(encoding="utf-8")
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "The plan in force has no strategic themes, so allocation and spend are shown by funding mechanism" in text
    assert "prints no budget position (no budget lines)" in text
    assert "No provider return for 2016-17 Q4 has been received" in text
    assert "No headline outcome has been reported" in text
    assert "Illustrative sample data" not in text, "none of its returns is sample data: it has none"
    attention = text[text.index("Needs attention, worst first") : text.index("Contract performance", text.index("worst first"))]
    assert "NOR-001" in attention and "no return for 2016-17 Q1" in attention and "LEI-" not in attention
    assert "Framework 2016-17 v2 is held back" in attention
    quality = html[html.index('<section id="quality">') : html.index('<section id="contract-pages">')]
    assert "LEI-" not in quality and "LEI /" not in quality, "only this commissioner's rows"
    assert "printed total that differs from the sum of its lines, accepted with a reason" in quality
    book = load_workbook(out / "review-2016-17-Q4.xlsx")
    assert "prints no budget position" in book["Budget"]["A5"].value
    assert book["Contracts"].max_row == 4 + 7

    lei_pack = (wh.reports_dir(live) / "2016-17 Q4" / "LEI" / "review-2016-17-Q4.html").read_text(encoding="utf-8")
    assert "NOR-0" not in lei_pack and "Norborough" not in lei_pack

    costs = nor_costs
    assert costs.returncode == 2 and "no cost per outcome for NOR yet" in costs.stderr
    wrong = run_opcc("cost-per-outcome", "--warehouse", str(live), "--commissioner", "NOR", "--priority", "SP9")
    assert wrong.returncode == 2 and "no strategic priority 'SP9' for NOR" in wrong.stderr and "P1 " in wrong.stderr
    assert "SP1 " not in wrong.stderr, "the valid ones are NOR's"


def test_a_new_commissioners_pack_groups_missing_returns_and_says_empty_sums_in_words(con, nor_pack):
    pack, out = nor_pack
    assert pack.returncode == 0, pack.stderr
    html = (out / "review-2016-17-Q4.html").read_text(encoding="utf-8")
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    contracts = [c for (c,) in con.execute(
        "select distinct contract_id from reporting.rpt_contract_status where commissioner_code = 'NOR' and period = '2016-17 Q4'"
    ).fetchall()]
    attention = text[text.index("Needs attention, worst first") : text.index("Contract performance", text.index("worst first"))]
    assert contracts and all(attention.count(f"{c}, ") == 1 for c in contracts), "one missing-returns line per contract"
    assert attention.count("no return for 2016-17 Q1, Q2, Q3 or Q4 (4 returns missing") == len(contracts)
    assert "£0 of £0" not in text
    table = html[html.index('id="table-contracts"') :]
    assert table.count("no spend reported yet") == len(contracts)
