"""Done when: a bad row of a national reference file (raw/reference/*.csv, the analyst's own, shared by
every commissioner) stops the refresh with a line naming the file, the row and the column (and the
value as printed), and is never loaded as something it does not say.

Before: a blank code (',Something,4,...') loaded as the code '' and the refresh published; a blank
csp_name or commissioner_code passed its not_null test as ''; periods_per_year '4.5' loaded as 5 and
'-1' as -1, 'abc' stopped the refresh with a line naming no row; precedence '1.5' loaded as 2 and
prints_attributes 'maybe' as null (read as true); a field outside the accepted words was named with no
row; a target's financial_year '2016/17' or '2016-18' matched no year, silently. One refresh of a raw
folder holding every bad row: each test checks its own line.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from opcc.core import warehouse as wh
from opcc.core.dbt_project import manifest_path
from tests.conftest import RAW, built_once, run_opcc, statements

pytestmark = pytest.mark.warehouse


def _append(path: Path, line: str) -> int:
    """Add a row at the end of a CSV file; its row number as the warehouse counts (the header is row 1)."""
    text = path.read_text(encoding="utf-8")
    text += "" if text.endswith("\n") else "\n"
    path.write_text(text + line + "\n", encoding="utf-8")
    return len((text + line).splitlines())


def _replace(path: Path, starts: str, old: str, new: str) -> int:
    """Change the row that starts with `starts`; its row number."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(n for n, line in enumerate(lines, start=1) if line.startswith(starts))
    assert old in lines[number - 1]
    lines[number - 1] = lines[number - 1].replace(old, new, 1)
    path.write_text("".join(lines), encoding="utf-8")
    return number


def build(root: Path):
    raw = root / "raw"
    shutil.copytree(RAW, raw)
    ref = raw / "reference"
    assert not (ref / "indicators.csv").exists(), "the bundled data keeps no indicator catalogue"
    (ref / "indicators.csv").write_text(
        "indicator_code,indicator_name,unit,kind,better,bounded_by,definition\n,Nameless,count,output,higher,,No code\n", encoding="utf-8"
    )
    rows = {
        "blank rhythm": _append(ref / "reporting_rhythms.csv", ",Something,4,,A rhythm with no code"),
        "4.5": _append(ref / "reporting_rhythms.csv", "monthly,Monthly,4.5,,Four and a half"),
        "-1": _append(ref / "reporting_rhythms.csv", "weekly,Weekly,-1,,Minus one"),
        "abc": _append(ref / "reporting_rhythms.csv", "daily,Daily,abc,,Letters"),
        "blank periods": _append(ref / "reporting_rhythms.csv", "hourly,Hourly,,,Blank"),
        "blank stream": _append(ref / "funding_streams.csv", ",Nameless stream,A stream with no code"),
        "blank commissioner": _append(ref / "commissioners.csv", ",Nobody,Nowhere,Nowhere"),
        "blank list": _append(ref / "org_id_lists.csv", ",A list with no code,[0-9]+"),
        "precedence": _replace(ref / "allocation_tables.csv", "register,", ",3,", ",1.5,"),
        "prints": _replace(ref / "allocation_tables.csv", "table_1,", ",true,", ",maybe,"),
        "blank csp name": _replace(ref / "community_safety_partnerships.csv", "BLABY,", "BLABY,Blaby,", "BLABY,,"),
        "blank csp commissioner": _replace(ref / "community_safety_partnerships.csv", "CHARNWOOD,", ",LEI", ","),
        "field": _append(ref / "name_variants.csv", "LEI,themes,Reducing crime,T1,a field that is not one of the words"),
        "blank year": _replace(ref / "targets.csv", "LEI-001,2016-17,TRT_STARTS,", "2016-17", ""),
        "2016/17": _replace(ref / "targets.csv", "LEI-002,2016-17,OFF_COHORT,", "2016-17", "2016/17"),
        "2016-18": _replace(ref / "targets.csv", "LEI-002,2016-17,OFF_COMPLETED,", "2016-17", "2016-18"),
    }
    live = root / "warehouse" / "opcc.duckdb"
    return live, rows, run_opcc("refresh", "--warehouse", str(live), "--raw", str(raw))


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    return built_once(tmp_path_factory, "bad_reference_rows", build)


@pytest.fixture(scope="module")
def said(refreshed) -> list[str]:
    """The refresh's lines, each whole (a wrapped line joined back)."""
    return [" ".join(line.split()) for line in statements(refreshed[2].stderr)]


def _line(said: list[str], *parts: str) -> str:
    found = [line for line in said if all(part in line for part in parts)]
    assert len(found) == 1, "\n".join(said[-25:])
    return found[0]


def test_the_refresh_stops_and_says_why_in_one_line(refreshed, said):
    live, _, completed = refreshed
    assert completed.returncode == 1 and "Traceback" not in completed.stderr, completed.stderr[-3000:]
    assert not live.exists(), "nothing was published"
    reason = _line(said, "Refresh failed: blocking rule failed: dbt test on staging/stg_reference__")
    assert "; first: " in reason and " at reference/" in reason and "more)" in reason


def test_a_blank_code_is_named_with_its_row_in_each_file(refreshed, said):
    rows = refreshed[1]
    for model, column, file, row in (
        ("reporting_rhythms", "reporting_rhythm", "reporting_rhythms.csv", rows["blank rhythm"]),
        ("funding_streams", "funding_stream", "funding_streams.csv", rows["blank stream"]),
        ("commissioners", "commissioner_code", "commissioners.csv", rows["blank commissioner"]),
        ("org_id_lists", "list_code", "org_id_lists.csv", rows["blank list"]),
        ("indicators", "indicator_code", "indicators.csv", 2),
    ):
        _line(
            said,
            f"stg_reference__{model} has one row per {column} (none of them empty); "
            f"first: {column} (empty) at reference/{file} row {row}",
        )


def test_a_periods_per_year_that_is_not_a_whole_number_is_named_and_never_read(refreshed, said):
    live, rows, _ = refreshed
    _line(
        said,
        "periods_per_year of stg_reference__reporting_rhythms reads as a whole number of zero or more, never blank; "
        f"first: periods_per_year '-1' at reference/reporting_rhythms.csv row {rows['-1']}",
    )
    with duckdb.connect(str(wh.failed_path(live)), read_only=True) as con:
        read = dict(con.execute(
            "select source_row, (periods_per_year_printed, periods_per_year) from staging.stg_reference__reporting_rhythms"
        ).fetchall())
    assert read[rows["4.5"]] == ("4.5", None), "4.5 is not guessed to be 5"
    assert read[rows["-1"]] == ("-1", None)
    assert read[rows["abc"]] == ("abc", None)
    assert read[rows["blank periods"]] == (None, None)
    assert read[2] == ("4", 4), "the bundled rows read as before"


def test_a_precedence_or_a_flag_that_does_not_read_is_named(refreshed, said):
    rows = refreshed[1]
    _line(
        said,
        "precedence of stg_reference__allocation_tables reads as a whole number of zero or more, or is blank; "
        f"first: precedence '1.5' at reference/allocation_tables.csv row {rows['precedence']}",
    )
    _line(
        said,
        "prints_attributes of stg_reference__allocation_tables reads as true or false, or is blank; "
        f"first: prints_attributes 'maybe' at reference/allocation_tables.csv row {rows['prints']}",
    )


def test_a_blank_name_or_commissioner_of_a_partnership_is_named(refreshed, said):
    rows = refreshed[1]
    file = "reference/community_safety_partnerships.csv"
    _line(said, f"csp_name of stg_reference__community_safety_partnerships is never empty; first: csp_name (empty) at {file} row {rows['blank csp name']}")
    _line(
        said,
        "commissioner_code of stg_reference__community_safety_partnerships is never empty; "
        f"first: commissioner_code (empty) at {file} row {rows['blank csp commissioner']}",
    )


def test_a_word_outside_the_accepted_ones_is_named_with_its_row(refreshed, said):
    _line(
        said,
        "field of stg_reference__name_variants is one of theme, priority, mechanism, provider, initiative, csp; "
        f"first: field 'themes' at reference/name_variants.csv row {refreshed[1]['field']}",
    )


def test_a_target_with_a_blank_year_is_named(refreshed, said):
    _line(
        said,
        "stg_reference__targets has one row per contract_id, financial_year, indicator_code (none of them empty); "
        f"first: contract_id 'LEI-001', financial_year (empty), indicator_code 'TRT_STARTS' at reference/targets.csv "
        f"row {refreshed[1]['blank year']}",
    )


def _test_name(model: str, column: str, kind: str) -> str:
    nodes = json.loads(manifest_path().read_text(encoding="utf-8"))["nodes"].values()
    return next(
        n["name"] for n in nodes
        if n["resource_type"] == "test" and n.get("attached_node", "").endswith(f".{model}")
        and n.get("column_name") == column and (n.get("test_metadata") or {}).get("name") == kind
    )


def test_each_kind_of_column_test_names_its_first_row(tmp_path):
    """not_null, accepted_values and reads_as name the first offending row (and, for reads_as, the
    text as printed) where the model keeps source_file and source_row; nothing where the test holds."""
    from orchestration.commands.refresh import _first_clash

    database = tmp_path / "opcc.failed.duckdb"
    file = "reference/allocation_tables.csv"
    with duckdb.connect(str(database)) as con:
        con.execute("create schema staging")
        con.execute(
            "create table staging.stg_reference__allocation_tables as select * from (values "
            f"('allocation', '2', 2, 'yes', true, '{file}', 2), ('summary', 'two', null, null, null, '{file}', 3), "
            f"('summary', null, null, 'true', true, '{file}', 5)) "
            "t(table_role, precedence_printed, precedence, prints_attributes_printed, prints_attributes, source_file, source_row)"
        )
        con.execute(
            "create table staging.stg_reference__reporting_rhythms as select * from (values "
            "('4', 4, 'reference/reporting_rhythms.csv', 2), (null, null, 'reference/reporting_rhythms.csv', 4)) "
            "t(periods_per_year_printed, periods_per_year, source_file, source_row)"
        )
        con.execute(
            "create table staging.stg_reference__name_variants as select * from (values "
            "('theme', 'reference/name_variants.csv', 2), ('theme', 'reference/name_variants.csv', 3)) "
            "t(conformed, source_file, source_row)"
        )
    role = _test_name("stg_reference__allocation_tables", "table_role", "accepted_values")
    assert _first_clash(role, database) == f"; first: table_role 'summary' at {file} rows 3, 5"
    precedence = _test_name("stg_reference__allocation_tables", "precedence", "reads_as")
    assert _first_clash(precedence, database) == f"; first: precedence 'two' at {file} row 3", "a blank precedence is allowed"
    flag = _test_name("stg_reference__allocation_tables", "prints_attributes", "reads_as")
    assert _first_clash(flag, database) == "", "yes reads as true, blank is allowed"
    periods = _test_name("stg_reference__reporting_rhythms", "periods_per_year", "reads_as")
    assert _first_clash(periods, database) == "; first: periods_per_year (empty) at reference/reporting_rhythms.csv row 4"
    conformed = _test_name("stg_reference__name_variants", "conformed", "not_null")
    assert _first_clash(conformed, database) == "", "the test holds: nothing to name"
    with duckdb.connect(str(database)) as con:
        con.execute("update staging.stg_reference__name_variants set conformed = null where source_row = 3")
    assert _first_clash(conformed, database) == "; first: conformed (empty) at reference/name_variants.csv row 3"


def test_a_target_year_that_is_no_financial_year_is_named_and_never_read(refreshed, said):
    live, rows, _ = refreshed
    _line(
        said,
        "financial_year of stg_reference__targets reads as a financial year like 2016-17, never blank; "
        f"first: financial_year '2016-18' at reference/targets.csv row {rows['2016-18']}",
    )
    with duckdb.connect(str(wh.failed_path(live)), read_only=True) as con:
        read = dict(con.execute(
            "select source_row, (financial_year_printed, financial_year) from staging.stg_reference__targets"
        ).fetchall())
    assert read[rows["2016/17"]] == ("2016/17", None), "a year written another way is not guessed"
    assert read[rows["2016-18"]] == ("2016-18", None), "two years apart is no financial year"
    assert read[rows["2016/17"] + 2] == ("2016-17", "2016-17"), "the bundled rows read as before"
