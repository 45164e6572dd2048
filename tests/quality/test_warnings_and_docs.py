"""Warning rules list doubtful data, including every discrepancy really in the published documents."""

import json
import re
import shutil
import subprocess

from orchestration.quality import data_docs_index, load_suites
from tests.conftest import PROJECT_ROOT


def failing(db, rule):
    row = db.execute(
        "select severity, rows_failing, failing_sample from audit.quality_results where rule = ? and not passed", [rule]
    ).fetchone()
    assert row is not None, f"rule '{rule}' did not flag anything"
    assert row[0] == "warning"
    return row[1], row[2]


def test_refresh_passes_every_blocking_rule_and_lists_the_warnings(bundled_refresh, db):
    _, completed = bundled_refresh
    assert db.execute("select count(*) from audit.quality_results where severity = 'blocking' and not passed").fetchone()[0] == 0
    assert db.execute("select count(distinct suite) from audit.quality_results").fetchone()[0] == len(load_suites())
    warnings = [line for line in completed.stdout.splitlines() if line.strip().startswith("warning")]
    assert any("Returns arrive by the deadline" in w and "LEI-005 / 2016-17 Q2" in w for w in warnings)
    assert any("Spend to date is within 110%" in w and "LEI-024 / 2016-17 Q4" in w for w in warnings)
    assert any("Every expected return arrived" in w and "LEI-027 / 2016-17 Q3" in w for w in warnings)


def test_provider_printed_as_twenty_twenty_and_twenty_two(db):
    count, sample = failing(db, "A contract's provider is printed the same way in every table and version")
    assert count == 1 and sample.startswith("LEI-005")


def test_oakby_and_wigston(db):
    count, sample = failing(db, "CSPs are printed with their proper names")
    assert count == 1 and "Oakby and Wigston" in sample


def test_secondary_priority_printed_as_llr(db):
    count, sample = failing(db, "Secondary priority is printed as a strategic priority code")
    assert count == 1 and "secondary_priority_printed=LLR" in sample and "LEI-014" in sample


def test_amount_printed_without_thousands_separator(db):
    count, sample = failing(db, "Amounts are printed with thousands separators")
    assert count == 3 and sample.count("£1114") == 3


def test_initiative_spelled_svidv_svdv_and_sv_dv(db):
    count, sample = failing(db, "A contract's initiative is printed the same way in every table and version")
    assert count == 2  # SV/DV, and the Tags for IOM line whose description changed
    svdv = db.execute("select contract_id from marts.dim_contract where initiative_name = 'SV/DV'").fetchone()[0]
    assert svdv in sample
    printings = db.execute(
        "select distinct split_part(initiative_printed, ' ', 1) from intermediate.int_allocation_lines__conformed where contract_id = ?",
        [svdv],
    ).fetchall()
    assert {p[0] for p in printings} == {"SVDV", "SVIDV", "SV/DV"}


def test_rows_broken_by_pdf_extraction(db):
    count, sample = failing(db, "Rows were read whole, not rebuilt from a broken text extraction")
    assert count == 8
    assert sample.count("2016-17 v2") == min(count, 10) and "2016-17 v1" not in sample


def test_versions_print_different_committed_totals_and_reserves(db):
    assert failing(db, "Versions of a year print the same committed total")[0] == 2
    assert failing(db, "Versions of a year print the same reserve")[0] == 2


def test_data_docs_exist_and_open_offline(bundled_warehouse, tmp_path):
    index = data_docs_index(bundled_warehouse)
    assert index.exists()
    pages = list(index.parent.rglob("*.html"))
    assert len(pages) > len(load_suites())
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)=["']https?://""", html), page
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Chromium is needed (apt-get install chromium; .ci/run installs it)"
    dom = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'chromium'}", "--dump-dom", index.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    # The index lists each suite's validation, drawn from GE's data by the offline script.
    for suite in load_suites():
        assert f">{suite.name}<" in dom


def test_suites_are_plain_files_naming_what_they_guard_and_why():
    for path in sorted((PROJECT_ROOT / "expectations" / "gx" / "expectations").glob("*.json")):
        suite = json.loads(path.read_text(encoding="utf-8"))
        assert suite["meta"]["guards"] and suite["meta"]["data"].lstrip().lower().startswith(("select", "with"))
        for expectation in suite["expectations"]:
            assert expectation["severity"] in ("critical", "warning")
            assert expectation["meta"]["rule"], (path.name, expectation["type"])
