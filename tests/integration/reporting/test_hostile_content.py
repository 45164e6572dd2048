"""Provider text in the review pack: escaped in the page, plain text in the workbook; zero outcomes stay null.

One refresh of a copy of the bundled data with a hostile return added and every
Q1 victims-cope figure set to 0; the Dagster review-pack asset builds the packs.
"""

import csv
import shutil
import subprocess

import duckdb
from openpyxl import load_workbook

from orchestration.commands.refresh import run_refresh
from tests.conftest import run_opcc

HOSTILE_NAME = '<img src=x onerror=alert(1)>.csv'
FORMULA = '=HYPERLINK("http://example.invalid","click")'


def test_hostile_text_and_zero_outcomes(warehouse_copy, raw_copy, tmp_path):
    q1 = raw_copy / "returns" / "2016-17 Q1"
    for path in q1.glob("*.csv"):
        rows = list(csv.reader(path.open(encoding="utf-8")))
        changed = [[*r[:3], "0", *r[4:]] if len(r) > 3 and r[2] == "VIC_COPE" else r for r in rows]
        if changed != rows:
            with path.open("w", newline="", encoding="utf-8") as handle:
                csv.writer(handle, lineterminator="\n").writerows(changed)
    for path in q1.glob("*.xlsx"):
        book = load_workbook(path)
        for row in book["Return"].iter_rows(min_row=13):
            if row[0].value == "VIC_COPE":
                row[3].value = 0
        book.save(path)
    (q1 / HOSTILE_NAME).write_text(
        "contract_id,period,measure,value,comment\n"
        f'LEI-022,2016-17 Q1,"{FORMULA.replace(chr(34), chr(34) * 2)}",5,<script>alert(1)</script>\n'
        "LEI-022,2016-17 Q1,<b>VIC_COPE</b>,5,\n",
        encoding="utf-8",
    )

    outcome = run_refresh(warehouse_copy, raw_copy, progress=False)
    assert outcome.success, outcome.reason

    with duckdb.connect(str(warehouse_copy), read_only=True) as con:
        row = con.execute(
            "select attributed_spend_gbp, outcome_value, cost_per_outcome_gbp, not_computed_because from marts.fct_cost_per_outcome "
            "where period = '2016-17 Q1' and period_basis = 'quarter' and indicator_code = 'VIC_COPE'"
        ).fetchone()
        quarantined = con.execute(
            "select count(*) from audit.quarantined_rows where path = ?", [f"returns/2016-17 Q1/{HOSTILE_NAME}"]
        ).fetchone()[0]
    assert row[0] > 0 and row[1] == 0 and row[2] is None
    assert row[3] == "nothing counted: the total attributed count is 0"
    assert quarantined == 2

    pack = tmp_path / "pack"
    report = run_opcc("report", "--warehouse", str(warehouse_copy), "--period", "2016-17 Q1", "--out", str(pack))
    assert report.returncode == 0, report.stderr
    html = (pack / "review-2016-17-Q1.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;.csv" in html
    assert "<img" not in html and "<script>" not in html and "<b>VIC_COPE" not in html
    assert "nothing counted: the total attributed count is 0" in html

    book = load_workbook(pack / "review-2016-17-Q1.xlsx")
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "no cell of the workbook is a formula"
    quality = book["Data quality"]
    mentioned = [c for row in quality.iter_rows() for c in row if isinstance(c.value, str) and HOSTILE_NAME in c.value]
    assert mentioned and all(c.data_type == "s" for c in mentioned), "the file is named, as text"
    assert any(FORMULA.upper() in c.value.upper() for c in mentioned), "the provider's text is there, as text"
    for cell in cells:
        if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
            assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate

    # LibreOffice shows the text, it does not follow or evaluate it.
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is needed (.ci/run installs it)"
    single = tmp_path / "quality.xlsx"
    book_only = load_workbook(pack / "review-2016-17-Q1.xlsx")
    for name in book_only.sheetnames:
        if name != "Data quality":
            del book_only[name]
    book_only.save(single)
    subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path / 'lo'}",
         "--convert-to", "csv", "--outdir", str(tmp_path), str(single)],
        check=True, capture_output=True, timeout=180,
    )
    exported = (tmp_path / "quality.csv").read_text(encoding="utf-8", errors="replace")
    assert "onerror=alert(1)" in exported and "click\n" not in exported
