"""Files built to hurt: zip bombs and oversized files are refused before being read; names cannot
steer a path; workbooks the project writes cannot run provider text as a formula."""

import time
import tracemalloc
import zipfile

from openpyxl import load_workbook

from opcc.core.periods import Period
from opcc.ingest.csvfiles import MAX_FILE_BYTES
from opcc.ingest.return_template import TemplateHeader, TemplateLine, write_template
from opcc.ingest.returns import discover, read_returns
from opcc.ingest.workbook import MAX_UNCOMPRESSED_BYTES
from tests.conftest import run_opcc

PERIOD = "2016-17 Q1"


def test_zip_bomb_workbook_is_rejected_without_expanding_it(tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (MAX_UNCOMPRESSED_BYTES + 10_000_000))
    assert bomb.stat().st_size < 1_000_000
    warm = tmp_path / "warm.xlsx"  # first use imports and caches things; measure the bomb alone
    warm.write_bytes(b"")
    read_returns([(warm, f"returns/{PERIOD}/warm.xlsx")])
    tracemalloc.start()
    report = read_returns([(bomb, f"returns/{PERIOD}/bomb.xlsx")]).files[f"returns/{PERIOD}/bomb.xlsx"]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert report.status == "rejected" and "would expand to" in report.reason
    assert peak < 5_000_000, "the bomb was inflated"


def test_file_over_the_size_limit_is_rejected_before_it_is_read(tmp_path):
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: big on paper, nothing to read
    started = time.monotonic()
    report = read_returns([(huge, f"returns/{PERIOD}/huge.csv")]).files[f"returns/{PERIOD}/huge.csv"]
    assert report.status == "rejected" and "over the" in report.reason and report.sha256 == ""
    assert time.monotonic() - started < 1


def test_links_folders_and_other_files_in_a_period_folder_are_refused(tmp_path):
    raw = tmp_path / "raw"
    folder = raw / "returns" / PERIOD
    folder.mkdir(parents=True)
    outside = tmp_path / "secret.csv"
    outside.write_text("contract_id,period,measure,value,comment\n")
    (folder / "link.csv").symlink_to(outside)
    (folder / "nested").mkdir()
    (folder / "notes.txt").write_text("hello")
    (folder / "ok.csv").write_text("contract_id,period,measure,value,comment\n")
    found, refused = discover(raw, PERIOD)
    assert [shown for _, shown in found] == [f"returns/{PERIOD}/ok.csv"]
    reasons = {r.path.rsplit("/", 1)[1]: r.reason for r in refused}
    assert "symbolic link" in reasons["link.csv"] and "folder" in reasons["nested"] and "not a return" in reasons["notes.txt"]


def test_names_cannot_steer_an_output_path(warehouse_copy, tmp_path):
    escape = tmp_path / "escaped"
    report = run_opcc("report", "--warehouse", str(warehouse_copy), "--period", f"../../{escape.name}")
    assert report.returncode == 2 and "is not a period like '2016-17 Q1'" in report.stderr
    template = run_opcc("template", "--warehouse", str(warehouse_copy), "--contract", f"../../{escape.name}", "--period", "2016-17 Q1")
    assert template.returncode == 2 and "no contract" in template.stderr
    assert not escape.exists() and not list(tmp_path.rglob("*escaped*"))


def test_workbooks_the_project_writes_keep_provider_text_as_text(tmp_path):
    period = Period.parse("2016-17 Q1")
    header = TemplateHeader("LEI-001", '=HYPERLINK("http://example.invalid","x")', "+44 @provider -1", str(period), period.months, period.due)
    path = write_template(tmp_path / "t.xlsx", header, [TemplateLine("spend_gbp", "=cmd|'/C calc'!A0", "gbp")], comments={"spend_gbp": "@SUM(1+1)"})
    sheet = load_workbook(path)["Return"]
    for coordinate in ("B5", "B6", "B13", "E13"):
        cell = sheet[coordinate]
        assert cell.data_type == "s" and cell.quotePrefix, coordinate
    with zipfile.ZipFile(path) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()
