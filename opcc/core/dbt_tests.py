"""dbt tests in words: what a failing structural test means, for the line a refresh prints.

A test's id (`relationships_stg_framework__allocation_lines_contract_id__contract_id__ref_...`)
names it for dbt; a person needs to read 'every contract_id of stg_framework__allocation_lines is
a contract_id of stg_framework__contracts'. The words come from the test's own definition in the
manifest (its generic test and arguments), so a new test is described without code.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from opcc.core import vocabulary
from opcc.core.dbt_project import manifest_path


@lru_cache(maxsize=2)
def _nodes(path: str, mtime_ns: int) -> dict[str, dict]:
    return json.loads(Path(path).read_text(encoding="utf-8"))["nodes"]


@lru_cache(maxsize=2)
def _tests(path: str, mtime_ns: int) -> dict[str, dict]:
    return {node["name"]: node for node in _nodes(path, mtime_ns).values() if node["resource_type"] == "test"}


def offenders_query(test_name: str) -> tuple[str, str, list[str]] | None:
    """For a grain or relationships test: the table it checks, its key columns, and SQL giving the
    first key that breaks it with the (source_file, source_row) of its rows and how many there are,
    for a model that keeps where each row was read. None for any other test."""
    path = manifest_path()
    if not path.exists():
        return None
    nodes = _nodes(str(path), path.stat().st_mtime_ns)
    node = _tests(str(path), path.stat().st_mtime_ns).get(test_name) or {}
    metadata = node.get("test_metadata") or {}
    kwargs = metadata.get("kwargs") or {}
    model = nodes.get(node.get("attached_node") or "")
    if model is None:
        return None
    relation = _relation(model)
    places = "list((source_file, source_row) order by source_file, source_row), count(*)"
    if metadata.get("name") == "grain":
        key = [f'"{c}"' for c in (kwargs.get("columns") or [kwargs.get("column_name") or node.get("column_name")])]
        empty = " or ".join(f"{c} is null" for c in key)
        sql = f"select {', '.join(key)}, {places} from {relation} group by all having count(*) > 1 or {empty} order by all limit 1"
    elif metadata.get("name") == "relationships":
        target = nodes.get(f"model.{model['package_name']}.{_model(kwargs.get('to'))}")
        if target is None:
            return None
        key, field = [f'"{kwargs.get("column_name")}"'], f'"{kwargs.get("field")}"'
        sql = (
            f"select {key[0]}, {places} from {relation} where {key[0]} is not null and {key[0]} not in "
            f"(select {field} from {_relation(target)} where {field} is not null) group by all order by all limit 1"
        )
    else:
        return None
    return relation, sql, [c.strip('"') for c in key]


def _relation(node: dict) -> str:
    return f'"{node["schema"]}"."{node["alias"]}"'


def _model(expression: str | None) -> str:
    found = re.search(r"ref\(['\"]([^'\"]+)['\"]\)", expression or "")
    return found[1] if found else (expression or "").strip()


def describe(test_name: str) -> str | None:
    """The test's meaning in words, or None if it is not a test of the project."""
    path = manifest_path()
    if not path.exists():
        return None
    node = _tests(str(path), path.stat().st_mtime_ns).get(test_name)
    if node is None:
        return None
    metadata = node.get("test_metadata") or {}
    kwargs = metadata.get("kwargs") or {}
    model = _model(kwargs.get("model")) or (node.get("attached_node") or "").split(".")[-1]
    column = kwargs.get("column_name") or node.get("column_name")
    kind = metadata.get("name")
    if kind == "unique":
        return f"{column} of {model} is unique"
    if kind == "not_null":
        return f"{column} of {model} is never empty"
    if kind == "accepted_values":
        return f"{column} of {model} is one of {', '.join(map(str, kwargs.get('values') or []))}"
    if kind == "relationships":
        return f"every {column} of {model} is a {kwargs.get('field')} of {_model(kwargs.get('to'))}"
    if kind == "grain":
        key = kwargs.get("columns") or [column]
        optional = [name for name in key if name in (kwargs.get("may_be_empty") or [])]
        empty = f"{', '.join(optional)} may be empty, the rest never" if optional else "none of them empty"
        return f"{model} has one row per {', '.join(key)} ({empty})"
    if kind == "in_vocabulary":
        name = kwargs.get("vocabulary")
        return f"{column} of {model} is one of {', '.join(vocabulary.words(name))} (the {name} vocabulary)"
    if kind == "has_a_row_for_each":
        return f"{model} has a row for each {', '.join(kwargs.get('columns') or [])} of {_model(kwargs.get('of'))}"
    if kind == "is_a_contract_or_service_group":
        return f"every {column} of {model} is a contract or a service group of {_model(kwargs.get('contracts'))}"
    if kind == "relationships_to_plan":
        return f"every {', '.join(kwargs.get('columns') or [])} of {model} is in {_model(kwargs.get('to'))}"
    return node.get("description") or test_name.replace("_", " ")
