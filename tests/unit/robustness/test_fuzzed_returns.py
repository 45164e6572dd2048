"""Malformed returns never crash the reader and validator: every row is loaded or quarantined,
or the file is rejected with a reason (property-based, with hypothesis)."""

import io
import string
import zipfile

import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from opcc.ingest.return_tools import reference_connection
from opcc.ingest.returns import read_returns, reject_duplicate_files, validate_returns
from opcc.ingest.row_count import count_file
from tests.conftest import RAW

PERIOD = "2016-17 Q1"
HEADER = "contract_id,period,measure,value,comment"
NASTY_VALUES = ["1e400", "-1e400", "nan", "NaN", "inf", "-inf", "1" * 400, "£1,2,3", "(5)", "0x1F", "١٢٣", "12abc", "", " ", "=1+2", "+44", "@SUM(A1)", "-0"]
text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
sheet_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=60)  # what a worksheet can hold
cell = st.one_of(text, st.sampled_from(NASTY_VALUES), st.text(alphabet=string.ascii_letters, min_size=1500, max_size=2500))
sheet_cell = st.one_of(sheet_text, st.sampled_from(NASTY_VALUES), st.floats(allow_nan=True, allow_infinity=True), st.integers())
sheet_row = st.tuples(st.sampled_from(["LEI-001", "LEI-022", ""]), st.sampled_from([PERIOD, "Q1"]),
                      st.sampled_from(["spend_gbp", "VIC_COPE", "nope"]), sheet_cell, sheet_text)
good_row = st.tuples(st.sampled_from(["LEI-001", "LEI-022", "LEI-999", ""]), st.sampled_from([PERIOD, "2016-17 Q2", "Q1"]),
                     st.sampled_from(["spend_gbp", "VIC_COPE", "VIC_REFERRED", "TRT_STARTS", "nope"]), cell, cell)


@st.composite
def csv_file(draw) -> bytes:
    header = draw(st.sampled_from([HEADER, HEADER + ",extra", "contract_id,period,measure", HEADER + "," + ",".join(f"c{i}" for i in range(3000)), ""]))
    rows = draw(st.lists(st.one_of(good_row.map(list), st.lists(cell, max_size=8)), max_size=25))
    quote = draw(st.booleans())
    lines = [header] + [",".join(('"' + str(v).replace('"', '""') + '"') if quote else str(v) for v in r) for r in rows]
    body = draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"]))
    data = body.encode(encoding, errors="replace")
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]  # truncated
    return data


@st.composite
def xlsx_file(draw) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = draw(st.sampled_from(["Return", "Sheet1", "Data"]))
    width = draw(st.sampled_from([5, 5, 40, 1200]))
    sheet.append(["contract_id", "period", "measure", "value", "comment"][: min(width, 5)] + [f"x{i}" for i in range(width - 5)])
    for row in draw(st.lists(sheet_row, max_size=15)):
        sheet.append(list(row))
    if draw(st.booleans()):
        sheet["D2"] = "=1/0"
        sheet["D3"] = "=SUM(D4:D9)"
    if draw(st.booleans()):
        sheet.merge_cells("A2:C3")
    if draw(st.booleans()):
        hidden = book.create_sheet("Hidden")
        hidden.append(["contract_id", "period", "measure", "value", "comment"])
        hidden.append(["LEI-001", PERIOD, "spend_gbp", 1, ""])
        hidden.sheet_state = "hidden"
        if draw(st.booleans()):
            sheet.sheet_state = "visible"
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    if draw(st.booleans()):
        # a fraction, not a byte count: a saved workbook's size varies with the clock
        data = data[: int(len(data) * draw(st.floats(0, 1)))]
    return data


@pytest.fixture(scope="module")
def reference():
    con = reference_connection(RAW)
    yield con
    con.close()


def check_invariants(folder, reference):
    files = [(p, f"returns/{PERIOD}/{p.name}") for p in sorted(folder.iterdir())]
    bulk = read_returns(files)
    reject_duplicate_files(bulk)
    checked = validate_returns(reference, bulk.table)
    loaded = pc.value_counts(checked.loaded.column("source_file")).to_pylist() if checked.loaded.num_rows else []
    loaded = {v["values"]: v["counts"] for v in loaded}
    quarantined: dict[str, int] = {}
    for q in bulk.quarantined + checked.quarantined.to_pylist():
        quarantined[q["path"]] = quarantined.get(q["path"], 0) + 1
    assert set(bulk.files) == {shown for _, shown in files}
    for shown, report in bulk.files.items():
        if report.status == "rejected":
            assert report.reason, shown
            assert loaded.get(shown, 0) == 0 and quarantined.get(shown, 0) == 0
        else:
            assert report.rows_read == loaded.get(shown, 0) + quarantined.get(shown, 0), (shown, report)
            # The accounting check's own count, from the file with other code, agrees with the reader.
            disk = folder / shown.rsplit("/", 1)[1]
            assert count_file(disk).rows == report.rows_read, (shown, report)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(csv_files=st.lists(csv_file(), min_size=1, max_size=4), xlsx_files=st.lists(xlsx_file(), max_size=2),
       junk=st.lists(st.binary(max_size=3000), max_size=2))
def test_malformed_returns_never_crash_and_every_row_is_accounted_for(tmp_path_factory, reference, csv_files, xlsx_files, junk):
    folder = tmp_path_factory.mktemp("fuzz")
    for i, data in enumerate(csv_files):
        (folder / f"r{i}.csv").write_bytes(data)
    for i, data in enumerate(xlsx_files):
        (folder / f"w{i}.xlsx").write_bytes(data)
    for i, data in enumerate(junk):
        (folder / f"junk{i}.{'xlsx' if i % 2 else 'csv'}").write_bytes(data)
    check_invariants(folder, reference)


def test_a_zip_that_is_not_a_workbook_is_rejected(tmp_path, reference):
    path = tmp_path / "fake.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    check_invariants(tmp_path, reference)
    bulk = read_returns([(path, f"returns/{PERIOD}/fake.xlsx")])
    assert "not an XLSX workbook" in bulk.files[f"returns/{PERIOD}/fake.xlsx"].reason
