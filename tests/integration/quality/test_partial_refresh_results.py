"""A partial refresh checks the big marts only in the financial years it touched, and still records
the results of the whole warehouse: what a full refresh of the same files records.

It recorded the touched years' results alone: after the next quarter's returns came in, the
published warehouse said every expected return had arrived although earlier years' had not, and
every review pack was rebuilt because its data quality section changed."""

import shutil

import duckdb
import pytest

from benchmarks.synthetic import Preset, generate
from orchestration.commands.refresh import run_refresh
from tests.conftest import RAW

pytestmark = pytest.mark.warehouse

TWO_YEARS = Preset("two-years", commissioners=1, contracts=3, quarters=5)  # 2016-17 Q1 to 2017-18 Q1, the last held back
RESULTS = (
    "select suite, rule, severity, passed, rows_checked, rows_failing, list_sort(string_split(failing_sample, '; ')) "
    "from audit.quality_results order by suite, rule"
)


def _rows(path, sql):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_a_partial_refresh_records_the_quality_results_a_full_refresh_records(tmp_path):
    raw = tmp_path / "raw"
    data = generate(raw, TWO_YEARS, RAW)
    last = data["last_period"]
    partial = tmp_path / "partial" / "opcc.duckdb"
    assert run_refresh(partial, raw, progress=False).success
    # A live warehouse built before results were kept by year: its first partial refresh checks every year.
    upgraded = tmp_path / "upgraded" / "opcc.duckdb"
    upgraded.parent.mkdir()
    shutil.copyfile(partial, upgraded)
    with duckdb.connect(str(upgraded)) as con:
        con.execute("drop table audit.quality_results_by_year")
    shutil.move(tmp_path / "held_back" / last, raw / "returns" / last)
    for warehouse in (partial, upgraded):
        outcome = run_refresh(warehouse, raw, periods=[last], progress=False)
        assert outcome.success, outcome.reason
    full = tmp_path / "full" / "opcc.duckdb"
    assert run_refresh(full, raw, progress=False).success

    assert _rows(partial, RESULTS) == _rows(full, RESULTS)
    assert _rows(upgraded, RESULTS) == _rows(full, RESULTS)
    # The comparison has teeth: a suite checked by year spans both years, and fails in the year not refreshed.
    by_year = _rows(partial, "select suite, financial_year, sum(rows_checked), sum(rows_failing) from audit.quality_results_by_year "
                             "where suite = 'contract_quarter' group by all order by all")
    assert [year for _, year, _, _ in by_year] == ["2016-17", "2017-18"], by_year
    assert by_year[0][3] > 0, "the framework's own contracts sent no return in 2016-17: a warning in the year not refreshed"
