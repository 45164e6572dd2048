"""The pack's tables as their reporting models declare them.

Each table of the pack (page, workbook and PDF) is declared once, in the
`config.meta.pack_tables` of its `rpt_*` model in
`dbt_project/models/reporting/*.yml`: its title, which rows (a `where` on the
model with the named parameters `$commissioner`, `$period`,
`$financial_year`, `$year_complete`), their order, its columns with the
header a person reads and their unit, its note, what it says when empty and
its sheet in the workbook. dbt docs show the same declaration beside the
model's columns. Titles and notes may name settings (`{finance_red_above:.0%}`,
from dbt_project.yml's vars) and the pack's context (`{financial_year}`,
`{period}`, `{grouped_by}`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from opcc.core.settings import DBT_PROJECT_DIR, setting
from opcc.core.yaml_files import load_yaml

UNITS = ("money", "percent", "count", "rag")


@dataclass(frozen=True)
class Column:
    name: str
    label: str | None = None  # None: the column's name in words
    unit: str | None = None  # money, percent, count or rag
    width: int | None = None  # its width in the workbook, when the longest value is not a good guide
    page: bool = True  # shown on the page; False: the workbook alone (a slicing column)


@dataclass(frozen=True)
class TableSpec:
    key: str
    model: str
    title: str
    where: str
    order: str
    columns: tuple[Column, ...]
    note: str = ""
    empty: str = "None."
    sheet: str | None = None  # its sheet in the workbook, if it has one
    slicers: str | None = None  # contract or priority: the workbook adds that key's slicing columns
    extra: dict = field(default_factory=dict)


class _Context(dict):
    """Names in a title or note: the pack's context first, then the settings."""

    def __missing__(self, key):
        return setting(key)


def _column(entry) -> Column:
    if isinstance(entry, str):
        return Column(entry)
    ((name, detail),) = entry.items()
    if detail is None or isinstance(detail, str):
        return Column(name, detail)
    unknown = set(detail) - {"label", "unit", "width", "page"}
    if unknown or detail.get("unit") not in (None, *UNITS):
        raise ValueError(f"pack table column {name}: unknown {sorted(unknown) or detail.get('unit')}")
    return Column(name, detail.get("label"), detail.get("unit"), detail.get("width"), detail.get("page", True))


@functools.cache
def specs() -> dict[str, TableSpec]:
    """Every declared pack table, by key, read from the reporting models' yml."""
    found: dict[str, TableSpec] = {}
    for path in sorted((DBT_PROJECT_DIR / "models" / "reporting").glob("*.yml")):
        document = load_yaml(path.read_text(encoding="utf-8")) or {}
        for model in document.get("models", []):
            for table in (model.get("config") or {}).get("meta", {}).get("pack_tables", []):
                table = dict(table)
                key = table.pop("key")
                if key in found:
                    raise ValueError(f"pack table '{key}' is declared twice ({path.name})")
                columns = tuple(_column(c) for c in table.pop("columns"))
                known = {f: table.pop(f) for f in ("title", "where", "order", "note", "empty", "sheet", "slicers") if f in table}
                found[key] = TableSpec(key=key, model=model["name"], columns=columns, extra=table, **known)
    return found


def spec(key: str) -> TableSpec:
    return specs()[key]


def words(text: str, **context) -> str:
    """A declared title or note with its settings and context filled in."""
    return text.format_map(_Context(context)) if text else ""


def query(table: TableSpec, params: dict) -> tuple[str, dict]:
    """The select of a declared table, and the named parameters it uses."""
    selected = ", ".join(f'"{c.name}"' for c in table.columns)
    sql = f"select {selected} from reporting.{table.model} where {table.where} order by {table.order}"
    used = set(re.findall(r"\$(\w+)", sql))
    missing = used - set(params)
    if missing:
        raise ValueError(f"pack table '{table.key}' uses parameters nobody gives: {sorted(missing)}")
    return sql, {name: value for name, value in params.items() if name in used}
