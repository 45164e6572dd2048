"""The adversarial corpus (tests/fixtures/returns/, README there) through real refreshes.

Two refreshes of a copy of the bundled warehouse, as a provider and office
software would have it. The first (the `opcc refresh` command, so its terminal
is checked too) meets every fault at once: a changed return, an unreadable
replacement, decimal commas, a percent-formatted cell, a stray row for another
contract, two unlogged files, a split return, a file still being written,
personal data in a malformed row and in a headerless file, misnamed and future
folders, a file at the top of raw/returns/, an Excel-written submission log, an
implausible 'Submitted on', and workbooks Office saves in forms the warehouse
does not read. The second changes the first return back, lets the file in
motion settle and renames two files. Each case is a test of its own.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import time
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from opcc.core import warehouse as wh
from opcc.ingest.row_count import count_file
from opcc.quality import quality_dir
from orchestration.commands.refresh import run_refresh
from orchestration.defs.assets.returns import unaccounted_rows
from tests.conftest import RAW, built_once, run_opcc

pytestmark = pytest.mark.warehouse

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "returns"
Q1, Q3 = "2016-17 Q1", "2016-17 Q3"
HOUR_AGO = time.time() - 3600
PERSONAL = ["Jane Doe", "John Roe", "07700 900123", "07700 900456", "12/03/1987", "01/02/1990", "High Street", "Mill Lane", "LE1 5AB", "LE10 1AA"]


def put(path: Path, data: bytes | str, *, settled: bool = True) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    if settled:  # written an hour ago, as a file a provider sent long before the refresh
        os.utime(path, (HOUR_AGO, HOUR_AGO))


def with_spend(text: str, spend: str) -> str:
    lines = text.splitlines()
    lines[1] = re.sub(r"spend_gbp,[^,]*,", f"spend_gbp,{spend},", lines[1])
    return "\n".join(lines) + "\n"


def spend_of(text: str) -> float:
    return float(next(r for r in csv.reader(text.splitlines()) if r[2] == "spend_gbp")[3])


class Scenario:
    def __init__(self, live: Path, raw: Path, terminal: str, exit_code: int):
        self.live, self.raw, self.terminal, self.exit_code = live, raw, terminal, exit_code
        self.after_first: dict = {}

    def rows(self, sql: str, params=None):
        with duckdb.connect(str(self.live), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def quarter(self, contract: str, period: str = Q1, columns: str = "return_status, spend_gbp, needs_review, return_note"):
        return self.rows(f"select {columns} from marts.fct_contract_quarter where contract_id = ? and period = ?", [contract, period])[0]


def first_changes(raw: Path) -> dict:
    q1, q3 = raw / "returns" / Q1, raw / "returns" / Q3
    original = {name: (q1 / name).read_text(encoding="utf-8") for name in ("LEI-002.csv", "LEI-008.csv", "LEI-010.csv")}
    put(q1 / "LEI-002.csv", with_spend(original["LEI-002.csv"], "12345.67"))  # A -> B
    put(q1 / "LEI-003.csv", (FIXTURES / "semicolon-separated.csv").read_bytes())  # replaced by an unreadable file
    put(q1 / "LEI-004.csv", (FIXTURES / "decimal-comma.csv").read_bytes())
    put(q1 / "LEI-005.csv", (FIXTURES / "space-thousands.csv").read_bytes())
    put(q1 / "LEI-006.csv", (FIXTURES / "stray-contract-row.csv").read_bytes())
    # Two unlogged files for LEI-008: the one first seen now is later; its name sorts first.
    log = raw / "returns" / "submission_log.csv"
    lines = [line for line in log.read_text(encoding="utf-8").splitlines() if line != "2016-17 Q1,LEI-008.csv,2016-07-11 15:06,"]
    put(q1 / "A LEI-008.csv", with_spend(original["LEI-008.csv"], "8888.88"))
    # A split return: spend in one file, indicators in another, neither logged.
    (q1 / "LEI-009.csv").unlink()
    lines = [line for line in lines if line != "2016-17 Q1,LEI-009.csv,2016-07-18 14:42,"]
    put(q1 / "LEI-009 spend.csv", (FIXTURES / "split-spend.csv").read_bytes())
    put(q1 / "LEI-009 indicators.csv", (FIXTURES / "split-indicators.csv").read_bytes())
    put(q1 / "LEI-010.csv", with_spend(original["LEI-010.csv"], "10101.01"), settled=False)  # still being written
    put(q1 / "LEI-011.csv", (FIXTURES / "pii-malformed-row.csv").read_bytes())
    put(q1 / "call notes.csv", (FIXTURES / "pii-headerless.csv").read_bytes())
    for name in ("excel-97.xls", "opendocument.ods", "macro-enabled.xlsm", "password-protected.xlsx", "utf16-unicode-text.csv"):
        put(q1 / f"LEI-032 {name}", (FIXTURES / name).read_bytes())
    # 29.7 typed into a cell formatted as a percentage: Excel stores 0.297.
    book = load_workbook(q1 / "LEI-032.xlsx")
    for row in book["Return"].iter_rows(min_row=13):
        if row[0].value == "VIC_SATISFIED":
            row[3].value, row[3].number_format = 0.297, "0.0%"
    book.save(q1 / "LEI-032.xlsx")
    os.utime(q1 / "LEI-032.xlsx", (HOUR_AGO, HOUR_AGO))
    # LEI-027 missed Q3; two unlogged files for it arrive together (a tie by evidence).
    q3_template = (q3 / "LEI-007.csv").read_text(encoding="utf-8").replace("LEI-007", "LEI-027")
    targets = [r for r in csv.DictReader((raw / "reference" / "targets.csv").open(encoding="utf-8")) if r["contract_id"] == "LEI-027"]
    body = "contract_id,period,measure,value,comment\n" + "".join(
        f"LEI-027,{Q3},{m},{v},\n" for m, v in [("spend_gbp", "2000")] + [(t["indicator_code"], "1") for t in targets]
    )
    assert q3_template  # (the folder is there)
    put(q3 / "x.csv", body)
    put(q3 / "y.csv", body.replace("spend_gbp,2000", "spend_gbp,3000"))
    # 'Submitted on' before the quarter starts.
    book = load_workbook(q3 / "LEI-053.xlsx")
    book["Return"]["B10"].value = book["Return"]["B10"].value.replace(year=2016, month=9, day=1)
    book.save(q3 / "LEI-053.xlsx")
    os.utime(q3 / "LEI-053.xlsx", (HOUR_AGO, HOUR_AGO))
    # Folders and files where nothing is read.
    put(raw / "returns" / "2016-17 q2" / "LEI-001.csv", (raw / "returns" / "2016-17 Q2" / "LEI-001.csv").read_bytes())
    put(raw / "returns" / "2016-17 Q2 " / "LEI-002.csv", (raw / "returns" / "2016-17 Q2" / "LEI-002.csv").read_bytes())
    put(raw / "returns" / "LEI-012 2016-17 Q1.csv", (q1 / "LEI-012.csv").read_bytes())
    (raw / "returns" / "2027-28 Q1").mkdir()
    (raw / "returns" / "2031-32 Q1").mkdir()
    # The submission log re-saved by Excel: day-first dates with seconds.
    excel = [lines[0]] + [
        re.sub(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}:\d{2})", r"\3/\2/\1 \4:00", line) for line in lines[1:]
    ]
    put(log, "\n".join(excel) + "\n")
    return original


@pytest.fixture(scope="module")
def scenario(bundled_warehouse, tmp_path_factory) -> Scenario:
    """Built once for the run, whichever worker asks first (the tests only read it)."""
    live, raw, terminal, exit_code, after_first = built_once(tmp_path_factory, "adversarial", lambda base: build(bundled_warehouse, base))
    found = Scenario(live, raw, terminal, exit_code)
    found.after_first = after_first
    return found


def build(bundled_warehouse: Path, base: Path) -> tuple:
    live, raw = base / "warehouse" / "opcc.duckdb", base / "raw"
    live.parent.mkdir()
    shutil.copyfile(bundled_warehouse, live)
    shutil.copytree(RAW, raw)
    original = first_changes(raw)
    completed = run_opcc(
        "refresh", "--warehouse", str(live), "--raw", str(raw), "--period", Q1, "--period", Q3, env={"OPCC_SETTLE_SECONDS": "60"}
    )
    found = Scenario(live, raw, completed.stdout + completed.stderr, completed.returncode)
    found.after_first = {
        "quarters": found.rows("select contract_id, period, return_status, spend_gbp from marts.fct_contract_quarter order by 1, 2"),
        "lei027": found.quarter("LEI-027", Q3, "latest_file, spend_gbp"),
        "lei010": found.quarter("LEI-010", Q1, "return_status, spend_gbp, return_note"),
        "rejected": found.rows("select path, reason from audit.rejected_files order by 1"),
        "quarantined": found.rows("select path, row_number, column_name, value, reason from audit.quarantined_rows order by 1, 2"),
        "checks": unaccounted_rows_now(live, raw),
        "bundled_spend": dict(found.rows("select contract_id || period, spend_gbp from marts.fct_contract_quarter")),
    }
    assert found.exit_code == 0, found.terminal
    # Second refresh: LEI-002 back to its first content; LEI-010 settles; x and y swap names.
    q1, q3 = raw / "returns" / Q1, raw / "returns" / Q3
    put(q1 / "LEI-002.csv", original["LEI-002.csv"])
    os.utime(q1 / "LEI-010.csv", (HOUR_AGO, HOUR_AGO))
    x, y = (q3 / "x.csv").read_bytes(), (q3 / "y.csv").read_bytes()
    put(q3 / "x.csv", y)
    put(q3 / "y.csv", x)
    outcome = run_refresh(live, raw, periods=[Q1, Q3], progress=False)
    assert outcome.success, outcome.reason
    return live, raw, found.terminal, found.exit_code, found.after_first


def unaccounted_rows_now(live: Path, raw: Path) -> list[str]:
    with duckdb.connect(str(live), read_only=True) as con:
        return unaccounted_rows(con, raw)


# --- History is by evidence ---------------------------------------------------------------


def test_a_return_changed_and_changed_back_keeps_its_whole_history(scenario):
    history = scenario.rows(
        "select submission_number, file_version, submission_status, spend_gbp_in_this_file from marts.fct_return_submissions "
        "where contract_id = 'LEI-002' and period = ? order by submission_number",
        [Q1],
    )
    first, changed, back = history
    assert [h[1] for h in history] == [1, 2, 3]
    assert first[3] == back[3] != changed[3] == 12345.67
    assert [h[2] for h in history] == ["superseded", "superseded", "in force"]
    assert scenario.quarter("LEI-002")[:2] == ("resubmitted", first[3])


def test_an_unreadable_replacement_keeps_the_earlier_figures_in_force(scenario):
    status, spend, review, note = scenario.quarter("LEI-003")
    assert status == "resubmission rejected" and review
    assert spend == scenario.after_first["bundled_spend"]["LEI-0032016-17 Q1"] and spend is not None
    assert "returns/2016-17 Q1/LEI-003.csv" in note and "separated by ';'" in note
    rejected = dict(scenario.rows("select path, reason from audit.rejected_files"))
    assert "separated by ';'" in rejected["returns/2016-17 Q1/LEI-003.csv"]


# --- Numbers that read two ways, and percentages as shown -----------------------------------


@pytest.mark.parametrize(("contract", "printed", "readings"), [("LEI-004", "36001,53", ("36001.53", "3600153")), ("LEI-005", "3 220,61", ("3220.61", "322061"))])
def test_a_value_with_a_decimal_comma_is_quarantined_with_both_readings(scenario, contract, printed, readings):
    quarantined = scenario.rows(
        "select column_name, value, reason from audit.quarantined_rows where path = ?", [f"returns/{Q1}/{contract}.csv"]
    )
    assert [(q[0], q[1]) for q in quarantined] == [("value", printed)]
    assert all(reading in quarantined[0][2] for reading in readings) and "reads two ways" in quarantined[0][2]
    _, spend, review, note = scenario.quarter(contract)
    assert spend is None and review and "no spend" in note, "spend is never silently null"


def test_a_percent_formatted_cell_is_read_as_the_percentage_shown(scenario):
    assert scenario.quarter("LEI-032", Q1, "vic_satisfied")[0] == pytest.approx(29.7)


# --- A file is one contract's return ---------------------------------------------------------


def test_a_stray_row_for_another_contract_is_quarantined_and_supersedes_nothing(scenario):
    stray = scenario.rows("select row_number, column_name, reason from audit.quarantined_rows where path = ?", [f"returns/{Q1}/LEI-006.csv"])
    assert len(stray) == 1 and stray[0][1] == "contract_id" and "a row for contract LEI-007 in a return for LEI-006" in stray[0][2]
    assert scenario.quarter("LEI-007")[:2] == ("received", scenario.after_first["bundled_spend"]["LEI-0072016-17 Q1"])
    assert scenario.rows("select count(*) from marts.fct_return_submissions where contract_id = 'LEI-007' and period = ?", [Q1]) == [(1,)]


def test_two_unlogged_files_are_ordered_by_evidence_not_name_and_flagged(scenario):
    _, spend, review, note = scenario.quarter("LEI-008")
    assert spend == 8888.88, "the file first seen later counts, though its name sorts first"
    assert review and "without a submission log line" in note


def test_two_files_received_together_are_flagged_and_names_do_not_decide(scenario):
    before_file, before_spend = scenario.after_first["lei027"]
    latest_file, spend = scenario.quarter("LEI-027", Q3, "latest_file, spend_gbp")
    assert spend == before_spend and latest_file != before_file, "renaming the files moved the choice with the content"
    _, _, review, note = scenario.quarter("LEI-027", Q3)
    assert review and "at the same time" in note


def test_a_return_split_over_two_files_is_merged_and_flagged(scenario):
    _, spend, review, note = scenario.quarter("LEI-009")
    assert spend == 19430.71 and review and "merged from 2 files" in note
    indicators = scenario.quarter("LEI-009", Q1, "fam_worked, fam_progress, fam_asb_reduced, files_used")
    assert indicators == (5, 3, 3, 2)


# --- Files in motion ---------------------------------------------------------------------------


def test_a_file_still_being_written_is_left_for_the_next_run(scenario):
    _, spend, note = scenario.after_first["lei010"]
    assert spend == scenario.after_first["bundled_spend"]["LEI-0102016-17 Q1"] and "still being written" in note
    waiting = [r for r in scenario.after_first["rejected"] if r[0] == f"returns/{Q1}/LEI-010.csv"]
    assert waiting and "left for the next refresh" in waiting[0][1]
    assert scenario.quarter("LEI-010")[:2] == ("resubmitted", 10101.01), "read once it settled"


# --- Personal data never leaves quarantine -----------------------------------------------------


def test_a_malformed_row_with_personal_data_is_kept_only_as_a_fingerprint(scenario):
    kept = [q for q in scenario.after_first["quarantined"] if q[0] == f"returns/{Q1}/LEI-011.csv"]
    assert len(kept) == 1 and kept[0][1] == 7 and kept[0][3].startswith("[line withheld: may be personal data; sha256 ")


def test_a_headerless_file_with_personal_data_is_rejected_without_repeating_it(scenario):
    reason = dict(scenario.after_first["rejected"])[f"returns/{Q1}/call notes.csv"]
    assert reason.startswith("header is [withheld: may be personal data]")


def test_no_personal_data_in_the_warehouse_terminal_data_docs_or_review_pack(scenario):
    pattern = re.compile("|".join(re.escape(p) for p in PERSONAL))
    assert not pattern.search(scenario.terminal)
    with duckdb.connect(str(scenario.live), read_only=True) as con:
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR' and table_schema in ('raw', 'staging', 'intermediate', 'marts', 'audit')"
        ).fetchall()
        for schema, table, column in columns:
            found = con.execute(
                f'select count(*) from "{schema}"."{table}" where regexp_matches("{column}", ?)', [pattern.pattern]
            ).fetchone()[0]
            assert found == 0, f"{schema}.{table}.{column}"
    written = [*quality_dir(scenario.live).rglob("*.*"), *wh.reports_dir(scenario.live).rglob("*.*"), wh.refresh_log_path(scenario.live)]
    assert any(p.suffix == ".html" for p in written) and any(p.suffix == ".xlsx" for p in written)
    for path in written:
        if path.suffix in (".html", ".json", ".log", ".txt"):
            assert not pattern.search(path.read_text(encoding="utf-8", errors="replace")), path
        elif path.suffix == ".xlsx":
            book = load_workbook(path, read_only=True)
            text = " ".join(str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v)
            assert not pattern.search(text), path


# --- Nothing silently ignored --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("returns/2016-17 q2", "it looks like 2016-17 Q2: rename the folder to '2016-17 Q2'"),
        ("returns/2016-17 q2/LEI-001.csv", "not read"),
        ("returns/2016-17 Q2 ", "it looks like 2016-17 Q2"),
        ("returns/2016-17 Q2 /LEI-002.csv", "not read"),
        ("returns/LEI-012 2016-17 Q1.csv", "move it into raw/returns/2016-17 Q1/"),
        ("returns/2027-28 Q1", "has not started yet"),
        ("returns/2031-32 Q1", "more than a year ahead"),
        (f"returns/{Q1}/LEI-032 excel-97.xls", "Excel 97-2003 workbook (.xls)"),
        (f"returns/{Q1}/LEI-032 opendocument.ods", "OpenDocument spreadsheet (.ods)"),
        (f"returns/{Q1}/LEI-032 macro-enabled.xlsm", "macro-enabled workbook (.xlsm)"),
        (f"returns/{Q1}/LEI-032 password-protected.xlsx", "password-protected (encrypted) workbook"),
        (f"returns/{Q1}/LEI-032 utf16-unicode-text.csv", "UTF-16 text"),
    ],
)
def test_every_file_and_folder_not_read_is_listed_with_what_to_do(scenario, path, reason):
    listed = dict(scenario.rows("select path, reason from audit.rejected_files"))
    assert path in listed and reason in listed[path], listed.get(path)


def test_every_file_under_returns_is_read_or_listed_and_every_row_accounted_for(scenario):
    listed = {path for (path,) in scenario.rows("select path from audit.rejected_files")}
    read = dict(
        (path, (loaded, quarantined))
        for path, loaded, quarantined in scenario.rows(
            "select path, rows_loaded, rows_quarantined from audit.loaded_files where source_table = 'provider_returns' and status = 'loaded'"
        )
    )
    loaded = dict(scenario.rows("select source_file, count(*) from raw.provider_returns group by 1"))
    quarantined = dict(scenario.rows("select path, count(*) from audit.quarantined_rows group by 1"))
    for entry in sorted((scenario.raw / "returns").rglob("*")):
        shown = entry.relative_to(scenario.raw).as_posix()
        if shown in ("returns/submission_log.csv", "returns/SAMPLE_DATA.md", "returns/sample_files.csv") or (entry.is_dir() and shown.count("/") == 1 and shown in {
            f"returns/{p}" for p in ("2016-17 Q1", "2016-17 Q2", "2016-17 Q3", "2016-17 Q4")
        }):
            continue
        assert shown in read or shown in listed, shown
        if shown in read:
            in_file = count_file(entry).rows
            assert in_file == loaded.get(shown, 0) + quarantined.get(shown, 0), shown
    assert scenario.after_first["checks"] == []


def test_an_empty_future_folder_is_a_note_and_never_blocks(scenario):
    assert scenario.exit_code == 0
    assert "2027-28 Q1" in scenario.terminal or any(r[0] == "returns/2027-28 Q1" for r in scenario.after_first["rejected"])


# --- Dates people type -------------------------------------------------------------------------------


def test_a_submission_log_written_by_excel_is_read(scenario):
    with duckdb.connect(str(scenario.live), read_only=True) as con:
        printed = con.execute("select received_at_printed from staging.stg_returns__submission_log limit 1").fetchone()[0]
        unread = con.execute("select count(*) from staging.stg_returns__submission_log where received_at is null").fetchone()[0]
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:00", printed) and unread == 0
    assert scenario.quarter("LEI-005", "2016-17 Q2", "return_status, days_late") == ("late", 29), "the same dates as before"


def test_a_submitted_on_date_before_the_quarter_is_flagged_and_not_believed(scenario):
    status, _, review, note = scenario.quarter("LEI-053", Q3)
    according = scenario.quarter("LEI-053", Q3, "received_according_to")[0]
    assert review and "before the quarter started" in note and according.startswith("first seen")
    assert status == "resubmitted"
