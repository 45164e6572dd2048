"""Great Expectations suites run against the warehouse being built.

The rules are plain GE suites under expectations/gx/expectations/, one JSON
file each. A suite's `meta` says which asset it guards (`guards`) and which
rows it looks at (`data`, a SQL query on the warehouse); each expectation's
`meta.rule` says the rule in words and its `severity` how much it matters:

  critical  blocking: the refresh stops, the warehouse is not published, and
            `opcc refresh` exits non-zero naming the rule;
  warning   doubtful data: the refresh goes on and the review pack lists it.

GE (1.x) validates a pandas DataFrame read from DuckDB through the suite's
committed validation definition. Results are stored, and Data Docs built,
in folders beside the warehouse; this module only reads the GE project.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from .settings import EXPECTATIONS_DIR

GX_ROOT = EXPECTATIONS_DIR / "gx"
SUITES_DIR = GX_ROOT / "expectations"
BLOCKING = "critical"
KEEP_RUNS = 10

QUALITY_DDL = """
create schema if not exists audit;
create table if not exists audit.quality_results (
    run_id varchar,
    checked_at timestamp,
    suite varchar,
    guards varchar,
    rule varchar,
    expectation varchar,
    column_name varchar,
    severity varchar,
    passed boolean,
    rows_checked bigint,
    rows_failing bigint,
    failing_sample varchar
)
"""


@dataclass(frozen=True)
class Rule:
    rule: str
    expectation: str
    column: str
    severity: str

    @property
    def blocking(self) -> bool:
        return self.severity == BLOCKING


@dataclass(frozen=True)
class Suite:
    name: str
    guards: tuple[str, ...]
    layer: str
    data: str
    rules: tuple[Rule, ...]
    identify_rows_by: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()  # every column a rule or a failing sample reads

    @property
    def has_warnings(self) -> bool:
        return any(not r.blocking for r in self.rules)


@dataclass
class RuleOutcome:
    rule: Rule
    passed: bool
    rows_checked: int
    rows_failing: int
    failing_sample: list = field(default_factory=list)

    def describe(self) -> str:
        if self.passed:
            return f"✓ {self.rule.rule}"
        sample = ", ".join(_short(v) for v in self.failing_sample[:5])
        return f"✗ {self.rule.rule}: {self.rows_failing} of {self.rows_checked} rows" + (f" (e.g. {sample})" if sample else "")


@dataclass
class SuiteOutcome:
    suite: Suite
    outcomes: list[RuleOutcome]

    def failed(self, blocking: bool) -> list[RuleOutcome]:
        return [o for o in self.outcomes if not o.passed and o.rule.blocking == blocking]


def _plain(value) -> str:
    """numpy scalars and the like as plain text."""
    return str(value.item() if hasattr(value, "item") else value)


def _identify(row: dict, keys: tuple[str, ...]) -> str:
    """'2016-17 v1 / appendix_b / 21: value_printed=£1114': which row, then what it holds."""
    where = " / ".join(_plain(row[k]) for k in keys if k in row)
    what = ", ".join(f"{k}={_plain(v)}" for k, v in row.items() if k not in keys)
    return f"{where}: {what}" if what else where


def _short(value) -> str:
    text = str(value)
    return text if len(text) <= 160 else text[:157] + "..."


def load_suites(directory: Path = SUITES_DIR) -> list[Suite]:
    """Read the suites as plain JSON (no GE import): what the Dagster definitions need."""
    suites = []
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        meta = data.get("meta", {})
        rules = tuple(
            Rule(
                rule=e.get("meta", {}).get("rule") or e["type"],
                expectation=e["type"],
                column=e["kwargs"].get("column") or ", ".join(v for k, v in e["kwargs"].items() if k.startswith("column_")),
                severity=e.get("severity", BLOCKING),
            )
            for e in data["expectations"]
        )
        identify = tuple(meta.get("identify_rows_by", ()))
        checked = [v for e in data["expectations"] for k, v in e["kwargs"].items() if k == "column" or k.startswith("column_")]
        suites.append(
            Suite(
                data["name"],
                tuple(meta["guards"].split("/")),
                meta.get("layer", ""),
                meta["data"],
                rules,
                identify,
                tuple(dict.fromkeys([*identify, *checked])),
            )
        )
    return suites


def quality_dir(live: Path) -> Path:
    return live.with_name(f"{live.stem}.quality")


def data_docs_index(live: Path) -> Path:
    return quality_dir(live) / "data_docs" / "index.html"


def _point_at(live: Path) -> tuple[str, str]:
    validations = str(quality_dir(live) / "validations")
    docs = str(quality_dir(live) / "data_docs")
    os.environ["OPCC_GX_VALIDATIONS"] = validations
    os.environ["OPCC_DATA_DOCS"] = docs
    return validations, docs


_contexts: dict[tuple[str, str], object] = {}
_validated: set[Path] = set()
_prefetch: threading.Thread | None = None


def prefetch() -> None:
    """Import Great Expectations in the background (it takes seconds) while the first assets load."""
    global _prefetch
    if _prefetch is None and "great_expectations" not in sys.modules:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
        _prefetch = threading.Thread(target=lambda: __import__("great_expectations"), name="gx-import", daemon=True)
        _prefetch.start()


def gx_context(live: Path):
    """The GE file context, with its results and Data Docs pointed beside this warehouse."""
    key = _point_at(live)
    if key not in _contexts:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
        if _prefetch is not None:
            _prefetch.join()
        import great_expectations as gx

        _contexts[key] = gx.get_context(mode="file", project_root_dir=str(EXPECTATIONS_DIR))
    return _contexts[key]


def _run_identifier(run_name: str | None):
    from great_expectations.core.run_identifier import RunIdentifier

    return RunIdentifier(run_name=run_name, run_time=datetime.now(UTC)) if run_name else None


_SCOPE = re.compile(r"\{refresh_years:([^}]+)\}")


def scoped(sql: str, years: list[str] | None) -> str:
    """A suite's query limited to the financial years a partial refresh touched.

    `{refresh_years:EXPR}` in a suite's `data` becomes `EXPR in ('2025-26', ...)` in a partial
    refresh, and `true` in a full one, so big tables are checked where they changed.
    """
    if not years:
        return _SCOPE.sub("true", sql)
    listed = ", ".join("'" + y.replace("'", "''") + "'" for y in years)
    return _SCOPE.sub(lambda m: f"({m.group(1)}) in ({listed})", sql)


def suite_frame(con: duckdb.DuckDBPyConnection, suite: Suite, years: list[str] | None = None):
    """The suite's data as a DataFrame, with only the columns its rules and samples read: at national
    scale a whole table in pandas costs gigabytes."""
    sql = scoped(suite.data, years)
    if suite.columns:
        quoted = ['"' + c.replace('"', '""') + '"' for c in suite.columns]
        sql = f"select {', '.join(quoted)} from ({sql})"
    return con.sql(sql).df()


def validate(
    con: duckdb.DuckDBPyConnection, suite: Suite, live: Path, run_name: str | None = None, years: list[str] | None = None
) -> SuiteOutcome:
    frame = suite_frame(con, suite, years)
    context = gx_context(live)
    definition = context.validation_definitions.get(suite.name)
    result_format = {"result_format": "SUMMARY", "partial_unexpected_count": 10}
    if suite.identify_rows_by:
        result_format["unexpected_index_column_names"] = list(suite.identify_rows_by)
    result = definition.run(
        batch_parameters={"dataframe": frame}, result_format=result_format, run_id=_run_identifier(run_name)
    )
    _validated.add(live)
    return _outcome(suite, result, len(frame))


def _outcome(suite: Suite, result, rows: int) -> SuiteOutcome:
    by_rule = {(r.expectation, r.column, r.rule): r for r in suite.rules}
    outcomes = []
    for item in result.results:
        config = item.expectation_config
        kwargs = config.kwargs
        column = kwargs.get("column") or ", ".join(v for k, v in kwargs.items() if k.startswith("column_"))
        rule = by_rule[(config.type, column, (config.meta or {}).get("rule") or config.type)]
        details = item.result or {}
        checked = details.get("element_count", rows)
        failing = details.get("unexpected_count")
        if failing is None:
            failing = 0 if item.success else checked
        indexed = [row for row in details.get("partial_unexpected_index_list") or [] if isinstance(row, dict)]
        sample = [_identify(row, suite.identify_rows_by) for row in indexed] or [
            _plain(v) for v in details.get("partial_unexpected_list") or []
        ]
        outcomes.append(RuleOutcome(rule, bool(item.success), int(checked or 0), int(failing), sample))
    return SuiteOutcome(suite, outcomes)


def record(con: duckdb.DuckDBPyConnection, outcome: SuiteOutcome, run_id: str) -> None:
    """Keep this run's results for the suite in audit.quality_results (the review pack reads them)."""
    con.execute(QUALITY_DDL)
    con.execute("delete from audit.quality_results where suite = ?", [outcome.suite.name])
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        {
            "run_id": run_id,
            "checked_at": now,
            "suite": outcome.suite.name,
            "guards": "/".join(outcome.suite.guards),
            "rule": o.rule.rule,
            "expectation": o.rule.expectation,
            "column_name": o.rule.column,
            "severity": "blocking" if o.rule.blocking else "warning",
            "passed": o.passed,
            "rows_checked": o.rows_checked,
            "rows_failing": o.rows_failing,
            "failing_sample": "; ".join(_short(v) for v in o.failing_sample[:10]) or None,
        }
        for o in outcome.outcomes
    ]
    con.register("_quality", pa.Table.from_pylist(rows))
    con.execute("insert into audit.quality_results by name select * from _quality")
    con.unregister("_quality")


def finish(live: Path) -> Path | None:
    """After a run's validations: prune old results, build Data Docs, make them work offline."""
    if live not in _validated:
        return None
    _validated.discard(live)
    context = gx_context(live)
    _prune(quality_dir(live) / "validations")
    context.build_data_docs()
    docs = quality_dir(live) / "data_docs"
    make_offline(docs)
    return docs / "index.html"


def _prune(validations: Path) -> None:
    """Keep the last KEEP_RUNS results per suite (<suite>/<run name>/<run time>/...)."""
    if not validations.exists():
        return
    for suite_dir in validations.iterdir():
        if not suite_dir.is_dir():
            continue
        runs = sorted((p for run_name in suite_dir.iterdir() if run_name.is_dir() for p in run_name.iterdir()), key=lambda p: p.name)
        for old in runs[:-KEEP_RUNS]:
            shutil.rmtree(old, ignore_errors=True)


OFFLINE_STYLE = """
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 1.5rem; color: #1f2933; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #d0d7de; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f5f7; }
.nav-tabs { list-style: none; padding: 0; display: flex; gap: 1rem; }
.alert { background: #f3f5f7; padding: .5rem 1rem; border-radius: 4px; }
.text-danger, .fa-times { color: #b42318; } .text-success, .fa-check-circle { color: #027a48; }
.d-none, .modal, button, nav img, footer { display: none; }
.fa-check-circle::before { content: "✓ passed"; font-style: normal; }
.fa-times::before, .fa-times-circle::before { content: "✗ failed"; font-style: normal; }
.fa-exclamation-triangle::before { content: "! warning"; font-style: normal; color: #b54708; }
a.clickable { color: #175cd3; }
</style>
"""

# GE's index renders its tables with jQuery and bootstrap-table from a CDN. Offline, this does the
# one thing used: fill the table from the rows GE writes into the page.
OFFLINE_SCRIPT = """
<script>
window.$ = window.jQuery = function (selector) {
  var element = typeof selector === "string" ? document.querySelector(selector) : selector;
  return {
    bootstrapTable: function (options) {
      if (!element || typeof options !== "object" || !options.columns) { return; }
      var head = "<tr>" + options.columns.map(function (c) { return "<th>" + c.title + "</th>"; }).join("") + "</tr>";
      var body = (options.data || []).map(function (row) {
        var cells = options.columns.map(function (c) { return "<td>" + (row[c.field] === undefined ? "" : row[c.field]) + "</td>"; }).join("");
        var link = row._table_row_link_path ? ' onclick="window.location.href=\\'' + row._table_row_link_path + '\\'" class="clickable"' : "";
        return "<tr" + link + ">" + cells + "</tr>";
      }).join("");
      element.innerHTML = "<thead>" + head + "</thead><tbody>" + body + "</tbody>";
    },
    on: function () { return this; }, ready: function (f) { document.addEventListener("DOMContentLoaded", f); },
    click: function () { return this; }, tooltip: function () { return this; }, popover: function () { return this; }
  };
};
</script>
"""

_EXTERNAL = [
    re.compile(r"<script[^>]+src=\"https?://[^\"]*\"[^>]*>\s*</script>", re.I),
    re.compile(r"<link[^>]+href=\"https?://[^\"]*\"[^>]*/?>", re.I),
    re.compile(r"<img[^>]+src=\"https?://[^\"]*\"[^>]*/?>", re.I | re.S),
    re.compile(r"url\(['\"]?https?://[^)]*\)", re.I),
]


def make_offline(site: Path) -> None:
    """Strip every reference to the network from GE's Data Docs and add local styling."""
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for pattern in _EXTERNAL:
            html = pattern.sub("", html)
        html = re.sub(r'href="https?://[^"]*"', 'href="#"', html)  # outbound links go nowhere
        if "</head>" in html and OFFLINE_SCRIPT not in html:
            html = html.replace("</head>", OFFLINE_STYLE + OFFLINE_SCRIPT + "</head>", 1)
        page.write_text(html, encoding="utf-8")


def run_checkpoints(live: Path, suites: list[Suite] | None = None) -> list[SuiteOutcome]:
    """Run every suite's committed checkpoint against the published warehouse (read-only); Data Docs follow."""
    from .queries import connect_locked

    context = gx_context(live)
    outcomes = []
    with connect_locked(live) as con:
        for suite in suites or load_suites():
            frame = suite_frame(con, suite)
            checkpoint = context.checkpoints.get(suite.name)
            result = checkpoint.run(batch_parameters={"dataframe": frame}, run_id=_run_identifier("opcc check"))
            (validation,) = result.run_results.values()
            outcomes.append(_outcome(suite, validation, len(frame)))
    make_offline(quality_dir(live) / "data_docs")
    return outcomes


def register_suite(live: Path, name: str, guards: str, data: str, layer: str, identify_rows_by: list[str]) -> Path:
    """Create a new, empty suite with its data asset, validation definition and checkpoint (get-or-create)."""
    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction

    context = gx_context(live)
    try:
        source = context.data_sources.get("warehouse")
    except KeyError:
        source = context.data_sources.add_pandas("warehouse")
    try:
        asset = source.get_asset(name)
    except LookupError:
        asset = source.add_dataframe_asset(name)
    try:
        batch = asset.get_batch_definition("whole_table")
    except KeyError:
        batch = asset.add_batch_definition_whole_dataframe("whole_table")
    try:
        suite = context.suites.get(name)
    except gx.exceptions.DataContextError:
        suite = context.suites.add(
            gx.ExpectationSuite(
                name=name,
                meta={"guards": guards, "layer": layer, "data": data, "identify_rows_by": identify_rows_by},
            )
        )
    try:
        definition = context.validation_definitions.get(name)
    except gx.exceptions.DataContextError:
        definition = context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch, suite=suite))
    try:
        context.checkpoints.get(name)
    except gx.exceptions.DataContextError:
        context.checkpoints.add(
            gx.Checkpoint(
                name=name,
                validation_definitions=[definition],
                actions=[UpdateDataDocsAction(name="update_data_docs")],
                result_format={"result_format": "SUMMARY"},
            )
        )
    return SUITES_DIR / f"{name}.json"
