"""The pack's tables as the reporting models declare them: every declared column is a documented
column of its model, every title and note reads with the settings filled in, and each table's
select names only the parameters the pack gives."""

from __future__ import annotations

import yaml

from opcc.core.settings import DBT_PROJECT_DIR, setting
from opcc.reporting.declared import UNITS, query, specs, words

PARAMS = {"commissioner": "LEI", "period": "2016-17 Q4", "financial_year": "2016-17", "year_complete": True}
CONTEXT = {"grouped_by": "strategic theme", "financial_year": "2016-17", "period": "2016-17 Q4"}


def _documented() -> dict[str, set[str]]:
    found = {}
    for path in (DBT_PROJECT_DIR / "models" / "reporting").glob("*.yml"):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []):
            found[model["name"]] = {c["name"] for c in model.get("columns", [])}
    return found


def test_every_declared_column_is_a_documented_column_of_its_model():
    documented = _documented()
    assert len(specs()) >= 12
    for key, table in specs().items():
        missing = {c.name for c in table.columns} - documented[table.model]
        assert not missing, f"pack table {key} shows columns {table.model} does not document: {sorted(missing)}"
        assert all(c.unit in (None, *UNITS) for c in table.columns)


def test_titles_and_notes_read_with_their_settings():
    for key, table in specs().items():
        for text in (table.title, table.note, table.empty, *(c.label or "" for c in table.columns)):
            said = words(text, **CONTEXT)
            assert "{" not in said and "}" not in said, (key, said)
    note = words(specs()["contracts"].note, **CONTEXT)
    assert f"red above {setting('finance_red_above'):.0%} or below {setting('finance_red_below'):.0%}" in note


def test_each_select_uses_only_the_parameters_given():
    for table in specs().values():
        sql, used = query(table, PARAMS)
        assert sql.startswith("select ") and f"from reporting.{table.model} " in sql
        assert set(used) <= set(PARAMS) and "commissioner" in used, table.key


def test_every_sheet_has_one_table():
    sheets = [t.sheet for t in specs().values() if t.sheet]
    assert len(sheets) == len(set(sheets))
