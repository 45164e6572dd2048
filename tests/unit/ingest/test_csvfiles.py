"""The bulk CSV reader: every row loaded, quarantined with file/row/reason, or its file rejected."""

import pytest

from opcc.ingest.csvfiles import read_bulk

COLUMNS = ["contract_id", "period", "measure", "value", "comment"]
HEADER = b"contract_id,period,measure,value,comment\n"


def read(tmp_path, files: dict[str, bytes], **kwargs):
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    return read_bulk([(tmp_path / n, n) for n in files], COLUMNS, **kwargs)


def test_rows_keep_their_file_and_spreadsheet_row_number(tmp_path):
    result = read(
        tmp_path,
        {
            "a.csv": HEADER + b"C1,2016-17 Q1,spend_gbp,10,\nC1,2016-17 Q1,x,3,\n",
            "b.csv": HEADER + b"\nC2,2016-17 Q1,spend_gbp,7,late\n",
        },
    )
    rows = result.table.to_pylist()
    assert [(r["_source_file"], r["_source_row"], r["value"]) for r in rows] == [
        ("a.csv", 2, "10"),
        ("a.csv", 3, "3"),
        ("b.csv", 3, "7"),
    ]


def test_bom_crlf_quotes_and_multiline_comments(tmp_path):
    data = b"\xef\xbb\xbf" + HEADER.replace(b"\n", b"\r\n") + b'C1,2016-17 Q1,x,"1,234","said ""hi"""\r\nC1,2016-17 Q1,y,2,"two\r\nlines"\r\nC1,2016-17 Q1,z,3,\r\n'
    result = read(tmp_path, {"a.csv": data})
    rows = result.table.to_pylist()
    assert [r["value"] for r in rows] == ["1,234", "2", "3"]
    assert rows[0]["comment"] == 'said "hi"'
    assert rows[1]["comment"] == "two\nlines"
    assert [r["_source_row"] for r in rows] == [2, 3, 5]


def test_wrong_field_count_is_quarantined_with_row_and_reason(tmp_path):
    result = read(tmp_path, {"a.csv": HEADER + b"C1,2016-17 Q1,x,1,\nC1,2016-17 Q1,y\n,,,,\nC1,2016-17 Q1,z,3,\n"})
    assert [r["measure"] for r in result.table.to_pylist()] == ["x", "z"]
    assert result.quarantined == [
        {"path": "a.csv", "row_number": 3, "column_name": None, "value": "C1,2016-17 Q1,y", "reason": "row has 3 fields, the header has 5"}
    ]
    report = result.files["a.csv"]
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (3, 2, 1)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (HEADER, "header only, no data rows"),
        (b"foo,bar\n1,2\n", "missing: contract_id"),
        (b"\x00\x01binary", "binary file"),
        (HEADER + b'C1,2016-17 Q1,x,1,"never closed\n', "unbalanced quote"),
        (b"contract_id,period,measure,value,comment,period\nC1,a,b,1,,a\n", "names a column twice"),
    ],
)
def test_unreadable_files_are_rejected_with_a_reason(tmp_path, data, reason):
    result = read(tmp_path, {"bad.csv": data, "good.csv": HEADER + b"C1,2016-17 Q1,spend_gbp,1,\n"})
    assert result.files["bad.csv"].status == "rejected"
    assert reason in result.files["bad.csv"].reason
    assert result.table.num_rows == 1, "the rest still loads"


def test_windows_1252_is_read_with_a_warning(tmp_path):
    result = read(tmp_path, {"a.csv": HEADER + b"C1,2016-17 Q1,spend_gbp,\xa3100,\n"})
    assert result.table.column("value").to_pylist() == ["£100"]
    assert "Windows-1252" in result.files["a.csv"].warnings[0]


def test_oversized_file_is_rejected_before_it_is_read(tmp_path):
    result = read(tmp_path, {"big.csv": HEADER + b"C1,2016-17 Q1,x,1,\n" * 100}, max_file_bytes=200)
    assert result.files["big.csv"].status == "rejected"
    assert "over the" in result.files["big.csv"].reason


def test_extra_columns_are_ignored_with_a_warning(tmp_path):
    result = read(tmp_path, {"a.csv": b"contract_id,notes,period,measure,value,comment\nC1,n,2016-17 Q1,x,1,\n"})
    assert result.table.to_pylist()[0]["period"] == "2016-17 Q1"
    assert result.files["a.csv"].warnings == ["extra columns ignored: notes"]


def test_a_row_of_empty_quoted_values_is_blank_beside_quoted_rows(tmp_path):
    # Some software exports an empty row as '"","",...': it is skipped like an empty line, while rows
    # whose only other characters are quotes, commas or a quoted line break are still read.
    data = HEADER + b'"","","","",""\nC1,2016-17 Q1,x,"1,234","two\nlines"\n"",,"",,""\nC1,2016-17 Q1,y,2,\n'
    result = read(tmp_path, {"a.csv": data})
    rows = result.table.to_pylist()
    assert [(r["measure"], r["_source_row"]) for r in rows] == [("x", 3), ("y", 6)]
    assert result.files["a.csv"].rows_read == 2
    assert not result.quarantined


def test_a_nul_byte_is_refused_whether_or_not_the_header_is_exactly_as_specified(tmp_path):
    """A file with the header exactly as specified took a fast path that let a NUL byte through into
    the warehouse (and the review pack) while the same file with a BOM was refused as binary."""
    body = b"C1,2016-17 Q1,spend_gbp,10,a\x00b\n"
    result = read(tmp_path, {"exact.csv": HEADER + body, "bom.csv": b"\xef\xbb\xbf" + HEADER + body})
    assert {r.path: r.reason for r in result.rejected} == {
        "exact.csv": "binary file (contains NUL bytes, the first on line 2), not a CSV text file",
        "bom.csv": "binary file (contains NUL bytes, the first on line 2), not a CSV text file",
    }
    assert result.table.num_rows == 0
