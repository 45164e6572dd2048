"""The quarterly review pack as a person sees it: rendered in Chromium, opened in LibreOffice."""

import shutil
import subprocess

from openpyxl import load_workbook

from tests.conftest import run_opcc


def chromium(*args, tmp_path):
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    assert binary, "Chromium is needed (apt-get install chromium; .ci/run installs it)"
    return subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'chromium'}", *args],
        capture_output=True, text=True, timeout=120, check=True,
    )


def test_report_command_writes_html_and_xlsx(warehouse_copy, tmp_path):
    completed = run_opcc("report", "--warehouse", str(warehouse_copy), "--period", "2016-17 Q4", "--out", str(tmp_path / "pack"))
    assert completed.returncode == 0, completed.stderr
    html = tmp_path / "pack" / "review-2016-17-Q4.html"
    xlsx = tmp_path / "pack" / "review-2016-17-Q4.xlsx"
    assert html.exists() and xlsx.exists()
    text = html.read_text(encoding="utf-8")
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in text
    assert "<script" not in text
    assert "Illustrative sample data" in text


def test_pack_renders_with_charts_and_the_rag_table(warehouse_copy, tmp_path):
    run_opcc("report", "--warehouse", str(warehouse_copy), "--period", "2016-17 Q4", "--out", str(tmp_path))
    page = (tmp_path / "review-2016-17-Q4.html").as_uri()
    screenshot = tmp_path / "pack.png"
    chromium("--window-size=1400,2400", f"--screenshot={screenshot}", page, tmp_path=tmp_path)
    assert screenshot.stat().st_size > 50_000  # a page with charts and tables, not a blank one
    dom = chromium("--dump-dom", page, tmp_path=tmp_path).stdout
    assert dom.count('<svg class="chart"') == 3
    assert dom.count('class="bar"') >= 10  # allocation and spend bars, returns columns
    assert dom.count('class="line"') >= 10  # a cost-per-outcome trend line per priority
    assert dom.count('class="rag"') == 57  # a RAG badge per contract
    for section in ("Allocation against spend by theme", "Cost per outcome", "Contract performance",
                    "Returns received, late and missing", "Budget position and reserve", "Strategic priority coverage", "Data quality"):
        assert f">{section}</h2>" in dom


def test_pack_workbook_opens_in_libreoffice(warehouse_copy, tmp_path):
    run_opcc("report", "--warehouse", str(warehouse_copy), "--period", "2016-17 Q2", "--out", str(tmp_path))
    xlsx = tmp_path / "review-2016-17-Q2.xlsx"
    book = load_workbook(xlsx)
    assert book.sheetnames[:4] == ["Summary", "Spend by theme", "Cost per outcome", "Contracts RAG"]
    assert book["Contracts RAG"].max_row == 2 + 57
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is needed (apt-get install libreoffice-calc-nogui; .ci/run installs it)"
    subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
         "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), str(xlsx)],
        check=True, capture_output=True, timeout=180,
    )
    pdf = tmp_path / "pdf" / "review-2016-17-Q2.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000


def test_unknown_period_is_refused(warehouse_copy):
    completed = run_opcc("report", "--warehouse", str(warehouse_copy), "--period", "2017-18 Q1")
    assert completed.returncode == 2 and "no returns for 2017-18 Q1" in completed.stderr


def test_commissioner_without_a_framework_is_refused(warehouse_copy):
    completed = run_opcc("report", "--warehouse", str(warehouse_copy), "--period", "2016-17 Q2", "--commissioner", "NAB")
    assert completed.returncode == 2 and "NAB" in completed.stderr and "Traceback" not in completed.stderr
