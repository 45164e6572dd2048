"""`python -m benchmarks` writes the docs' figures page from its JSON; nothing is copied by hand.

The fixture (tests/fixtures/benchmarks/results-both.json) has the shape benchmarks/run.py writes,
with invented figures: the page must show them, the date and the machine, and a later quick run
must keep the national column it did not measure.
"""

import json

from benchmarks.docs_table import PAGE, RESULTS, main, record, render
from tests.conftest import PROJECT_ROOT

FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "benchmarks" / "results-both.json"


def fixture() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def table_row(page: str, label: str) -> list[str]:
    line = next(line for line in page.splitlines() if line.startswith(f"| {label} |"))
    return [cell.strip() for cell in line.strip("|").split(" | ")]


def test_the_page_shows_the_runs_figures_date_and_machine(tmp_path):
    page = record(fixture(), "2026-12-01 04:00 UTC", tmp_path / "results.json", tmp_path / "figures.md").read_text()
    assert "| quick | 2026-12-01 04:00 UTC | 2 CPUs, 24 GB, load 0.3 at the start, Python 3.11.2, Linux-test-x86_64 |" in page
    assert table_row(page, "full refresh") == ["full refresh", "23.2 s", "83.0 s", ""]
    assert table_row(page, "incremental beyond start-up / full beyond start-up")[1:] == ["", "0.62", "≤ 0.10"]
    assert table_row(page, "bundled refresh (the fixed cost)")[1] == "21.0 s, 636 MB"
    assert table_row(page, "data: return files / rows / MB")[2] == "98,400 / 1,159,720 / 58 MB"
    assert table_row(page, "review packs") == ["review packs", "0.0", "13.3", "13.8", "73.1", "48.3"]
    assert table_row(page, "total")[1:] == ["21.0", "23.2", "24.6", "83.0", "59.1"]


def test_a_quick_run_keeps_the_national_column_it_did_not_measure(tmp_path):
    results, page = tmp_path / "results.json", tmp_path / "figures.md"
    record(fixture(), "2026-12-01 04:00 UTC", results, page)
    quick_only = fixture()
    del quick_only["presets"]["national"]
    quick_only["presets"]["quick"]["full_refresh"]["seconds"] = 19.5
    text = record(quick_only, "2026-12-02 05:00 UTC", results, page).read_text()
    assert table_row(text, "full refresh") == ["full refresh", "19.5 s", "83.0 s", ""]
    assert table_row(text, "measured")[1:3] == ["2026-12-02 05:00 UTC", "2026-12-01 04:00 UTC"]


def test_the_committed_page_is_the_committed_json_rendered():
    """Nobody edits the figures page by hand: it is exactly what the recorded JSON renders to."""
    if RESULTS.exists() or PAGE.exists():
        assert RESULTS.exists() and PAGE.exists(), "the figures page and its JSON are committed together"
        assert PAGE.read_text(encoding="utf-8") == render(json.loads(RESULTS.read_text(encoding="utf-8")))


def test_rendering_without_results_says_so_in_one_line(tmp_path, capsys):
    assert main([str(tmp_path / "missing.json")]) == 2
    assert capsys.readouterr().err.strip() == f"error: no benchmark results at {tmp_path / 'missing.json'}; run `python -m benchmarks` first"
