"""The terminal a person reads: tables that fit it, errors that suggest, a version, a status that fails.

No warehouse is built: the queries run on a small DuckDB file made here.
"""

from __future__ import annotations

import duckdb
import pytest

from opcc.core.queries import describe_query_error, format_rows, run_read_only_query
from tests.conftest import run_opcc


@pytest.fixture
def small_warehouse(tmp_path):
    live = tmp_path / "opcc.duckdb"
    with duckdb.connect(str(live)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_allocation as select 'X-' || i as contract_id, i * 1000.5 as allocated_gbp, "
            "repeat('a long provider name ', 6) as provider, 'description ' || i as description, "
            "'theme ' || i as strategic_theme, 'priority ' || i as strategic_priority from range(1, 4) t(i)"
        )
    return live


@pytest.mark.parametrize("width", [80, 120])
def test_a_table_fits_the_terminal(small_warehouse, width):
    text = format_rows(*_rows(small_warehouse), "table", width=width)
    assert max(len(line) for line in text.splitlines()) <= width
    assert "X-1" in text and "(3 rows)" in text


def test_too_many_columns_for_the_terminal_prints_one_block_per_row(small_warehouse):
    columns, rows = _rows(small_warehouse)
    wide_columns = [*columns, *(f"extra_column_{i}" for i in range(12))]
    wide_rows = [(*row, *(f"value {i}" for i in range(12))) for row in rows]
    text = format_rows(wide_columns, wide_rows, "table", width=80)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert lines[0].startswith("-[ row 1 ]") and any(line.startswith("extra_column_11") for line in lines)
    assert lines[-1] == "(3 rows)"


def test_machines_keep_every_character(small_warehouse):
    columns, rows = _rows(small_warehouse)
    assert "a long provider name " * 6 in format_rows(columns, rows, "csv")


def _rows(live):
    with duckdb.connect(str(live), read_only=True) as con:
        result = con.execute("select * from marts.fct_allocation order by contract_id")
        return [d[0] for d in result.description], result.fetchall()


@pytest.mark.parametrize(
    ("sql", "suggestion"),
    [
        ("select * from marts.fct_alocation", '"fct_allocation"'),
        ("select * from fct_allocation", '"marts.fct_allocation"'),
        ("select alocated_gbp from marts.fct_allocation", '"allocated_gbp"'),
    ],
)
def test_a_typo_gets_the_nearest_name(small_warehouse, sql, suggestion):
    with pytest.raises(duckdb.Error) as raised:
        run_read_only_query(small_warehouse, sql)
    lines = describe_query_error(raised.value, small_warehouse)
    assert lines[0].startswith("error: ")
    assert any(suggestion in line for line in lines[1:]), lines
    assert all(len(line) < 120 for line in lines[1:])


def test_the_command_says_it_in_short_lines(small_warehouse):
    done = run_opcc("query", "--warehouse", str(small_warehouse), "select contract_idd from marts.fct_allocation")
    assert done.returncode == 2
    assert '"contract_id"' in done.stderr and "Traceback" not in done.stderr


def test_version():
    done = run_opcc("--version")
    assert done.returncode == 0 and done.stdout.startswith("opcc ")


def test_status_of_a_missing_warehouse_fails(tmp_path):
    done = run_opcc("status", "--warehouse", str(tmp_path / "none.duckdb"))
    assert done.returncode != 0
    assert "not built yet" in done.stdout and "opcc refresh" in done.stdout


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("2016-17 q4", "2016-17 Q4"),
        ("2016-17Q4", "2016-17 Q4"),
        ("16/17 Q4", "2016-17 Q4"),
        ("Q4 2016/17", "2016-17 Q4"),
        ("2016/2017  h1", "2016-17 H1"),
        (" 2016-17 ", "2016-17"),
    ],
)
def test_a_period_is_read_as_typed_when_it_means_one_period(typed, meant):
    from opcc.core.periods import read_typed

    assert str(read_typed(typed)) == meant


@pytest.mark.parametrize("typed", ["2016-18 Q1", "2016-17 Q5", "Q4", "2016", "../../x", "2016-17 Q1 Q2"])
def test_a_period_that_means_no_one_period_is_refused(typed):
    from opcc.core.periods import read_typed

    with pytest.raises(ValueError, match=r"(is not a period like|consecutive years)"):
        read_typed(typed)


def test_commands_read_a_period_as_typed_and_refuse_with_the_forms_they_read(tmp_path):
    from tests.conftest import RAW

    ret = next((RAW / "returns" / "2016-17 Q1").glob("*.csv"))
    typed = run_opcc("validate-return", "--raw", str(RAW), str(ret), "--period", "16/17 q1")
    assert typed.returncode == 0, typed.stdout + typed.stderr
    wrong = run_opcc("validate-return", "--raw", str(RAW), str(ret), "--period", "2016-17 Q7")
    assert wrong.returncode == 2 and "'2016-17 H1'" in wrong.stderr and "Traceback" not in wrong.stderr


def test_a_value_with_a_terminal_escape_is_printed_without_it():
    """A provider's comment holding ESC [2J would clear the analyst's screen when queried as a table."""
    text = format_rows(["comment"], [("before\x1b[2Jafter\x07",)], "table", width=80)
    assert "\x1b" not in text and "\x07" not in text and "before\ufffd[2Jafter\ufffd" in text
    assert "\x1b[2J" in format_rows(["comment"], [("before\x1b[2Jafter",)], "csv"), "machines keep every character"


def test_a_csv_quotes_text_a_spreadsheet_would_run_as_a_formula():
    """`opcc query --format csv` output is opened in spreadsheets: a provider's '=HYPERLINK(...)' stays text."""
    import csv
    import io

    rows = [("=HYPERLINK(\"http://x\")", -5, "+44 116", "a plain comment", None)]
    text = format_rows(["comment", "change", "phone", "note", "blank"], rows, "csv")
    read = list(csv.reader(io.StringIO(text)))
    assert read[1] == ["'=HYPERLINK(\"http://x\")", "-5", "'+44 116", "a plain comment", ""]
