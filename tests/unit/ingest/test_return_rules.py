"""Every rule for bad input in a provider return: each bad row is quarantined with its row, column and reason.

These run the one implementation of the rules (`validate_file`, the same code
the Dagster ingest runs) against the project's own reference data.
"""

import pytest

from opcc.ingest.return_tools import validate_file
from tests.conftest import RAW

PERIOD = "2016-17 Q2"
HEADER = "contract_id,period,measure,value,comment\n"
# Victim First (LEI-022) reports VIC_REFERRED, VIC_SUPPORTED (<= referred), VIC_COPE (<= supported), VIC_SATISFIED (%).
GOOD = [
    "LEI-022,2016-17 Q2,spend_gbp,158000,",
    "LEI-022,2016-17 Q2,VIC_REFERRED,2500,",
    "LEI-022,2016-17 Q2,VIC_SUPPORTED,1500,",
    "LEI-022,2016-17 Q2,VIC_COPE,700,",
    "LEI-022,2016-17 Q2,VIC_SATISFIED,84.5,",
]


def check(tmp_path, lines, name="LEI-022.csv", header=HEADER, raw_bytes=None):
    folder = tmp_path / "returns" / PERIOD
    folder.mkdir(parents=True)
    path = folder / name
    path.write_bytes(raw_bytes if raw_bytes is not None else (header + "\n".join(lines) + "\n").encode())
    return validate_file(path, RAW)


def only_problem(result):
    assert len(result.problems) == 1, result.problems
    return result.problems[0]


def test_a_good_return_passes(tmp_path):
    result = check(tmp_path, GOOD)
    assert result.ok and result.rows_ok == 5


@pytest.mark.parametrize(
    ("row_index", "replacement", "column", "reason"),
    [
        (0, "LEI-999,2016-17 Q2,spend_gbp,158000,", "contract_id", "unknown contract_id 'LEI-999'"),
        (0, "LEI-022,2016-17 Q3,spend_gbp,158000,", "period", "does not match its folder 2016-17 Q2"),
        (0, "LEI-022,2016/17 Q2,spend_gbp,158000,", "period", "is not like '2016-17 Q1'"),
        (0, "LEI-022,2016-18 Q2,spend_gbp,158000,", "period", "is not like '2016-17 Q1'"),
        (1, "LEI-022,2016-17 Q2,VICTIMS,2500,", "measure", "neither spend_gbp nor an indicator"),
        (1, "LEI-022,2016-17 Q2,TRT_STARTS,2500,", "measure", "not one contract LEI-022 reports"),
        (0, "LEI-022,2016-17 Q2,spend_gbp,12abc,", "value", "'12abc' is not a number"),
        (0, "LEI-022,2016-17 Q2,spend_gbp,-10,", "value", "negative spend"),
        (4, "LEI-022,2016-17 Q2,VIC_SATISFIED,104,", "value", "outside 0 to 100"),
        (1, "LEI-022,2016-17 Q2,VIC_REFERRED,25.5,", "value", "a count must be a whole number"),
        (0, "LEI-022,2016-17 Q2,spend_gbp,,", "value", "no value"),
        (0, "LEI-022,2016-17 Q2,spend_gbp,1e308,", "value", "not plausible"),
    ],
)
def test_bad_row_is_named_by_row_and_column(tmp_path, row_index, replacement, column, reason):
    lines = list(GOOD)
    lines[row_index] = replacement
    result = check(tmp_path, lines)
    problem = only_problem(result)
    assert problem["row_number"] == row_index + 2  # the header is row 1
    assert problem["column_name"] == column
    assert reason in problem["reason"]
    assert result.rows_ok == 4


def test_a_figure_above_its_bound_loads(tmp_path):
    """People supported in a year include referrals of earlier years: more supported than referred is
    a finding for review (marts.fct_indicator_value.exceeds_bound), never a quarantine."""
    lines = list(GOOD)
    lines[2] = "LEI-022,2016-17 Q2,VIC_SUPPORTED,2600,"
    result = check(tmp_path, lines)
    assert result.ok and result.rows_ok == 5


def test_money_with_pound_sign_and_thousands_separator_is_read(tmp_path):
    lines = list(GOOD)
    lines[0] = 'LEI-022,2016-17 Q2,spend_gbp,"£158,000.50",'
    assert check(tmp_path, lines).ok


def test_measure_twice_in_one_file_quarantines_both(tmp_path):
    result = check(tmp_path, [*GOOD, "LEI-022,2016-17 Q2,VIC_COPE,710,"])
    assert [(p["row_number"], p["column_name"]) for p in result.problems] == [(5, "measure"), (7, "measure")]
    assert "appears 2 times in this file (rows 5, 7)" in result.problems[0]["reason"]


def test_a_measure_repeated_thousands_of_times_names_a_few_rows_not_all(tmp_path):
    """Each repeated row's reason named every other row: reasons grew with the square of the rows
    (4,000 repeats held 1.3 GB, 200,000 could not finish). Now the first ten, and how many more."""
    result = check(tmp_path, [*GOOD, *["LEI-022,2016-17 Q2,VIC_COPE,710,"] * 3000])
    assert result.rows_ok == 4 and len(result.problems) == 3001
    reasons = {p["reason"] for p in result.problems}
    assert reasons == {"VIC_COPE appears 3001 times in this file (rows 5, 7, 8, 9, 10, 11, 12, 13, 14, 15 and 2991 more)"}


def test_empty_file_is_rejected(tmp_path):
    result = check(tmp_path, [], raw_bytes=b"")
    assert result.report.status == "rejected" and result.report.reason == "empty file"


def test_byte_order_mark_and_windows_line_endings_are_accepted(tmp_path):
    data = ("\ufeff" + HEADER + "\n".join(GOOD) + "\n").replace("\n", "\r\n").encode("utf-8")
    result = check(tmp_path, [], raw_bytes=data)
    assert result.ok and result.rows_ok == 5


def test_extra_columns_are_warned_about_and_ignored(tmp_path):
    header = "contract_id,period,measure,value,comment,checked_by\n"
    result = check(tmp_path, [line + ",AB" for line in GOOD], header=header)
    assert result.ok and result.rows_ok == 5
    assert result.report.warnings == ["extra columns ignored: checked_by"]


def test_wrong_header_rejects_the_file_with_the_header_shown(tmp_path):
    result = check(tmp_path, GOOD, header="contract,quarter,measure,value\n")
    assert result.report.status == "rejected"
    assert "missing: contract_id, period, comment" in result.report.reason


def test_personal_data_is_quarantined_and_withheld(tmp_path):
    lines = list(GOOD)
    lines[3] = "LEI-022,2016-17 Q2,VIC_COPE,700,Mrs Jane Smith rang twice"
    result = check(tmp_path, lines)
    problem = only_problem(result)
    assert problem["column_name"] == "comment" and "personal data" in problem["reason"]
    assert "Smith" not in problem["reason"]
