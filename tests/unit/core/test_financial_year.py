"""The financial year of a period has one home: the SQL macro `financial_year_of`
(dbt_project/macros/periods.sql), which the models, the returns rules and the return tools all
call, and which must agree with the period grammar of opcc/core/periods.py."""

import re

import duckdb

from opcc.core import sql_macros
from opcc.core.periods import Period
from tests.conftest import PROJECT_ROOT

# Every form the grammar has, at both ends of a century (1999-00 ends in 00).
PERIODS = [
    str(period)
    for start in (1999, 2016, 2099)
    for period in (Period(start), *(Period(start, quarter=q) for q in range(1, 5)), *(Period(start, half=h) for h in (1, 2)))
]


def test_sql_and_python_give_every_period_the_same_financial_year():
    expression = sql_macros.sql("financial_year_of", "period")
    with duckdb.connect() as con:
        years = dict(con.execute(f"select period, {expression} from unnest(?) as t(period)", [PERIODS]).fetchall())
    assert len(PERIODS) == 21
    assert years == {period: Period.parse(period).financial_year for period in PERIODS}


def test_no_model_or_ingest_sql_cuts_a_period_by_hand():
    """`left(period, 7)` written out again would be a second home for the rule."""
    cut = re.compile(r"(left\(\s*[\w.]*period\s*,\s*7\s*\)|substr\(\s*[\w.]*period\s*,\s*1\s*,\s*7\s*\))", re.IGNORECASE)
    files = [*(PROJECT_ROOT / "dbt_project" / "models").rglob("*.sql"), *(PROJECT_ROOT / "opcc").rglob("*.py")]
    found = [f"{path.relative_to(PROJECT_ROOT)}: {match[0]}" for path in files for match in cut.finditer(path.read_text(encoding="utf-8"))]
    assert not found, "use the financial_year_of macro:\n" + "\n".join(found)
