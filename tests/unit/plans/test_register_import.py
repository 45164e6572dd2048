"""`opcc import-allocations`: a register and a plan in, the raw files out; refusals name row and column.

No warehouse is built here: these check the files the command writes and the
ones it refuses to write.
"""

import csv
import shutil

import pytest
from openpyxl import Workbook

from tests.conftest import RAW, run_opcc

FIXTURES = RAW.parent / "tests" / "fixtures" / "commissioners"
NOR_NAME = "Office of the Police and Crime Commissioner for Norborough (illustrative)"


@pytest.fixture
def raw(tmp_path):
    target = tmp_path / "raw"
    shutil.copytree(RAW, target, ignore=shutil.ignore_patterns("returns"))
    return target


def rows(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def import_nor(raw, *extra, register="nor-2016-17-register.csv", version="2016-17 v1"):
    return run_opcc(
        "import-allocations", str(FIXTURES / register), "--raw", str(raw), "--commissioner", "NOR",
        "--version", version, "--plan", str(FIXTURES / "nor-plan.csv"), "--name", NOR_NAME, *extra,
    )


def test_a_total_a_pound_off_is_refused_with_the_amount_then_accepted_with_a_reason(raw):
    before = sorted(p.relative_to(raw) for p in raw.rglob("*"))
    refused = import_nor(raw, "--printed-total", "361,201.50")
    assert refused.returncode == 1
    assert "£361,200.50, £1.00 less than the printed total £361,201.50" in refused.stderr
    assert "Traceback" not in refused.stderr + refused.stdout
    assert sorted(p.relative_to(raw) for p in raw.rglob("*")) == before, "a refused import writes nothing"

    accepted = import_nor(raw, "--printed-total", "361,201.50", "--accept-difference", "rounded up in the printed register")
    assert accepted.returncode == 0, accepted.stderr
    (total,) = rows(raw / "framework" / "NOR-2016-17-v1" / "published_totals.csv")
    assert total["difference_accepted_gbp"] == "-1.00"
    assert total["accepted_because"] == "rounded up in the printed register"


def test_the_register_becomes_the_same_raw_files_as_a_document(raw):
    result = import_nor(raw)
    assert result.returncode == 0, result.stderr
    folder = raw / "framework" / "NOR-2016-17-v1"
    (version,) = rows(folder / "framework.csv")
    assert (version["commissioner_code"], version["framework_version"], version["financial_year"]) == ("NOR", "2016-17 v1", "2016-17")
    lines = rows(folder / "allocation_lines.csv")
    assert [line["value_printed"] for line in lines] == ["125000", "98,500.00", "64000", "40000", "22000", "8500", "3200.50"]
    assert {line["source_table"] for line in lines} == {"register"}
    contracts = [c for c in rows(raw / "framework" / "contracts.csv") if c["commissioner_code"] == "NOR"]
    assert [c["contract_id"] for c in contracts] == [f"NOR-00{i}" for i in range(1, 8)]
    assert contracts[0]["contract_ref"] == "NB-01"
    plan = rows(raw / "plans" / "NOR-2016-17" / "plan.csv")
    assert plan[0]["applies_from"] == "2016-17"
    elements = rows(raw / "plans" / "NOR-2016-17" / "elements.csv")
    assert [e["code"] for e in elements if e["kind"] == "priority"] == ["P1", "P2", "P3", "P4", "P5"]
    assert not [e for e in elements if e["kind"] == "theme"]
    assert any(c["commissioner_code"] == "NOR" for c in rows(raw / "reference" / "commissioners.csv"))


def test_a_later_version_reuses_the_plan_in_force_and_keeps_contract_ids(raw, tmp_path):
    assert import_nor(raw).returncode == 0
    book = Workbook()
    sheet = book.active
    sheet.append(["Allocation register 2016/17, revised"])  # a title above the header
    sheet.append(["contract ref", "INITIATIVE", "Provider", "allocated gbp", "funding mechanism", "primary priority"])
    sheet.append(["NB-01", "Violence reduction navigators", "Norborough Hospitals NHS Trust", 130000, "Commissioned service", "P1"])
    sheet.append(["NB-08", "Hate crime reporting centre", "Norborough Equality Forum", 12500.5, "Small grants", "P2"])
    register = tmp_path / "revised.xlsx"
    book.save(register)
    result = run_opcc(
        "import-allocations", str(register), "--raw", str(raw), "--commissioner", "NOR", "--version", "2016-17 v2",
    )
    assert result.returncode == 0, result.stderr
    assert "Plan NOR-2016-17 (in force)" in result.stdout
    lines = rows(raw / "framework" / "NOR-2016-17-v2" / "allocation_lines.csv")
    assert [(line["contract_id"], line["value_printed"]) for line in lines] == [("NOR-001", "130000"), ("NOR-008", "12500.5")]
    assert len(list((raw / "plans").glob("NOR-*"))) == 1


def test_every_problem_is_one_line_naming_file_row_and_column(raw, tmp_path):
    register = tmp_path / "bad.csv"
    register.write_text(
        "initiative,provider,allocated_gbp,funding_mechanism,primary_priority,secondary_priority\n"
        "Navigators,NHS Trust,12O000,Commissioned service,P1,\n"  # a letter O for a zero
        "Advisers,Safe Steps,5000,Grant in aid,P2,\n"  # not a mechanism of the plan
        "Mentoring,New Leaf,5000,Small grants,P9,P1\n"  # no such priority
        ",Somebody,5000,Small grants,P1,P7\n",  # no initiative; no such secondary
        encoding="utf-8",
    )
    result = run_opcc(
        "import-allocations", str(register), "--raw", str(raw), "--commissioner", "NOR", "--version", "2016-17 v1",
        "--plan", str(FIXTURES / "nor-plan.csv"), "--name", NOR_NAME,
    )
    assert result.returncode == 1
    problems = [line for line in result.stderr.splitlines() if line.startswith(str(register))]
    assert problems == [
        f"{register} row 2, column allocated_gbp: '12O000' is not an amount of money (write it like 1234, 1,234 or £1,234.50)",
        f"{register} row 3, column funding_mechanism: 'Grant in aid' is not a funding mechanism of plan NOR-2016-17 "
        "(Commissioned service, Community Safety Fund, Small grants)",
        f"{register} row 4, column primary_priority: 'P9' is not a priority of plan NOR-2016-17 (P1, P2, P3, P4, P5)",
        f"{register} row 5, column initiative: no initiative",
        f"{register} row 5, column secondary_priority: 'P7' is not a priority of plan NOR-2016-17 (P1, P2, P3, P4, P5); leave it blank if there is none",
    ]
    assert not (raw / "framework" / "NOR-2016-17-v1").exists()
    assert "Traceback" not in result.stderr


def test_a_plan_mapped_to_an_unknown_national_area_is_refused(raw, tmp_path):
    plan = tmp_path / "plan.csv"
    plan.write_text(
        "kind,code,name,parent_code,national_code\n"
        "priority,P1,Safer streets,T9,street_safety\n"
        "mechanism,Grants,Grants,,charity\n",
        encoding="utf-8",
    )
    result = run_opcc(
        "import-allocations", str(FIXTURES / "nor-2016-17-register.csv"), "--raw", str(raw), "--commissioner", "NOR",
        "--version", "2016-17 v1", "--plan", str(plan), "--name", NOR_NAME,
    )
    assert result.returncode == 1
    assert f"{plan} row 2, column national_code: 'street_safety' is not a national outcome area" in result.stderr
    assert f"{plan} row 3, column national_code: 'charity' is not a national mechanism class" in result.stderr
    assert f"{plan} row 2, column parent_code: 'T9' is not a theme of the plan" in result.stderr


def test_a_new_commissioner_needs_a_name_and_a_first_version_needs_a_plan(raw):
    no_name = run_opcc(
        "import-allocations", str(FIXTURES / "nor-2016-17-register.csv"), "--raw", str(raw), "--commissioner", "NOR",
        "--version", "2016-17 v1", "--plan", str(FIXTURES / "nor-plan.csv"),
    )
    assert no_name.returncode == 1 and "--name" in no_name.stderr
    no_plan = run_opcc(
        "import-allocations", str(FIXTURES / "nor-2016-17-register.csv"), "--raw", str(raw), "--commissioner", "NOR",
        "--version", "2016-17 v1", "--name", NOR_NAME,
    )
    assert no_plan.returncode == 1 and "no plan of NOR is in force in 2016-17" in no_plan.stderr


def test_what_a_refresh_would_refuse_is_refused_before_anything_is_written(raw, tmp_path):
    """A £0 line (the open data publishes only positive amounts) and a grant with no recipient would fail
    the refresh's blocking rules: the import refuses them, one line each naming row and column."""
    register = tmp_path / "register.csv"
    lines = (FIXTURES / "nor-2016-17-register.csv").read_text(encoding="utf-8").splitlines()
    lines.append("NB-20,Zero line,Someone Ltd,£0.00,Commissioned service,P1,,Norborough")
    lines.append("NB-21,Unawarded grant,TBC,5000,Small grants,P2,,Norborough")
    lines.append("NB-22,Negative line,Someone Else,-5,Commissioned service,P1,,Norborough")
    register.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = sorted(p.relative_to(raw) for p in raw.rglob("*"))
    refused = run_opcc(
        "import-allocations", str(register), "--raw", str(raw), "--commissioner", "NOR", "--version", "2016-17 v1",
        "--plan", str(FIXTURES / "nor-plan.csv"), "--name", NOR_NAME,
    )
    assert refused.returncode == 1
    errors = refused.stderr.splitlines()
    row = len(lines) - 2
    assert any(e.startswith(f"{register} row {row}, column allocated_gbp: £0.00 is not an allocation") for e in errors), errors
    assert any(e.startswith(f"{register} row {row + 1}, column provider: 'TBC' names no recipient") for e in errors), errors
    assert any(e.startswith(f"{register} row {row + 2}, column allocated_gbp:") for e in errors), errors
    assert "Traceback" not in refused.stderr + refused.stdout
    assert sorted(p.relative_to(raw) for p in raw.rglob("*")) == before


def test_every_line_rule_is_one_function_in_one_list():
    """The general mechanism others add to: a rule is a function returning (column, reason) or None."""
    from decimal import Decimal

    from opcc.framework_import.plans import Plan
    from opcc.framework_import.register_lines import LINE_RULES

    plan = Plan("X", [{"kind": "mechanism", "code": "G", "name": "G", "national_code": "community_grant"}])
    row = {"provider": "To be confirmed", "funding_mechanism": "G", "allocated_gbp": "0"}
    found = [rule(row, Decimal(0), plan) for rule in LINE_RULES]
    assert {f[0] for f in found if f} == {"allocated_gbp", "provider"}


def _import(raw, register):
    return run_opcc(
        "import-allocations", str(register), "--raw", str(raw), "--commissioner", "NOR", "--version", "2016-17 v1",
        "--plan", str(FIXTURES / "nor-plan.csv"), "--name", NOR_NAME,
    )


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        # written into the raw files, a NUL byte made the refresh refuse contracts.csv: every commissioner held back
        (lambda data: data.replace(b"Safe Steps", b"Safe\x00Steps"), "row 3: a NUL byte, so not a CSV text file"),
        # two columns read as provider: the second was used, silently
        (lambda data: data.replace(b"Reach\r\n", b"Reach,Provider\r\n", 1).replace(b"Reach\n", b"Reach,Provider\n", 1),
         "row 1: the header names provider more than once"),
        # neither UTF-8 nor Windows-1252: the byte was read as '\ufffd', the provider's name changed silently
        (lambda data: data.replace(b"Safe Steps", b"Safe\x81Steps"),
         "row 3: byte 0x81 is a character neither in UTF-8 nor in Windows-1252; save it as 'CSV UTF-8'"),
    ],
)
def test_a_register_that_cannot_be_read_one_way_is_refused_and_nothing_is_written(raw, tmp_path, edit, says):
    register = tmp_path / "register.csv"
    register.write_bytes(edit((FIXTURES / "nor-2016-17-register.csv").read_bytes()))
    before = (raw / "framework" / "contracts.csv").read_bytes()
    result = _import(raw, register)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert any(line.startswith(f"{register} {says}") for line in result.stderr.splitlines()), result.stderr
    assert not (raw / "framework" / "NOR-2016-17-v1").exists() and (raw / "framework" / "contracts.csv").read_bytes() == before


def test_a_line_separator_inside_a_quoted_name_stays_in_the_name(raw, tmp_path):
    """str.splitlines() broke the record at U+2028 and the name lost it ('SafeSteps')."""
    register = tmp_path / "register.csv"
    text = (FIXTURES / "nor-2016-17-register.csv").read_text(encoding="utf-8")
    register.write_text(text.replace("Safe Steps", '"Safe\u2028Steps"'), encoding="utf-8")
    assert _import(raw, register).returncode == 0
    providers = [r["provider"] for r in rows(raw / "framework" / "contracts.csv") if r["contract_id"].startswith("NOR-")]
    assert "Safe\u2028Steps" in providers


REGISTER_HEADER = ["Contract Ref", "Initiative", "Provider", "Allocated GBP", "Funding Mechanism", "Primary Priority"]
NAVIGATORS = ["NB-01", "Violence reduction navigators", "Norborough Hospitals NHS Trust", 125000, "Commissioned service", "P1"]


def test_a_formula_whose_value_was_never_saved_is_refused_never_read_as_blank(raw, tmp_path):
    """A workbook written by a program that does not calculate holds formulas and no values: a row made
    only of formulas was skipped as blank (its money lost), and a formula amount was '' ('is not an amount')."""
    book = Workbook()
    sheet = book.active
    sheet.append(REGISTER_HEADER)
    sheet.append(NAVIGATORS)
    sheet.append(["=A2", "=B2", "=C2", "=D2", "=E2", "=F2"])
    register = tmp_path / "register.xlsx"
    book.save(register)
    result = _import(raw, register)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    problems = [line for line in result.stderr.splitlines() if line.startswith(str(register))]
    assert len(problems) == 6 and problems[3] == (
        f"{register} row 3, column allocated_gbp: a formula (=D2) whose value the workbook does not hold; "
        "open the workbook in Excel or LibreOffice, save it, and import it again (or type the value)"
    )
    assert not (raw / "framework" / "NOR-2016-17-v1").exists()


def test_every_row_and_column_of_a_workbook_is_read(raw, tmp_path):
    """Only the first 30 columns and 10,020 rows were read: a secondary priority in the 35th column was dropped
    (all the money went to the primary) and a row below a run of blank rows was lost, both silently."""
    book = Workbook()
    sheet = book.active
    sheet.append(REGISTER_HEADER)
    sheet.append(NAVIGATORS)
    sheet.cell(row=1, column=35, value="Secondary Priority")
    sheet.cell(row=2, column=35, value="P2")
    for column, value in enumerate(["NB-09", "Late addition", "Safe Steps", 5000, "Commissioned service", "P3"], start=1):
        sheet.cell(row=10_100, column=column, value=value)
    register = tmp_path / "register.xlsx"
    book.save(register)
    result = _import(raw, register)
    assert result.returncode == 0, result.stderr
    lines = rows(raw / "framework" / "NOR-2016-17-v1" / "allocation_lines.csv")
    assert [(line["source_line"], line["secondary_priority_printed"]) for line in lines] == [("2", "P2"), ("10100", "")]


def test_a_percentage_cell_is_read_as_the_percentage_shown(raw, tmp_path):
    """29.7% is stored as 0.297: read as '0.297' it was a different number from the one on screen."""
    book = Workbook()
    sheet = book.active
    sheet.append(REGISTER_HEADER)
    sheet.append([*NAVIGATORS[:3], 0.297, *NAVIGATORS[4:]])
    sheet["D2"].number_format = "0.0%"
    register = tmp_path / "register.xlsx"
    book.save(register)
    result = _import(raw, register)
    assert result.returncode == 1
    assert f"{register} row 2, column allocated_gbp: '29.7%' is not an amount of money" in result.stderr


@pytest.mark.parametrize("version", ["2016-17 v99999999999999999999", "2016-17 v1000", "２０１６-17 v1"])
def test_a_version_the_models_cannot_read_is_refused(raw, version):
    """v99999999999999999999 was written, then read as no number by the refresh: a structural failure that
    stopped every commissioner's refresh."""
    result = import_nor(raw, version=version)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"version '{version}' is not like '2017-18 v1'" in result.stderr
    assert not list((raw / "framework").glob("NOR-*"))


def test_a_register_saved_as_windows_1252_is_read_with_its_pound_signs_and_accents(raw, tmp_path):
    register = tmp_path / "register.csv"
    text = (FIXTURES / "nor-2016-17-register.csv").read_text(encoding="utf-8")
    register.write_bytes(text.replace("Safe Steps", "Café Steps").replace(",125000,", ",£125000,").encode("cp1252"))
    assert _import(raw, register).returncode == 0
    contracts = {r["provider"]: r for r in rows(raw / "framework" / "contracts.csv") if r["contract_id"].startswith("NOR-")}
    assert "Café Steps" in contracts
    lines = rows(raw / "framework" / "NOR-2016-17-v1" / "allocation_lines.csv")
    assert lines[0]["value_printed"] == "£125000"


def test_a_theme_or_mechanism_with_a_parent_is_refused(raw, tmp_path):
    """Two themes naming each other as parent (a cycle) were accepted: parent_code of a theme is read by
    nothing, so what the analyst meant by it was dropped silently."""
    plan = tmp_path / "plan.csv"
    plan.write_text(
        "kind,code,name,parent_code,national_code\n"
        "theme,T1,Safer streets,T2,\ntheme,T2,Support for victims,T1,\n"
        + (FIXTURES / "nor-plan.csv").read_text(encoding="utf-8").split("\n", 1)[1],
        encoding="utf-8",
    )
    result = run_opcc("import-allocations", str(FIXTURES / "nor-2016-17-register.csv"), "--raw", str(raw), "--commissioner",
                      "NOR", "--version", "2016-17 v1", "--plan", str(plan), "--name", NOR_NAME)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith(str(plan))] == [
        f"{plan} row {row}, column parent_code: '{parent}', but a theme has no parent (a priority's parent_code is its "
        "theme, an indicator's the priorities it measures); leave it blank"
        for row, parent in ((2, "T2"), (3, "T1"))
    ]
    assert not (raw / "plans" / "NOR-2016-17").exists()
