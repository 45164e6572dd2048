"""The dbt project's parsing macros, for the Python that reads text the way the models do.

`dbt_project/macros/parsing.sql` is the one definition of how printed text is
read: money, the spelling-insensitive key, priority keys; `periods.sql` of the
financial year of a period. The macros there use
plain Jinja only, so this module renders them to SQL for the returns rules and
the quality suites, and evaluates them on an in-memory DuckDB for the
framework importer: one definition, the same answers everywhere.
"""

from __future__ import annotations

import functools
import threading
from decimal import Decimal

import duckdb
from jinja2 import Environment, StrictUndefined

from opcc.core.settings import DBT_PROJECT_DIR

MACRO_FILE = DBT_PROJECT_DIR / "macros" / "parsing.sql"
# The financial year of a period (`financial_year_of`) and the period basis of a figure.
PERIOD_MACRO_FILE = DBT_PROJECT_DIR / "macros" / "periods.sql"


@functools.cache
def _module():
    environment = Environment(undefined=StrictUndefined, autoescape=False)
    text = "\n".join(path.read_text(encoding="utf-8") for path in (MACRO_FILE, PERIOD_MACRO_FILE))
    return environment.from_string(text).module


def sql(macro: str, *arguments: str) -> str:
    """The SQL a parsing macro expands to, e.g. sql('conform_key', 'provider')."""
    return str(getattr(_module(), macro)(*arguments)).strip()


def render(text: str) -> str:
    """SQL text that calls the parsing macros as `{{ conform_key('x') }}`, expanded."""
    if "{{" not in text:
        return text
    environment = Environment(undefined=StrictUndefined, autoescape=False)
    macros = {name: getattr(_module(), name) for name in dir(_module()) if not name.startswith("_")}
    return environment.from_string(text).render(**macros)


_local = threading.local()


def _connection() -> duckdb.DuckDBPyConnection:
    if not hasattr(_local, "con"):
        _local.con = duckdb.connect()
    return _local.con


@functools.lru_cache(maxsize=65536)
def evaluate(macro: str, text: str | None):
    """A parsing macro applied to one Python string, by DuckDB."""
    return _connection().execute(f"select {sql(macro, '$text')}", {"text": text}).fetchone()[0]


def conform_key(text: str | None) -> str:
    return evaluate("conform_key", text) or ""


def parse_gbp(text: str | None) -> Decimal | None:
    value = evaluate("parse_gbp", text)
    if value is not None and value == value.to_integral_value():
        return value.quantize(Decimal("1"))  # whole pounds print as whole pounds
    return value


def parse_gbp_millions(text: str | None) -> Decimal | None:
    value = evaluate("parse_gbp_millions", text)
    return None if value is None else Decimal(value).quantize(Decimal("1"))
