"""Every key is tested once, by the grain test: no unique or unique_combination test is left, and no
not_null test stands beside a grain that already checks its column (read from the models' yml,
no dbt parse)."""

from __future__ import annotations

import yaml

from tests.conftest import PROJECT_ROOT

YML = sorted((PROJECT_ROOT / "dbt_project").glob("**/*.yml"))


def _name(test) -> str:
    return test if isinstance(test, str) else next(iter(test))


def _models() -> list[tuple[str, dict]]:
    found = []
    for path in YML:
        if "target" in path.parts or path.name == "dbt_project.yml":
            continue
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        found += [(path.name, node) for key in ("models", "seeds") for node in document.get(key) or []]
    return found


def test_every_key_is_one_grain_test():
    models = _models()
    assert len(models) > 100
    problems = []
    for where, model in models:
        required = set()
        for test in model.get("data_tests") or []:
            if _name(test) in ("unique_combination", "unique"):
                problems.append(f"{where} {model['name']}: {_name(test)} (use grain)")
            if _name(test) == "grain":
                arguments = test["grain"]["arguments"]
                required |= set(arguments["columns"]) - set(arguments.get("may_be_empty") or [])
        for column in model.get("columns") or []:
            names = [_name(test) for test in column.get("data_tests") or []]
            if "unique" in names:
                problems.append(f"{where} {model['name']}.{column['name']}: unique (use grain)")
            if "grain" in names:
                required.add(column["name"])
        for column in model.get("columns") or []:
            if column["name"] in required and "not_null" in (column.get("data_tests") or []):
                problems.append(f"{where} {model['name']}.{column['name']}: not_null beside a grain that checks it")
    assert not problems, "\n".join(problems)
