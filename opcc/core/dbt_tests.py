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
    """For a grain, relationships, not_null, accepted_values or reads_as test: the table it checks, the
    columns it names, and SQL giving the first value that breaks it (for reads_as, the text as printed)
    with the (source_file, source_row) of its rows and how many there are, for a model that keeps where
    each row was read. None for any other test."""
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
    column = kwargs.get("column_name") or node.get("column_name")
    if metadata.get("name") == "grain":
        key = [f'"{c}"' for c in (kwargs.get("columns") or [column])]
        found = " or ".join(f"{c} is null" for c in key)
        select, where, having = key, "true", f"having count(*) > 1 or {found}"
    elif metadata.get("name") == "relationships":
        target = nodes.get(f"model.{model['package_name']}.{_model(kwargs.get('to'))}")
        if target is None:
            return None
        key, field = [f'"{column}"'], f'"{kwargs.get("field")}"'
        select, having = key, ""
        where = f"{key[0]} is not null and {key[0]} not in (select {field} from {_relation(target)} where {field} is not null)"
    elif metadata.get("name") in ("not_null", "accepted_values", "reads_as"):
        key = [f'"{column}"']
        (select, where), having = _one_column(metadata["name"], key[0], kwargs), ""
    else:
        return None
    places = "list((source_file, source_row) order by source_file, source_row), count(*)"
    sql = f"select {', '.join(select)}, {places} from {relation} where {where} group by all {having} order by all limit 1"
    return relation, sql, [c.strip('"') for c in key]


def _one_column(kind: str, column: str, kwargs: dict) -> tuple[list[str], str]:
    """What a test of one column selects, and where: the value that breaks it (for a reads_as test,
    the text as printed; blank is shown as empty)."""
    if kind == "not_null":
        return [column], f"{column} is null"
    if kind == "accepted_values":
        quote = kwargs.get("quote", True) is not False
        values = ", ".join("'" + str(v).replace("'", "''") + "'" if quote else str(v) for v in kwargs.get("values") or [])
        return [column], f"{column} is not null and {column} not in ({values or 'null'})"
    printed = f'"{kwargs.get("printed")}"'
    required = "" if kwargs.get("required") else f" and {printed} is not null"
    return [printed], f"{column} is null{required}"


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
    if kind == "reads_as":
        blank = "never blank" if kwargs.get("required") else "or is blank"
        return f"{column} of {model} reads as {kwargs.get('meaning') or 'printed'}, {blank}"
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
