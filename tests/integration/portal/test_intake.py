"""An upload is checked by the rules of `opcc validate-return` and filed where the refresh reads it,
or kept aside with its reason: real files in a copy of raw/, real validation."""

from __future__ import annotations

import csv
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from opcc.ingest.return_tools import validate_file
from opcc.ingest.returns import period_folders
from opcc.portal import intake
from opcc.portal.config import MAX_UPLOAD_BYTES, paths_for
from tests.conftest import RAW, indicator_units


@pytest.fixture
def paths(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    return paths_for(raw, tmp_path / "warehouse" / "opcc.duckdb")


def a_bundled_return(raw: Path) -> tuple[str, str, bytes]:
    period = period_folders(raw)[0]
    first = sorted((raw / "returns" / period).glob("*.csv"))[0]
    check = validate_file(first, raw, period)
    assert check.ok, check.problems
    contract = next(csv.DictReader(first.open(encoding="utf-8")))["contract_id"]
    return contract, period, first.read_bytes()


def log_rows(raw: Path) -> list[dict]:
    with open(raw / "returns" / "submission_log.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_good_return_is_filed_atomically_under_a_new_name_and_logged(paths):
    contract, period, data = a_bundled_return(paths.raw)
    before = log_rows(paths.raw)
    folder = paths.raw / "returns" / period
    files_before = set(folder.iterdir())
    root_before = sorted(p.name for p in (paths.raw / "returns").iterdir() if p.is_file())
    when = datetime(2026, 12, 2, 9, 30, 15)
    received = intake.receive(paths, contract, period, [data[:10], data[10:]], "../../etc/passwd.csv", account_id=7, now=when)
    assert received.accepted, received.reason
    assert received.stored_name == f"{contract} portal 20261202-093015.csv"
    new = set(folder.iterdir()) - files_before
    assert new == {folder / received.stored_name}  # nothing hidden or partial left behind
    assert (folder / received.stored_name).read_bytes() == data
    after = log_rows(paths.raw)
    assert after[:-1] == before
    assert after[-1] == {"period": period, "file": received.stored_name, "received_at": "2026-12-02 09:30:15",
                         "note": "uploaded through the portal by account 7"}
    assert "@" not in (paths.raw / "returns" / "submission_log.csv").read_text(encoding="utf-8")
    assert not list(paths.incoming.iterdir())
    # no lock or temporary file left beside the log for the refresh to report
    assert sorted(p.name for p in (paths.raw / "returns").iterdir() if p.is_file()) == root_before
    # The same file again in the same second: a new name, the first untouched.
    again = intake.receive(paths, contract, period, [data], "x.csv", account_id=7, now=when)
    assert again.accepted and again.stored_name == f"{contract} portal 20261202-093015-2.csv"
    assert (folder / received.stored_name).read_bytes() == data


def test_a_return_with_bad_rows_is_refused_with_every_problem_and_kept_outside_raw(paths):
    contract, period, data = a_bundled_return(paths.raw)
    lines = data.decode("utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    broken = [rows[0].rsplit(",", 2)[0] + ",twelve," if i == 0 else row for i, row in enumerate(rows)]
    broken.append(f"{contract},{period},NO_SUCH_MEASURE,5,")
    raw_files = sorted(p for p in paths.raw.rglob("*") if p.is_file())
    received = intake.receive(paths, contract, period, ["\n".join([header, *broken]).encode()], "r.csv", account_id=3)
    assert not received.accepted
    assert sorted(p for p in paths.raw.rglob("*") if p.is_file()) == raw_files  # raw/ untouched, log included
    by_row = {p["row_number"]: p for p in received.problems}
    assert by_row[2]["column_name"] == "value" and "twelve" in by_row[2]["reason"]
    assert by_row[len(broken) + 1]["column_name"] == "measure"
    kept = paths.refused / received.stored_name
    assert kept.is_file() and received.stored_name.endswith(".csv") and contract not in received.stored_name
    assert "problem" in kept.with_suffix(".json").read_text(encoding="utf-8")


def test_rows_for_another_contract_are_refused(paths):
    contract, period, _ = a_bundled_return(paths.raw)
    period_files = sorted((paths.raw / "returns" / period).glob("*.csv"))
    other = next(p for p in period_files if not p.name.startswith(contract))
    received = intake.receive(paths, contract, period, [other.read_bytes()], "mine.csv", account_id=1)
    assert not received.accepted
    assert {p["column_name"] for p in received.problems} == {"contract_id"}


def test_a_file_that_is_not_a_return_is_refused_with_what_it_is(paths):
    contract, period, _ = a_bundled_return(paths.raw)
    received = intake.receive(paths, contract, period, [b"%PDF-1.7 not a return"], "return.xlsx", account_id=1)
    assert not received.accepted and "PDF" in received.reason


@pytest.mark.parametrize("name", ["return.txt", "return", "return.csv.exe", "return.xlsm"])
def test_only_the_allowed_kinds_are_taken(paths, name):
    contract, period, data = a_bundled_return(paths.raw)
    with pytest.raises(intake.UploadRefused, match="only"):
        intake.receive(paths, contract, period, [data], name, account_id=1)


def test_the_size_limit_is_one_setting(paths):
    contract, period, _ = a_bundled_return(paths.raw)
    chunk = b"x" * (1024 * 1024)
    with pytest.raises(intake.UploadRefused, match="larger than the limit"):
        intake.receive(paths, contract, period, [chunk] * (MAX_UPLOAD_BYTES // len(chunk) + 1), "big.csv", account_id=1)
    assert not list(paths.incoming.iterdir())


@pytest.mark.parametrize("contract, period", [("../LEI-001", "2016-17 Q1"), ("LEI-001", "../2016-17 Q1"),
                                              ("LEI-001", "2016-17 Q1/x"), ("LEI 001", "2016-17 Q1"), ("", "2016-17 Q1")])
def test_no_name_from_outside_reaches_a_path(paths, contract, period):
    with pytest.raises(intake.UploadRefused):
        intake.receive(paths, contract, period, [b"contract_id\n"], "a.csv", account_id=1)


def test_a_log_without_a_final_newline_keeps_its_lines(paths):
    log = paths.raw / "returns" / "submission_log.csv"
    log.write_bytes(log.read_bytes().rstrip(b"\n"))
    count = len(log_rows(paths.raw))
    intake.append_log(paths.raw, "2016-17 Q1", "A portal 1.csv", datetime(2026, 1, 2, 3, 4, 5), "note, with a comma")
    rows = log_rows(paths.raw)
    assert len(rows) == count + 1 and rows[-1]["note"] == "note, with a comma"


def test_a_filled_template_workbook_is_accepted_as_xlsx(paths, tmp_path):
    """The workbook `opcc template` writes, filled in, is read by the same rules and filed as .xlsx."""
    from opcc.core.periods import Period
    from opcc.ingest.return_template import TemplateHeader, TemplateLine, write_template

    contract, period, data = a_bundled_return(paths.raw)
    rows = list(csv.DictReader(data.decode("utf-8").splitlines()))
    units = indicator_units(paths.raw)
    lines = [TemplateLine(r["measure"], r["measure"], units.get(r["measure"], "gbp")) for r in rows]
    values = {r["measure"]: float(r["value"]) for r in rows}
    p = Period.parse(period)
    workbook = write_template(tmp_path / "filled.xlsx", TemplateHeader(contract, "x", "y", period, p.months, p.due),
                              lines, values)
    received = intake.receive(paths, contract, period, [workbook.read_bytes()], "Our return (final).XLSX", account_id=4)
    assert received.accepted, (received.reason, received.problems)
    assert received.stored_name.endswith(".xlsx") and received.rows_ok == len(rows)
    assert (paths.raw / "returns" / period / received.stored_name).read_bytes() == workbook.read_bytes()


def test_the_sensor_sees_an_accepted_upload_and_not_a_refused_one(paths):
    from orchestration.defs.sensors import period_fingerprints

    contract, period, data = a_bundled_return(paths.raw)
    before = period_fingerprints(paths.raw)
    bad = f"contract_id,period,measure,value,comment\n{contract},{period},spend_gbp,x,\n".encode()
    refused = intake.receive(paths, contract, period, [bad], "r.csv", account_id=1)
    assert not refused.accepted and period_fingerprints(paths.raw) == before
    accepted = intake.receive(paths, contract, period, [data], "r.csv", account_id=1)
    assert accepted.accepted
    after = period_fingerprints(paths.raw)
    assert {p for p in after if after[p] != before.get(p)} == {period}
