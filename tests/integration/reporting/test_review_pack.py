"""The quarterly review pack as a person sees it: rendered in Chromium at 1366 px, printed to PDF on
A4 landscape and read back as text; the workbook opened in LibreOffice and printed too.

One pack of the bundled warehouse's 2016-17 Q4, written by `opcc report --pdf` once for the run.
"""

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from opcc.core import warehouse as wh
from opcc.quality import summarise_recorded
from tests.conftest import built_once, run_opcc, statements

PERIOD = "2016-17 Q4"
COMMISSIONER = "Office of the Police and Crime Commissioner for Leicestershire"
REVIEW_PAGE_LIMIT = 16  # the review for the meeting, before its appendix
# the review's sheets; the "Cost per service" sheet (every service's £ per unit, each kind) prints on a few pages of
# its own. The analyst's sheets after them (contract quarters, indicators, cost by quarter) are data to filter.
XLSX_PAGE_LIMIT = 16
ANALYST_SHEETS = ["Contract quarters", "Indicators", "Cost per outcome by quarter"]
SLICING = {"strategic theme", "strategic priority", "funding mechanism", "funding stream", "national outcome area"}


def chromium(*args, tmp_path):
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    assert binary, "Chromium is needed (apt-get install chromium; .ci/run installs it)"
    return subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'chromium'}", *args],
        capture_output=True, text=True, timeout=180, check=True,
    )


def pdf_text(pdf: Path) -> list[str]:
    """The text of each page, as pdftotext reads it (poppler-utils; .ci/run installs it)."""
    assert shutil.which("pdftotext"), "pdftotext is needed (apt-get install poppler-utils)"
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def q4_pack(bundled_warehouse, tmp_path_factory):
    """Written once for the run, whichever worker asks first (the tests only read it)."""

    def build(out):
        completed = run_opcc("report", "--warehouse", str(bundled_warehouse), "--period", PERIOD, "--out", str(out), "--pdf")
        assert completed.returncode == 0, completed.stdout + completed.stderr
        stem = out / "review-2016-17-Q4"
        for suffix in (".html", ".xlsx", ".pdf"):
            assert f"Wrote {stem}{suffix}" in completed.stdout
        return stem.with_suffix(".html"), stem.with_suffix(".xlsx"), stem.with_suffix(".pdf")

    return built_once(tmp_path_factory, "review-pack-q4", build)


def bodies(pdf: Path) -> list[str]:
    """Each page's text without its running head (the pack's title, period and commissioner) and foot (its number)."""
    pages = [flat(p) for p in pdf_text(pdf)]
    head = f"Quarterly performance review {PERIOD}"
    for number, page in enumerate(pages, start=1):
        assert page.startswith(head) and COMMISSIONER in page, f"page {number} has the running head"
        assert page.endswith(f"Page {number} of {len(pages)}"), f"page {number} is numbered"
    # pdftotext reads the head's two parts first, unless a chart's labels sit higher on the page
    return [p.removeprefix(head).replace(COMMISSIONER, "", 1).rsplit(" Page ", 1)[0].strip() for p in pages]


def heading(text: str, title: str) -> int:
    """Where a section's heading is in the printed text: after its line in the contents."""
    return text.index(title, text.index(title) + len(title))


@pytest.fixture(scope="module")
def pages(q4_pack):
    return bodies(q4_pack[2])


@pytest.fixture(scope="module")
def appendix_pages(bundled_warehouse, tmp_path_factory):
    """The PDF with its appendix (`--pdf --appendix`): the review, every service's cost and a page per contract.
    Written once for the run, whichever worker asks first."""

    def build(out):
        completed = run_opcc("report", "--warehouse", str(bundled_warehouse), "--period", PERIOD, "--out", str(out), "--pdf", "--appendix")
        assert completed.returncode == 0, completed.stdout + completed.stderr
        return bodies(out / "review-2016-17-Q4.pdf")

    return built_once(tmp_path_factory, "review-pack-q4-appendix", build)


@pytest.fixture(scope="module")
def contracts(db):
    relation = db.execute(
        "select * from reporting.rpt_contract_status where commissioner_code = 'LEI' and period = ? order by contract_id", [PERIOD]
    )
    columns = [d[0] for d in relation.description]
    return [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]


def test_the_first_page_names_what_needs_attention(pages, contracts, db):
    first = pages[0]
    assert first.startswith(f"Quarterly performance review: {PERIOD}") and "What needs attention" in first
    target_hardening = next(c for c in contracts if c["contract_id"] == "LEI-024")
    assert target_hardening["finance_rag"] == "red" and target_hardening["overall_status"] == "red"
    share = round(100 * float(target_hardening["spend_to_reported_profile_ytd"]))
    assert "Target Hardening (LEI-024" in first and f"{share}% of its profile" in first and share == 137
    assert "Street Sport (LEI-027" in first and "no return for 2016-17 Q3" in first
    red = [c for c in contracts if c["overall_status"] == "red"]
    assert len(red) >= 5
    for contract in red:
        reasons = [
            flat(a) for (a,) in db.execute(
                "select attention from reporting.rpt_attention_items where commissioner_code = 'LEI' and period = ? "
                "and contract_id = ? and severity = 'red' order by attention_order",
                [PERIOD, contract["contract_id"]],
            ).fetchall()
        ]
        assert reasons, f"{contract['contract_id']} is red and has a reason"
        assert all(reason in first for reason in reasons), contract["contract_id"]
    # Worst first: the overspend heads the list, red items before amber ones.
    listed = first[first.index("worst first") :]
    assert listed.index("Target Hardening") < listed.index("Street Sport")
    ambers = [m.start() for m in re.finditer(r"\bamber\b", listed)]
    reds = [m.start() for m in re.finditer(r"\bred\b", listed)]
    assert not ambers or max(reds) < min(ambers)


def test_the_review_prints_for_the_meeting(pages, contracts):
    assert len(pages) <= REVIEW_PAGE_LIMIT, f"the review prints on {len(pages)} pages"
    assert "Contents" in pages[0] and "Data quality" in pages[0].split("Contents", 1)[1]
    for number, page in enumerate(pages, start=1):
        assert len(page) > 600, f"page {number} is nearly empty: {page[:200]}"
    text = " ".join(pages)
    assert "a page per contract" not in text.lower() and "Exceptions:" not in text, "the appendix is left out"
    # The contract table keeps ten or more rows on each page it fills (its first and last pages are shared).
    holding = [p for p in pages if any(c["contract_id"] in p for c in contracts) and "Needs attention" not in p]
    table_pages = [p for p in holding if "spend to date finance outcomes overall exceptions" in p]
    assert len(table_pages) >= 2
    for page in table_pages[1:-1]:
        assert len(set(re.findall(r"LEI-\d{3}", page))) >= 10, page[:300]


def test_the_appendix_prints_a_page_per_contract(appendix_pages, pages, contracts):
    assert len(contracts) == 57
    assert len(pages) + len(contracts) <= len(appendix_pages) <= len(pages) + len(contracts) + 20, f"{len(appendix_pages)} pages"
    text = " ".join(appendix_pages)
    table = text[heading(text, "Contract performance") : heading(text, "Allocation against spend")]
    for contract in contracts:
        cid = contract["contract_id"]
        assert cid in table, f"{cid} is in the contract table"
        page = next((p for p in appendix_pages if p.startswith(f"{cid} ") or f"Appendix: a page per contract {cid} " in p), None)
        assert page is not None, f"{cid} has a page of its own"
        assert f"Overall {contract['overall_status']} · finance {contract['finance_rag']} · outcomes {contract['outcome_rag']}" in page
        assert f"Exceptions: {flat(contract['exceptions'])}" in page, cid
        for quarter in ("2016-17 Q1", "2016-17 Q4"):
            assert quarter in page
    street_sport = next(p for p in appendix_pages if p.startswith("LEI-027 "))
    assert "missing" in street_sport and "2016-17 Q3" in street_sport
    assert all(len(p) > 300 for p in appendix_pages), "no page holds a heading alone"


def test_the_page_fits_a_1366_pixel_screen(q4_pack, tmp_path):
    html = q4_pack[0].read_text(encoding="utf-8")
    assert "<script" not in html and "https://" not in html
    assert "http://" not in re.sub(r'xmlns(:xlink)?="http://www\.w3\.org/[^"]*"', "", html)
    # A copy that measures itself: how wide the page and the contract table are at 1366 px.
    probe = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html).replace(
        "</body>",
        "<script>document.title = JSON.stringify({page: document.documentElement.scrollWidth, "
        "table: Math.ceil(document.getElementById('table-contracts').getBoundingClientRect().right), "
        "figures: document.querySelectorAll('figure.chart svg').length});</script></body>",
    )
    page = tmp_path / "probe.html"
    page.write_text(probe, encoding="utf-8")
    dom = chromium("--window-size=1366,900", "--dump-dom", page.as_uri(), tmp_path=tmp_path).stdout
    measured = json.loads(re.search(r"<title>(.*?)</title>", dom).group(1).replace("&quot;", '"'))
    assert measured["page"] <= 1366 and measured["table"] <= 1366, measured
    assert measured["figures"] >= 4  # allocation against spend, cost per outcome (in parts), returns
    screenshot = tmp_path / "pack.png"
    chromium("--window-size=1366,2000", f"--screenshot={screenshot}", q4_pack[0].as_uri(), tmp_path=tmp_path)
    assert screenshot.stat().st_size > 50_000  # a page with charts and tables, not a blank one


def test_charts_read_on_paper(q4_pack, pages, db):
    html = q4_pack[0].read_text(encoding="utf-8")
    assert html.count('<figure class="chart"') >= 4 and "<text" in html
    cost_pages = " ".join(p for p in pages if "Cost per outcome by quarter" in p)
    for quarter in ("Q1", "Q2", "Q3", "Q4"):
        assert quarter in cost_pages
    cost = db.execute(
        "select cost_per_outcome_gbp from reporting.rpt_cost_per_outcome where commissioner_code = 'LEI' and period = ? "
        "and period_basis = 'quarter' and strategic_priority = 'SP9' and is_headline",
        [PERIOD],
    ).fetchone()[0]
    assert f"£{float(cost):,.0f}" in cost_pages, "the value is printed at the point"
    text = " ".join(pages)
    returns = text[heading(text, "Returns received, late and missing") : heading(text, "Budget position and reserve")]
    assert "received on time" in returns and "2016-17 Q3" in returns


def test_the_workbook_a_finance_officer_expects(q4_pack, contracts, tmp_path):
    book = load_workbook(q4_pack[1])
    assert book.sheetnames == ["Summary", "Needs attention", "Contracts", "Spend by theme", "Cost per service", "Cost per outcome", "Returns",
                               "Budget", "Coverage", "Data quality", "Direction of travel", *ANALYST_SHEETS]
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize in (9, "9")
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
        assert sheet.oddHeader.center.text
        if sheet.title != "Summary":
            assert sheet.tables and sheet.freeze_panes == "A5" and sheet.print_title_rows, sheet.title
    summary = book["Summary"]
    money = {summary.cell(row=r, column=1).value: summary.cell(row=r, column=2) for r in range(1, summary.max_row + 1)}
    budget = money["Commissioning budget"]
    assert budget.value == 4611000 and "£" in budget.number_format and "#,##0" in budget.number_format
    assert "£" in money["Spent to date"].number_format and money["Spend as % of profile"].number_format == "0%"
    assert len(summary._charts) == 2
    assert summary["A3"].value == "figure" and "Summary_figures" in summary.tables
    sheet = book["Contracts"]
    header = [c.value for c in sheet[4]]
    spend = sheet.cell(row=5, column=header.index("spend to date") + 1)
    assert isinstance(spend.value, float) and "£" in spend.number_format
    assert sheet.cell(row=5, column=header.index("% of profile") + 1).number_format == "0%"
    assert sheet.max_row == 4 + len(contracts)
    rag_ranges = {str(r.sqref) for r in sheet.conditional_formatting}
    for column in ("finance", "outcomes", "overall"):
        letter = chr(ord("A") + header.index(column))
        assert f"{letter}5:{letter}{4 + len(contracts)}" in rag_ranges
    statuses = {sheet.cell(row=r, column=header.index("overall") + 1).value for r in range(5, sheet.max_row + 1)}
    assert statuses <= {"red", "amber", "green", "not reported"} and "red" in statuses  # the word stays beside the colour

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is needed (apt-get install libreoffice-calc-nogui; .ci/run installs it)"
    subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
         "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), str(q4_pack[1])],
        check=True, capture_output=True, timeout=180,
    )
    printed = pdf_text(tmp_path / "pdf" / "review-2016-17-Q4.pdf")
    review = next(i for i, page in enumerate(printed) if "Each contract's quarters this year to date" in page)
    assert review <= XLSX_PAGE_LIMIT, f"the review's sheets print on {review} A4 pages"
    assert len(printed) > review, "the analyst's sheets print after them"
    text = flat(" ".join(printed))
    assert "£4,611,000" in text and "137%" in text
    for contract in contracts:
        assert contract["contract_id"] in text


def _cells(ref: str) -> tuple[int, int, int, int]:
    from openpyxl.utils.cell import range_boundaries

    return range_boundaries(ref)  # min column, min row, max column, max row


def test_an_analyst_can_slice_every_sheet(q4_pack, contracts, db):
    book = load_workbook(q4_pack[1])
    names = set()
    for sheet in book.worksheets:
        assert sheet.tables, f"{sheet.title} is an Excel table"
        for name, ref in sheet.tables.items():
            assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) and name not in names, name
            names.add(name)
            min_col, min_row, max_col, max_row = _cells(ref)
            headers = [sheet.cell(row=min_row, column=c).value for c in range(min_col, max_col + 1)]
            assert all(isinstance(h, str) and h for h in headers) and len(set(headers)) == len(headers), (sheet.title, headers)
        for chart in sheet._charts:
            column, row = chart.anchor._from.col + 1, chart.anchor._from.row + 1
            for ref in (t.ref for t in sheet.tables.values()):
                min_col, min_row, max_col, max_row = _cells(ref)
                assert column > max_col or row > max_row, f"a chart of {sheet.title} starts inside table {ref}"
            assert chart.x_axis.delete is False and chart.y_axis.delete is False, "axes are drawn with their labels"
    for title in ("Contracts", "Needs attention", "Cost per service", "Returns", "Contract quarters", "Indicators"):
        headers = {c.value for c in book[title][4]}
        assert headers >= SLICING, (title, SLICING - headers)
    for title in ("Cost per outcome", "Coverage", "Cost per outcome by quarter"):
        assert {"strategic theme", "national outcome area"} <= {c.value for c in book[title][4]}, title
    # The indicator sheet: contract x quarter x indicator, with value, target, RAG and kind.
    indicators = book["Indicators"]
    header = [c.value for c in indicators[4]]
    assert {"contract", "period", "indicator", "this quarter", "target to date", "RAG", "kind"} <= set(header)
    expected = db.execute(
        "select count(*) from reporting.rpt_indicator_progress where commissioner_code = 'LEI' and financial_year = '2016-17' "
        "and period <= ?", [PERIOD],
    ).fetchone()[0]
    assert indicators.max_row == 4 + expected
    quarters = book["Contract quarters"]
    assert quarters.max_row == 4 + 4 * len(contracts)
    by_quarter = book["Cost per outcome by quarter"]
    periods = {by_quarter.cell(row=r, column=1).value for r in range(5, by_quarter.max_row + 1)}
    assert periods == {"2016-17 Q1", "2016-17 Q2", "2016-17 Q3", "2016-17 Q4"}
    # The slicing columns are the contract's own: LEI-024's theme as the contract table has it.
    sheet = book["Contracts"]
    header = [c.value for c in sheet[4]]
    row = next(r for r in range(5, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == "LEI-024")
    lei024 = next(c for c in contracts if c["contract_id"] == "LEI-024")
    assert sheet.cell(row=row, column=header.index("strategic theme") + 1).value == lei024["strategic_theme"]
    assert sheet.cell(row=row, column=header.index("national outcome area") + 1).value


def test_refresh_pack_and_check_count_the_rules_the_same_way(bundled_refresh, q4_pack, warehouse_copy, db):
    counts = summarise_recorded(db)
    line = counts.line()
    assert counts.rules == counts.passed + counts.warned + counts.failed + counts.held_back and counts.warned > 0
    live, refreshed = bundled_refresh
    assert f"  rules    {line}\n" in refreshed.stdout
    assert line in q4_pack[0].read_text(encoding="utf-8")
    # The pack the refresh itself drew counts them so too: it is drawn after the last check (the open data's).
    drawn = wh.reports_dir(live) / PERIOD / "LEI" / q4_pack[0].name
    assert line in drawn.read_text(encoding="utf-8")
    check = run_opcc("check", "--warehouse", str(warehouse_copy))
    assert check.returncode == 0, check.stdout + check.stderr
    assert f"suites, {line};" in check.stdout
    # Data Docs count the same way: warnings read as warned, each suite once per run, the same line.
    suites = re.search(r"(\d+) suites, " + re.escape(line), check.stdout).group(1)
    index = wh.outputs_dir(warehouse_copy) / "quality" / "data_docs" / "index.html"
    html = index.read_text(encoding="utf-8")
    assert f"Latest run (opcc check): {suites} suites, {line}</caption>" in html
    rows = [re.sub(r"<[^>]+>", "|", r) for r in re.findall(r"<tr>(.*?)</tr>", html, re.S) if "|opcc check|" in re.sub(r"<[^>]+>", "|", r)]
    assert len(rows) == int(suites), "each suite once in the run"
    warned_suites = db.execute("select count(distinct suite) from audit.quality_results where not passed and severity = 'warning'").fetchone()[0]
    assert sum("! warned" in r for r in rows) == warned_suites > 0
    assert not any("failed" in r for r in rows), "no suite that only warned reads as failed"
    pages = list((index.parent / "validations" / "contract_quarter" / "opcc check").rglob("*.html"))
    assert pages and all("Warned (only warning rules flagged rows)" in p.read_text(encoding="utf-8") for p in pages)
    assert not any("class=\"fas fa-times" in p.read_text(encoding="utf-8") for p in pages), "its flagged rules read as warnings"


def test_the_refresh_names_the_packs_it_built(bundled_refresh):
    live, refreshed = bundled_refresh
    listed = refreshed.stdout.split("Review packs built:\n", 1)[1].splitlines()
    packs = [Path(line.strip()) for line in listed if line.startswith("  ")]
    folder = wh.reports_dir(live) / PERIOD / "LEI"
    assert packs == [folder / "review-2016-17-Q4.html", folder / "review-2016-17-Q4.xlsx"]
    assert all(p.exists() for p in packs)
    assert not (wh.staged_reports_dir(live)).exists(), "nothing is left staged once published"


def test_unknown_period_is_refused(warehouse_copy):
    completed = run_opcc("report", "--warehouse", str(warehouse_copy), "--period", "2017-18 Q1")
    assert completed.returncode == 2
    assert "no allocations of commissioner LEI for 2017-18" in completed.stderr
    assert "years with allocations: 2016-17" in completed.stderr and "Traceback" not in completed.stderr
    not_a_period = run_opcc("report", "--warehouse", str(warehouse_copy), "--period", "2016-17 Q5")
    assert not_a_period.returncode == 2 and "is not a period like" in not_a_period.stderr


def test_unknown_commissioner_is_refused_with_the_valid_ones(warehouse_copy):
    completed = run_opcc("report", "--warehouse", str(warehouse_copy), "--period", "2016-17 Q2", "--commissioner", "NAB")
    assert completed.returncode == 2 and "no commissioner 'NAB'" in completed.stderr and "LEI" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_data_quality_reads_as_words_for_a_commissioner(q4_pack, pages):
    html = q4_pack[0].read_text(encoding="utf-8")
    quality = html[html.index('<section id="quality">') : html.index('<section id="contract-pages">')]
    assert "3 amounts printed without thousands separators in the 2016-17 framework: figures used as printed" in quality
    assert "Row 3 of LEI-015.csv (2016-17 Q1), column value, was not loaded" in quality
    for engineering in ("document line", "committed_figures_in_year", "=True", "printed_differently_in_table_1"):
        assert engineering not in quality, engineering
    assert 'href="' in quality and "data_docs/index.html" in quality, "detail is linked to Data Docs"
    text = " ".join(pages)
    printed = text[text.index("Quality rules:") :]
    assert "1 expected return has not arrived: LEI-027 2016-17 Q3 (warning)" in printed


def test_the_pack_says_each_finding_as_the_refresh_does(bundled_refresh, q4_pack):
    """The refresh summary's finding sentences that name this commissioner's contracts are the pack's."""
    _, refreshed = bundled_refresh
    said = [s.split("warning  ", 1)[1] for s in statements(refreshed.stdout) if s.lstrip().startswith("warning  ") and "LEI-0" in s]
    assert len(said) >= 4
    quality = flat(re.sub(r"<[^>]+>", " ", q4_pack[0].read_text(encoding="utf-8")))
    quality = quality[quality.index("Rules that flagged this commissioner") :]
    for sentence in said:
        assert html.escape(flat(sentence), quote=True) in quality or flat(sentence) in quality, sentence


def test_direction_of_travel_in_words_and_in_the_workbook(q4_pack, db):
    overall = db.execute(
        "select spend_gbp, spend_change_gbp, previous_period, contracts_red, year_before_period from reporting.rpt_direction_of_travel "
        "where commissioner_code = 'LEI' and period = ? and level = 'commissioner'", [PERIOD],
    ).fetchone()
    spend, change, previous, red, year_before = overall
    assert previous == "2016-17 Q3" and year_before is None  # the bundled data hold one year
    html = q4_pack[0].read_text(encoding="utf-8")
    section = html[html.index('<section id="direction">') : html.index('<section id="cost">')]
    arrow = "▲" if change > 0 else "▼"
    assert f"Spend this quarter £{float(spend):,.0f}: spend {arrow} £{abs(float(change)):,.0f}" in section
    assert f"contracts red {red}" in section and "no same quarter last year to compare with" in section
    moved = db.execute(
        "select subject, previous_status, status from reporting.rpt_direction_of_travel where commissioner_code = 'LEI' "
        "and period = ? and level = 'contract' and status_moved = 'down'", [PERIOD],
    ).fetchall()
    for contract, before, now in moved:
        assert f"{contract} " in section and f"{before} to {now}" in section
    table = html[html.index('id="table-contracts"') :]
    assert table.count("worse (was") == len(moved)
    sheet = load_workbook(q4_pack[1])["Direction of travel"]
    rows = db.execute(
        "select count(*) from reporting.rpt_direction_of_travel where commissioner_code = 'LEI' and period = ?", [PERIOD]
    ).fetchone()[0]
    assert sheet.max_row == 4 + rows and "spend change on the quarter" in [c.value for c in sheet[4]]
