"""The XLSX return: the template opens in LibreOffice and a filled one reads back exactly like the CSV."""

import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from opcc.ingest.return_tools import make_template, validate_file
from opcc.ingest.returns import read_returns
from tests.conftest import RAW


def libreoffice_convert(path, target_format, outdir):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is needed (apt-get install libreoffice-calc-nogui; .ci/run installs it)"
    outdir.mkdir(exist_ok=True)
    subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{outdir / 'profile'}",
         "--convert-to", target_format, "--outdir", str(outdir), str(path)],
        check=True, capture_output=True, timeout=180,
    )
    return outdir / (path.stem + "." + target_format.split(":")[0])


@pytest.fixture
def template(warehouse_copy, tmp_path):
    folder = tmp_path / "returns" / "2016-17 Q2"
    return make_template(warehouse_copy, "LEI-022", "2016-17 Q2", folder / "LEI-022.xlsx")


def fill(path, values, submitted=None):
    book = load_workbook(path)
    sheet = book["Return"]
    for row in range(13, sheet.max_row + 1):
        measure = sheet.cell(row=row, column=1).value
        if measure in values:
            sheet.cell(row=row, column=4).value = values[measure]
    if submitted:
        sheet["B10"] = submitted
    book.save(path)


def test_template_is_prefilled_and_only_the_input_cells_are_unlocked(template):
    sheet = load_workbook(template)["Return"]
    assert sheet["B4"].value == "LEI-022"
    assert sheet["B6"].value == "Catch 22"
    assert sheet["B7"].value == "2016-17 Q2"
    measures = [sheet.cell(row=r, column=1).value for r in range(13, sheet.max_row + 1)]
    assert measures == ["spend_gbp", "VIC_REFERRED", "VIC_SUPPORTED", "VIC_COPE", "VIC_SATISFIED"]
    assert sheet.protection.sheet
    assert not sheet["D13"].protection.locked and not sheet["E13"].protection.locked
    assert sheet["B4"].protection.locked and sheet["A13"].protection.locked
    validations = {str(dv.sqref): dv.type for dv in sheet.data_validations.dataValidation}
    assert validations["D13"] == "decimal" and validations["D17"] == "decimal"
    assert "D14" in next(k for k, v in validations.items() if v == "whole")


def test_filled_template_reads_back_like_the_csv(template, tmp_path):
    fill(template, {"spend_gbp": 158000, "VIC_REFERRED": 2500, "VIC_SUPPORTED": 1500, "VIC_COPE": 700, "VIC_SATISFIED": 84.5})
    workbook_rows = read_returns([(template, "returns/2016-17 Q2/LEI-022.xlsx")]).table
    csv_path = tmp_path / "returns" / "2016-17 Q2" / "same.csv"
    csv_path.write_text(
        "contract_id,period,measure,value,comment\n"
        + "".join(f"LEI-022,2016-17 Q2,{m},{v},\n" for m, v in
                  [("spend_gbp", 158000), ("VIC_REFERRED", 2500), ("VIC_SUPPORTED", 1500), ("VIC_COPE", 700), ("VIC_SATISFIED", 84.5)])
    )
    csv_rows = read_returns([(csv_path, "returns/2016-17 Q2/same.csv")]).table
    columns = ["contract_id", "period", "measure", "value", "comment"]
    assert workbook_rows.select(columns).to_pylist() == csv_rows.select(columns).to_pylist()
    assert validate_file(template, RAW).ok


def test_template_opens_in_libreoffice(template, tmp_path):
    csv_path = libreoffice_convert(template, "csv", tmp_path / "lo")
    text = csv_path.read_text(encoding="utf-8", errors="replace")
    assert "LEI-022" in text and "VIC_COPE" in text and "2016-17 Q2" in text


def test_workbook_saved_by_libreoffice_with_formulas_reads_the_values(template, tmp_path):
    fill(template, {"spend_gbp": "=100000+58000", "VIC_REFERRED": 2500, "VIC_SUPPORTED": "=1000+500", "VIC_COPE": 700, "VIC_SATISFIED": 84.5})
    unsaved = validate_file(template, RAW)
    assert any("formula with no calculated value" in p["reason"] for p in unsaved.problems)
    resaved = libreoffice_convert(template, "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")
    target = template.parent / "resaved.xlsx"
    shutil.move(resaved, target)
    rows = {r["measure"]: r["value"] for r in read_returns([(target, "returns/2016-17 Q2/resaved.xlsx")]).table.to_pylist()}
    assert rows["spend_gbp"] == "158000" and rows["VIC_SUPPORTED"] == "1500"
    assert validate_file(target, RAW).ok
