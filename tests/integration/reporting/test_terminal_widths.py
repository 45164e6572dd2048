"""The default commands read at a terminal of 120 and of 80 columns: no line wider than the terminal
(the refresh summary is a short block under 100), and tables wrap their text rather than cut it."""

import re

import pytest

from tests.conftest import run_opcc

COMMANDS = [
    ("status",),
    ("check",),
    ("query", "select * from reporting.rpt_contract_status where period = '2016-17 Q4' limit 5"),
    ("cost-per-outcome",),
    ("cost-per-outcome", "--ytd"),
    ("report", "--period", "2016-17 Q4"),
]


PATH_LINE = re.compile(r"^\s*(Wrote )?/\S.*$")  # a path alone on its line (after "Wrote", perhaps)


def _wide(text: str, columns: int) -> list[str]:
    # a path is kept whole, to be copied, however deep the folder it is in
    return [line for line in text.splitlines() if len(line) > columns and not PATH_LINE.match(line)]


def test_the_refresh_summary_is_a_short_block(bundled_refresh):
    _, refreshed = bundled_refresh
    summary = refreshed.stdout[refreshed.stdout.index("Warehouse published") :]
    assert not _wide(summary, 100), _wide(summary, 100)
    assert not _wide(refreshed.stdout, 120)


def test_the_refresh_keeps_library_notices_in_its_log(bundled_refresh):
    live, refreshed = bundled_refresh
    # dbt's, Dagster's and Great Expectations' own notices go to the refresh log, not the terminal
    assert not _wide(refreshed.stderr, 120), _wide(refreshed.stderr, 120)[:3]
    assert not re.search(r"^(INFO|WARNING|DEBUG):\w", refreshed.stderr, re.M), refreshed.stderr[-2000:]
    assert "library warning(s) and notice(s) written to" in refreshed.stderr
    from opcc.core.warehouse import refresh_log_path

    assert "\nlog: " in refresh_log_path(live).read_text(encoding="utf-8")


@pytest.mark.parametrize("columns", [120, 80])
def test_no_default_command_prints_past_the_terminal(warehouse_copy, tmp_path, columns):
    for command in COMMANDS:
        extra = ("--out", str(tmp_path / "pack")) if command[0] == "report" else ()
        done = run_opcc(*command, "--warehouse", str(warehouse_copy), *extra, env={"COLUMNS": str(columns)})
        assert done.returncode == 0, (command, done.stderr)
        wide = _wide(done.stdout + done.stderr, columns)
        assert not wide, f"{' '.join(command)} at {columns} columns: {wide[:3]}"


def test_cost_per_outcome_wraps_priority_names_at_80_columns(warehouse_copy, db):
    done = run_opcc("cost-per-outcome", "--warehouse", str(warehouse_copy), env={"COLUMNS": "80"})
    assert done.returncode == 0 and "…" not in done.stdout, "nothing is cut"
    priorities = {
        f"{code} {name}" for code, name in db.execute(
            "select strategic_priority, short_name from marts.dim_strategic_priority where commissioner_code = 'LEI'"
        ).fetchall()
    }
    shown = _column(done.stdout, 0)
    assert len(shown) == int(done.stdout.splitlines()[-1].strip("()").split()[0])
    assert set(shown) <= priorities and len(set(shown)) >= 10, set(shown) - priorities
    assert any(len(name) > 20 for name in shown), "long names are whole, read down their lines"


def _column(table: str, number: int) -> list[str]:
    """The words of one column of a wrapped table, row by row, read down its lines."""
    lines = table.splitlines()
    rule = lines[2]
    starts = [i for i, c in enumerate(rule) if c == "-" and (i == 0 or rule[i - 1] == " ")]
    ends = [*(s - 1 for s in starts[1:]), len(rule) + 1]
    rows, current = [], []
    for line in lines[3:-1]:
        if not line.strip():
            rows.append(" ".join(current))
            current = []
            continue
        current.append(line[starts[number] : ends[number]].strip())
    rows.append(" ".join(current))
    return [" ".join(r.split()) for r in rows]
