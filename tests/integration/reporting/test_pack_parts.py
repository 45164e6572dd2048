"""The parts of the review pack that need no warehouse: its charts, its dependencies, where packs go
when a build is or is not published, the terminal table and the PDF's refusal without Chromium."""

import re

import pytest

from opcc.core import warehouse as wh
from opcc.core.queries import cost_per_outcome_table
from opcc.reporting import charts
from opcc.reporting.pdf import PdfUnavailable, print_pdf
from orchestration.defs.assets.open_data import OPEN_DATA_KEY
from orchestration.defs.assets.report import reporting_models, review_pack
from tests.conftest import PROJECT_ROOT

QUARTERS = ["2016-17 Q1", "2016-17 Q2", "2016-17 Q3", "2016-17 Q4"]


def test_the_pack_depends_on_every_reporting_model_and_nothing_kept_by_hand():
    folder = sorted(p.stem for p in (PROJECT_ROOT / "dbt_project" / "models" / "reporting").glob("*.sql"))
    keys = reporting_models()
    assert [k.path for k in keys] == [["reporting", name] for name in folder]
    # and on the open data, so that it is drawn after the last quality check of a refresh
    assert set(review_pack.asset_deps[review_pack.key]) == {*keys, OPEN_DATA_KEY}


def test_cost_per_outcome_charts_have_axes_quarters_values_and_whole_titles():
    long_name = "Reduce reoffending amongst young people and adults in the county and the city"
    panels = [
        {"priority": f"SP{i}", "priority_name": long_name, "indicator_name": "Young people not entering the youth justice system",
         "points": [(QUARTERS[0], 1234.5), (QUARTERS[1], 2345.0), (QUARTERS[3], 999.0)]}
        for i in range(1, 11)
    ]
    panels[2]["points"] = []
    svgs = charts.cost_per_outcome_panels("Cost per outcome by quarter", panels, QUARTERS)
    assert len(svgs) == 2, "at most eight panels a chart, so each chart fits a printed page"
    first = svgs[0]
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", first) or re.findall(r">([^<>]+)</text>", first)
    joined = " ".join(texts)
    for quarter in ("Q1", "Q2", "Q3", "Q4"):
        assert quarter in joined
    for value in ("£1,234", "£2,345", "£999"):
        assert value in joined, "values are printed at the points, not only on hover"
    assert "no outcomes reported" in joined
    # Titles wrap at word boundaries: no word of the title is cut.
    title_words = set(long_name.split())
    shown = {w.rstrip("…") for t in texts for w in t.split()}
    assert all(w in title_words or not w.isalpha() or w in joined for w in shown & title_words)
    assert "http://" not in first.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
        'xmlns:xlink="http://www.w3.org/1999/xlink"', "").replace("http://www.w3.org/", "")
    assert svgs == charts.cost_per_outcome_panels("Cost per outcome by quarter", panels, QUARTERS), "deterministic output"


def test_returns_chart_labels_every_bar_with_its_count():
    rows = [{"period": q, "received on time": 55, "late": 1, "resubmitted": 1, "missing": 0} for q in QUARTERS]
    svg = charts.returns_by_status("Returns", rows, ["received on time", "late", "resubmitted", "missing"])
    texts = " ".join(re.findall(r">([^<>]+)</text>", svg))
    assert texts.count("55") >= 4 and " 1 " in f" {texts} " and "2016-17 Q4" in texts
    ids = re.findall(r'id="([^"]+)"', svg)
    other = charts.allocation_against_spend("Spend", ["A theme"], [100.0], [90.0])
    assert not set(ids) & set(re.findall(r'id="([^"]+)"', other)), "two charts on one page never share an id"


def test_packs_of_a_published_build_move_into_place_and_a_failed_build_leaves_none(tmp_path):
    live = tmp_path / "warehouse" / "opcc.duckdb"
    staged = wh.staged_reports_dir(live) / "2016-17 Q4" / "LEI"
    staged.mkdir(parents=True)
    (staged / "review-2016-17-Q4.html").write_text("pack")
    build = wh.build_path(live)
    build.write_text("not a database")
    wh.keep_failed(build, live)
    assert not wh.staged_reports_dir(live).exists() and not wh.reports_dir(live).exists()

    staged.mkdir(parents=True)
    (staged / "review-2016-17-Q4.html").write_text("new pack")
    old = wh.reports_dir(live) / "2016-17 Q4" / "LEI" / "review-2016-17-Q4.html"
    old.parent.mkdir(parents=True)
    old.write_text("old pack")
    assert wh.publish_reports(live) == [old]
    assert old.read_text() == "new pack" and not wh.staged_reports_dir(live).exists()


def test_the_terminal_table_fits_the_width_and_keeps_codes():
    rows = [
        {"period": "2016-17 Q4", "period_basis": "quarter", "strategic_priority": f"SP{i}", "priority_name": "A long priority name " * 3,
         "indicator_code": f"IND_{i}", "indicator_name": "An outcome with a very long name indeed " * 2,
         "attributed_spend_gbp": 123456.78, "outcome_value": 3805.0, "cost_per_outcome_gbp": 32.44, "contracts": 3,
         "not_computed_because": None}
        for i in (1, 2, 10)
    ]
    text = cost_per_outcome_table(rows, width=80)
    lines = text.splitlines()
    assert all(len(line) <= 80 for line in lines), text
    assert "3,805" in text and "3,805.00" not in text and "£123,457" in text and "£32.44" in text
    assert "SP10" in text and "IND_10" in text


def test_pdf_without_chromium_is_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv("OPCC_CHROMIUM", str(tmp_path / "no-chromium-here"))
    page = tmp_path / "pack.html"
    page.write_text("<p>pack</p>")
    with pytest.raises(PdfUnavailable, match="Chromium is not installed"):
        print_pdf(page)
    assert not (tmp_path / "pack.pdf").exists()
