"""Personal data never leaves quarantine: every text kept or printed about an input passes one screen."""

from __future__ import annotations

import shutil

import pyarrow as pa
import pytest
from openpyxl import Workbook

from opcc.ingest.personal_data import WITHHELD, fingerprint_line, quoted, screen
from opcc.ingest.raw_tables import RAW_TABLES_BY_NAME, read_raw_table
from opcc.ingest.return_tools import reference_connection
from opcc.ingest.returns import ROW_SCHEMA, read_returns, validate_returns
from tests.conftest import RAW

PERIOD = "2016-17 Q2"
PHONE, NAME, DOB, ADDRESS = "07700 900123", "Mrs Janeth Doughnut", "DOB 12/03/1987", "12 High Street, Leicester LE1 5AB"


@pytest.fixture(scope="module")
def reference():
    con = reference_connection(RAW)
    yield con
    con.close()


def test_the_screen_withholds_whole_texts_and_keeps_only_a_fingerprint_of_a_line():
    assert screen(f"call {PHONE}") == WITHHELD and screen("spend over budget") == "spend over budget"
    assert quoted(f"{NAME} rang") == WITHHELD and quoted("LEI-022") == "'LEI-022'"
    line = f"{NAME},{PHONE},{DOB},{ADDRESS}"
    kept = fingerprint_line(line)
    assert kept.startswith("[line withheld: may be personal data; sha256 ") and str(len(line)) in kept
    assert not any(part in kept for part in ("Janeth", "07700", "1987", "High Street"))
    assert fingerprint_line("LEI-022,2016-17 Q2,spend_gbp,1,2") == "LEI-022,2016-17 Q2,spend_gbp,1,2"


@pytest.mark.parametrize(
    ("column", "text"),
    [("value", "07700900123"), ("value", PHONE), ("measure", "07700900123"), ("contract_id", f"{NAME} {PHONE}"),
     ("period", DOB), ("comment", ADDRESS)],
)
def test_a_row_with_personal_data_in_any_column_is_withheld_and_its_reasons_do_not_repeat_it(reference, column, text):
    row = {"contract_id": "LEI-022", "period": PERIOD, "measure": "spend_gbp", "value": "100", "comment": "",
           "_source_file": f"returns/{PERIOD}/r.csv", "_source_row": 2}
    row[column] = text
    checked = validate_returns(reference, pa.Table.from_pylist([row], schema=ROW_SCHEMA))
    quarantined = checked.quarantined.to_pylist()
    assert checked.loaded.num_rows == 0 and len(quarantined) == 1
    assert quarantined[0]["value"] == WITHHELD and quarantined[0]["reason"].startswith("personal data")
    everything = " ".join(str(v) for v in quarantined[0].values()) + " ".join(p["reason"] for p in checked.problems)
    assert not any(part in everything for part in ("07700", "Janeth", "1987", "High Street", "900123"))


def test_personal_data_in_a_workbook_header_or_sheet_name_is_not_repeated(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "Return"
    sheet.append(["measure", "value", f"called {PHONE}"])
    sheet.append(["spend_gbp", 100, "x"])
    hidden = book.create_sheet(f"notes {NAME}")
    hidden.sheet_state = "hidden"
    path = tmp_path / "LEI-022.xlsx"
    book.save(path)
    report = read_returns([(path, f"returns/{PERIOD}/LEI-022.xlsx")]).files[f"returns/{PERIOD}/LEI-022.xlsx"]
    warnings = " ".join(report.warnings)
    assert WITHHELD in warnings and "07700" not in warnings and "Janeth" not in warnings


def test_the_submission_log_keeps_no_personal_data_in_its_notes_or_dates(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW / "returns", raw / "returns")
    with (raw / "returns" / "submission_log.csv").open("a", encoding="utf-8") as log:
        log.write(f"2016-17 Q4,LEI-001.csv,2017-04-10 09:00,chased {NAME} on {PHONE}\n")
        log.write(f"2016-17 Q4,LEI-002.csv,rang {PHONE},\n")
    table = read_raw_table(raw, RAW_TABLES_BY_NAME["submission_log"]).bulk.table.to_pylist()
    assert table[-2]["note"] == WITHHELD and table[-1]["received_at"] == WITHHELD
    assert not any("07700" in str(v) for row in table for v in row.values())
