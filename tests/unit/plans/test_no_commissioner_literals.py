"""No rule holds one commissioner's values: every theme, priority, mechanism, area and total is data.

The values are read from every commissioner's reference data and plans (the
bundled ones and the illustrative fixtures), then looked for in the quality
suites, the dbt project and the Python of the library and the Dagster and command
layers: codes as quoted literals, names anywhere. A commissioner's words an importer
needs live in its adapter data (opcc/framework_import/leicestershire.yml), not in code.
"""

import csv
import re
from pathlib import Path

from tests.conftest import PROJECT_ROOT, RAW

RULE_TREES = [PROJECT_ROOT / "expectations" / "gx" / "expectations", PROJECT_ROOT / "dbt_project" / "models",
              PROJECT_ROOT / "dbt_project" / "macros", PROJECT_ROOT / "dbt_project" / "tests"]
CODE_TREES = [PROJECT_ROOT / "opcc", PROJECT_ROOT / "orchestration"]
FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "commissioners"


def csv_rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def commissioner_values() -> tuple[set[str], set[str], set[str]]:
    """(codes, names, amounts) that belong to one commissioner. Codes, and names of one word ('Direct',
    'Police'), count when quoted as literals; proper names of places and longer names count anywhere."""
    codes, names, amounts = set(), set(), set()
    plan_files = list((RAW / "plans").glob("*/elements.csv")) + list(FIXTURES.glob("*plan*.csv"))
    for path in plan_files:
        for element in csv_rows(path):
            codes.add(element["code"])
            names.add(element["name"])
            if element.get("short_name"):
                names.add(element["short_name"])
    for row in csv_rows(RAW / "reference" / "commissioners.csv"):
        codes.add(row["commissioner_code"])
        names.add(row["commissioner_name"])
    for path in [RAW / "reference" / "community_safety_partnerships.csv", FIXTURES / "nor-areas.csv"]:
        for row in csv_rows(path):
            codes.add(row["csp_code"])
            names.update({row["csp_name"], row["local_authority"]})
    for row in csv_rows(RAW / "reference" / "name_variants.csv"):
        names.add(row["printed"])
    for path in [RAW / "reference" / "community_safety_partnerships.csv", FIXTURES / "nor-areas.csv"]:
        places = {row["csp_name"] for row in csv_rows(path)}
        codes.update(places)
        names.update(places)
    for path in RAW.glob("framework/*/published_totals.csv"):
        for row in csv_rows(path):
            digits = re.sub(r"[^\d]", "", row["value_printed"])
            amounts.update({row["value_printed"].strip(), digits, f"{int(digits):,}"})
    codes |= {n for n in names if " " not in n.strip()}
    return codes, {n for n in names if " " in n.strip() or n in places_anywhere()}, amounts


def places_anywhere() -> set[str]:
    return {
        row["csp_name"]
        for path in [RAW / "reference" / "community_safety_partnerships.csv", FIXTURES / "nor-areas.csv"]
        for row in csv_rows(path)
    } | {"Oakby"}


def rule_files() -> list[Path]:
    rules = [p for tree in RULE_TREES for p in tree.rglob("*") if p.suffix in (".sql", ".json", ".yml")]
    return rules + [p for tree in CODE_TREES for p in tree.rglob("*.py")]


def test_the_scan_knows_the_values_it_looks_for():
    codes, names, amounts = commissioner_values()
    assert {"SP1", "SP17", "T1", "PLF", "LEI", "P5", "Community Safety Fund", "Direct"} <= codes
    assert {"Oadby and Wigston", "Oakby and Wigston", "Charnwood", "Blaby", "Partnership Locality Fund"} <= names
    assert {"450000", "£450,000", "3,939,983"} <= amounts
    assert len(rule_files()) > 50
    assert PROJECT_ROOT / "opcc" / "ingest" / "samples.py" in rule_files()


def _any_of(values: set[str]) -> str:
    """One alternation of the values, longest first (one search per file, not one per value)."""
    return "|".join(re.escape(value) for value in sorted(values, key=len, reverse=True))


def test_no_suite_model_macro_dbt_test_or_python_names_a_commissioner_value():
    codes, names, amounts = commissioner_values()
    amounts = {amount for amount in amounts if len(re.sub(r"\D", "", amount)) >= 5}
    quoted_code = re.compile(rf"""(?<=['"])({_any_of(codes)})(?=['"])|\b({_any_of(codes)})\.\.""")
    name = re.compile(rf"(?<![\w-])({_any_of(names)})(?![\w-])", re.IGNORECASE)
    amount = re.compile(rf"(?<![\d,.])({_any_of(amounts)})(?![\d,])")
    found = []
    for path in rule_files():
        text, where = path.read_text(encoding="utf-8"), path.relative_to(PROJECT_ROOT)
        found += sorted({f"{where}: code {(m[1] or m[2])!r}" for m in quoted_code.finditer(text)})
        found += sorted({f"{where}: name {m[1]!r}" for m in name.finditer(text)})
        found += sorted({f"{where}: printed amount {m[1]!r}" for m in amount.finditer(text)})
    assert not found, "\n".join(found)


def test_the_scan_would_catch_a_literal(tmp_path):
    codes, names, _ = commissioner_values()
    rule = "where strategic_priority in ('SP1', 'SP2') or csp_name = 'Charnwood'"
    assert re.search(r"""['"]SP1['"]""", rule) and "SP1" in codes
    assert any(re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", rule, re.IGNORECASE) for n in names)
