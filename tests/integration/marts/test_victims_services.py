"""A victims-services commissioner as commissioners publish one: per service, '£N to provide a service
that supported M people'. The spend and counts are Thames Valley PCC's published 2017/18 figures
(tests/fixtures/victims/README.md says where from, and what is illustrative: the code TVX, the
priorities and splits, one referral count; each service returns once a year). No targets at all: the raw folder
has no targets.csv, for any commissioner.

Every per-service unit cost is spend / count to the penny; every priority figure is the weighted mean
of its services' unit costs; one indicator measures two priorities and no one is counted twice.
"""

import csv
import json
import shutil
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import pytest

from opcc.core.settings import setting
from tests.conftest import RAW, built_once, run_opcc

pytestmark = pytest.mark.warehouse

FIXTURES = RAW.parent / "tests" / "fixtures" / "victims"
NAME = "Victims services commissioner (published 2017/18 spend and counts; illustrative plan)"
PERIOD = "2017-18"  # the providers report once a year (register column Returns: annual)


def opcc_ok(*args, env=None):
    result = run_opcc(*args, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def pennies(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def read(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Built once for the run, whichever worker asks first (the tests only read it)."""
    return built_once(tmp_path_factory, "victims", build)


def build(root):
    raw = root / "raw"
    shutil.copytree(RAW, raw)
    (raw / "reference" / "targets.csv").unlink()  # targets are optional: none for anyone
    imported = opcc_ok(
        "import-allocations", str(FIXTURES / "tvx-2017-18-register.csv"), "--raw", str(raw), "--commissioner", "TVX",
        "--version", "2017-18 v1", "--plan", str(FIXTURES / "tvx-plan.csv"), "--name", NAME,
    )
    assert "5 indicators" in imported.stdout
    ids = {r["contract_ref"]: r["contract_id"] for r in read(raw / "framework" / "contracts.csv") if r.get("contract_ref")}
    lines = read(FIXTURES / "tvx-2017-18-register.csv")
    register = {r["Contract Ref"]: Decimal(r["Allocated GBP"]) for r in lines}
    for r in lines:  # a service group is costed over its members' spend, and named by itself
        if r["Service Group"]:
            register[r["Service Group"]] = register.get(r["Service Group"], Decimal(0)) + Decimal(r["Allocated GBP"])
            ids[r["Service Group"]] = r["Service Group"]
    counts: dict[str, dict[str, int]] = {}
    for row in read(FIXTURES / "returns.csv"):
        counts.setdefault(row["contract_ref"], {})[row["measure"]] = int(row["year_value"])
    # Each service's return for the year: its published spend and counts (a service group's return, its count).
    folder = raw / "returns" / PERIOD
    folder.mkdir()
    for ref, allocated in register.items():
        is_group = ids[ref] == ref
        lines = [] if is_group else [f"{ids[ref]},{PERIOD},spend_gbp,{allocated},"]
        lines += [f"{ids[ref]},{PERIOD},{measure},{year}," for measure, year in counts.get(ref, {}).items()]
        if lines:
            (folder / f"{ids[ref]}.csv").write_text("contract_id,period,measure,value,comment\n" + "\n".join(lines) + "\n", encoding="utf-8")
    live = root / "warehouse" / "opcc.duckdb"
    refreshed = run_opcc("refresh", "--warehouse", str(live), "--raw", str(raw), "--quiet")
    assert refreshed.returncode == 0, refreshed.stdout + refreshed.stderr
    return live, refreshed, ids, register, counts


@pytest.fixture(scope="module")
def con(built):
    connection = duckdb.connect(str(built[0]), read_only=True)
    yield connection
    connection.close()


def test_every_service_unit_cost_is_its_published_spend_over_its_count(built, con):
    _, _, ids, register, counts = built
    rows = {
        (c, i): (spend, value, cost, kind)
        for c, i, spend, value, cost, kind in con.execute(
            "select contract_id, indicator_code, spend_gbp, value, cost_per_unit_gbp, indicator_kind "
            "from marts.fct_contract_cost_per_outcome where commissioner_code = 'TVX' and period = ? and period_basis = 'year'",
            [PERIOD],
        ).fetchall()
    }
    checked = 0
    for ref, measures in counts.items():
        for measure, year in measures.items():
            spend, value, cost, kind = rows[(ids[ref], measure)]
            assert (spend, value) == (register[ref], year)
            assert cost == pennies(register[ref] / year), (ref, measure)
            assert kind in ("activity", "output")
            checked += 1
    assert checked == 7
    # The three domestic violence pilots' shared count: one row, £283,015 for 372 people supported.
    assert rows[("DV complex needs pilots", "TVX_SUPPORTED")][:3] == (Decimal("283015.00"), 372, Decimal("760.79"))
    # The ISVA service: £313,387 for 451 people supported is £694.87 a person.
    assert rows[(ids["TV-03"], "TVX_SUPPORTED")][2] == Decimal("694.87")


def test_the_command_and_the_pack_show_the_per_service_figure(built, tmp_path):
    live, _, ids, _, _ = built
    answer = json.loads(opcc_ok(
        "cost-per-outcome", "--warehouse", str(live), "--commissioner", "TVX", "--by", "contract", "--period", PERIOD,
        "--format", "json",
    ).stdout)
    isva = next(r for r in answer if r["contract_id"] == ids["TV-03"])
    assert isva["service"] == "Independent Sexual Violence Advisory (ISVA) service" and isva["provider"] == "Refuge"
    assert isva["cost_per_unit_gbp"] == 694.87 and isva["value"] == 451 and isva["indicator_kind"] == "output"
    table = opcc_ok("cost-per-outcome", "--warehouse", str(live), "--commissioner", "TVX", "--by", "contract", "--period", PERIOD,
                    env={"COLUMNS": "220"}).stdout
    assert table.startswith("Cost per unit by service, 2017-18 (year)")
    assert "£694.87" in table and "£409.55" in table  # £787,970 for 1,924 visits
    assert sum(1 for line in table.splitlines() if line.startswith("DV complex needs pilots")) == 1 and "£760.79" in table
    opcc_ok("report", "--warehouse", str(live), "--commissioner", "TVX", "--period", PERIOD, "--out", str(tmp_path))
    html = next(tmp_path.glob("*.html")).read_text(encoding="utf-8")
    cost = html[html.index('id="cost"'):]
    assert cost.index("Cost per unit by service") < cost.index("Cost per unit by priority")
    assert "£694.87" in cost and "£2,397.88" in cost  # £275,756 for 115 restorative interventions
    assert "no target set" in html


def test_a_priority_figure_is_the_weighted_mean_of_its_services(built, con):
    _, _, _, register, counts = built
    primary, secondary = Decimal(str(setting("primary_priority_share"))), Decimal(str(setting("secondary_priority_share")))
    # People supported measures V1 and V2; the ISVA service is V2 primary, V1 secondary; young victims wholly V1;
    # the three pilots (one shared count) V2 primary, V1 secondary.
    group = "DV complex needs pilots"  # its members are V2 primary, V1 secondary, as the ISVA service
    people = {key: counts[key]["TVX_SUPPORTED"] for key in ("TV-03", "TV-04", group)}
    expected = {
        "V1": (
            (register["TV-03"] + register[group]) * secondary + register["TV-04"],
            (people["TV-03"] + people[group]) * secondary + people["TV-04"],
        ),
        "V2": ((register["TV-03"] + register[group]) * primary, (people["TV-03"] + people[group]) * primary),
    }
    rows = dict(con.execute(
        "select strategic_priority, cost_per_outcome_gbp from marts.fct_cost_per_outcome where commissioner_code = 'TVX' "
        "and period = ? and period_basis = 'year' and indicator_code = 'TVX_SUPPORTED'", [PERIOD]
    ).fetchall())
    assert set(rows) == {"V1", "V2"}
    unit = {key: register[key] / people[key] for key in people}
    for priority, (spend, count) in expected.items():
        # a group's count is shared among its members to 4 decimals: within a penny of the exact mean
        assert abs(rows[priority] - spend / count) <= Decimal("0.01"), priority
        assert min(unit.values()) - Decimal("0.01") <= rows[priority] <= max(unit.values()) + Decimal("0.01")


def test_one_indicator_measures_two_priorities_and_no_one_is_counted_twice(built, con):
    _, _, _, _, counts = built
    assert con.execute(
        "select strategic_priorities from marts.dim_indicator where indicator_code = 'TVX_SUPPORTED'"
    ).fetchone()[0] == ["V1", "V2"]
    attributed = con.execute(
        "select sum(outcome_value) from marts.fct_cost_per_outcome where commissioner_code = 'TVX' and period = ? "
        "and period_basis = 'year' and indicator_code = 'TVX_SUPPORTED'", [PERIOD]
    ).fetchone()[0]
    total = sum(counts[key]["TVX_SUPPORTED"] for key in ("TV-03", "TV-04", "DV complex needs pilots"))
    assert abs(attributed - total) < Decimal("0.001")


def test_no_targets_anywhere_colours_nothing_on_a_target(con):
    statuses = con.execute(
        "select distinct rag_status from marts.fct_indicator_performance"
    ).fetchall()
    assert {s for (s,) in statuses} <= {"no target", "not reported"}
    outcome = dict(con.execute(
        "select left(contract_id, 3), list(distinct rag_status) from marts.fct_contract_performance group by 1"
    ).fetchall())
    assert set(outcome["TVX"]) == {"no targets"}
    assert set(outcome["LEI"]) <= {"no targets", "not reported"}
    finance = {f for (f,) in con.execute(
        "select distinct finance_rag from marts.fct_contract_performance where contract_id like 'TVX-%' and period = ?", [PERIOD]
    ).fetchall()}
    assert finance == {"green"}  # each service spent its allocation: its finance RAG is still shown
    assert con.execute(
        "select count(*) from reporting.rpt_attention_items where kind = 'below target'"
    ).fetchone()[0] == 0


def test_more_supported_than_referred_loads_and_is_a_finding(built, con):
    _, refreshed, ids, _, _ = built
    row = con.execute(
        "select value, bound_value, exceeds_bound, bound_note from marts.fct_indicator_value "
        "where contract_id = ? and period = ? and indicator_code = 'TVX_SUPPORTED'", [ids["TV-04"], PERIOD]
    ).fetchone()
    assert row[2] and row[0] > row[1] and str(int(row[0])) in row[3] and str(int(row[1])) in row[3]
    assert con.execute(
        "select count(*) from audit.quarantined_rows where path like 'returns/2017-18%'"
    ).fetchone()[0] == 0
    assert "above the indicator that bounds it" in refreshed.stdout + refreshed.stderr


def test_plan_indicator_rows_are_refused_before_anything_is_written(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    plan = tmp_path / "bad-plan.csv"
    plan.write_text(
        (FIXTURES / "tvx-plan.csv").read_text(encoding="utf-8")
        + "indicator,TVX_BAD1,Bad priority,V1/V9,,count,output,higher,,\n"
        + "indicator,TVX_BAD2,Bad unit,V1,,people,output,higher,,\n"
        + "indicator,TVX_BAD3,Bad kind,V1,,count,impact,higher,,\n"
        + "indicator,VIC_SUPPORTED,Victims helped in some other way,V1,,percent,outcome,higher,,\n",
        encoding="utf-8",
    )
    before = sorted(p.relative_to(raw) for p in raw.rglob("*"))
    result = run_opcc(
        "import-allocations", str(FIXTURES / "tvx-2017-18-register.csv"), "--raw", str(raw), "--commissioner", "TVX",
        "--version", "2017-18 v1", "--plan", str(plan), "--name", NAME,
    )
    assert result.returncode != 0 and "Traceback" not in result.stdout + result.stderr
    lines = [line for line in (result.stdout + result.stderr).splitlines() if str(plan) in line]
    assert any("row 12, column parent_code: 'V9' is not a priority" in line for line in lines), lines
    assert any("row 13, column unit: 'people'" in line for line in lines), lines
    assert any("row 14, column indicator_kind: 'impact'" in line for line in lines), lines
    assert any("row 15, column code: indicator 'VIC_SUPPORTED' already means" in line for line in lines), lines
    assert sorted(p.relative_to(raw) for p in raw.rglob("*")) == before


def test_targets_come_with_the_import_by_contract_ref_or_initiative(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    targets = tmp_path / "targets.csv"
    targets.write_text(
        "contract_ref,initiative,financial_year,indicator_code,annual_target\n"
        "TV-99,,2017-18,TVX_SUPPORTED,400\n"
        ",Restorative Justice,2016-17,TVX_RJ,100\n"
        "TV-03,,2017-18,VIC_COPE,100\n"
        "TV-03,,2017-18,TVX_SUPPORTED,lots\n",
        encoding="utf-8",
    )
    args = ("import-allocations", str(FIXTURES / "tvx-2017-18-register.csv"), "--raw", str(raw), "--commissioner", "TVX",
            "--version", "2017-18 v1", "--plan", str(FIXTURES / "tvx-plan.csv"), "--name", NAME)
    refused = run_opcc(*args, "--targets", str(targets))
    assert refused.returncode == 1 and "Nothing was written." in refused.stderr
    assert f"{targets} row 2, column contract_ref: 'TV-99' is not a contract_ref of the register" in refused.stderr
    assert f"{targets} row 3, column financial_year: '2016-17' is not the version's year 2017-18" in refused.stderr
    assert f"{targets} row 4, column indicator_code: 'VIC_COPE' is not an indicator of the plan" in refused.stderr
    assert f"{targets} row 5, column annual_target: 'lots' is not a number" in refused.stderr
    assert not (raw / "framework" / "TVX-2017-18-v1").exists()
    targets.write_text(
        "contract_ref,initiative,financial_year,indicator_code,annual_target\n"
        "TV-03,,2017-18,TVX_SUPPORTED,450\n"
        ",Young victims of crime service,2017-18,TVX_SUPPORTED,\"1,000\"\n",
        encoding="utf-8",
    )
    opcc_ok(*args, "--targets", str(targets))
    ids = {r["contract_ref"]: r["contract_id"] for r in read(raw / "framework" / "contracts.csv") if r.get("contract_ref")}
    written = [r for r in read(raw / "reference" / "targets.csv") if r["contract_id"].startswith("TVX")]
    assert written == [
        {"contract_id": ids["TV-03"], "financial_year": "2017-18", "indicator_code": "TVX_SUPPORTED", "annual_target": "450"},
        {"contract_id": ids["TV-04"], "financial_year": "2017-18", "indicator_code": "TVX_SUPPORTED", "annual_target": "1000"},
    ]
