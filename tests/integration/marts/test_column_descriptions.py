"""Every column an analyst can query is described, as the warehouse actually builds it.

The columns are read from the warehouse the session builds (information_schema), the descriptions
from the dbt manifest (what `opcc docs` shows), so a column added to a model without a description,
or a description left behind for a column that is gone, fails here. fct_contract_quarter has a
column per indicator code of the reference data: a model whose meta has `indicator_columns`
describes those once, there, and every other column one by one.
"""

from __future__ import annotations

import json

import pytest

from opcc.core.dbt_project import manifest_path

DESCRIBED_SCHEMAS = ("marts", "audit", "reporting", "opendata")
PURPOSE_LAYERS = ("staging", "intermediate")


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads(manifest_path().read_text(encoding="utf-8"))


def _models(manifest: dict) -> list[dict]:
    return sorted(
        (n for n in manifest["nodes"].values() if n["resource_type"] == "model"), key=lambda n: n["unique_id"]
    )


def _meta(node: dict) -> dict:
    return {**(node.get("meta") or {}), **((node.get("config") or {}).get("meta") or {})}


def _descriptions(node: dict) -> dict[str, str]:
    return {name.lower(): (column.get("description") or "").strip() for name, column in node["columns"].items()}


@pytest.fixture(scope="module")
def warehouse_columns(db) -> dict[tuple[str, str], list[str]]:
    columns: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in db.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_catalog = current_database() and table_schema in (select unnest(?)) "
        "order by table_schema, table_name, ordinal_position",
        [list(DESCRIBED_SCHEMAS)],
    ).fetchall():
        columns.setdefault((schema, table), []).append(column)
    return columns


@pytest.fixture(scope="module")
def indicator_columns(db) -> set[str]:
    return {code for (code,) in db.execute("select distinct lower(indicator_code) from marts.dim_indicator").fetchall()}


def _described_models(manifest: dict) -> list[dict]:
    return [n for n in _models(manifest) if n["schema"] in DESCRIBED_SCHEMAS]


def _dbt_tables(manifest: dict) -> set[tuple[str, str]]:
    return {(n["schema"], n["alias"]) for n in _models(manifest)}


def _audit_sources(manifest: dict) -> list[dict]:
    return sorted(
        (s for s in manifest["sources"].values() if s["schema"] == "audit"), key=lambda s: s["unique_id"]
    )


def test_every_model_column_is_described(manifest, warehouse_columns, indicator_columns):
    problems = []
    for node in _described_models(manifest):
        name = f"{node['schema']}.{node['alias']}"
        columns = warehouse_columns.get((node["schema"], node["alias"]))
        if columns is None:
            problems.append(f"{name}: not in the warehouse")
            continue
        described = {c for c, text in _descriptions(node).items() if text}
        indicators_described = bool(str(_meta(node).get("indicator_columns") or "").strip())
        missing = [
            c for c in columns
            if c.lower() not in described and not (indicators_described and c.lower() in indicator_columns)
        ]
        if missing:
            problems.append(f"{name}: {len(missing)} of {len(columns)} columns without a description: {', '.join(missing)}")
    assert not problems, "\n".join(problems)


def test_indicator_columns_are_data_not_listed(manifest, indicator_columns):
    """A model that describes its indicator columns in meta lists none of them one by one."""
    problems = []
    for node in _described_models(manifest):
        if not str(_meta(node).get("indicator_columns") or "").strip():
            continue
        listed = sorted(set(_descriptions(node)) & indicator_columns)
        if listed:
            problems.append(f"{node['schema']}.{node['alias']}: indicator columns listed in yml: {', '.join(listed)}")
    assert not problems, "\n".join(problems)


def test_every_documented_column_exists(manifest, warehouse_columns):
    """No stale docs: a column the yml documents (model or audit source) is a column of the warehouse."""
    problems = []
    documented = [(n["schema"], n["alias"], n) for n in _described_models(manifest)]
    documented += [(s["schema"], s["identifier"], s) for s in _audit_sources(manifest)]
    for schema, table, node in documented:
        columns = {c.lower() for c in warehouse_columns.get((schema, table), [])}
        if not columns:
            continue  # reported by the tests of models and of audit tables
        stale = sorted(set(_descriptions(node)) - columns)
        if stale:
            problems.append(f"{schema}.{table} ({node['resource_type']}): documented but not in the warehouse: {', '.join(stale)}")
    assert not problems, "\n".join(problems)


def test_every_python_audit_table_is_a_described_source(manifest, warehouse_columns):
    """The audit tables the pipeline (not dbt) creates (opcc/core/audit.py) are dbt sources, each
    declared once, with a description of the table and of every column."""
    python_tables = sorted(
        table for (schema, table) in warehouse_columns if schema == "audit" and (schema, table) not in _dbt_tables(manifest)
    )
    assert python_tables, "no audit table created by the pipeline in the warehouse"
    declared: dict[str, list[dict]] = {}
    for source in _audit_sources(manifest):
        declared.setdefault(source["identifier"], []).append(source)
    problems = []
    for table in python_tables:
        sources = declared.get(table, [])
        if not sources:
            problems.append(f"audit.{table}: not declared as a dbt source")
            continue
        if len(sources) > 1:
            problems.append(f"audit.{table}: declared more than once: {', '.join(s['unique_id'] for s in sources)}")
        source = sources[0]
        if not source["description"].strip():
            problems.append(f"audit.{table} ({source['unique_id']}): no table description")
        described = {c for c, text in _descriptions(source).items() if text}
        missing = [c for c in warehouse_columns[("audit", table)] if c.lower() not in described]
        if missing:
            problems.append(f"audit.{table} ({source['unique_id']}): columns without a description: {', '.join(missing)}")
    assert not problems, "\n".join(problems)


def test_every_staging_and_intermediate_model_has_a_purpose(manifest):
    missing = [
        f"{n['schema']}.{n['alias']} ({n['original_file_path']})"
        for n in _models(manifest)
        if n["fqn"][1] in PURPOSE_LAYERS and not n["description"].strip()
    ]
    assert not missing, "models without a description: " + ", ".join(missing)
