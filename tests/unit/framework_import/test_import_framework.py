"""Importing a published framework from its extracted text: fixture documents written for the tests
(invented figures), and the two real documents when ../shared/seeds is there."""

import filecmp
import shutil

import pytest

from opcc.framework_import.importer import read_csv, run_import
from opcc.framework_import.parser import parse_framework
from opcc.framework_import.text import parse_money, split_initiative
from opcc.ingest.csvfiles import read_bulk
from opcc.ingest.raw_tables import FRAMEWORK_TABLES
from tests.conftest import PROJECT_ROOT, RAW, run_opcc

FIXTURES = PROJECT_ROOT / "tests" / "unit" / "framework_import" / "fixtures"
SEEDS = PROJECT_ROOT.parent / "shared" / "seeds"


@pytest.fixture
def raw(tmp_path):
    (tmp_path / "raw" / "framework").mkdir(parents=True)
    return tmp_path / "raw"


def import_clean(raw):
    return run_import(FIXTURES / "example_clean.txt", raw, commissioner="EXS")


def test_a_clean_document_imports_with_nothing_flagged(raw):
    outcome = import_clean(raw)
    assert outcome.exit_code == 0, outcome.lines
    assert not [line for line in outcome.lines if "FLAGGED" in line or "MISMATCH" in line]
    assert sum(line.startswith("  ok ") for line in outcome.lines) == 7  # every printed subtotal and total
    folder = raw / "framework" / "EXS-2019-20-v1"
    assert outcome.out_dir == folder
    lines = read_csv(folder / "allocation_lines.csv")
    assert [(r["contract_id"], r["source_table"], r["value_printed"]) for r in lines][:2] == [
        ("EXS-001", "appendix_b", "£500,000"), ("EXS-002", "appendix_b", "£400,000"),
    ]
    assert len(lines) == 8
    budget = {r["budget_line"]: r["value_printed"] for r in read_csv(folder / "budget_lines.csv")}
    assert budget == {"commissioning_budget": "£2.500m", "committed": "£1.906m", "available": "£0.594m",
                      "additional_allocations": "£0.150m", "reserve": "£0.444m"}
    assert [r["csp_printed"] for r in read_csv(folder / "plf_allocations.csv")] == ["North Vale", "South Vale"]
    assert len(read_csv(folder / "strategic_priorities.csv")) == 5
    registry = read_csv(raw / "framework" / "contracts.csv")
    assert [(c["contract_id"], c["initiative_name"]) for c in registry][:4] == [
        ("EXS-001", "Youth Diversion"), ("EXS-002", "Offender Support"), ("EXS-003", "Victim Hub"), ("EXS-004", "SV/DV"),
    ]
    # What the importer writes is what the warehouse loads.
    for spec in FRAMEWORK_TABLES:
        files = [(p, p.name) for p in raw.glob(spec.pattern)]
        assert files, spec.pattern
        bulk = read_bulk(files, spec.columns)
        assert not bulk.rejected and not bulk.quarantined, spec.name


def test_a_broken_extraction_is_rebuilt_flagged_and_not_written_unless_partial_is_allowed(raw):
    import_clean(raw)
    registry_before = (raw / "framework" / "contracts.csv").read_text()

    refused = run_import(FIXTURES / "example_broken.txt", raw, commissioner="EXS")

    assert refused.exit_code == 1
    flagged = [line for line in refused.lines if "FLAGGED" in line]
    assert len(flagged) == 2 and all("line 51" in line for line in flagged)
    assert any("'£12O,000' is not an amount of money" in line for line in flagged)
    assert any("cannot tell where this row's initiative name begins" in line for line in flagged)
    repaired = "\n".join(line for line in refused.lines if "repaired" in line)
    assert "continuation of the row's text" in repaired
    assert "closing text 'support)'" in repaired
    assert "cells garbled by extraction ignored (value '1250,O0O'" in repaired
    assert "text 'work of its partners' that ran into the next row moved here" in repaired
    assert any(line.startswith("  MISMATCH appendix_b 'Protecting the Vulnerable Subtotal'") for line in refused.lines)
    assert not (raw / "framework" / "EXS-2019-20-v2").exists()
    assert (raw / "framework" / "contracts.csv").read_text() == registry_before

    partial = run_import(FIXTURES / "example_broken.txt", raw, commissioner="EXS", allow_partial=True)

    assert partial.exit_code == 0
    lines = read_csv(raw / "framework" / "EXS-2019-20-v2" / "allocation_lines.csv")
    by_name = {split_initiative(r["initiative_printed"])[0]: r["contract_id"] for r in lines}
    # Matched to the first version's ids despite reprinting ('SVDV' for 'SV/DV', a longer PLF line) ...
    assert by_name["SVDV"] == "EXS-004" and by_name["Victim Hub"] == "EXS-003"
    assert by_name["North Vale PLF"] == "EXS-006" and by_name["South Vale PLF"] == "EXS-007"
    # ... a new line gets a new id, and the flagged row is left out.
    assert by_name["Court Companions"] == "EXS-009"
    assert "Missing Persons Project" not in " ".join(r["initiative_printed"] for r in lines)
    victim_hub = next(r for r in lines if r["contract_id"] == "EXS-003")
    assert victim_hub["theme_printed"] == "Supporting Victims and Witnesses"
    assert victim_hub["initiative_printed"].endswith("(including helpline and face to face support)")
    assert any("partial: 1 flagged row(s) left out" in line for line in partial.lines)


def test_without_the_registry_a_run_on_row_is_flagged_not_guessed():
    parsed = parse_framework((FIXTURES / "example_broken.txt").read_text(encoding="utf-8"))
    assert {issue.line for issue in parsed.flags} == {51, 54}
    assert 54 in {row.first_line for row in parsed.flagged_rows}


@pytest.mark.parametrize(
    ("cell", "name", "description"),
    [
        ("Youth prevention and diversion –City – Targeted diversionary youth activities", "Youth prevention and diversion – City", "Targeted diversionary youth activities"),
        ("Project 360 (DAST) – A partnership approach to repeat medium – low risk DV cases", "Project 360 (DAST)", "A partnership approach to repeat medium – low risk DV cases"),
        ("Adult Substance Misuse for sub-region – Contribution to treatment", "Adult Substance Misuse for sub-region", "Contribution to treatment"),
        ("Police Officer Support to city and county YOS", "Police Officer Support to city and county YOS", ""),
        ("SVIDV - Sexual and Domestic Violence Information", "SVIDV", "Sexual and Domestic Violence Information"),
    ],
)
def test_initiative_name_and_description_are_split_at_the_right_dash(cell, name, description):
    assert split_initiative(cell) == (name, description)


def test_money_is_read_exactly_or_not_at_all():
    assert parse_money("£1,234") == 1234 and parse_money("£1114") == 1114
    assert parse_money("£12O,000") is None and parse_money("1200,077") is None and parse_money("£1,23") is None


def test_command_line(tmp_path):
    raw = tmp_path / "raw"
    (raw / "framework").mkdir(parents=True)
    completed = run_opcc("import-framework", "--raw", str(raw), "--commissioner", "EXS", str(FIXTURES / "example_broken.txt"))
    assert completed.returncode == 1
    assert "FLAGGED line 51" in completed.stdout and "not written" in completed.stdout


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the published documents are in ../shared/seeds on the team's machines and in CI")
def test_the_two_published_documents_reproduce_the_raw_csvs(tmp_path):
    raw = tmp_path / "raw"
    (raw / "framework").mkdir(parents=True)
    first = run_import(SEEDS / "000_99da36e8af7ed426.txt", raw, commissioner="LEI")
    second = run_import(SEEDS / "004_70c94181b8b15835.txt", raw, commissioner="LEI")
    assert first.exit_code == 0 and not [line for line in first.lines if "FLAGGED" in line or "repaired" in line]
    assert second.exit_code == 0 and not [line for line in second.lines if "FLAGGED" in line or "MISMATCH" in line]
    assert any("'Grand Total' printed £3,939,983 rows add up to £3,939,983" in line for line in second.lines)
    comparison = filecmp.dircmp(raw / "framework", RAW / "framework")
    assert not comparison.left_only and not comparison.right_only
    for path in (RAW / "framework").rglob("*.csv"):
        assert filecmp.cmp(path, raw / "framework" / path.relative_to(RAW / "framework"), shallow=False), path
    shutil.rmtree(raw)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"%PDF-1.7\n" + bytes(range(256)) * 400, "a PDF document, not the text extracted from the framework"),
        (b"The commissioning budget\x00" + bytes(range(256)) * 4000, "a binary file (a NUL byte at byte 24), not the text extracted from the framework"),
    ],
)
def test_a_document_that_is_not_text_is_refused_at_once(raw, tmp_path, data, says):
    """A PDF or other binary file given as it is was parsed as text, line by line (a minute for 1 MB), to say
    only 'no commissioning budget sentence'."""
    document = tmp_path / "framework.pdf"
    document.write_bytes(data)
    outcome = run_import(document, raw, commissioner="EXS")
    assert outcome.exit_code == 2
    assert outcome.lines == [f"{document}: {says}; extract it first (pdftotext -layout for a PDF; for a Word document, "
                             "save it as Plain Text, UTF-8) and import that"]
    assert not list((raw / "framework").iterdir())


def test_a_document_with_no_allocation_table_is_never_written(raw, tmp_path):
    """With --allow-partial a document with no table was written as a version with no lines, which would
    supersede the commissioner's framework of that year with nothing."""
    document = tmp_path / "framework.txt"
    document.write_text("Commissioning Framework\n\nThe commissioning budget for 2019/20 is £4.611m.\n\nNo tables.\n",
                        encoding="utf-8")
    outcome = run_import(document, raw, commissioner="EXS", allow_partial=True)
    assert outcome.exit_code == 1
    assert outcome.lines[-1] == "  not written: no allocation line was read (no table of allocations found in the text), even partially"
    assert not list((raw / "framework").iterdir())
