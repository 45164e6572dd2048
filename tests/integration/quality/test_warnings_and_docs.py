"""Warning rules list doubtful data, including every discrepancy really in the published documents."""

import json
import re
import shutil
import subprocess

from opcc.core.settings import setting
from opcc.quality import data_docs_index, load_suites
from tests.conftest import PROJECT_ROOT, statements


def failing(db, rule):
    row = db.execute(
        "select severity, rows_failing, failing_sample from audit.quality_results where rule = ? and not passed", [rule]
    ).fetchone()
    assert row is not None, f"rule '{rule}' did not flag anything"
    assert row[0] == "warning"
    return row[1], row[2]


def test_refresh_passes_every_blocking_rule_and_lists_the_warnings(bundled_refresh, db):
    _, completed = bundled_refresh
    assert db.execute(
        "select count(*) from audit.quality_results where severity in ('blocking', 'hold back') and not passed"
    ).fetchone()[0] == 0
    assert db.execute("select count(distinct suite) from audit.quality_results").fetchone()[0] == len(load_suites())
    warnings = [line.strip() for line in statements(completed.stdout) if line.strip().startswith("warning")]
    assert warnings
    # each warning is a finding: how many, what, and which rows (with their values where they tell),
    # in words, without the rule's internal name; read in short lines
    assert all(re.match(r"warning\s+[\d,]+ \w", w) and "_warnings]" not in w for w in warnings), warnings
    assert all(len(line) <= 100 for line in completed.stdout.splitlines() if "/" not in line)  # a path stays whole
    late = db.execute("select contract_id, period, days_late from marts.fct_contract_quarter where is_late").fetchall()
    missing = db.execute("select contract_id, period from marts.fct_contract_quarter where return_status = 'missing'").fetchall()
    assert late and missing, "the bundled samples have a late and a missing return"
    said_late = next(w for w in warnings if "arrived after the deadline" in w)
    assert said_late.startswith(f"warning  {len(late)} return")
    for contract, period, days in late[:5]:
        assert f"{contract} {period}, {days} days late" in said_late
    said_missing = next(w for w in warnings if "not arrived" in w)
    assert all(f"{contract} {period}" in said_missing for contract, period in missing[:5])
    ratio = setting("overspend_warning_ratio")
    assert any(f"more than {round(ratio * 100)}% of" in w for w in warnings)


def test_every_discrepancy_in_the_documents_is_a_warning_naming_where_it_is(db):
    count, sample = failing(
        db,
        "The published documents agree with themselves (each disagreement is kept, conformed and listed in audit.source_discrepancies)",
    )
    discrepancies = db.execute("select count(*) from audit.source_discrepancies").fetchone()[0]
    assert count == discrepancies > 0
    assert "LEI / 2016-17 v1 / printed_differently_in_table_1 / appendix_b row 5 (document line 268): explanation=" in sample


def test_warning_rules_read_their_thresholds_from_the_settings(db):
    rules = {r[0] for r in db.execute("select rule from audit.quality_results").fetchall()}
    assert "Returns arrive by the deadline (20 days after quarter end)" in rules
    assert "Spend to date is within 1.1 times the allocation to date" in rules


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
    # The index lists each suite's validation, rendered from GE's data as a plain table (the pages run no script).
    for suite in load_suites():
        assert f">{suite.name}<" in dom


def test_suites_are_plain_files_naming_what_they_guard_and_why():
    for path in sorted((PROJECT_ROOT / "expectations" / "gx" / "expectations").glob("*.json")):
        suite = json.loads(path.read_text(encoding="utf-8"))
        assert suite["meta"]["guards"] and suite["meta"]["data"].lstrip().lower().startswith(("select", "with"))
        for expectation in suite["expectations"]:
            assert expectation["severity"] in ("critical", "warning")
            assert expectation["meta"]["rule"], (path.name, expectation["type"])


def test_check_names_the_same_rows_as_the_refresh(bundled_refresh, warehouse_copy):
    """`opcc check` on the published warehouse says each finding in the refresh's own words."""
    from tests.conftest import run_opcc

    _, completed = bundled_refresh
    said_by_refresh = {line.strip().split(None, 1)[1] for line in statements(completed.stdout) if line.strip().startswith("warning")}
    check = run_opcc("check", "--warehouse", str(warehouse_copy))
    assert check.returncode == 0, check.stdout + check.stderr
    said_by_check = {line.split(None, 1)[1] for line in statements(check.stdout) if line.startswith("warning")}
    assert said_by_refresh and said_by_check == said_by_refresh
    assert all(len(line) <= 100 for line in check.stdout.splitlines() if "/" not in line)


def test_a_target_that_does_not_read_as_a_number_is_a_warning_naming_its_row_never_a_guess(warehouse_copy):
    """targets.csv was read by dropping every comma and casting: '1,2,3' was the target 123, '1e400' infinity,
    '-68' a negative target, all silently; 'abc' or a blank stopped every commissioner's refresh with
    'annual_target of stg_reference__targets is never empty', naming no file or row."""
    import duckdb

    from opcc.quality import validate

    printed = {2: "185", 3: "-68", 4: "1,2,3", 5: "1e400", 6: "abc", 7: "", 8: "1,250.5"}
    with duckdb.connect(str(warehouse_copy)) as con:
        for row, value in printed.items():
            con.execute("update raw.targets set annual_target = ? where _source_row = ?", [value, row])
        read = dict(con.execute(
            "select source_row, annual_target from staging.stg_reference__targets where source_row between 2 and 8"
        ).fetchall())
        outcome = validate(con, {s.name: s for s in load_suites()}["targets"], warehouse_copy)
    assert read == {2: 185, 3: None, 4: None, 5: None, 6: None, 7: None, 8: 1250.5}
    (failed,) = outcome.failed(blocking=False)
    assert not outcome.failed(blocking=True), "one commissioner's target never stops another's figures"
    assert failed.finding() == (
        "5 annual targets in the targets file do not read as a number of zero or more, and are not used: "
        "reference/targets.csv row 3, column annual_target '-68'; reference/targets.csv row 4, column annual_target '1,2,3'; "
        "reference/targets.csv row 5, column annual_target '1e400'; reference/targets.csv row 6, column annual_target 'abc'; "
        "reference/targets.csv row 7, column annual_target ''"
    )
